import Foundation
import GRDB
import TestSupport
import Testing

@testable import SQLiteStorage

/// Group commit: concurrent writes share a transaction but fail alone.
@Suite struct WriteBatcherTests {
    struct Refused: Error {}

    @Test func aFailingWriteRollsBackAloneAndTheOthersCommit() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.file("db.sqlite"))
        defer { try? store.close() }
        try await store.migrate()
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for number in 0..<200 {
                group.addTask {
                    do {
                        try await store.write { db in
                            try db.execute(
                                sql: "INSERT INTO events (occurred_at, actor, action, subject_type) VALUES ('t', 'test', ?, 'x')",
                                arguments: ["write-\(number)"])
                            // Every third write changes its mind after writing.
                            if number % 3 == 0 { throw Refused() }
                        }
                        return true
                    } catch is Refused {
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 133)
        let actions = try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT action FROM events") }
        #expect(actions.count == 133)
        #expect(Set(actions) == Set((0..<200).filter { $0 % 3 != 0 }.map { "write-\($0)" }))
    }

    /// The writer keeps savepoint journals in memory (`temp_store`, SQLiteStore.init), however
    /// large: a write whose journal holds megabytes still rolls back alone. (A journal that
    /// moved to a file past 192 KiB failed here with SQLITE_FULL on SQLite 3.40.1.)
    @Test func aFailingWriteWithALargeJournalRollsBackAlone() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.file("db.sqlite"))
        defer { try? store.close() }
        try await store.migrate()
        let rows = 4_000  // about 2 MB of event rows
        let padding = String(repeating: "x", count: 500)
        try await store.write { db in
            for number in 0..<rows {
                try db.execute(
                    sql: "INSERT INTO events (occurred_at, actor, action, subject_type) VALUES ('t', 'test', ?, 'x')",
                    arguments: ["\(number)-\(padding)"])
            }
        }
        // Two writes at once, so they may share a batch.
        let rewrite = Task {
            try await store.write { db in
                try db.execute(sql: "UPDATE events SET action = 'rewritten'")  // every page, then refused
                throw Refused()
            }
        }
        let other = Task {
            try await store.write { db in
                try db.execute(sql: "INSERT INTO events (occurred_at, actor, action, subject_type) VALUES ('t', 'test', 'other', 'x')")
            }
        }
        await #expect(throws: Refused.self) { try await rewrite.value }
        try await other.value
        let counts = try await store.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT count(*) AS total, count(*) FILTER (WHERE action = 'rewritten') AS rewritten FROM events")
        }
        #expect(counts?["total"] == rows + 1)
        #expect(counts?["rewritten"] == 0)
    }

    @Test func aWriteIsVisibleToReadsOnceItReturns() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteStore(path: directory.file("db.sqlite"))
        defer { try? store.close() }
        try await store.migrate()
        for number in 0..<20 {
            try await store.write { db in
                try db.execute(sql: "INSERT INTO events (occurred_at, actor, action, subject_type) VALUES ('t', 'test', 'a', 'x')")
            }
            // A fresh connection (another process, in effect) sees the commit.
            let count = try await DatabaseQueue(path: store.path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") }
            #expect(count == number + 1)
        }
    }
}
