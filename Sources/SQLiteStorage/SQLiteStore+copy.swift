public import DatabaseCopy
import Migrations
import GRDB
import StoredRows

/// Reading every table out, page by page, for `masthead db copy`.
extension SQLiteStore {
    /// The table's columns, in table order.
    public func columns(of table: CopiedTable) async throws -> [String] {
        try await read { db in try db.columns(in: table.name).map(\.name) }
    }

    /// Up to `limit` rows after the row whose key is `after` (from the start when nil), in key order.
    public func rows(
        of table: CopiedTable, columns: [String], after: [SQLValue]?, limit: Int
    ) async throws -> [[SQLValue]] {
        try await read { db in
            let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
            let key = table.key.map { "\"\($0)\"" }.joined(separator: ", ")
            var sql = "SELECT \(list) FROM \"\(table.name)\""
            var arguments = StatementArguments()
            if let after {
                // A row-value comparison pages on a key of one column or several alike.
                sql += " WHERE (\(key)) > (\(Array(repeating: "?", count: after.count).joined(separator: ", ")))"
                arguments = StatementArguments(after.map(Self.databaseValue))
            }
            sql += " ORDER BY \(key) LIMIT \(limit)"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                try columns.indices.map { index in try Self.sqlValue(row[index] as DatabaseValue, column: columns[index]) }
            }
        }
    }

    private static func databaseValue(_ value: SQLValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let number): number.databaseValue
        case .text(let text): text.databaseValue
        }
    }

    private static func sqlValue(_ value: DatabaseValue, column: String) throws -> SQLValue {
        switch value.storage {
        case .null: return .null
        case .int64(let number): return .integer(number)
        case .string(let text): return .text(text)
        case .double, .blob: throw UnreadableColumn(column: column, value: value.description)
        }
    }
}

extension SQLiteStore {
    /// How many rows the table holds.
    public func rowCount(of table: CopiedTable) async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\(table.name)\"") ?? 0 }
    }
}
