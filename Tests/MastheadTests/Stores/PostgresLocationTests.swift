import Foundation
import Logging
import MastheadRuntime
import MastheadSettings
import PostgresStorage
import TestSupport
import Testing

/// `MASTHEAD_DATABASE=postgres://…`: what is accepted, what is refused, where the password comes from.
@Suite struct PostgresLocationTests {
    @Test func aFullURLIsRead() throws {
        let location = try PostgresLocation(url: "postgresql://news%40desk:s3cr%2Ft@db.internal:6543/masthead?sslmode=require")
        #expect(location.user == "news@desk")
        #expect(location.password == "s3cr/t")
        #expect(location.host == "db.internal")
        #expect(location.port == 6543)
        #expect(location.database == "masthead")
        #expect(location.tls == .require)
        #expect(location.description == "postgres://news@desk@db.internal:6543/masthead", "never the password")
    }

    @Test(arguments: [
        ("postgres://db.internal/masthead", "names no user"),
        ("postgres://masthead@db.internal", "names no database"),
        ("postgres://masthead@db.internal/masthead?sslmode=verify-full", "sslmode must be disable, prefer or require"),
        ("postgres://masthead@db.internal/masthead?pool=3", "unknown parameter 'pool'"),
        ("mysql://masthead@db.internal/masthead", "is not a postgres://user@host/db URL"),
    ])
    func aBadURLIsRefusedSayingWhy(url: String, reason: String) {
        #expect(throws: PostgresLocationError.self) { try PostgresLocation(url: url) }
        do {
            _ = try PostgresLocation(url: url)
        } catch {
            #expect(error.description.contains(reason), "\(error.description)")
        }
    }

    @Test func thePasswordComesFromTheURLThenTheFile() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("db.password")
        try "from-file\n".write(toFile: file, atomically: true, encoding: .utf8)
        var configuration = MastheadConfiguration()
        configuration.databasePasswordFile = file
        configuration.database = .postgres(url: "postgres://masthead@127.0.0.1:1/masthead")
        let fromFile = try #require(try Runtime.openStore(configuration, logger: Logger(label: "test")) as? PostgresStore)
        defer { try? fromFile.close() }
        #expect(fromFile.location.password == "from-file", "the file's line, without its newline")
        configuration.database = .postgres(url: "postgres://masthead:from-url@127.0.0.1:1/masthead")
        let fromURL = try #require(try Runtime.openStore(configuration, logger: Logger(label: "test")) as? PostgresStore)
        defer { try? fromURL.close() }
        #expect(fromURL.location.password == "from-url")
        configuration.databasePasswordFile = directory.file("missing")
        #expect(throws: ConfigurationError.self) { try Runtime.openStore(configuration, logger: Logger(label: "test")) }
    }

    @Test func aLoggedLocationHidesThePassword() throws {
        let location = try DatabaseLocation(parsing: "postgres://masthead:hunter2@db.internal/masthead")
        #expect(!location.description.contains("hunter2"))
        #expect(location.description.contains("db.internal"))
    }

    @Test func aServerThatCannotBeReachedFailsAtOnceSayingWhy() async throws {
        let server = try PostgresTestServer.url.get()
        let wrongPassword = try #require(URLComponents(string: server)).with { $0.password = "wrong" }
        let directory = try TemporaryDirectory()
        for (url, reason) in [
            (wrongPassword, "password authentication failed"), ("postgres://masthead@127.0.0.1:1/masthead", "Connection refused"),
        ] {
            let path = directory.path
            let status = try await Executables.run("masthead", ["db", "status", "--database", url], in: path)
            #expect(status.status == 1)
            #expect(status.stderr.contains("cannot connect to postgres://masthead@127.0.0.1:"), "\(status.stderr)")
            #expect(status.stderr.contains(reason), "\(status.stderr)")
            // The server's own reason (the pool, after a minute of retries, only says its circuit breaker tripped).
            #expect(!status.stderr.contains("ConnectionPoolError"))
            #expect(!status.stderr.contains("wrong"), "the password is never printed")
            let daemon = try await Executables.run("mastheadd", ["--port", "0"], in: path, environment: ["MASTHEAD_DATABASE": url])
            #expect(daemon.status == 1, "a server that may come back: exit 1, so systemd restarts the daemon")
            #expect(daemon.stderr.contains(reason), "\(daemon.stderr)")
        }
    }
}

extension URLComponents {
    /// A copy with `change` applied, as a string.
    fileprivate func with(_ change: (inout URLComponents) -> Void) -> String {
        var copy = self
        change(&copy)
        return copy.string ?? ""
    }
}
