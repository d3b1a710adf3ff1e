/// JSON text for the flat string objects the store keeps (subscriber attributes, audit
/// details) and exports write, without an encoder per value: these are written once per
/// imported or exported row.
public enum JSONText {
    /// `{"a":"1","b":"2"}` with keys sorted, so equal objects are equal text.
    public static func object(_ values: [String: String]) -> String {
        guard !values.isEmpty else { return "{}" }
        return "{" + values.sorted { $0.key < $1.key }.map { string($0.key) + ":" + string($0.value) }.joined(separator: ",") + "}"
    }

    /// A JSON string literal (RFC 8259 escapes; everything else as UTF-8).
    public static func string(_ text: String) -> String {
        var result = "\""
        result.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
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
