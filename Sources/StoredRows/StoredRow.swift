public import Foundation
import SideEffects

/// A row as either engine returns it, read by column name. `SQLiteStorage` and
/// `PostgresStorage` make their row types conform, so the reading of our tables into domain
/// values (migration 0001's conventions: times as ISO 8601 text, states as text, flags as
/// 0/1) is written once, in this module.
///
/// ```swift
/// let newsletter = try Newsletter(stored: row)   // row: GRDB's Row or a PostgresRandomAccessRow
/// let since: Date? = try row.value("confirmed_at")
/// ```
public protocol StoredRow {
    /// Whether the column holds NULL.
    func isNull(_ column: String) throws -> Bool
    /// The column's text; throws when it is NULL or not text.
    func text(_ column: String) throws -> String
    /// The column's integer; throws when it is NULL or not an integer.
    func integer(_ column: String) throws -> Int64
}

extension StoredRow {
    /// The column's value as `Value` (`String`, `Int64`, `Date`, a state, or an optional of one).
    /// A method rather than a subscript, so it never competes with the engines' own subscripts.
    public func value<Value: StoredValue>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        try Value.read(column, from: self)
    }
}

/// A value a column can be read as.
public protocol StoredValue {
    /// Reads the column of `row`; throws ``UnreadableColumn`` when it holds something else.
    static func read(_ column: String, from row: some StoredRow) throws -> Self
}

/// A stored value the code cannot read: the database was written by something else.
public struct UnreadableColumn: Error, CustomStringConvertible {
    public let column: String
    public let value: String

    /// Names the column and what it holds.
    public init(column: String, value: String) {
        self.column = column
        self.value = value
    }

    public var description: String { "column \(column) holds '\(value)', which this version cannot read" }
}

extension String: StoredValue {
    public static func read(_ column: String, from row: some StoredRow) throws -> String { try row.text(column) }
}

extension Int64: StoredValue {
    public static func read(_ column: String, from row: some StoredRow) throws -> Int64 { try row.integer(column) }
}

extension Int: StoredValue {
    public static func read(_ column: String, from row: some StoredRow) throws -> Int { Int(try row.integer(column)) }
}

/// Flags are integers 0 and 1 in both engines (migration 0004's `custom_amount`).
extension Bool: StoredValue {
    public static func read(_ column: String, from row: some StoredRow) throws -> Bool { try row.integer(column) != 0 }
}

/// Times are ISO 8601 text with milliseconds (``Timestamp``).
extension Date: StoredValue {
    public static func read(_ column: String, from row: some StoredRow) throws -> Date {
        let text = try row.text(column)
        guard let date = Timestamp.parse(text) else { throw UnreadableColumn(column: column, value: text) }
        return date
    }
}

extension Optional: StoredValue where Wrapped: StoredValue {
    public static func read(_ column: String, from row: some StoredRow) throws -> Wrapped? {
        try row.isNull(column) ? nil : Wrapped.read(column, from: row)
    }
}

/// A state or kind stored as its raw text (`pending`, `monthly`).
public protocol StoredState: StoredValue, RawRepresentable where RawValue == String {}

extension StoredState {
    public static func read(_ column: String, from row: some StoredRow) throws -> Self {
        let text = try row.text(column)
        guard let value = Self(rawValue: text) else { throw UnreadableColumn(column: column, value: text) }
        return value
    }
}
