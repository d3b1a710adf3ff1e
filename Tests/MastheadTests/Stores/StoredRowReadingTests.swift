import GRDB
import SQLiteStorage
import StoredRows
import Testing

/// GRDB's rows read by column name: the exact name first, any other case through GRDB's own
/// lookup, NULL and missing columns as before, from rows read one by one and all at once.
@Suite struct StoredRowReadingTests {
    static let sql = "SELECT 'Kyiv' AS city, NULL AS note, 7 AS n, 'second' AS City, 'USD' AS Currency"

    @Test func columnsAreFoundByTheirExactNameThenIgnoringCase() throws {
        let queue = try DatabaseQueue()
        let rows = try queue.read { db in [try #require(try Row.fetchOne(db, sql: Self.sql))] + (try Row.fetchAll(db, sql: Self.sql)) }
        for row in rows {
            #expect(try row.text("city") == "Kyiv")
            // Spelled exactly, the second column; spelled otherwise, GRDB's leftmost match.
            #expect(try row.text("City") == "second")
            #expect(try row.text("CITY") == "Kyiv")
            #expect(try row.text("currency") == "USD")
            #expect(try row.integer("n") == 7)
            #expect(try row.integer("N") == 7)
            #expect(try row.isNull("note"))
            #expect(try !row.isNull("city"))
            #expect(try row.isNull("missing"))
            #expect(try row.value("note", as: String?.self) == nil)
            #expect(try row.value("city", as: String?.self) == "Kyiv")
            #expect(throws: (any Error).self) { try row.text("note") }
            #expect(throws: (any Error).self) { try row.text("missing") }
        }
    }
}
