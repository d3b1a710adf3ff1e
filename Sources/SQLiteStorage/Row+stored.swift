public import GRDB
public import StoredRows

/// GRDB's rows, read the way both stores read them (`StoredRows`). The imports are public
/// because a conformance of a public type to a public protocol is public.
extension Row: StoredRow {
    public func isNull(_ column: String) throws -> Bool {
        (self[column] as DatabaseValue).isNull
    }

    public func text(_ column: String) throws -> String {
        try decode(String.self, forColumn: column)
    }

    public func integer(_ column: String) throws -> Int64 {
        try decode(Int64.self, forColumn: column)
    }
}
