import AbuseDefence
import Foundation
import GRDB
import Hummingbird
import Logging
import Mail
import MastheadHTTP
import MastheadRuntime
import MastheadSettings
import SubscriberLists
import TestSupport

/// A runtime over a fresh store (an SQLite file, or a new PostgreSQL database), keys file and
/// outbox directory in a temporary directory, with a clock the test moves.
struct TestRuntime {
    let directory: TemporaryDirectory
    /// Which engine the store is.
    let store: StoreKind
    /// The database's location (its URL, for PostgreSQL).
    let database: DatabaseLocation
    let runtime: Runtime
    let log: CapturedLog
    let clock: TestClock

    init(
        store: StoreKind = .sqlite, clock: TestClock = TestClock(), _ adjust: (inout MastheadConfiguration) -> Void = { _ in }
    ) async throws {
        directory = try TemporaryDirectory()
        self.store = store
        log = CapturedLog()
        self.clock = clock
        var configuration = MastheadConfiguration()
        switch store {
        case .sqlite: configuration.database = .sqlite(path: directory.file("masthead.sqlite"))
        case .postgres:
            configuration.database = .postgres(url: try await PostgresTestServer.migratedDatabase())
            // Tests run side by side; a small pool each keeps them under the server's max_connections.
            configuration.databasePool = 4
        }
        configuration.keysPath = directory.file("masthead.keys")
        configuration.mailer = .file(directory: directory.file("outbox"))
        configuration.port = 0
        configuration.publicURL = "https://news.example.org/masthead"
        // A live test client keeps one connection between its requests, and on a loaded machine
        // a test may wait longer than the 15 s an idle connection is kept (the next request then
        // met a closed channel). The timeouts' own tests run the daemon with theirs.
        configuration.headerTimeout = .seconds(300)
        // Tests sign up hundreds of readers a minute from one address, which the abuse defence
        // takes for an attack: no proof of work and no hourly confirmation cap unless a test
        // asks for them (the detector still runs). AbuseDefenceFlowTests turns them on.
        configuration.challenge = .off
        configuration.confirmationBudget = .off
        adjust(&configuration)
        database = configuration.database
        runtime = try await Runtime.start(configuration: configuration, logger: log.logger, now: clock.function)
    }

    var databasePath: String { directory.file("masthead.sqlite") }

    /// Rows of a query on the store's database, one string per row (`|` between columns);
    /// write the SQL so both engines read it the same. Any other statement (an `UPDATE` that
    /// sets a state up) runs too and gives no rows.
    func sql(_ query: String) async throws -> [String] {
        switch database {
        case .sqlite(let path):
            // GRDB waits for the file's lock: on a thread of its own, not a shared one.
            return try await offThePool {
                guard query.uppercased().hasPrefix("SELECT") else {
                    try DatabaseQueue(path: path).write { db in try db.execute(sql: query) }
                    return []
                }
                return try Executables.runSQL(query, database: path)
            }
        case .postgres(let url): return try await PostgresTestServer.rows(url, query)
        }
    }

    /// The store as `masthead --database` takes it (the PostgreSQL URL carries the password).
    var databaseArgument: String {
        switch database {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url): url
        }
    }
    var outboxDirectory: String { directory.file("outbox") }

    /// The application over the real router, for `app.test(.router)` or `.live`.
    var application: some ApplicationProtocol { get throws { try runtime.application() } }

    /// Creates a newsletter through the real catalogue.
    @discardableResult
    func newsletter(_ slug: String, name: String? = nil, visibility: Newsletter.Visibility = .public, optIn: Newsletter.OptIn = .double) async throws -> Newsletter {
        try await NewsletterCatalog(store: runtime.store, now: clock.function).create(
            NewsletterDraft(slug: slug, name: name ?? slug.capitalized, description: "About \(slug)", visibility: visibility, optIn: optIn),
            actor: "test")
    }

    /// Runs the delivery worker once, as the daemon would.
    @discardableResult
    func deliver() async throws -> Int { try await runtime.deliveryWorker.deliverDueMessages() }

    /// The `.eml` files written so far, sorted.
    func emails() throws -> [String] {
        guard FileManager.default.fileExists(atPath: outboxDirectory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: outboxDirectory).filter { $0.hasSuffix(".eml") }.sorted()
            .map { outboxDirectory + "/" + $0 }
    }

    func shutdown() { runtime.shutdown() }
}
