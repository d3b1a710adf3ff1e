public import DatabaseHealth
import Foundation
public import Logging
import Migrations
import PostgresNIO
import _ConnectionPoolModule
import Synchronization

/// The shared store: one PostgreSQL database that several daemons use at once, through
/// postgres-nio's connection pool.
///
/// It implements the same store protocols as `SQLiteStore`, in the same tables (migrations
/// kept step for step). What one process could decide alone in SQLite, several daemons decide
/// here through the database: row locks, unique constraints and `FOR UPDATE SKIP LOCKED`.
///
/// ```swift
/// let store = try PostgresStore(PostgresLocation(url: "postgres://masthead@db/masthead"), logger: logger)
/// try await store.migrate()
/// ```
public final class PostgresStore: Sendable {
    /// Where the store connects (no password in its description).
    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>
    let activity = PostgresActivity()
    /// Ends an operation whose connection closes under it (a postgres-nio query can hang otherwise).
    let closeWatch = ConnectionCloseWatch()
    /// Whether the last writes failed for the server's reasons (readiness reads it).
    let writeAvailability = WriteAvailability()
    /// Sign-ups waiting for the next batch (group commit).
    let signupQueue = SignupQueue()

    /// Creates the pool; connections open when first needed.
    public init(_ location: PostgresLocation, logger: Logger) {
        self.location = location
        // postgres-nio logs each connection's life at debug; keep its chatter out of our logs.
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)
        self.logger = quiet
        let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: quiet)
        self.client = client
        let activity = self.activity
        self.runner = Task {
            activity.running.store(true, ordering: .releasing)
            await client.run()
        }
    }

    /// Closes the pool; later calls fail. Call once at shutdown.
    public func close() throws {
        runner.cancel()
    }

    /// Connection activity for the metrics endpoint.
    public var poolStatistics: PoolStatistics {
        PoolStatistics(
            maximumReaders: location.poolSize,
            readsInFlight: activity.reads.load(ordering: .relaxed),
            writesInFlight: activity.writes.load(ordering: .relaxed))
    }

    /// Runs `body` on a pooled connection without a transaction (one statement reads are atomic anyway).
    func read<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) async throws -> T) async throws -> T {
        await untilRunning()
        activity.reads.add(1, ordering: .relaxed)
        defer { activity.reads.subtract(1, ordering: .relaxed) }
        return try await leased(retrying: { $0 is ClosedConnection }, body)
    }

    /// Runs `body` in one READ COMMITTED transaction and commits it; rolls back when it throws.
    ///
    /// Write paths take their row locks in one order (subscriber, then its rows), but a
    /// deadlock or serialisation failure can still happen between daemons: the transaction is
    /// then rolled back and run again, a few times, before the error is passed on. `body` must
    /// therefore only touch the database (its closures from the libraries are pure decisions).
    @discardableResult
    func write<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) async throws -> T) async throws -> T {
        await untilRunning()
        activity.writes.add(1, ordering: .relaxed)
        defer { activity.writes.subtract(1, ordering: .relaxed) }
        do {
            return try await leased(retrying: { ($0 as? PSQLError)?.isRetryable == true || $0 is ClosedConnection }) { session in
                try await session.transaction("BEGIN", body)
            }
        } catch {
            if let reason = unavailability(of: error) { writeAvailability.failed(reason) }
            throw error
        }
    }

    /// Runs `body` on a pooled connection, watched for the connection closing under it, and
    /// again (four tries in all, 10 to 20 ms apart) when `retry` says its error allows.
    private func leased<T: Sendable>(
        retrying retry: (any Error) -> Bool, _ body: @escaping @Sendable (PostgresSession) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await client.withConnection { connection in
                    try await self.closeWatch.run(on: connection) {
                        try await body(PostgresSession(connection: connection, logger: self.logger))
                    }
                }
            } catch where attempt < 4 && retry(error) {
                attempt += 1
                try await Task.sleep(for: .milliseconds(5 * attempt))
            }
        }
    }

    /// The failures that are the database server's condition, not the request's: the
    /// connection is lost or cannot be made, the pool has no connection to give, the server is
    /// shutting down or starting, out of disk or memory (SQLSTATE class 53), read-only (a
    /// standby), or an I/O error.
    public func unavailability(of error: any Error) -> String? {
        if error is ConnectionPoolError { return "no database connection is available" }
        if error is ClosedConnection || error is ConnectionLostDuringOperation { return "the database connection was lost" }
        guard let error = error as? PSQLError else { return nil }
        if let state = error.sqlState {
            return switch state {
            case let state where state.hasPrefix("08"): "the database connection failed (SQLSTATE \(state))"
            case let state where state.hasPrefix("53"): "the database server is out of resources (SQLSTATE \(state))"
            case "57P01", "57P02", "57P03": "the database server is shutting down or starting (SQLSTATE \(state))"
            case "25006": "the database is read-only (SQLSTATE 25006)"
            case "58030": "the database server had an I/O error (SQLSTATE 58030)"
            default: nil
            }
        }
        return switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown:
            "the database connection was lost (\(error.code))"
        default: nil
        }
    }
}

extension PostgresStore {
    /// Waits for the pool's `run()` to have begun: a query leased before that works, but makes
    /// postgres-nio log a warning on every start. Only the first calls of a process ever wait.
    private func untilRunning() async {
        guard !activity.running.load(ordering: .acquiring) else { return }
        while !activity.running.load(ordering: .acquiring) { await Task.yield() }
        // `run()` marks itself running on entry, a moment after the task's first line.
        try? await Task.sleep(for: .milliseconds(2))
    }
}

/// Counters of operations running on the pool, read by the metrics endpoint.
final class PostgresActivity: Sendable {
    let running = Atomic<Bool>(false)
    let reads = Atomic<Int>(0)
    let writes = Atomic<Int>(0)
}

extension PSQLError {
    /// The SQLSTATE the server sent, e.g. `23505` for a unique violation.
    var sqlState: String? { serverInfo?[.sqlState] }

    /// A deadlock or serialisation failure: running the transaction again may succeed.
    var isRetryable: Bool { sqlState == "40P01" || sqlState == "40001" }

    /// A unique constraint refused the row.
    var isUniqueViolation: Bool { sqlState == "23505" }
}

extension PostgresStore {
    /// A short, human description of an error: for a database error the server's message, never
    /// the query or its arguments, which may hold personal data (postgres-nio's own description
    /// says nothing, on purpose).
    public static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return "PostgreSQL: \(message)" + (error.sqlState.map { " (SQLSTATE \($0))" } ?? "")
            }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "PostgreSQL: \(error.code)"
        }
        return String(describing: error)
    }
}
