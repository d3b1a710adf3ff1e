import PostgresNIO

/// A piece of SQL with its values, written as a `PostgresQuery` is (`"status = \(status)"`), to be
/// placed inside a larger statement: its values are numbered (`$7`) where it lands.
///
/// It lets a write send several inserts as one statement, `WITH w0 AS (INSERT …), w1 AS (INSERT …)
/// SELECT …` (``PostgresSession/execute(together:counting:)``): one round trip, and one wake-up of
/// the waiting task, instead of one each. On a daemon under load those wake-ups, not PostgreSQL's
/// work, were the largest cost of a sign-up (Ops/bench/README.md, "PostgreSQL sign-up").
struct SQLFragment: ExpressibleByStringInterpolation {
    fileprivate enum Piece {
        case sql(String)
        case value(any PostgresThrowingDynamicTypeEncodable)
        case null
    }

    fileprivate var pieces: [Piece]

    init(stringLiteral sql: String) { pieces = [.sql(sql)] }
    init(stringInterpolation: Interpolation) { pieces = stringInterpolation.pieces }

    /// `fragments` one after another with `separator` between them (`", "` for a `VALUES` list).
    init(joining fragments: [SQLFragment], separator: String) {
        pieces = []
        for (index, fragment) in fragments.enumerated() {
            if index > 0 { pieces.append(.sql(separator)) }
            pieces += fragment.pieces
        }
    }

    struct Interpolation: StringInterpolationProtocol {
        fileprivate var pieces: [Piece] = []

        init(literalCapacity: Int, interpolationCount: Int) {}

        mutating func appendLiteral(_ sql: String) { pieces.append(.sql(sql)) }

        /// A value, bound as a parameter (nil as NULL).
        mutating func appendInterpolation<Value: PostgresThrowingDynamicTypeEncodable>(_ value: Value?) {
            pieces.append(value.map { .value($0) } ?? .null)
        }

        /// Another fragment, values and all.
        mutating func appendInterpolation(_ fragment: SQLFragment) { pieces += fragment.pieces }

        /// SQL text written by this program (a table's name, a list of constants), never a value.
        mutating func appendInterpolation(unescaped sql: String) { pieces.append(.sql(sql)) }
    }
}

extension PostgresQuery.StringInterpolation {
    /// Places `fragment` in the query, numbering its values after those already bound.
    mutating func appendInterpolation(_ fragment: SQLFragment) throws {
        for piece in fragment.pieces {
            switch piece {
            case .sql(let sql): appendLiteral(sql)
            case .value(let value): try appendInterpolation(value)
            case .null: appendInterpolation(String?.none)
            }
        }
    }
}

extension PostgresSession {
    /// Runs `writes` (inserts and updates of different tables) and then `counted` as one statement;
    /// returns how many rows `counted` returned (give it `RETURNING 1`).
    ///
    /// The parts see one snapshot, and their order among themselves is PostgreSQL's to choose, so
    /// none may depend on another's rows; foreign keys are checked when the statement ends.
    @discardableResult
    func execute(together writes: [SQLFragment], counting counted: SQLFragment? = nil) async throws -> Int {
        guard !writes.isEmpty || counted != nil else { return 0 }
        return try await value("\(SQLFragment(together: writes, counting: counted))", as: Int.self) ?? 0
    }
}

extension SQLFragment {
    /// `writes` and then `counted` as one statement that returns one row, the number of rows
    /// `counted` returned (see ``PostgresSession/execute(together:counting:)``).
    init(together writes: [SQLFragment], counting counted: SQLFragment?) {
        let parts = writes.enumerated().map { index, write in "w\(unescaped: String(index)) AS (\(write))" as SQLFragment }
            + ["counted AS (\(counted ?? "SELECT 1 WHERE false"))"]
        self = "WITH \(SQLFragment(joining: parts, separator: ", ")) SELECT count(*) FROM counted"
    }

    /// The text with its values numbered `$1`, `$2`, … in order, as a `PostgresQuery` numbers
    /// them: what a prepared statement is parsed from (``bindings()`` gives the values).
    var numberedSQL: String {
        var sql = ""
        var number = 0
        for piece in pieces {
            switch piece {
            case .sql(let text): sql += text
            case .value, .null:
                number += 1
                sql += "$\(number)"
            }
        }
        return sql
    }

    /// The values, in the order of ``numberedSQL``'s parameters.
    func bindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        for piece in pieces {
            switch piece {
            case .sql: continue
            case .value(let value): try bindings.append(value)
            case .null: bindings.appendNull()
            }
        }
        return bindings
    }
}
