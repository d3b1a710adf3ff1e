import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// Small helpers for driving the sign-up routes in tests.
enum SignupHTTP {
    static func json(_ object: [String: Any]) -> ByteBuffer {
        // Test input: a serialisation failure is a bug in the test itself.
        ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static let jsonHeaders: HTTPFields = [.contentType: "application/json", .accept: "application/json"]
    static let formHeaders: HTTPFields = [
        .contentType: "application/x-www-form-urlencoded", .accept: "text/html,application/xhtml+xml,*/*;q=0.8",
    ]

    static func signUp(
        _ client: some TestClientProtocol, _ body: [String: Any], headers: HTTPFields = jsonHeaders
    ) async throws -> TestResponse {
        try await client.execute(uri: "/v1/subscriptions", method: .post, headers: headers, body: json(body))
    }

    static func form(_ fields: [(String, String)]) -> ByteBuffer {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let text = fields.map { name, value in
            "\(name.addingPercentEncoding(withAllowedCharacters: allowed)!)=\(value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
        return ByteBuffer(string: text)
    }

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any] ?? [:]
    }
}
