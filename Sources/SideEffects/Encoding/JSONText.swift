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
    /// A stored object of strings (`attributes`, `details`): `{}`, NULL or unreadable text is empty.
    public static func stringObject(_ text: String?) -> [String: String] {
        guard let text, text != "{}" else { return [:] }
        return parseObject(text) ?? [:]
    }

    /// Reads a flat JSON object of strings (`{"city":"Kyiv"}`), or nil if the text is anything
    /// else. Whitespace between tokens and every RFC 8259 string escape are accepted.
    public static func parseObject(_ text: String) -> [String: String]? {
        guard case .object(let fields)? = try? JSONDocument.parse(Array(text.utf8)) else { return nil }
        var strings: [String: String] = [:]
        for (key, value) in fields {
            guard case .string(let string) = value else { return nil }
            strings[key] = string
        }
        return strings
    }
}
