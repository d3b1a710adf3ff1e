import AdminAccess
import Foundation
import Hummingbird
import SubscriberLists

/// What every admin route does the same way: check its scope, read query parameters and JSON
/// bodies into 4xx problems naming the field, and answer JSON shaped as `masthead … --format
/// json` prints it (snake_case keys, ISO 8601 times).
enum AdminRoute {
    /// The token of the request, when it grants `scope`; else 403.
    static func require(_ scope: AdminScope, _ context: MastheadRequestContext) throws -> AdminToken {
        guard let token = context.adminToken else { throw ProblemDetails.unauthenticated }
        guard token.grants(scope) else { throw ProblemDetails.forbidden(scope) }
        return token
    }

    static func json(status: HTTPResponse.Status = .ok, _ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// The JSON body as `T` (snake_case keys); a missing or mistyped field is a 422 naming it.
    /// No body reads as `{}`: a request whose fields are all optional needs none.
    static func body<T: Decodable>(_ type: T.Type, of request: Request, limit: Int) async throws -> T {
        let buffer = try await request.body.collect(upTo: limit)
        if let contentType = request.headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw ProblemDetails(status: .unsupportedMediaType, detail: "Send application/json, not \(contentType).")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(T.self, from: buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer.readableBytesView))
        } catch DecodingError.keyNotFound(let key, let context) {
            let field = fieldName(context.codingPath + [key])
            throw ProblemDetails.validation(field: field, code: "required", "\(field) is required.")
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            guard !context.codingPath.isEmpty else { throw ProblemDetails.malformedBody("the body is not a JSON object") }
            let field = fieldName(context.codingPath)
            throw ProblemDetails.validation(field: field, code: "wrong_type", "\(field) has the wrong type.")
        } catch {
            throw ProblemDetails.malformedBody("the body is not a JSON object")
        }
    }

    /// `newsletters[1]`, `email`: a coding path as a client wrote it.
    private static func fieldName(_ path: [any CodingKey]) -> String {
        path.reduce("") { name, key in
            if let index = key.intValue { return "\(name)[\(index)]" }
            let snake = key.stringValue.reduce(into: "") { text, character in
                text += character.isUppercase ? "_" + character.lowercased() : String(character)
            }
            return name.isEmpty ? snake : "\(name).\(snake)"
        }
    }

    /// A path parameter, percent-decoded (`anna%40example.org`).
    static func parameter(_ name: String, _ context: MastheadRequestContext) throws -> String {
        guard let raw = context.parameters.get(name), let value = raw.removingPercentEncoding, !value.isEmpty else {
            throw ProblemDetails.validation(field: name, code: "invalid", "\(name) is missing or badly percent-encoded.")
        }
        return value
    }

    /// A numeric id in the path.
    static func id(_ name: String, _ context: MastheadRequestContext) throws -> Int64 {
        guard let id = Int64(try parameter(name, context)), id > 0 else {
            throw ProblemDetails.validation(field: name, code: "invalid", "\(name) must be a positive whole number.")
        }
        return id
    }
}

/// The query parameters of an admin request, each read or refused with a 422 naming it.
struct AdminQuery {
    let parameters: Parameters

    init(_ request: Request) { parameters = request.uri.queryParameters }

    func string(_ name: String) -> String? { parameters[name[...]].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }

    func int(_ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = string(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ProblemDetails.validation(
                field: name, code: "out_of_range", "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return number
    }

    /// A date (`2026-11-01`) or a time (`2026-11-01T09:00:00Z`).
    func date(_ name: String) throws -> Date? {
        guard let text = string(name) else { return nil }
        guard let date = ImportDate.parse(text) else {
            throw ProblemDetails.validation(field: name, code: "invalid_date", "\(name) must be a date or an ISO 8601 time.")
        }
        return date
    }

    /// One of a type's raw values.
    func value<T: RawRepresentable & CaseIterable>(_ name: String, as type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = string(name) else { return nil }
        guard let value = T(rawValue: text) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw ProblemDetails.validation(field: name, code: "invalid", "\(name) must be one of \(allowed).")
        }
        return value
    }

    func bool(_ name: String) throws -> Bool {
        switch string(name) {
        case nil, "false": return false
        case "true": return true
        default: throw ProblemDetails.validation(field: name, code: "invalid", "\(name) must be true or false.")
        }
    }
}
