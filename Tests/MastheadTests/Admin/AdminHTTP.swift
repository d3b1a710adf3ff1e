import AdminAccess
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MastheadRuntime

/// Requests to the admin API with a bearer token, and tokens made through the real service.
enum AdminHTTP {
    static func request(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, token: String?, json body: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.accept: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    /// The body as a JSON object (a problem's `request_id` left out, so two answers compare).
    static func object(_ response: TestResponse) throws -> [String: Any] {
        var object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any] ?? [:]
        object["request_id"] = nil
        return object
    }
}

extension TestRuntime {
    /// A token with `scopes`, as `masthead tokens create` makes one; its secret.
    func adminToken(_ name: String, _ scopes: [AdminScope], lifetime: TimeInterval? = nil) async throws -> String {
        try await runtime.services.adminTokens.create(name: name, scopes: scopes, lifetime: lifetime, actor: "admin:test").secret
    }
}
