import Foundation
import MastheadRuntime
import MastheadSettings
import SubscriberLists
import Testing
import TestSupport

/// A bounce travels as it does in production: a DSN arrives over SMTP at a real Postfix (Debian's)
/// on loopback, whose `pipe` transport — the lines `Ops/postfix/README.md` gives — runs the real
/// `masthead bounces ingest` as an unprivileged user, and the reader's mail ends.
///
/// Needs Postfix and root (Postfix's master runs as root, as it does on a mail server); without
/// them the suite is skipped on a developer's machine, but in CI (`CI=true`) it runs and fails.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(
        if: (FileManager.default.isExecutableFile(atPath: "/usr/sbin/postfix") && getuid() == 0) || ProcessInfo.processInfo.environment["CI"] != nil,
        "Postfix and root are needed; Ops/test installs Postfix"))
struct PostfixBounceTests {
    /// A Postfix instance of its own (its own configuration, queue and log under `directory`)
    /// listening on `port`, that pipes mail for `bounces.example.org` into `masthead`.
    static func startPostfix(in directory: TemporaryDirectory, port: Int, config: String) async throws {
        for folder in ["conf", "queue", "data"] { try FileManager.default.createDirectory(atPath: directory.file(folder), withIntermediateDirectories: true) }
        try FileManager.default.setAttributes([.ownerAccountName: "postfix"], ofItemAtPath: directory.file("data"))
        try """
            compatibility_level = 3.6
            queue_directory = \(directory.file("queue"))
            data_directory = \(directory.file("data"))
            maillog_file = \(directory.file("maillog"))
            maillog_file_prefixes = \(directory.path)
            myhostname = mx.example.org
            mydestination =
            alias_maps =
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            mynetworks = 127.0.0.0/8
            relay_domains = bounces.example.org
            transport_maps = inline:{bounces.example.org=masthead-bounces:}
            smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
            masthead-bounces_destination_recipient_limit = 1
            """.write(toFile: directory.file("conf/main.cf"), atomically: true, encoding: .utf8)
        let services = [
            "pickup unix n - n 60 1 pickup", "cleanup unix n - n - 0 cleanup", "qmgr unix n - n 300 1 qmgr",
            "rewrite unix - - n - - trivial-rewrite", "bounce unix - - n - 0 bounce", "defer unix - - n - 0 bounce",
            "trace unix - - n - 0 bounce", "verify unix - - n - 1 verify", "flush unix n - n 1000? 0 flush",
            "proxymap unix - - n - - proxymap", "smtp unix - - n - - smtp", "relay unix - - n - - smtp", "showq unix n - n - - showq",
            "error unix - - n - - error", "retry unix - - n - - error", "discard unix n - n - - discard", "local unix - n n - - local",
            "anvil unix - - n - 1 anvil", "scache unix - - n - 1 scache", "postlog unix-dgram n - n - 1 postlogd",
        ]
        try ((["127.0.0.1:\(port) inet n - n - - smtpd"] + services).joined(separator: "\n") + """

            masthead-bounces unix - n n - 4 pipe
              flags=Rq user=nobody null_sender=
              argv=\(Executables.path("masthead")) bounces ingest --config \(config) --recipient ${original_recipient}

            """).write(toFile: directory.file("conf/master.cf"), atomically: true, encoding: .utf8)
        let started = try await Executables.runProgram("/usr/sbin/postfix", ["-c", directory.file("conf"), "start"])
        try #require(started.status == 0, "postfix start: \(started.stdout)\(started.stderr)\((try? String(contentsOfFile: directory.file("maillog"), encoding: .utf8)) ?? "")")
        for _ in 0..<200 {
            if Loopback.accepts(port) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func aBounceArrivingOverSMTPEndsTheReadersMail() async throws {
        let test = try await TestRuntime { $0.bounceDomain = "bounces.example.org" }
        defer { test.shutdown() }
        try await test.newsletter("ukraine-daily")
        _ = try await test.runtime.services.directory.add("anna@example.org", newsletter: "ukraine-daily", confirmed: false, basis: nil, actor: "test")
        try await test.deliver()
        let email = try #require(try test.emails().last)
        let returnPath = String(try #require(try String(contentsOfFile: email, encoding: .utf8).firstMatch(of: /^Return-Path: <([^>]+)>/)?.output.1))
        #expect(returnPath.hasSuffix("@bounces.example.org"))

        // `masthead` runs as nobody, as Postfix's pipe runs it: the database and keys are handed to that user.
        let files = ["masthead.sqlite", "masthead.sqlite-wal", "masthead.sqlite-shm", "masthead.keys"].map(test.directory.file)
        for file in files where FileManager.default.fileExists(atPath: file) {
            try FileManager.default.setAttributes([.ownerAccountName: "nobody"], ofItemAtPath: file)
        }
        let config = test.directory.file("masthead.yaml")
        try "database: sqlite:\(test.databasePath)\nkeys: \(test.directory.file("masthead.keys"))\n"
            .write(toFile: config, atomically: true, encoding: .utf8)

        let postfix = try TemporaryDirectory()
        let port = try Loopback.freePort()
        try await Self.startPostfix(in: postfix, port: port, config: config)
        defer { _ = try? Executables.runProgramOnThisThread("/usr/sbin/postfix", ["-c", postfix.file("conf"), "stop"]) }

        // The remote MTA's DSN, sent as remote MTAs send them: null sender, to the return path.
        let report = try String(contentsOf: BounceIngestTests.fixtures.appendingPathComponent("postfix-user-unknown.eml"), encoding: .utf8)
            .replacingOccurrences(of: "{{RETURN_PATH}}", with: returnPath).replacingOccurrences(of: "{{RECIPIENT}}", with: "anna@example.org")
        try report.write(toFile: postfix.file("report.eml"), atomically: true, encoding: .utf8)
        let sent = try await Executables.runProgram("/usr/bin/env", [
            "python3", "-c",
            "import smtplib,sys; s=smtplib.SMTP('127.0.0.1', int(sys.argv[1])); s.sendmail('', [sys.argv[2]], open(sys.argv[3],'rb').read()); s.quit()",
            String(port), returnPath, postfix.file("report.eml"),
        ])
        try #require(sent.status == 0, "\(sent.stderr)")

        var states: [String] = []
        for _ in 0..<300 {
            states = try await BounceIngestTests.states(test)
            if states == ["ukraine-daily bounced"] { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let log = (try? String(contentsOfFile: postfix.file("maillog"), encoding: .utf8)) ?? ""
        #expect(states == ["ukraine-daily bounced"], "\(log)")
        #expect(log.contains("relay=masthead-bounces") && log.contains("status=sent"), "\(log)")
        #expect(try await test.runtime.services.directory.suppression(of: "anna@example.org")?.reason == .bounced)
    }
}
