/// An amount of money: integer minor units of one currency. No floating point anywhere.
public struct Money: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Minor units (cents for USD, yen for JPY, fils for KWD).
    public let minorUnits: Int64
    public let currency: Currency

    /// Creates an amount.
    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Parses what a person types: `1`, `1.00`, `5.5` in USD; `100` in JPY; `1.500` in KWD.
    ///
    /// Strict: digits with at most one decimal separator followed by no more digits than the
    /// currency has; no signs, spaces, grouping or exponents. The separator is `.` unless the
    /// caller's locale says `,` (`1,50` is refused otherwise: it could be a thousands group).
    public static func parse(_ text: String, currency: Currency, decimalSeparator: Character = ".") -> Money? {
        let parts = text.split(separator: decimalSeparator, maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.utf8.count <= 15, whole.allSatisfy(\.isASCIIDigit) else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || (!fraction.isEmpty && fraction.count <= currency.exponent), fraction.allSatisfy(\.isASCIIDigit)
        else { return nil }
        guard let major = Int64(whole) else { return nil }
        let padded = fraction + String(repeating: "0", count: currency.exponent - fraction.count)
        let minor = padded.isEmpty ? 0 : Int64(padded) ?? 0
        let (scaled, overflow) = major.multipliedReportingOverflow(by: currency.scale)
        guard !overflow else { return nil }
        return Money(minorUnits: scaled + minor, currency: currency)
    }

    /// In English: `$1.00`, `$10,000.00`, `¥100`, `1.500 KWD`, `1,250.50 PLN`.
    public var formatted: String { formatted(language: "en") }

    /// As a reader of `language` writes it. English (and any language without its own rule):
    /// the symbol before, `,` between thousands, `.` before the fraction (`$10,000.00`).
    /// Ukrainian: the number first, a no-break space between thousands, `,` before the
    /// fraction and the symbol after (`10 000,00 ₴`), with no-break spaces, so an amount never
    /// wraps across lines.
    public func formatted(language: String) -> String {
        let ukrainian = language == "uk"
        let space = ukrainian ? "\u{00A0}" : " "
        let number = Self.decimal(
            minorUnits, exponent: currency.exponent, group: ukrainian ? space : ",", fraction: ukrainian ? "," : ".")
        guard let symbol = currency.symbol else { return number + space + currency.code }
        return ukrainian ? number + space + symbol : symbol + number
    }

    /// The amount as a plain decimal number (`1.00`), as `parse` reads it back.
    public var decimalText: String { Self.decimal(minorUnits, exponent: currency.exponent) }

    public var description: String { formatted }

    /// `minor` as a decimal number; `group` goes between each three digits of the whole part
    /// (none by default, as `parse` reads it back).
    private static func decimal(_ minor: Int64, exponent: Int, group: String = "", fraction separator: String = ".") -> String {
        let sign = minor < 0 ? "-" : ""
        let magnitude = minor.magnitude
        let scale = UInt64(Currency.power(exponent))
        let digits = Array(String(magnitude / scale))
        var whole = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { whole += group }
            whole.append(digit)
        }
        guard exponent > 0 else { return sign + whole }
        let fraction = String(magnitude % scale)
        return sign + whole + separator + String(repeating: "0", count: exponent - fraction.count) + fraction
    }
}

extension Currency {
    /// Minor units per major unit.
    public var scale: Int64 { Currency.power(exponent) }

    static func power(_ exponent: Int) -> Int64 {
        var result: Int64 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
