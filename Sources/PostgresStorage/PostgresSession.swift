import Foundation
import Logging
import PostgresNIO
import SideEffects
import SubscriberLists

/// One pooled connection while a store call uses it: queries, with rows read by column name.
struct PostgresSession: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    /// Every row of `query`.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await connection.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// The first row of `query`, if any.
    func row(_ query: PostgresQuery) async throws -> PostgresRandomAccessRow? {
        try await rows(query).first
    }

    /// Runs `query` for its effect; returns how many rows it returned (use `RETURNING 1` to count changes).
    @discardableResult
    func execute(_ query: PostgresQuery) async throws -> Int {
        try await connection.query(query, logger: logger).collect().count
    }

    /// Runs `body` between `begin` (`BEGIN …`) and `COMMIT`; rolls back when it throws.
    func transaction<T: Sendable>(
        _ begin: PostgresQuery, _ body: @escaping @Sendable (PostgresSession) async throws -> T
    ) async throws -> T {
        try await execute(begin)
        do {
            let value = try await body(self)
            try await execute("COMMIT")
            return value
        } catch {
            try? await execute("ROLLBACK")
            throw error
        }
    }

    /// The single value of a one-row, one-column query (`SELECT count(*) …`), or nil without a row.
    func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T? {
        guard let row = try await row(query), row[0].bytes != nil else { return nil }
        return try row[0].decode(T.self)
    }
}

/// Reading our column conventions (migration 0001: times as ISO 8601 text, states as text) back into domain values.
extension PostgresRandomAccessRow {
    /// A stored value the code cannot read: the database was written by something else.
    struct UnreadableColumn: Error, CustomStringConvertible {
        let column: String
        let value: String
        var description: String { "column \(column) holds '\(value)', which this version cannot read" }
    }

    subscript<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) -> T {
        get throws { try self[column].decode(T.self) }
    }

    func date(_ column: String) throws -> Date {
        let text = try self[column, as: String.self]
        guard let date = Timestamp.parse(text) else { throw UnreadableColumn(column: column, value: text) }
        return date
    }

    func optionalDate(_ column: String) throws -> Date? {
        guard let text = try self[column, as: String?.self] else { return nil }
        guard let date = Timestamp.parse(text) else { throw UnreadableColumn(column: column, value: text) }
        return date
    }

    func enumValue<Value: RawRepresentable>(_ column: String) throws -> Value where Value.RawValue == String {
        let text = try self[column, as: String.self]
        guard let value = Value(rawValue: text) else { throw UnreadableColumn(column: column, value: text) }
        return value
    }
}
