import Foundation
import TestSupport
import Testing

/// What was acknowledged is on stable storage (hardening, item 13): the daemon is traced with
/// strace while a reader signs up and pledges, and every 2xx answer to a write is preceded by a
/// sync of the SQLite log that holds it. `synchronous=NORMAL` made no sync at all at commit.
///
/// Needs strace (Ops/test installs it); without it the suite is skipped on a developer's machine,
/// but in CI a missing strace fails the test instead of hiding it.
@Suite(.timeLimit(.minutes(3)), .enabled(if: Strace.path != nil || ProcessInfo.processInfo.environment["CI"] != nil, "strace is not installed; Ops/test installs it"))
struct DurabilityTests {
    @Test func everyAcknowledgedWriteIsSyncedBeforeItsAnswer() async throws {
        let directory = try TemporaryDirectory()
        try await Executables.prepareDeployment(in: directory.path)
        _ = try await Executables.run("masthead", ["newsletters", "add", "daily", "--name", "Daily"], in: directory.path)
        let daemon = try await DaemonProcess(in: directory.path)
        let trace = directory.file("trace.txt")
        // -s shows enough of each write to find the status line.
        let tracer = try await Strace.attach(
            to: daemon, calls: "fsync,fdatasync,write,writev,sendto,sendmsg", options: ["-s", "32"], output: trace)

        let signup = try await Executables.runProgram(
            "/usr/bin/curl",
            ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Content-Type: application/json",
             "-d", #"{"email":"durable@example.org"}"#, daemon.baseURL + "/v1/subscriptions"])
        #expect(signup.stdout == "202")
        let pledge = try await Executables.runProgram(
            "/usr/bin/curl",
            ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Content-Type: application/json",
             "-H", "Idempotency-Key: durable-pledge", "-d", #"{"email":"durable@example.org","amount":"5"}"#,
             daemon.baseURL + "/v1/pledges"])
        #expect(pledge.stdout == "201")
        try await Task.sleep(for: .milliseconds(500))
        Strace.detach(tracer)

        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        var syncedSinceLastAnswer = false
        var answers = 0
        for line in lines {
            if (line.contains("fsync(") || line.contains("fdatasync(")) && line.contains("masthead.sqlite-wal") {
                syncedSinceLastAnswer = true
            }
            if line.contains(#"HTTP/1.1 202"#) || line.contains(#"HTTP/1.1 201"#) {
                answers += 1
                #expect(syncedSinceLastAnswer, "an answer went out before its write was synced: \(line)")
                syncedSinceLastAnswer = false
            }
        }
        #expect(answers == 2, "both answers were seen in the trace")
    }
}
