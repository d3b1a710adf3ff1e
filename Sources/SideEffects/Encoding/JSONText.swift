/// JSON text for the flat string objects the store keeps (subscriber attributes, audit
/// details) and exports write, without an encoder per value: these are written once per
/// imported or exported row.
public enum JSONText {
    /// `{"a":"1","b":"2"}` with keys sorted, so equal objects are equal text.
    public static func object(_ values: [String: String]) -> String {
        guard !values.isEmpty else { return "{}" }
        var output = "{"
        for (index, (key, value)) in values.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { output += "," }
            write(key, into: &output)
            output += ":"
            write(value, into: &output)
        }
        return output + "}"
    }

    /// Appends `text` as a JSON string literal to `output` (as ``string(_:)`` writes it, without
    /// a string of its own when nothing needs an escape: the usual case).
    public static func write(_ text: String, into output: inout String) {
        guard text.utf8.contains(where: { escapedLength($0) > 1 }) else {
            output += "\""
            output += text
            output += "\""
            return
        }
        output += string(text)
    }

    /// A JSON string literal (RFC 8259 escapes; everything else as UTF-8).
    ///
    /// Written byte by byte into one buffer sized by a first pass: every character that needs an
    /// escape is ASCII, so UTF-8's other bytes pass through unchanged. (Appending scalar by
    /// scalar cost 3% of a sign-up's CPU: its events and outbox payload write a dozen strings.)
    public static func string(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            var length = 2
            for byte in bytes { length += escapedLength(byte) }
            return String(unsafeUninitializedCapacity: length) { buffer in
                var end = 0
                func put(_ byte: UInt8) {
                    buffer[end] = byte
                    end += 1
                }
                put(quote)
                for byte in bytes {
                    switch byte {
                    case quote, backslash: put(backslash); put(byte)
                    case UInt8(ascii: "\n"): put(backslash); put(UInt8(ascii: "n"))
                    case UInt8(ascii: "\r"): put(backslash); put(UInt8(ascii: "r"))
                    case UInt8(ascii: "\t"): put(backslash); put(UInt8(ascii: "t"))
                    case ..<0x20:
                        for escape in [backslash, UInt8(ascii: "u"), 0x30, 0x30, hexDigit(byte >> 4), hexDigit(byte & 0xF)] { put(escape) }
                    default: put(byte)
                    }
                }
                put(quote)
                return end
            }
        }
    }

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    /// How many bytes `byte` takes inside a JSON string literal.
    private static func escapedLength(_ byte: UInt8) -> Int {
        switch byte {
        case quote, backslash, UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): 2
        case ..<0x20: 6
        default: 1
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 + value : UInt8(ascii: "a") + value - 10
    }
}

extension JSONText {
    /// Reads a flat JSON object of strings (`{"city":"Kyiv"}`), or nil if the text is anything
    /// else. Whitespace between tokens and every RFC 8259 string escape are accepted.
    /// A stored object of strings (`attributes`, `details`): `{}`, NULL or unreadable text is empty.
    public static func stringObject(_ text: String?) -> [String: String] {
        guard let text, text != "{}" else { return [:] }
        return parseObject(text) ?? [:]
    }

    public static func parseObject(_ text: String) -> [String: String]? {
        var parser = FlatObjectParser(bytes: Array(text.utf8))
        return parser.object()
    }
}

/// A recursive-descent reader for exactly one shape: an object whose values are strings.
private struct FlatObjectParser {
    let bytes: [UInt8]
    var index = 0

    mutating func object() -> [String: String]? {
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return nil }
        var result: [String: String] = [:]
        skipSpace()
        if take(UInt8(ascii: "}")) { return finished(result) }
        while true {
            skipSpace()
            guard let key = string() else { return nil }
            skipSpace()
            guard take(UInt8(ascii: ":")) else { return nil }
            skipSpace()
            guard let value = string() else { return nil }
            result[key] = value
            skipSpace()
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "}")) else { return nil }
            return finished(result)
        }
    }

    private mutating func finished(_ result: [String: String]) -> [String: String]? {
        skipSpace()
        return index == bytes.count ? result : nil
    }

    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        var scalars = String.UnicodeScalarView()
        var run = index
        func flush(_ end: Int) { scalars.append(contentsOf: String(decoding: bytes[run..<end], as: UTF8.self).unicodeScalars) }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                flush(index)
                index += 1
                return String(scalars)
            }
            guard byte >= 0x20 else { return nil }
            guard byte == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            flush(index)
            index += 1
            guard index < bytes.count else { return nil }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(Unicode.Scalar(escape))
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                guard var code = hex4() else { return nil }
                if (0xD800..<0xDC00).contains(code) {
                    guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(), (0xDC00..<0xE000).contains(low)
                    else { return nil }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { return nil }
                scalars.append(scalar)
            default: return nil
            }
            run = index
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { return nil }
            value = value * 16 + UInt32(digit)
        }
        index += 4
        return value
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }
}
