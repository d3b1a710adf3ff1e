/// A parsed JSON document (RFC 8259), for reading back the payloads ``JSONText`` writes
/// (``JSONValue`` is the writing side, for webhook bodies).
///
/// `JSONDecoder`'s Decodable machinery cost more than rendering the email it fed: a tenth of the
/// delivery worker's CPU went to decoding one small outbox payload per message. This reader does
/// one pass over the bytes and leaves the mapping to fields to the caller. Numbers keep their
/// text, so an `Int64` and a `Double` each read back exactly.
///
/// ```swift
/// let document = try JSONDocument.parse(Array(#"{"id":42,"tags":["a"]}"#.utf8))
/// if case .object(let fields) = document, case .number(let id)? = fields["id"] { print(Int64(id)!) }
/// ```
public enum JSONDocument: Sendable, Equatable {
    case object([String: JSONDocument])
    case array([JSONDocument])
    case string(String)
    /// The number as written (`-12`, `1.5e3`).
    case number(String)
    case bool(Bool)
    case null

    /// Why a document is not JSON, and the byte offset where that showed.
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        public let offset: Int
        public var description: String { "not valid JSON at byte \(offset)" }
    }

    /// The document in `bytes`: one value, optionally surrounded by whitespace.
    public static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSONDocument {
        try bytes.withUnsafeBufferPointer { buffer throws(SyntaxError) in
            var reader = Reader(bytes: buffer)
            let value = try reader.value(depth: 0)
            reader.skipWhitespace()
            guard reader.offset == buffer.count else { throw reader.error() }
            return value
        }
    }
}

extension JSONDocument {
    /// An object's member that may be absent or null (`.some(nil)`) or else must be a string;
    /// nil when it is anything else.
    public static func optionalString(_ member: JSONDocument?) -> String?? {
        switch member {
        case nil, .null?: .some(nil)
        case .string(let text)?: .some(text)
        default: nil
        }
    }

    /// An object's member that may be absent or null (`.some(nil)`) or else must be a whole
    /// number written without a fraction or exponent; nil when it is anything else.
    public static func optionalInteger(_ member: JSONDocument?) -> Int64?? {
        switch member {
        case nil, .null?: .some(nil)
        case .number(let text)?: Int64(text).map { .some($0) }
        default: nil
        }
    }
}

/// A cursor over the document's bytes.
private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0

    /// Deeper nesting than any payload of ours, shallow enough that recursion cannot overflow the stack.
    static let maximumDepth = 64

    func error() -> JSONDocument.SyntaxError { JSONDocument.SyntaxError(offset: offset) }

    var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { offset += 1 }
    }

    mutating func expect(_ byte: UInt8) throws(JSONDocument.SyntaxError) {
        skipWhitespace()
        guard current == byte else { throw error() }
        offset += 1
    }

    mutating func value(depth: Int) throws(JSONDocument.SyntaxError) -> JSONDocument {
        skipWhitespace()
        guard let byte = current, depth < Self.maximumDepth else { throw error() }
        switch byte {
        case UInt8(ascii: "{"): return .object(try object(depth: depth))
        case UInt8(ascii: "["): return .array(try array(depth: depth))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    mutating func object(depth: Int) throws(JSONDocument.SyntaxError) -> [String: JSONDocument] {
        offset += 1
        var fields: [String: JSONDocument] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            offset += 1
            return fields
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error() }
            let key = try string()
            try expect(UInt8(ascii: ":"))
            fields[key] = try value(depth: depth + 1)
            skipWhitespace()
            guard let separator = current else { throw error() }
            offset += 1
            if separator == UInt8(ascii: "}") { return fields }
            guard separator == UInt8(ascii: ",") else { throw error() }
        }
    }

    mutating func array(depth: Int) throws(JSONDocument.SyntaxError) -> [JSONDocument] {
        offset += 1
        var elements: [JSONDocument] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            offset += 1
            return elements
        }
        while true {
            elements.append(try value(depth: depth + 1))
            skipWhitespace()
            guard let separator = current else { throw error() }
            offset += 1
            if separator == UInt8(ascii: "]") { return elements }
            guard separator == UInt8(ascii: ",") else { throw error() }
        }
    }

    /// A string literal, the cursor on its opening quote.
    mutating func string() throws(JSONDocument.SyntaxError) -> String {
        offset += 1
        let start = offset
        // The usual case: no escape, so the text is the bytes between the quotes.
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
            guard byte >= 0x20 else { throw error() }
            offset += 1
        }
        guard let stop = current else { throw error() }
        if stop == UInt8(ascii: "\"") {
            offset += 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset - 1]), as: UTF8.self)
        }
        var text = Array(bytes[start..<offset])
        while let byte = current {
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &text)
            case ..<0x20:
                offset -= 1
                throw error()
            default:
                text.append(byte)
            }
        }
        throw error()
    }

    /// The escape after a backslash, appended as UTF-8.
    mutating func escape(into text: inout [UInt8]) throws(JSONDocument.SyntaxError) {
        guard let byte = current else { throw error() }
        offset += 1
        let simple: UInt8? =
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): byte
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "t"): 0x09
            default: nil
            }
        if let simple {
            text.append(simple)
            return
        }
        guard byte == UInt8(ascii: "u") else { throw error() }
        var unit = try hexUnit()
        // A high surrogate and the low one after it are one scalar; a lone surrogate is no text.
        if (0xD800..<0xDC00).contains(unit) {
            guard bytes.count - offset >= 2, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                throw error()
            }
            offset += 2
            let low = try hexUnit()
            guard (0xDC00..<0xE000).contains(low) else { throw error() }
            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(unit) else { throw error() }
        text.append(contentsOf: String(scalar).utf8)
    }

    mutating func hexUnit() throws(JSONDocument.SyntaxError) -> UInt32 {
        guard bytes.count - offset >= 4 else { throw error() }
        var unit: UInt32 = 0
        for _ in 0..<4 {
            let digit: UInt8
            switch bytes[offset] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = bytes[offset] - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = bytes[offset] - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = bytes[offset] - UInt8(ascii: "A") + 10
            default: throw error()
            }
            unit = unit << 4 | UInt32(digit)
            offset += 1
        }
        return unit
    }

    mutating func literal(_ word: String) throws(JSONDocument.SyntaxError) {
        let count = word.utf8.count
        guard bytes.count - offset >= count, word.utf8.elementsEqual(bytes[offset..<offset + count]) else { throw error() }
        offset += count
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as text.
    mutating func number() throws(JSONDocument.SyntaxError) -> String {
        let start = offset
        func digits(_ reader: inout Reader) -> Int {
            let first = reader.offset
            while let byte = reader.current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { reader.offset += 1 }
            return reader.offset - first
        }
        if current == UInt8(ascii: "-") { offset += 1 }
        let leading = current
        let integer = digits(&self)
        guard integer > 0, leading != UInt8(ascii: "0") || integer == 1 else { throw error() }
        if current == UInt8(ascii: ".") {
            offset += 1
            guard digits(&self) > 0 else { throw error() }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            offset += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { offset += 1 }
            guard digits(&self) > 0 else { throw error() }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
    }
}
