import Foundation
import PostgresMigrations
import TestSupport
import Testing

/// Several `mastheadd` on one PostgreSQL database: what the database must decide for them all
/// (migrations, the per-address confirmation cap, outbox claims and their leases).
@Suite(
    .timeLimit(.minutes(3)),
    .enabled(if: SMTPServers.available || ProcessInfo.processInfo.environment["CI"] != nil, "aiosmtpd is not installed; Ops/test installs it"))
struct SharedDatabaseTests {
    /// A directory with a keys file and a newsletter in a fresh database, ready for daemons.
    struct Setup {
        let directory: TemporaryDirectory
        let database: String

        init() async throws {
            directory = try TemporaryDirectory()
            database = try await PostgresTestServer.freshDatabase()
            let path = directory.path
            let keys = try await Executables.run("masthead", ["keys", "generate"], in: path)
            try #require(keys.status == 0, "\(keys.stderr)")
        }

        /// Starts a daemon in the directory with the shared environment and `extra`.
        func daemon(_ extra: [String: String] = [:]) async throws -> DaemonProcess {
            let (path, environment) = (directory.path, environment(extra))
            return try await DaemonProcess(in: path, environment: environment)
        }

        /// The environment every daemon of the test shares: one database, one keys file.
        func environment(_ extra: [String: String] = [:]) -> [String: String] {
            ["MASTHEAD_DATABASE": database, "MASTHEAD_RATE_LIMIT": "0", "MASTHEAD_DATABASE_POOL": "4", "MASTHEAD_CHALLENGE": "off",
                "MASTHEAD_CONFIRMATION_BUDGET": "off"].merging(extra) { $1 }
        }

        func addNewsletter() async throws {
            let (path, environment) = (directory.path, environment())
            let added = try await Executables.run(
                "masthead", ["newsletters", "add", "ukraine-daily", "--name", "Ukraine Daily"], in: path, environment: environment)
            try #require(added.status == 0, "\(added.stderr)")
        }

        func sql(_ query: String) async throws -> [String] { try await PostgresTestServer.rows(database, query) }
    }

    @Test func twoDaemonsStartingTogetherMigrateOnce() async throws {
        let setup = try await Setup()
        async let first = setup.daemon()
        async let second = setup.daemon()
        let daemons = try await [first, second]
        let migrators = daemons.filter { $0.log.contains("applied migrations") }
        #expect(migrators.count == 1, "exactly one daemon applies the steps; the other waits on the lock and finds none")
        #expect(try await setup.sql("SELECT count(*) FROM schema_migrations") == [String(PostgresMigrations.all.count)])
        for daemon in daemons {
            #expect(try await HTTP.get(daemon.baseURL + "/readyz").status == 200)
            daemon.signal(SIGTERM)
            #expect(await daemon.waitForExit() == 0)
        }
    }

