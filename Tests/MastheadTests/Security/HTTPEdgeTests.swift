import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The HTTP edges a hostile tester found (hardening, item 6), against the real daemon where the
/// connection itself is what is tested.
@Suite(.timeLimit(.minutes(3))) struct HTTPEdgeTests {
    @Test func headIsServedWhereverGetIs() async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        try await test.newsletter("daily")
        try await test.application.test(.router) { client in
            let get = try await client.execute(uri: "/v1/newsletters", method: .get)
            let head = try await client.execute(uri: "/v1/newsletters", method: .head)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
            #expect(head.headers[.contentType] == get.headers[.contentType])
            #expect(head.headers[.contentLength] == String(get.body.readableBytes))
            let wrong = try await client.execute(uri: "/healthz", method: .post)
            #expect(wrong.status == .methodNotAllowed)
            #expect(wrong.headers[.allow]?.contains("HEAD") == true)
        }
    }

    @Test func aMalformedChunkSizeIsA400() async throws {
        let directory = try TemporaryDirectory()
        try await Executables.prepareDeployment(in: directory.path)
        _ = try await Executables.run("masthead", ["newsletters", "add", "daily", "--name", "Daily"], in: directory.path)
        let daemon = try await DaemonProcess(in: directory.path)
        let connection = try RawHTTPConnection(port: daemon.port)
        connection.send(
            "POST /v1/subscriptions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
        let answer = await connection.readResponse(timeout: 10)
        #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
        #expect(!answer.hasPrefix("HTTP/1.1 500"))
        #expect(daemon.process.isRunning)
    }

    /// What the parser itself refuses is answered in the same problem+json shape as the rest.
    @Test(arguments: [
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: \(String(repeating: "a", count: 90_000))\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Nul: a\u{0}b\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: a\r\n b\r\n\r\n",
        "GET /healthz HTTP/9.9 nonsense\r\n\r\n",
    ])
    func whatTheParserRefusesIsAProblemToo(_ request: String) async throws {
        let directory = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: directory.path)
        let connection = try RawHTTPConnection(port: daemon.port)
        connection.send(request)
        let answer = await connection.readResponse(timeout: 10)
        #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(300))")
        #expect(answer.lowercased().contains("content-type: application/problem+json"), "\(answer.prefix(300))")
        #expect(answer.contains(#""status":400"#))
        #expect(daemon.process.isRunning)
    }

    @Test func aClientTooSlowToSendItsHeadOrBodyIsClosed() async throws {
        let directory = try TemporaryDirectory()
        try await Executables.prepareDeployment(in: directory.path)
        _ = try await Executables.run("masthead", ["newsletters", "add", "daily", "--name", "Daily"], in: directory.path)
        let daemon = try await DaemonProcess(
            in: directory.path, environment: ["MASTHEAD_HTTP_HEADER_TIMEOUT": "1", "MASTHEAD_HTTP_BODY_TIMEOUT": "1"])
        // Half a head, then nothing: the daemon hangs up after the header timeout, long before
        // the test's own wait of 12 s ends (a loaded machine may take several seconds for 1 s;
        // the default of 15 s would not close it in time).
        let slowHead = try RawHTTPConnection(port: daemon.port)
        slowHead.send("POST /v1/subscriptions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        let head = await slowHead.serverCloses(within: 12)
        #expect(head.closed, "closed by the daemon, not by the test's own timeout")
        #expect(head.answer.isEmpty, "closed without an answer: \(head.answer)")
        // A whole head, a tenth of the body, then nothing.
        let slowBody = try RawHTTPConnection(port: daemon.port)
        slowBody.send(
            "POST /v1/subscriptions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":")
        #expect(await slowBody.serverCloses(within: 12).closed)
        // A client that sends in time is answered, and may go on using the connection.
        let prompt = try RawHTTPConnection(port: daemon.port)
        let health = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        let answers = await prompt.exchange([health, health], timeout: 10)
        #expect(answers.count == 2 && answers.allSatisfy { $0.hasPrefix("HTTP/1.1 200") }, "\(answers)")
        #expect(try Executables.runSQL("SELECT count(*) FROM subscribers", database: directory.file("masthead.sqlite")) == ["0"])
    }
}
