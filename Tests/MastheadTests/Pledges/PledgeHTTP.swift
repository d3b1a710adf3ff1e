import DonationPledges
import Foundation
import HTTPTypes
import Hummingbird
// @testable for `TestResponse`'s memberwise initialiser (debug builds compile dependencies
// with testing enabled): the patient live client below returns the framework's own responses.
@testable import HummingbirdTesting
import MastheadRuntime
import PaymentProviders
import SQLiteStorage
import Testing

/// Driving the pledge routes in tests.
enum PledgeHTTP {
    static func headers(key: String?) -> HTTPFields {
        var headers = SignupHTTP.jsonHeaders
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return headers
    }

    /// Posts a pledge; `from` is the client address a trusted proxy names (`X-Forwarded-For`).
    static func create(
        _ client: some TestClientProtocol, _ body: [String: Any], key: String? = UUID().uuidString, from clientAddress: String? = nil
    ) async throws -> TestResponse {
        var headers = headers(key: key)
        if let clientAddress { headers[HTTPField.Name("X-Forwarded-For")!] = clientAddress }
        return try await client.execute(uri: "/v1/pledges", method: .post, headers: headers, body: SignupHTTP.json(body))
    }

    /// The path of the checkout URL of a 201 (the public URL's prefix removed).
    static func checkoutPath(_ response: TestResponse) throws -> String {
        let url = try SignupHTTP.object(response)["checkout_url"] as? String ?? ""
        return url.replacingOccurrences(of: "https://news.example.org/masthead", with: "")
    }

    /// Pays on the simulated checkout page as a reader would (a form post).
    static func pay(_ client: some TestClientProtocol, _ checkoutPath: String, brand: String, outcome: String) async throws -> TestResponse {
        try await client.execute(
            uri: checkoutPath, method: .post, headers: SignupHTTP.formHeaders,
            body: SignupHTTP.form([("brand", brand), ("outcome", outcome)]))
    }

    /// Posts a provider event signed by the simulated provider, as the provider would.
    static func webhook(_ client: some TestClientProtocol, _ provider: SimulatedProvider, _ event: PaymentEvent) async throws -> TestResponse {
        let (body, signature) = provider.signedEvent(event)
        return try await webhook(client, body: body, signature: signature)
    }

    static func webhook(_ client: some TestClientProtocol, body: [UInt8], signature: String?) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let signature { headers[HTTPField.Name("Stripe-Signature")!] = signature }
        return try await client.execute(uri: "/v1/webhooks/payments", method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    /// A live application over the runtime (the simulated provider posts its webhooks to it),
    /// and a one-connection client that waits up to 90 s for an answer. HummingbirdTesting's own
    /// live client gives up after 20 s, and in a full run (every suite at once on two cores) a
    /// request of this in-process daemon once took 18 s; the suites' time limits still bound a
    /// daemon that truly hangs. When the body fails, the daemon's last log lines are printed.
    static func live(_ test: TestRuntime, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        do {
            try await test.application.test(.live) { live in
                let client = PatientLiveClient(port: try #require(live.port))
                do {
                    try await body(client)
                    try await client.client.shutdown()
                } catch {
                    try? await client.client.shutdown()
                    throw error
                }
            }
        } catch {
            print("live test failed: \(error); the daemon's log:\n\(test.log.text.split(separator: "\n").suffix(40).joined(separator: "\n"))")
            throw error
        }
    }
}

/// HummingbirdTesting's live client (keep-alive, one connection) with a longer read timeout.
struct PatientLiveClient: TestClientProtocol {
    let client: TestClient
    let port: Int?

    init(port: Int) {
        self.port = port
        client = TestClient(host: "localhost", port: port, configuration: .init(timeout: .seconds(90)))
        client.connect()
    }

    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var headers = headers
        headers[.connection] = "keep-alive"
        let response = try await client.execute(TestClient.Request(uri, method: method, authority: "localhost", headers: headers, body: body))
        return TestResponse(head: response.head, body: response.body ?? ByteBuffer(), trailerHeaders: response.trailerHeaders)
    }
}

extension TestRuntime {
    var pledges: PledgeService { runtime.services.pledges! }
    var simulated: SimulatedProvider { runtime.services.simulatedPayments! }

    func pledge(_ publicID: String) async throws -> Pledge? { try await runtime.store.pledge(publicID: publicID) }
}
