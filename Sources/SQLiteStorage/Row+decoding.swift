import Foundation
import GRDB
import SideEffects
import SubscriberLists

/// Reading our column conventions (migration 0001) back into domain values.
extension SQLiteStore {
    /// A stored value the code cannot read: the database was written by something else.
    struct UnreadableColumn: Error, CustomStringConvertible {
        let column: String
        let value: String
        var description: String { "column \(column) holds '\(value)', which this version cannot read" }
    }

    static func date(_ row: Row, _ column: String) throws -> Date {
        let text: String = row[column]
        guard let date = Timestamp.parse(text) else { throw UnreadableColumn(column: column, value: text) }
        return date
    }

    static func optionalDate(_ row: Row, _ column: String) throws -> Date? {
        guard let text: String = row[column] else { return nil }
        guard let date = Timestamp.parse(text) else { throw UnreadableColumn(column: column, value: text) }
        return date
    }

    static func enumValue<Value: RawRepresentable>(_ row: Row, _ column: String) throws -> Value
    where Value.RawValue == String {
        let text: String = row[column]
        guard let value = Value(rawValue: text) else { throw UnreadableColumn(column: column, value: text) }
        return value
    }
}
