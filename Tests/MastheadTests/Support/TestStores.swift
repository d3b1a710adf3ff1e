import Foundation
import Logging
import NIOPosix
import PostgresNIO
import PostgresStorage
import Synchronization
import Testing

/// The stores every contract test runs against: the same expectations, engine by engine.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }
}

/// The PostgreSQL server the tests use: `MASTHEAD_TEST_POSTGRES` (a URL whose user may create
/// databases, as `Ops/test` and `.ci/run` set it), else a throwaway cluster this test process
/// starts once with `Ops/postgres/throwaway` and stops at exit. Each test gets its own database.
enum PostgresTestServer {
    /// The repository root, found from this file's path.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    private static let started = Mutex<String?>(nil)

    /// The server's URL (to its maintenance database), without TLS unless it names an `sslmode`.
    /// The default, `prefer`, has every store and command parse the system's certificate
    /// authorities (about 0.1 s of CPU in a debug build, on the thread that asked): a full run's
    /// hundred-odd PostgreSQL stores, all starting at once on two cores, held the shared threads
    /// long enough for the first PostgreSQL suites to run out of time (a fresh machine, 2026-12-05).
    static let url: Result<String, any Error> = Result { withoutTLS(try serverURL()) }

    private static func serverURL() throws -> String {
        if let url = ProcessInfo.processInfo.environment["MASTHEAD_TEST_POSTGRES"], !url.isEmpty { return url }
        let directory = FileManager.default.temporaryDirectory.path + "/masthead-pg-" + UUID().uuidString.prefix(8).lowercased()
        let outcome = try Executables.runProgramOnThisThread(repository + "/Ops/postgres/throwaway", ["start", directory])
        guard outcome.status == 0, let url = outcome.stdout.split(separator: "\n").last.map(String.init) else {
            throw ServerUnavailable(reason: "Ops/postgres/throwaway start failed: \(outcome.stderr)")
        }
        started.withLock { $0 = directory }
        atexit {
            if let directory = PostgresTestServer.started.withLock({ $0 }) {
                _ = try? Executables.runProgramOnThisThread(PostgresTestServer.repository + "/Ops/postgres/throwaway", ["stop", directory])
            }
        }
        return url
    }

    /// `url` with `sslmode=disable` added, unless it names an `sslmode`.
    private static func withoutTLS(_ url: String) -> String {
        guard var components = URLComponents(string: url), !(components.queryItems ?? []).contains(where: { $0.name == "sslmode" })
        else { return url }
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "sslmode", value: "disable")]
        return components.string ?? url
    }

    /// Creates an empty database and returns its URL.
    static func freshDatabase() async throws -> String {
        try await createDatabase("")
    }

    /// Creates a database already at the current schema and returns its URL: a copy the server
    /// makes of a template migrated once per test process. Migrating each test's database
    /// instead meant some hundred statements per test sent from this process, and with dozens
    /// of PostgreSQL tests starting together that queue pushed the last ones past their time limits.
    static func migratedDatabase() async throws -> String {
        try await createDatabase(" TEMPLATE \(try await template.value)")
    }

    private static func createDatabase(_ options: String) async throws -> String {
        let server = try url.get()
        let name = "masthead_test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        _ = try await rows(server, "CREATE DATABASE \(name)\(options)")
        return replacingDatabase(of: server, with: name)
    }

    /// The migrated template: made by the first test that asks, then shared (a copy needs the
    /// template to have no connection, so the store that migrated it is closed and its
    /// connections waited out).
    private static let template = Task<String, any Error> {
        let server = try url.get()
        let database = try await createDatabase("")
        let name = String(URLComponents(string: database)?.path.dropFirst() ?? "")
        let store = PostgresStore(try PostgresLocation(url: database, poolSize: 1), logger: Logger(label: "masthead-tests"))
        _ = try await store.migrate()
        try store.close()
        for _ in 0..<200 {
            _ = try await rows(server, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)' AND pid <> pg_backend_pid()")
            if try await rows(server, "SELECT count(*) FROM pg_stat_activity WHERE datname = '\(name)'") == ["0"] { return name }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServerUnavailable(reason: "the template database \(name) kept a connection")
    }

    /// `postgres://u:p@h:5432/old` → `postgres://u:p@h:5432/new`.
    static func replacingDatabase(of url: String, with name: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + name
        return components.string!
    }

    /// Rows of one statement, one string per row (columns joined by `|`, NULL as empty text).
    ///
    /// Through one short-lived postgres-nio connection, awaited, not a psql process nor a
    /// blocking wait: tests call this from async code on a 2-core machine, where holding one of
    /// the two shared threads for a query starves the tests running beside it.
    static func rows(_ url: String, _ sql: String) async throws -> [String] {
        guard let components = URLComponents(string: url), let host = components.host, let user = components.user else {
            throw ServerUnavailable(reason: "not a postgres URL: \(url)")
        }
        let configuration = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: String(components.path.dropFirst()), tls: .disable)
        let logger = Logger(label: "masthead-tests")
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            // A statement waiting on a lock (an ALTER DATABASE behind a test's open transaction)
            // fails after this, naming the wait, instead of holding the whole run: an await on
            // the server cannot be cancelled by a test's time limit.
            _ = try await connection.query("SET statement_timeout = '30s'", logger: logger)
            var lines: [String] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) {
                lines.append(try row.map(text).joined(separator: "|"))
            }
            try await connection.close()
            return lines
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// A cell as psql prints it.
    private static func text(_ cell: PostgresCell) throws -> String {
        guard cell.bytes != nil else { return "" }
        switch cell.dataType {
        case .int2, .int4, .int8: return String(try cell.decode(Int64.self))
        case .bool: return try cell.decode(Bool.self) ? "t" : "f"
        default: return try cell.decode(String.self)
        }
    }

    struct ServerUnavailable: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }
}
