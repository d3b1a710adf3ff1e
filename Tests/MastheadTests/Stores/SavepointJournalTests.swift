import Foundation
import TestSupport
import Testing

/// A write's savepoint journal stays in memory (`temp_store`, SQLiteStore.init): the daemon
/// writes only to its database files while readers sign up. With SQLite's default, a sign-up's
/// savepoint, which journals about 20 pages, passed the 64 KiB kept in memory, and each
/// transaction created a temporary file, wrote it page by page and deleted it (83% of the
/// daemon's `pwrite` calls under sign-up load). The daemon is traced with strace, as in DurabilityTests.
@Suite(.timeLimit(.minutes(3)), .enabled(if: Strace.path != nil || ProcessInfo.processInfo.environment["CI"] != nil, "strace is not installed; Ops/test installs it"))
struct SavepointJournalTests {
    @Test func signUpsWriteOnlyToTheDatabaseFiles() async throws {
        let directory = try TemporaryDirectory()
        try await Executables.prepareDeployment(in: directory.path)
        let slugs = ["daily", "weekly", "events"]
        for slug in slugs {
            _ = try await Executables.run("masthead", ["newsletters", "add", slug, "--name", slug.capitalized], in: directory.path)
        }
        let daemon = try await DaemonProcess(in: directory.path)
        let trace = directory.file("trace.txt")
        let tracer = try await Strace.attach(to: daemon, calls: "pwrite64,pwritev,pwritev2", output: trace)

        let newsletters = slugs.map { #""\#($0)""# }.joined(separator: ",")
        for reader in 1...5 {
            let signup = try await Executables.runProgram(
                "/usr/bin/curl",
                ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Content-Type: application/json",
                 "-d", #"{"email":"reader\#(reader)@example.org","newsletters":[\#(newsletters)]}"#,
                 daemon.baseURL + "/v1/subscriptions"])
            #expect(signup.stdout == "202")
        }
        try await Task.sleep(for: .milliseconds(500))
        Strace.detach(tracer)

        // -y names each descriptor's file: `pwrite64(7</…/masthead.sqlite-wal>, …`.
        let writes = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").filter { $0.contains("pwrite") }
        let elsewhere = writes.filter { !$0.contains("/masthead.sqlite") }
        #expect(writes.contains { $0.contains("/masthead.sqlite-wal>") }, "the sign-ups' commits were seen in the trace")
        #expect(elsewhere.isEmpty, "written outside the database files: \(elsewhere.prefix(3))")
    }
}
