public import Foundation
import SideEffects
public import SubscriberLists
import PostgresNIO
import StoredRows

/// The suppression list (`suppressions`, migration 0003): keyed hashes, never addresses.
extension PostgresStore {
    public func suppress(
        addressHash: String, reason: SuppressionReason, note: String?, at time: Date, actor: String
    ) async throws {
        try await write { session in
            try await Self.addSuppression(session, addressHash: addressHash, reason: reason, note: note, at: time, actor: actor)
        }
    }

    public func unsuppress(addressHash: String, at time: Date, actor: String) async throws -> Bool {
        try await write { session in
            // One statement reads the reason and deletes: when two daemons lift the same entry, one
            // deletes it and records the event, the other finds nothing.
            guard let text = try await session.value(
                "DELETE FROM suppressions WHERE address_hash = \(addressHash) RETURNING reason", as: String.self)
            else { return false }
            guard let reason = SuppressionReason(rawValue: text) else {
                throw UnreadableColumn(column: "reason", value: text)
            }
            try await Self.save(.suppressionLifted(reason, actor: actor, at: time), session)
            return true
        }
    }

    public func suppression(addressHash: String) async throws -> Suppression? {
        try await read { session in try await Self.fetchSuppression(session, addressHash: addressHash) }
    }

    static func fetchSuppression(_ session: PostgresSession, addressHash: String) async throws -> Suppression? {
        guard let row = try await session.row(
            "SELECT reason, created_at, note FROM suppressions WHERE address_hash = \(addressHash)")
        else { return nil }
        return try Suppression(stored: row)
    }

    static func suppressionReason(_ session: PostgresSession, addressHash: String) async throws -> SuppressionReason? {
        try await session.value("SELECT reason FROM suppressions WHERE address_hash = \(addressHash)", as: String.self)
            .flatMap(SuppressionReason.init)
    }

    /// Adds a hash to the list; an existing entry keeps its reason, except that erasure, the
    /// strongest request, replaces any other.
    static func addSuppression(
        _ session: PostgresSession, addressHash: String, reason: SuppressionReason, note: String?, at time: Date, actor: String
    ) async throws {
        // ON CONFLICT decides between daemons adding the same hash at once: one inserts, the
        // other waits and then keeps (or, for erasure, replaces) the entry; RETURNING says which.
        let changed = try await session.execute(
            """
            INSERT INTO suppressions (address_hash, reason, created_at, note)
            VALUES (\(addressHash), \(reason.rawValue), \(Timestamp.format(time)), \(note))
            ON CONFLICT (address_hash) DO UPDATE SET reason = EXCLUDED.reason, note = EXCLUDED.note
                WHERE EXCLUDED.reason = 'erased' AND suppressions.reason <> 'erased'
            RETURNING 1
            """)
        guard changed > 0 else { return }
        try await save(.suppressionAdded(reason, actor: actor, at: time), session)
    }
}
