import Foundation
import TestSupport
import Testing

/// The README's "First run" walk-through, run line for line against a real daemon in a fresh
/// directory, so it cannot rot: the lines of the sh block after `<!-- first-run -->`.
@Suite(.timeLimit(.minutes(3))) struct FirstRunTests {
    static let readme = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md")

    /// The block's lines, as a reader copies them.
    static func walkThrough() throws -> [String] {
        let text = try String(contentsOf: readme, encoding: .utf8)
        let start = try #require(text.range(of: "<!-- first-run -->\n```sh\n"), "the README has lost its first-run block")
        let rest = text[start.upperBound...]
        let end = try #require(rest.range(of: "```\n"))
        return rest[..<end.lowerBound].split(separator: "\n").map(String.init)
    }

    @Test func theReadmesFirstRunReachesAConfirmedSubscriber() async throws {
        let lines = try Self.walkThrough()
        // The first line builds `masthead` and puts .build/debug on PATH; the suite has built
        // it already, and puts the directory it sits in on PATH instead.
        try #require(lines.first == #"swift build --product masthead && export PATH="$PWD/.build/debug:$PATH""#)
        let directory = try TemporaryDirectory()
        let port = try Loopback.freePort()
        let daemon = try await DaemonProcess(in: directory.path, port: port)
        defer { daemon.signal(SIGTERM) }
        let script = (["set -euo pipefail"] + lines.dropFirst()).joined(separator: "\n")
            .replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:\(port)")
        let path = Executables.directory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        // `masthead outbox show` composes the email again with its own settings: on the README's
        // port both agree by default; on this test's port the CLI is told the daemon's URL.
        let (workingDirectory, environment) = (directory.path, ["PATH": path, "MASTHEAD_PUBLIC_URL": daemon.baseURL])
        let outcome = try await Executables.runProgram("/bin/bash", ["-c", script], in: workingDirectory, environment: environment)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.isEmpty, "no error to decode: \(outcome.stderr)")
        #expect(outcome.stdout.contains("We've sent you a confirmation email"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("/v1/confirm?token="))
        #expect(outcome.stdout.contains(#"{"message":"Successfully subscribed","newsletters":["newsletter"],"status":"confirmed"}"#))
        // `subscribers show`, last, prints JSON when piped (a table on a terminal).
        let shown = try #require(outcome.stdout.range(of: #""consents" : ["#, options: .backwards))
        #expect(outcome.stdout[shown.upperBound...].contains(#""status" : "confirmed""#), "\(outcome.stdout)")
        let state = try Executables.runSQL(
            "SELECT m.status FROM subscriptions m JOIN subscribers s ON s.id = m.subscriber_id WHERE s.email = 'reader@example.org'",
            database: directory.file("masthead.sqlite"))
        #expect(state == ["confirmed"])
    }
}
