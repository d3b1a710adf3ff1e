import Hummingbird
import SideEffects

/// The fields of a request body, whether it came as JSON or as an HTML form, so one handler
/// serves `fetch()` and a plain `<form>` alike.
///
/// JSON values must be strings, numbers or lists of strings; a form may repeat a field
/// (`newsletters=a&newsletters=b`, or PHP's `newsletters[]=a`). Anything else is a 4xx naming
/// the field.
struct SubmittedFields: Sendable {
    private(set) var values: [String: [String]] = [:]

    /// The first value of a field.
    func first(_ name: String) -> String? { values[name]?.first }

    /// Every value of a field.
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// Reads the body (up to `limit` bytes) according to its `Content-Type`.
    static func read(_ request: Request, limit: Int) async throws -> SubmittedFields {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        let body = try await request.body.collect(upTo: limit)
        let bytes = Array(body.readableBytesView)
        if type.hasPrefix("application/x-www-form-urlencoded") {
            return try form(String(decoding: bytes, as: UTF8.self))
        }
        if type.hasPrefix("application/json") || (type.isEmpty && !bytes.isEmpty) {
            return try json(bytes)
        }
        if bytes.isEmpty { return SubmittedFields() }
        throw ProblemDetails(
            status: .unsupportedMediaType,
            detail: "Send application/json or application/x-www-form-urlencoded, not \(type).")
    }

    static func form(_ text: String) throws(ProblemDetails) -> SubmittedFields {
        var fields = SubmittedFields()
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = decode(parts.count > 1 ? parts[1] : "") else {
                throw .malformedBody("the form has a badly percent-encoded field")
            }
            let key = name.hasSuffix("[]") ? String(name.dropLast(2)) : name
            fields.values[key, default: []].append(value)
        }
        return fields
    }

    /// A JSON object's fields, read by `JSONDocument` (one pass over the bytes): under sign-up
    /// load `JSONSerialization` and the casts of its `Any` values cost about 8 µs a request.
    static func json(_ bytes: [UInt8]) throws(ProblemDetails) -> SubmittedFields {
        guard case .object(let object)? = try? JSONDocument.parse(bytes) else {
            throw .malformedBody("the body is not a JSON object")
        }
        var fields = SubmittedFields()
        for (key, value) in object {
            switch value {
            case .string(let text):
                fields.values[key] = [text]
            case .number(let number):
                // `"amount_minor": 500`, kept as written; whatever is not a whole number fails
                // the field's own check.
                fields.values[key] = [number]
            case .array(let list):
                let strings = list.compactMap { element -> String? in
                    if case .string(let text) = element { return text }
                    return nil
                }
                guard strings.count == list.count else { throw .fieldType(key, "a list of strings") }
                fields.values[key] = strings
            case .null:
                continue
            case .bool, .object:
                throw .fieldType(key, "a string")
            }
        }
        return fields
    }

    /// A form's name or value: `+` is a space, `%XX` a byte, and the bytes must be UTF-8; nil
    /// when they are not or an escape is incomplete. Byte by byte: Foundation's
    /// `replacingOccurrences` and `removingPercentEncoding` cost about 9 µs a confirmation.
    static func decode(_ component: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(component.utf8.count)
        var input = component.utf8.makeIterator()
        while let byte = input.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = input.next().flatMap(hexValue), let low = input.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension ProblemDetails {
    /// 400: the body cannot be read at all.
    static func malformedBody(_ detail: String) -> ProblemDetails {
        ProblemDetails(status: .badRequest, type: "urn:masthead:problem:malformed-body", detail: "The request body is malformed: \(detail).")
    }

    /// 422: a field has the wrong JSON type.
    static func fieldType(_ field: String, _ expected: String) -> ProblemDetails {
        ProblemDetails(
            status: .unprocessableContent, type: "urn:masthead:problem:validation", title: "Invalid input",
            detail: "\(field) must be \(expected).",
            errors: [.init(field: field, code: "wrong_type", message: "\(field) must be \(expected).")])
    }
}