    @Test func aThousandSignUpsOverTwoDaemonsSendOneConfirmationPerAddress() async throws {
        let setup = try await Setup()
        try await setup.addNewsletter()
        let server = try await SMTPTestServer.aiosmtpd(spool: setup.directory.file("spool"))
        let mailer = ["MASTHEAD_MAILER": "smtp://127.0.0.1:\(server.port)?tls=none"]
        let daemons = [try await setup.daemon(mailer), try await setup.daemon(mailer)]
        // 500 readers, each sending the form twice at once, once to each daemon: 1,000 sign-ups.
        let addresses = (0..<500).map { "reader\($0)@example.org" }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, address) in addresses.enumerated() {
                for daemon in daemons {
                    group.addTask {
                        try await HTTP.postJSON(
                            daemon.baseURL + "/v1/subscriptions", #"{"email":"\#(address)","newsletters":["ukraine-daily"]}"#)
                    }
                }
                // Keep a few hundred requests in flight, not a thousand sockets at once.
                if index % 100 == 99 { while try await group.next() != nil {} }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 != 202 }.isEmpty)
        let received = try await server.waitForMessages(addresses.count, timeout: 60)
        // Anything more would have arrived by now: both workers drain as soon as a row is queued.
        try await Task.sleep(for: .seconds(2))
        let all = try server.messages()
        let recipients = all.flatMap { $0.envelope["rcpt_tos"] as? [String] ?? [] }
        #expect(received.count == addresses.count)
        #expect(all.count == addresses.count, "one confirmation per address, whichever daemon took each request")
        #expect(Set(recipients) == Set(addresses))
        #expect(try await setup.sql("SELECT count(*) FROM subscribers") == ["500"])
        #expect(try await setup.sql("SELECT count(*) FROM consent_records") == ["1000"])
        #expect(try await setup.sql("SELECT state || ':' || count(*) FROM outbox GROUP BY state") == ["sent:500"])
        let servedBy = daemons.map { $0.log.components(separatedBy: "path=/v1/subscriptions status=202").count - 1 }
        #expect(servedBy == [500, 500])
        for daemon in daemons {
            daemon.signal(SIGTERM)
            #expect(await daemon.waitForExit() == 0)
        }
    }

    @Test func twoDaemonsDeliverEveryWebhookEventOnce() async throws {
        let setup = try await Setup()
        try await setup.addNewsletter()
        let receiver = try await WebhookReceiver(in: setup.directory.path, secret: WebhookDeliveryTests.secret)
        let secretFile = setup.directory.file("webhook.secret")
        try WebhookDeliveryTests.secret.write(toFile: secretFile, atomically: true, encoding: .utf8)
        let added = try await Executables.run(
            "masthead", ["webhooks", "add", receiver.url, "--events", "subscriber.pending", "--secret-file", secretFile],
            in: setup.directory.path, environment: setup.environment())
        try #require(added.status == 0, "\(added.stderr)")
        let daemons = [try await setup.daemon(), try await setup.daemon()]
        // 300 sign-ups, alternating between the daemons: each commits its own and wakes its own
        // worker, and both workers claim from the one queue.
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<300 {
                let daemon = daemons[index % 2]
                group.addTask {
                    try await HTTP.postJSON(daemon.baseURL + "/v1/subscriptions", #"{"email":"reader\#(index)@example.org"}"#)
                }
                if index % 50 == 49 { while try await group.next() != nil {} }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 202 })
        for _ in 0..<150 where receiver.received().count < 300 { try await Task.sleep(for: .milliseconds(100)) }
        try await Task.sleep(for: .seconds(1))  // anything sent twice would have arrived by now
        let received = receiver.received()
        #expect(received.count == 300 && Set(received.map(\.id)).count == 300, "each event once, by one daemon or the other")
        #expect(Set(received.compactMap { $0.data["email"] as? String }).count == 300)
        #expect(received.allSatisfy { $0.verified })
        #expect(try await setup.sql("SELECT state || ':' || count(*) FROM webhook_deliveries GROUP BY state") == ["delivered:300"])
        let failures = daemons.map { $0.log.components(separatedBy: "webhook delivery failed").count - 1 }
        #expect(failures == [0, 0])
        for daemon in daemons {
            daemon.signal(SIGTERM)
            #expect(await daemon.waitForExit() == 0)
        }
        await receiver.stop()
    }

    @Test func aKilledDaemonsClaimedMessagesAreSentByTheOtherAfterTheLease() async throws {
        let setup = try await Setup()
        try await setup.addNewsletter()
        // The first daemon's mailer never returns: it claims a batch and hangs on its first message.
        let hanging = setup.directory.file("hanging-sendmail")
        try "#!/bin/sh\nexec sleep 60\n".write(toFile: hanging, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hanging)
        let first = try await setup.daemon(["MASTHEAD_MAILER": "sendmail:\(hanging)", "MASTHEAD_OUTBOX_LEASE": "3"])
        let addresses = (0..<20).map { "reader\($0)@example.org" }
        for address in addresses {
            let status = try await HTTP.postJSON(
                first.baseURL + "/v1/subscriptions", #"{"email":"\#(address)","newsletters":["ukraine-daily"]}"#)
            #expect(status == 202)
        }
        // Wait until the first daemon holds claims, then kill it where it stands.
        let deadline = Date().addingTimeInterval(20)
        while try await setup.sql("SELECT count(*) FROM outbox WHERE state = 'sending'") == ["0"], Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let claimed = Int(try await setup.sql("SELECT count(*) FROM outbox WHERE state = 'sending'").first ?? "") ?? 0
        #expect(claimed > 0)
        first.signal(SIGKILL)
        _ = await first.waitForExit()

        let server = try await SMTPTestServer.aiosmtpd(spool: setup.directory.file("spool"))
        let second = try await setup.daemon(["MASTHEAD_MAILER": "smtp://127.0.0.1:\(server.port)?tls=none", "MASTHEAD_OUTBOX_LEASE": "3"])
        let received = try await server.waitForMessages(addresses.count, timeout: 60)
        let recipients = received.flatMap { $0.envelope["rcpt_tos"] as? [String] ?? [] }
        #expect(Set(recipients) == Set(addresses), "nothing lost")
        #expect(recipients.count == addresses.count, "nothing doubled")
        #expect(try await setup.sql("SELECT count(*) FROM outbox WHERE state <> 'sent'") == ["0"])
        // The messages the killed daemon held were claimed twice: once by it, once after its lease.
        #expect(try await setup.sql("SELECT count(*) FROM outbox WHERE attempts = 2") == ["\(claimed)"])
        second.signal(SIGTERM)
        #expect(await second.waitForExit() == 0)
    }
}
