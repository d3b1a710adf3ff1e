import Foundation
import Logging
public import PostgresNIO
public import StoredRows
import SideEffects
import Synchronization
import SubscriberLists

/// One pooled connection while a store call uses it: queries, with rows read by column name.
struct PostgresSession: Sendable {
    let connection: PostgresConnection
    let logger: Logger
    /// Signals to notify once the current transaction commits.
    let committed = AfterCommit()

    /// Every row of `query`.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        // A connection known closed is refused at once (see ``ConnectionCloseWatch`` for the rest).
        guard !connection.isClosed else { throw ClosedConnection() }
        return try await connection.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// The first row of `query`, if any.
    func row(_ query: PostgresQuery) async throws -> PostgresRandomAccessRow? {
        try await rows(query).first
    }

    /// Runs `query` for its effect; returns how many rows it returned (use `RETURNING 1` to count changes).
    @discardableResult
    func execute(_ query: PostgresQuery) async throws -> Int {
        try await rows(query).count
    }

    /// Runs `body` between `begin` (`BEGIN …`) and `COMMIT`; rolls back when it throws.
    func transaction<T: Sendable>(
        _ begin: PostgresQuery, _ body: @escaping @Sendable (PostgresSession) async throws -> T
    ) async throws -> T {
        try await execute(begin)
        do {
            let value = try await body(self)
            try await execute("COMMIT")
            committed.notifyAll()
            return value
        } catch {
            committed.discard()
            _ = try? await execute("ROLLBACK")
            throw error
        }
    }

    /// The single value of a one-row, one-column query (`SELECT count(*) …`), or nil without a row.
    func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T? {
        guard let row = try await row(query), row[0].bytes != nil else { return nil }
        return try row[0].decode(T.self)
    }
}

/// Signals a transaction notifies when it commits (none when it rolls back).
final class AfterCommit: Sendable {
    private let signals = Mutex<[WakeSignal]>([])

    /// Notifies `signal` after the commit.
    func wake(_ signal: WakeSignal) {
        signals.withLock { if !$0.contains(where: { $0 === signal }) { $0.append(signal) } }
    }

    func notifyAll() {
        for signal in signals.withLock({ signals in defer { signals = [] }; return signals }) { signal.notify() }
    }

    func discard() { signals.withLock { $0 = [] } }
}

/// A pooled connection was closed before a query could be sent on it (so nothing of the
/// operation reached the server): the pool learns of the close a moment later, so another
/// lease gets a live connection (``PostgresStore`` retries).
struct ClosedConnection: Error, CustomStringConvertible {
    var description: String { "the pooled connection was already closed" }
}

/// postgres-nio's rows, read the way both stores read them (`StoredRows`); the subscript reads
/// any other decodable value. The imports are public because a conformance of a public type to a
/// public protocol is public.
extension PostgresRandomAccessRow: StoredRow {
    public func isNull(_ column: String) throws -> Bool { self[column].bytes == nil }
    public func text(_ column: String) throws -> String { try self[column].decode(String.self) }
    public func integer(_ column: String) throws -> Int64 { try self[column].decode(Int64.self) }

    subscript<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) -> T {
        get throws { try self[column].decode(T.self) }
    }
}
