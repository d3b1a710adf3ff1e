import Foundation
import Hummingbird

/// JSON answers built the same way everywhere: sorted keys, no escaped slashes, `no-store`.
enum JSONBody {
    /// JSON text already written (hot paths build it with `JSONText`).
    static func response(status: HTTPResponse.Status = .ok, json text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func response(status: HTTPResponse.Status = .ok, _ object: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(object)
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
