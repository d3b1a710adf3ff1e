/// An ISO 4217 currency: its code, how many minor units a major unit has (the exponent), and
/// how amounts in it are written.
public struct Currency: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Three upper-case letters (`USD`).
    public let code: String
    /// Digits after the decimal point: USD 2, JPY 0, KWD 3.
    public let exponent: Int
    /// Written before the amount (`$1.00`); nil writes the code after it (`1.500 KWD`).
    public let symbol: String?

    public var description: String { code }

    /// The currency with this code (case-insensitive), if the table knows it.
    public static func named(_ code: String) -> Currency? { table[code.uppercased()] }

    /// Every currency Masthead can take pledges in. Data, not scattered constants: adding a
    /// currency is one line. Exponents from ISO 4217.
    public static let table: [String: Currency] = Dictionary(
        uniqueKeysWithValues: [
            Currency(code: "USD", exponent: 2, symbol: "$"),
            Currency(code: "EUR", exponent: 2, symbol: "€"),
            Currency(code: "GBP", exponent: 2, symbol: "£"),
            Currency(code: "UAH", exponent: 2, symbol: "₴"),
            Currency(code: "PLN", exponent: 2, symbol: nil),
            Currency(code: "CHF", exponent: 2, symbol: nil),
            Currency(code: "CAD", exponent: 2, symbol: "CA$"),
            Currency(code: "AUD", exponent: 2, symbol: "A$"),
            Currency(code: "SEK", exponent: 2, symbol: nil),
            Currency(code: "NOK", exponent: 2, symbol: nil),
            Currency(code: "DKK", exponent: 2, symbol: nil),
            Currency(code: "CZK", exponent: 2, symbol: nil),
            Currency(code: "MDL", exponent: 2, symbol: nil),
            Currency(code: "GEL", exponent: 2, symbol: nil),
            Currency(code: "JPY", exponent: 0, symbol: "¥"),
            Currency(code: "KRW", exponent: 0, symbol: "₩"),
            Currency(code: "ISK", exponent: 0, symbol: nil),
            Currency(code: "KWD", exponent: 3, symbol: nil),
            Currency(code: "BHD", exponent: 3, symbol: nil),
            Currency(code: "JOD", exponent: 3, symbol: nil),
            Currency(code: "OMR", exponent: 3, symbol: nil),
            Currency(code: "TND", exponent: 3, symbol: nil),
        ].map { ($0.code, $0) })
}
