import Foundation
import MastheadRuntime
import Signing
import SubscriberLists
import TestSupport
import Testing

/// A runtime with one newsletter and the list services over its real store and keys.
struct ListsFixture {
    let test: TestRuntime

    init(store: StoreKind) async throws {
        test = try await TestRuntime(store: store)
        try await test.newsletter("ukraine-daily")
    }

    var importer: SubscriberImporter {
        SubscriberImporter(store: test.runtime.store, addressHash: test.runtime.keys.addressHash, now: test.clock.function)
    }

    var directory: SubscriberDirectory {
        SubscriberDirectory(store: test.runtime.store, addressHash: test.runtime.keys.addressHash, now: test.clock.function)
    }

    /// Writes `bytes` to a file in the test's directory and returns its path.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = test.directory.file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func file(_ name: String, _ text: String) throws -> String { try file(name, Array(text.utf8)) }

    /// Runs an import and collects its rejections.
    func importFile(
        _ path: String, _ options: ImportOptions = ImportOptions(newsletter: "ukraine-daily"),
        shouldStop: @escaping () -> Bool = { false }, onProgress: @escaping (ImportProgress) -> Void = { _ in }
    ) async throws -> (ImportReport, [ImportRejection]) {
        var rejections: [ImportRejection] = []
        let report = try await importer.run(
            path: path, options: options, actor: "test", reject: { rejections.append($0) }, progress: onProgress,
            shouldStop: shouldStop)
        return (report, rejections)
    }

    func sql(_ query: String) async throws -> [String] { try await test.sql(query) }

    /// Every list table, as text, to compare states before and after.
    func listTables() async throws -> [String] {
        var tables: [String] = []
        for query in [
            "SELECT email_normalized || '|' || coalesce(name, '') || '|' || coalesce(locale, '') || '|' || attributes || '|' || created_at FROM subscribers ORDER BY id",
            "SELECT subscriber_id || '|' || newsletter_id || '|' || status || '|' || created_at FROM subscriptions ORDER BY id",
            "SELECT id || '|' || action || '|' || coalesce(basis, '') FROM consent_records ORDER BY id",
            "SELECT id || '|' || kind FROM outbox ORDER BY id",
        ] {
            tables += try await sql(query)
        }
        return tables
    }
}
