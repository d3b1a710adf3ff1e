public import GRDB
public import StoredRows

/// GRDB's rows, read the way both stores read them (`StoredRows`). The imports are public
/// because a conformance of a public type to a public protocol is public.
extension Row: StoredRow {
    /// A column the row does not have reads as NULL (GRDB's subscript would stop the process).
    public func isNull(_ column: String) throws -> Bool {
        if let index = exactIndex(of: column) { return hasNull(atIndex: index) }
        return hasColumn(column) ? (self[column] as DatabaseValue).isNull : true
    }

    public func text(_ column: String) throws -> String {
        guard let index = exactIndex(of: column) else { return try decode(String.self, forColumn: column) }
        return try decode(String.self, atIndex: index)
    }

    public func integer(_ column: String) throws -> Int64 {
        guard let index = exactIndex(of: column) else { return try decode(Int64.self, forColumn: column) }
        return try decode(Int64.self, atIndex: index)
    }

    /// The column spelled exactly as `column`, as our SQL names what the code reads; nil sends
    /// the read to GRDB's own lookup, which ignores case by lowercasing every column's name on
    /// every read (a third of a pledge's row reading in `perf record`).
    private func exactIndex(of column: String) -> Int? {
        var index = 0
        for name in columnNames {
            if name == column { return index }
            index += 1
        }
        return nil
    }
}
