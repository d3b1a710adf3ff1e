import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The answers schemathesis found undocumented (hardening, item 10): each is sent to the real
/// router and its status and content type are looked up in the served `/openapi.yaml`.
@Suite(.enabled(if: OpenAPIValidator.available || ProcessInfo.processInfo.environment["CI"] != nil, "PyYAML is not installed; Ops/test installs it"))
struct SpecConformanceTests {
    struct Probe: Sendable, CustomStringConvertible {
        let method: HTTPRequest.Method
        let path: String
        let body: String?
        var description: String { "\(method) \(path) \(body ?? "")" }
    }

    static let probes = [
        Probe(method: .get, path: "/v1/pledges/manage", body: nil),
        Probe(method: .post, path: "/v1/pledges/manage", body: "{}"),
        Probe(method: .get, path: "/v1/preferences", body: nil),
        Probe(method: .post, path: "/v1/preferences", body: "{}"),
        Probe(method: .post, path: "/v1/confirm", body: #"{"token": {"nested": true}}"#),
        Probe(method: .post, path: "/v1/subscriptions/resend", body: "[]"),
    ]

    @Test(arguments: probes) func theAnswerIsDocumented(_ probe: Probe) async throws {
        let test = try await TestRuntime()
        defer { test.shutdown() }
        let (answer, spec) = try await test.application.test(.router) { client in
            let answer = try await client.execute(
                uri: probe.path, method: probe.method, headers: [.contentType: "application/json", .accept: "application/json"],
                body: probe.body.map { ByteBuffer(string: $0) })
            let spec = String(buffer: try await client.execute(uri: "/openapi.yaml", method: .get).body)
            return (answer, spec)
        }
        let check = try await Self.lookUp(answer, of: probe.method, probe.path, in: spec, directory: test.directory)
        #expect(check.status == 0, "\(probe): \(answer.status.code) — \(check.stderr)")
    }

    /// Looks an answer's status and content type up in the served API description
    /// (`spec_documents.py`); status 0 when it is documented.
    static func lookUp(
        _ answer: TestResponse, of method: HTTPRequest.Method, _ path: String, in spec: String, directory: TemporaryDirectory
    ) async throws -> Executables.Outcome {
        let file = directory.file("openapi.yaml")
        try spec.write(toFile: file, atomically: true, encoding: .utf8)
        let contentType = answer.headers[.contentType].map { String($0.split(separator: ";")[0]) } ?? ""
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/spec_documents.py").path
        return try await Executables.runProgram(
            "/usr/bin/env", ["python3", script, file, method.rawValue, path, String(answer.status.code), contentType])
    }
}
