import Foundation
import HTTPTypes
import Hummingbird
import MastheadRuntime
import HummingbirdTesting
import MastheadSettings
import Testing

@testable import MastheadHTTP

/// Every error answer is `application/problem+json` (RFC 9457).
@Suite struct ProblemResponseTests {
    struct Problem: Decodable {
        let type: String
        let title: String
        let status: Int
        let detail: String?
        let request_id: String?
    }

    func decode(_ response: TestResponse) throws -> Problem {
        #expect(response.headers[.contentType] == "application/problem+json")
        return try JSONDecoder().decode(Problem.self, from: Data(response.body.readableBytesView))
    }

    @Test func unknownRouteIs404() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            let response = try await client.execute(uri: "/v1/nothing-here", method: .get)
            #expect(response.status == .notFound)
            let problem = try decode(response)
            #expect(problem.status == 404)
            #expect(problem.title == "Not Found")
            #expect(problem.request_id == response.headers[.init("X-Request-Id")!])
        }
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            let response = try await client.execute(uri: "/healthz", method: .delete)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "GET, HEAD")
            #expect(try decode(response).status == 405)
        }
    }

    @Test func bodyOverTheLimitIs413() async throws {
        let test = try await TestRuntime { $0.bodyLimit = 2048 }
        defer { test.shutdown() }
        try await test.application.test(.router) { client in
            let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: 4096)
            let response = try await client.execute(
                uri: "/healthz", method: .post, headers: [.contentLength: "4096"], body: body)
            #expect(response.status == .contentTooLarge)
            let problem = try decode(response)
            #expect(problem.detail == "The request body is larger than 2048 bytes.")
        }
    }

    @Test func saneRequestIDIsKeptAndInsaneOneReplaced() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        let requestID = HTTPField.Name("X-Request-Id")!
        try await test.application.test(.router) { client in
            let kept = try await client.execute(uri: "/healthz", method: .get, headers: [requestID: "edge-42.a_b:c"])
            #expect(kept.headers[requestID] == "edge-42.a_b:c")
            let replaced = try await client.execute(uri: "/healthz", method: .get, headers: [requestID: "bad id\u{7f}"])
            let generated = try #require(replaced.headers[requestID])
            #expect(generated != "bad id\u{7f}" && !generated.isEmpty)
            #expect(test.log.text.contains("hb.request.id=\(generated)"))
        }
        #expect(test.log.text.contains("hb.request.id=edge-42.a_b:c"))
    }

    @Test func unexpectedErrorIs500WithNothingInternalRevealed() async throws {
        struct Secret: Error { let detail = "SELECT * FROM subscribers" }
        let test = try await TestRuntime()
        defer { test.shutdown() }
        let router = try test.runtime.router()
        router.get("/explode") { _, _ -> String in throw Secret() }
        try await Application(router: router, logger: test.runtime.logger).test(.router) { client in
            let response = try await client.execute(uri: "/explode", method: .get)
            #expect(response.status == .internalServerError)
            let problem = try decode(response)
            #expect(!String(buffer: response.body).contains("SELECT"))
            #expect(problem.detail?.contains("request id") == true)
        }
        #expect(test.log.text.contains("SELECT * FROM subscribers"))
    }
}
