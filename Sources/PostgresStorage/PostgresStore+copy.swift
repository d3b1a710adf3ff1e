public import DatabaseCopy
import Migrations
import PostgresNIO

/// Writing every table in, and reading it back for the checksum, for `masthead db copy`.
extension PostgresStore {
    /// Tables a fresh database already fills (0004 seeds the USD offer): a copy replaces them.
    public static let seededTables: Set<String> = ["pledge_currencies", "pledge_tiers"]

    /// The database's collation (`C` sorts text byte by byte, as SQLite does).
    public func collation() async throws -> String {
        try await read { session in
            try await session.value("SELECT datcollate::text FROM pg_database WHERE datname = current_database()", as: String.self) ?? ""
        }
    }

    /// The table's columns, in table order.
    public func columns(of table: CopiedTable) async throws -> [String] {
        try await read { session in
            try await session.rows(
                """
                SELECT column_name::text AS name FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = \(table.name) ORDER BY ordinal_position
                """
            ).map { try $0["name"] }
        }
    }

    /// How many rows each table holds.
    public func rowCount(of table: CopiedTable) async throws -> Int {
        try await read { session in
            try await session.value(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \"\(table.name)\""), as: Int.self) ?? 0
        }
    }

    /// Empties the tables (children first, so no foreign key is left dangling) and restarts their ids.
    public func empty(_ tables: [CopiedTable]) async throws {
        let list = tables.map { "\"\($0.name)\"" }.joined(separator: ", ")
        try await write { session in
            try await session.execute(PostgresQuery(unsafeSQL: "TRUNCATE \(list) RESTART IDENTITY"))
        }
    }

    /// Inserts the rows, as they are (ids included), in one transaction.
    public func insert(_ rows: [[SQLValue]], into table: CopiedTable, columns: [String]) async throws {
        guard !rows.isEmpty else { return }
        // A statement takes at most 65,535 parameters.
        let perStatement = max(1, 60_000 / max(columns.count, 1))
        let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        try await write { session in
            for start in stride(from: 0, to: rows.count, by: perStatement) {
                var bindings = PostgresBindings()
                var tuples: [String] = []
                for row in rows[start..<min(start + perStatement, rows.count)] {
                    var placeholders: [String] = []
                    for value in row {
                        switch value {
                        case .null: bindings.appendNull()
                        case .integer(let number): bindings.append(number)
                        case .text(let text): bindings.append(text)
                        }
                        placeholders.append("$\(bindings.count)")
                    }
                    tuples.append("(" + placeholders.joined(separator: ", ") + ")")
                }
                try await session.execute(
                    PostgresQuery(
                        unsafeSQL: "INSERT INTO \"\(table.name)\" (\(list)) VALUES \(tuples.joined(separator: ", "))",
                        binds: bindings))
            }
        }
    }

    /// Moves the table's id sequence past the largest copied id, so new rows do not collide.
    public func moveIdentity(of table: CopiedTable) async throws {
        guard table.hasIdentity else { return }
        try await write { session in
            try await session.execute(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT setval(pg_get_serial_sequence('"\(table.name)"', 'id'),
                            (SELECT coalesce(max(id), 0) + 1 FROM "\(table.name)"), false)
                        """))
        }
    }

    /// The checksum of every row of the table, read back as stored.
    public func checksum(of table: CopiedTable, columns: [String]) async throws -> TableChecksum {
        let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        return try await read { session in
            var checksum = TableChecksum()
            let rows = try await session.connection.query(
                PostgresQuery(unsafeSQL: "SELECT \(list) FROM \"\(table.name)\""), logger: session.logger)
            for try await row in rows {
                checksum.add(try row.map(Self.sqlValue))
            }
            return checksum
        }
    }

    private static func sqlValue(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2: return .integer(try cell.decode(Int64.self))
        default: return .text(try cell.decode(String.self))
        }
    }
}
