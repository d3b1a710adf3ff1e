import Foundation
import Testing
import TestSupport

/// A full disk under the real daemon: the SQLite file lives on a small tmpfs (root only; CI
/// runs as root) that the test fills. What is promised: the server's condition is a 503 with
/// `Retry-After`, never a 500; `/readyz` says so; identical failures do not flood the log;
/// freeing space recovers without a restart; nothing acknowledged is lost or mailed twice.
@Suite(
    .timeLimit(.minutes(3)),
    .enabled(if: SMTPServers.available || ProcessInfo.processInfo.environment["CI"] != nil, "aiosmtpd is not installed; Ops/test installs it"),
    .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil, "mounting a small tmpfs needs root"))
struct DiskFullTests {
    @Test func aFullDiskAnswers503AndNotReadyThenRecoversWithoutARestart() async throws {
        let directory = try TemporaryDirectory()
        let disk = directory.file("disk")
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        let mounted = try await Executables.runProgram("/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", disk])
        try #require(mounted.status == 0, "\(mounted.stderr)")
        defer {
            _ = try? Executables.runProgramOnThisThread("/bin/umount", ["-l", disk])
            withExtendedLifetime(directory) {}  // removed only once unmounted
        }

        let server = try await SMTPTestServer.aiosmtpd(spool: directory.file("spool"))
        let environment = [
            "MASTHEAD_DATABASE": "sqlite:\(disk)/masthead.sqlite", "MASTHEAD_RATE_LIMIT": "0", "MASTHEAD_CHALLENGE": "off",
            "MASTHEAD_MAILER": "smtp://127.0.0.1:\(server.port)?tls=none",
        ]
        try await Executables.prepareDeployment(in: directory.path, environment: environment)
        let added = try await Executables.run("masthead", ["newsletters", "add", "daily", "--name", "Daily"], in: directory.path, environment: environment)
        try #require(added.status == 0, "\(added.stderr)")
        let daemon = try await DaemonProcess(in: directory.path, environment: environment)
        var acknowledged: [String] = []
        func signUp(_ number: Int) async throws -> HTTP.Reply {
            let address = "reader\(number)@example.org"
            let reply = try await HTTP.post(
                daemon.baseURL + "/v1/subscriptions", json: #"{"email":"\#(address)","source":"\#(String(repeating: "s", count: 90))"}"#)
            if reply.status == 202 { acknowledged.append(address) }
            return reply
        }
        for number in 0..<10 { #expect(try await signUp(number).status == 202) }

        // Fill the disk, then sign up until the database has no room left.
        let filler = disk + "/filler"
        _ = FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
        while (try? handle.write(contentsOf: Data(count: 16_384))) != nil {}
        try? handle.close()
        var refused = 0
        var number = 10
        while refused < 60, number < 5_000 {
            let reply = try await signUp(number)
            number += 1
            switch reply.status {
            case 202: continue
            case 503:
                refused += 1
                #expect(reply.headers["retry-after"] == "10")
                #expect(reply.headers["content-type"]?.hasPrefix("application/problem+json") == true)
            default: Issue.record("a sign-up on a full disk answered \(reply.status): \(reply.body)")
            }
        }
        #expect(refused == 60, "the disk never filled up")
        #expect(try await HTTP.get(daemon.baseURL + "/readyz").status == 503, "not ready while writes fail")
        let failureLines = daemon.log.components(separatedBy: "request failed").count - 1
        #expect(failureLines >= 1 && failureLines <= 6, "identical failures are thinned out, not one line each: \(failureLines)")

        // Free the space: the same daemon takes sign-ups again and says it is ready.
        try FileManager.default.removeItem(atPath: filler)
        #expect(try await signUp(number).status == 202)
        // Ready again once no write has failed for the window (10 s).
        var ready = 503
        for _ in 0..<40 where ready != 200 {
            try await Task.sleep(for: .milliseconds(500))
            ready = try await HTTP.get(daemon.baseURL + "/readyz").status
        }
        #expect(ready == 200)

        // Every acknowledged sign-up is kept and mailed exactly once.
        let received = try await server.waitForMessages(acknowledged.count, timeout: 60)
        try await Task.sleep(for: .seconds(1))  // room for a duplicate to show up
        let recipients = try server.messages().flatMap { $0.envelope["rcpt_tos"] as? [String] ?? [] }
        #expect(received.count >= acknowledged.count)
        #expect(Set(recipients) == Set(acknowledged), "nothing acknowledged was lost")
        #expect(recipients.count == acknowledged.count, "nothing was mailed twice")
        print("disk full: \(acknowledged.count) sign-ups acknowledged, \(refused) answered 503, \(failureLines) log lines for them")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        #expect(try Executables.runSQL("PRAGMA integrity_check", database: disk + "/masthead.sqlite") == ["ok"])
        #expect(try Executables.runSQL("SELECT count(*) FROM subscribers", database: disk + "/masthead.sqlite") == ["\(acknowledged.count)"])
    }
}
