import Foundation
import GRDB
import TestSupport
import Testing

/// The real `mastheadd` process: start on defaults, stop on signals, refuse what it must.
@Suite(.timeLimit(.minutes(3))) struct DaemonProcessTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func startsOnDefaultsAndStopsCleanlyOnSignal(signal: Int32) async throws {
        let directory = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: directory.path)
        let ready = try await HTTP.get(daemon.baseURL + "/readyz")
        #expect(ready.status == 200)
        #expect(daemon.log.contains("sqlite 3."), "the start line names the store and its version")
        #expect(daemon.log.contains("mailer=file"))
        #expect(FileManager.default.fileExists(atPath: directory.file("masthead.sqlite")))
        #expect(FileManager.default.fileExists(atPath: directory.file("masthead.keys")))

        daemon.signal(signal)
        #expect(await daemon.waitForExit() == 0)
        #expect(daemon.log.contains("mastheadd stopped"))
        // The database was closed cleanly: the WAL was checkpointed and removed.
        #expect(!FileManager.default.fileExists(atPath: directory.file("masthead.sqlite-wal")))
    }

    /// The executables are linked for a small idle footprint (Package.swift, `executableLinking`):
    /// the Swift runtime and Foundation are in the binary, not mapped from shared libraries the
    /// loader relocates at start, and the relative relocations are packed (RELR). The bench's idle
    /// RSS row measures the effect; this catches the link flags going missing.
    @Test func carriesItsSwiftRuntimeAndPacksItsRelocations() async throws {
        let directory = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: directory.path)
        // Read to the end: a file in /proc says it is empty, and a read of its size stops short.
        let file = try #require(FileHandle(forReadingAtPath: "/proc/\(daemon.process.processIdentifier)/maps"))
        let maps = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
        for library in ["libswiftCore.so", "libFoundation.so", "libFoundationEssentials.so", "lib_FoundationICU.so"] {
            #expect(!maps.contains(library), "mastheadd maps \(library)")
        }
        #expect(maps.contains("libsqlite3.so"), "the system's SQLite is still a shared library")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        for binary in ["mastheadd", "masthead"] {
            let dynamic = try await Executables.runProgram("/usr/bin/readelf", ["--dynamic", Executables.path(binary)])
            #expect(dynamic.stdout.contains("(RELR)"), "no packed relocations in \(binary):\n\(dynamic.stdout)")
            #expect(!dynamic.stdout.contains("libswiftCore.so"), "\(binary) needs the shared Swift runtime")
        }
    }

    /// The functions start-up runs (`Ops/link/mastheadd.order`) come first in the daemon's code,
    /// so an idle daemon keeps few pages of it (Package.swift, `executableLinking`). Were the
    /// order file not handed to the linker, or our modules built without a section for each
    /// function, our own unlisted functions would sit among the listed ones.
    @Test func placesTheFunctionsStartUpRunsFirst() async throws {
        let order = try String(contentsOfFile: PostgresTestServer.repository + "/Ops/link/mastheadd.order", encoding: .utf8)
        let listed = Set(order.split(separator: "\n").map(String.init))
        let symbols = try await Executables.runProgram("/usr/bin/nm", ["--defined-only", Executables.path("mastheadd")])
        var listedAddresses: [UInt64] = []
        var firstUnlistedOfOurs = UInt64.max
        for line in symbols.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 2)
            guard fields.count == 3, fields[1] == "t" || fields[1] == "T", let address = UInt64(fields[0], radix: 16) else { continue }
            let name = String(fields[2])
            if listed.contains(name) {
                listedAddresses.append(address)
            } else if name.hasPrefix("$s16NewsletterSignup") || name.hasPrefix("$s13SQLiteStorage") {
                firstUnlistedOfOurs = min(firstUnlistedOfOurs, address)
            }
        }
        #expect(listedAddresses.count * 2 > listed.count, "only \(listedAddresses.count) of \(listed.count) listed functions in mastheadd")
        let before = listedAddresses.filter { $0 < firstUnlistedOfOurs }.count
        #expect(before * 100 >= listedAddresses.count * 99, "\(listedAddresses.count - before) listed functions after unlisted ones of ours")
    }

    /// With the spike detector off the abuse monitor has nothing to do, and must still run until
    /// the daemon stops (a service that returns early stops the whole daemon).
    @Test func runsWithAlertsOffUntilSignalled() async throws {
        let directory = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: directory.path, environment: ["MASTHEAD_ALERTS": "false"])
        #expect(try await HTTP.get(daemon.baseURL + "/readyz").status == 200)
        try await Task.sleep(for: .seconds(1))
        #expect(try await HTTP.get(daemon.baseURL + "/healthz").status == 200)
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        #expect(!daemon.log.contains("finished unexpectedly"), "\(daemon.log)")
    }

    /// SIGTERM while a reader's browser is still sending its sign-up: the request completes and
    /// is answered, then the daemon stops and exits 0.
    @Test func inFlightRequestCompletesAfterSIGTERM() async throws {
        let directory = try TemporaryDirectory()
        try await Executables.prepareDeployment(in: directory.path)
        _ = try await Executables.run("masthead", ["newsletters", "add", "daily", "--name", "Daily"], in: directory.path)
        let daemon = try await DaemonProcess(in: directory.path)
        let body = #"{"email": "slow@example.org", "newsletters": ["daily"]}"#
        let connection = try RawHTTPConnection(port: daemon.port)
        connection.send(
            "POST /v1/subscriptions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n" + String(body.prefix(10)))
        // In flight only once the daemon has read the head (a loaded CI machine once took longer
        // than a fixed pause, and the daemon rightly closed a connection it had not read yet).
        let clientPort = connection.localPort
        #expect(try await offThePool { RawHTTPConnection.serverHasRead(clientPort: clientPort) })
        daemon.signal(SIGTERM)
        try await Task.sleep(for: .milliseconds(700))
        #expect(daemon.process.isRunning, "the daemon must wait for the request in flight")
        connection.send(String(body.dropFirst(10)))
        let answer = await connection.readResponse()
        #expect(answer.hasPrefix("HTTP/1.1 202 Accepted"), "\(answer)")
        #expect(await daemon.waitForExit() == 0)
        // The sign-up was recorded with its email: sent before the worker stopped, or queued for
        // the next start; either way not lost.
        let queued = try Executables.runSQL("SELECT state FROM outbox", database: directory.file("masthead.sqlite"))
        #expect(queued.count == 1)
    }

    @Test func signUpThroughTheRealDaemonWritesTheConfirmationFile() async throws {
        let directory = try TemporaryDirectory()
        try await Executables.prepareDeployment(in: directory.path)
        _ = try await Executables.run("masthead", ["newsletters", "add", "ukraine-daily", "--name", "Ukraine Daily"], in: directory.path)
        let daemon = try await DaemonProcess(in: directory.path)
        let reply = try await Executables.runProgram(
            "/usr/bin/curl",
            ["-s", "-X", "POST", "-H", "Content-Type: application/json", "-d", #"{"email":"reader@example.org"}"#,
             daemon.baseURL + "/v1/subscriptions"])
        #expect(reply.stdout.contains("We've sent you a confirmation email."))
        let outbox = directory.file("outbox")
        let deadline = Date().addingTimeInterval(10)
        while (try? FileManager.default.contentsOfDirectory(atPath: outbox).filter { $0.hasSuffix(".eml") }.isEmpty) ?? true,
            Date() < deadline
        {
            try await Task.sleep(for: .milliseconds(50))
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: outbox).filter { $0.hasSuffix(".eml") }
        #expect(files.count == 1)
        let email = try await ParsedEmail.parse(outbox + "/" + files[0])
        let link = try #require(email.link("/v1/confirm"))
        #expect(link.url.contains("/v1/confirm?token=v1."))
        let confirmed = try await Executables.runProgram(
            "/usr/bin/curl", ["-s", "-X", "POST", "--data-urlencode", "token=\(link.token)", daemon.baseURL + "/v1/confirm"])
        #expect(confirmed.stdout.contains(#""status":"confirmed""#))
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
    }

    /// The first start in development creates a newsletter when there is none, so a newcomer's
    /// first sign-up works; the next start does not create another.
    @Test func aFirstStartInDevelopmentCreatesANewsletterOnce() async throws {
        let directory = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: directory.path, environment: ["MASTHEAD_NEWSROOM": "Kyiv Daily"])
        #expect(daemon.log.contains("created a first newsletter"))
        #expect(daemon.log.contains("slug=newsletter"))
        let reply = try await HTTP.post(daemon.baseURL + "/v1/subscriptions", json: #"{"email":"first@example.org"}"#)
        #expect(reply.status == 202, "\(reply.body)")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)

        let again = try await DaemonProcess(in: directory.path)
        #expect(!again.log.contains("created a first newsletter"))
        again.signal(SIGTERM)
        #expect(await again.waitForExit() == 0)
        let listed = try await Executables.run("masthead", ["newsletters", "list"], in: directory.path)
        #expect(listed.stdout.contains("Kyiv Daily"))
        #expect(try Executables.runSQL("SELECT count(*) FROM newsletters", database: directory.file("masthead.sqlite")) == ["1"])
    }

    @Test func badValueExitsWith78AndOneLineNamingTheSetting() async throws {
        let directory = try TemporaryDirectory()
        let outcome = try await Executables.run("mastheadd", ["--port", "eighty"], in: directory.path)
        #expect(outcome.status == 78)
        #expect(outcome.stderr == "configuration: MASTHEAD_PORT (--port, file key port): the value is not a whole number\n")
        #expect(!FileManager.default.fileExists(atPath: directory.file("masthead.sqlite")))
    }

    @Test func productionWithoutKeysFileRefusesToStart() async throws {
        let directory = try TemporaryDirectory()
        let outcome = try await Executables.run(
            "mastheadd", [], in: directory.path,
            environment: [
                "MASTHEAD_ENVIRONMENT": "production", "MASTHEAD_PUBLIC_URL": "https://news.example.org",
                "MASTHEAD_MAILER": "sendmail:/usr/sbin/sendmail", "MASTHEAD_MAIL_FROM": "news@example.org",
            ])
        #expect(outcome.status == 78)
        #expect(outcome.stderr.hasPrefix("configuration: MASTHEAD_KEYS"))
        #expect(outcome.stderr.split(separator: "\n").count == 1)
    }

    @Test func databaseFromANewerVersionIsRefusedWithOneLine() async throws {
        let directory = try TemporaryDirectory()
        _ = try await Executables.run("masthead", ["db", "migrate"], in: directory.path)
        try await DatabaseQueue(path: directory.file("masthead.sqlite")).write { db in
            try db.execute(sql: "INSERT INTO schema_migrations VALUES ('0042_newer', 'x', '2030-01-01T00:00:00.000Z')")
        }
        let outcome = try await Executables.run("mastheadd", [], in: directory.path)
        #expect(outcome.status == 78)
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.last == "mastheadd: refusing this database: the database has migration 0042_newer, which this binary does not know: run a newer masthead, or restore a backup made for this version")
    }

    @Test func helpListsEverySetting() async throws {
        let outcome = try await Executables.run("mastheadd", ["--help"], in: "/")
        #expect(outcome.status == 0)
        for name in ["MASTHEAD_HOST", "MASTHEAD_PORT", "MASTHEAD_DATABASE", "MASTHEAD_MAILER", "MASTHEAD_PUBLIC_URL",
            "MASTHEAD_KEYS", "MASTHEAD_ENVIRONMENT", "MASTHEAD_TRUSTED_PROXIES", "MASTHEAD_LOG_LEVEL", "MASTHEAD_LOG_FORMAT",
            "MASTHEAD_CONFIG", "--public-url", "--trusted-proxies"]
        {
            #expect(outcome.stdout.contains(name), "\(name)")
        }
    }

    @Test func jsonLogFormatWritesOneObjectPerLine() async throws {
        let directory = try TemporaryDirectory()
        let daemon = try await DaemonProcess(in: directory.path, environment: ["MASTHEAD_LOG_FORMAT": "json"])
        _ = try await HTTP.get(daemon.baseURL + "/healthz", headers: ["X-Request-Id": "json-test-1"])
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        let lines = daemon.log.split(separator: "\n")
        #expect(!lines.isEmpty)
        var sawAccessLine = false
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String], "\(line)")
            #expect(object["level"] != nil && object["message"] != nil && object["time"] != nil)
            if object["hb.request.id"] == "json-test-1", object["path"] == "/healthz" { sawAccessLine = true }
        }
        #expect(sawAccessLine)
    }
}
