public import Foundation
public import SubscriberLists
import GRDB
import StoredRows
import SideEffects

/// The suppression list (`suppressions`, migration 0003): keyed hashes, never addresses.
extension SQLiteStore {
    public func suppress(
        addressHash: String, reason: SuppressionReason, note: String?, at time: Date, actor: String
    ) async throws {
        try await write { db in
            try Self.addSuppression(db, addressHash: addressHash, reason: reason, note: note, at: time, actor: actor)
        }
    }

    public func unsuppress(addressHash: String, at time: Date, actor: String) async throws -> Bool {
        try await write { db in
            guard let reason = try Self.suppressionReason(db, addressHash: addressHash) else { return false }
            try db.cachedStatement(sql: "DELETE FROM suppressions WHERE address_hash = ?").execute(arguments: [addressHash])
            try Self.save(.suppressionLifted(reason, actor: actor, at: time), db)
            return true
        }
    }

    public func suppression(addressHash: String) async throws -> Suppression? {
        try lookup { db in try Self.fetchSuppression(db, addressHash: addressHash) }
    }

    static func fetchSuppression(_ db: Database, addressHash: String) throws -> Suppression? {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT reason, created_at, note FROM suppressions WHERE address_hash = ?"),
            arguments: [addressHash])
        else { return nil }
        return try Suppression(stored: row)
    }

    static func suppressionReason(_ db: Database, addressHash: String) throws -> SuppressionReason? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT reason FROM suppressions WHERE address_hash = ?"), arguments: [addressHash]
        ).flatMap(SuppressionReason.init)
    }

    /// Adds a hash to the list; an existing entry keeps its reason, except that erasure, the
    /// strongest request, replaces any other.
    static func addSuppression(
        _ db: Database, addressHash: String, reason: SuppressionReason, note: String?, at time: Date, actor: String
    ) throws {
        try db.cachedStatement(sql: """
            INSERT INTO suppressions (address_hash, reason, created_at, note) VALUES (?, ?, ?, ?)
            ON CONFLICT (address_hash) DO UPDATE SET reason = excluded.reason, note = excluded.note
                WHERE excluded.reason = 'erased' AND suppressions.reason <> 'erased'
            """).execute(arguments: [addressHash, reason.rawValue, Timestamp.format(time), note])
        guard db.changesCount > 0 else { return }
        try save(.suppressionAdded(reason, actor: actor, at: time), db)
    }
}
