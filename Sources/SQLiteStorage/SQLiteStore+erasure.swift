public import Foundation
import GRDB
public import SideEffects
import StoredRows
public import SubscriberLists

/// The rights to erasure and access, over every table that can hold an address.
extension SQLiteStore {
    public func erase(
        normalizedEmail: String, addressHash: String, at time: Date, actor: String, receipt: Effects
    ) async throws -> Bool {
        try await write { db in
            let subscriber = try Self.subscriberID(db, normalized: normalizedEmail)
            var memberships: Int?
            if let subscriber {
                memberships = try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM subscriptions WHERE subscriber_id = ?", arguments: [subscriber]) ?? 0
                // The audit trail keeps what happened and when, but not to whom: the personal
                // details (client addresses, reasons quoting the address) go, and the link to the
                // subscriber is cut when the row is deleted (ON DELETE SET NULL).
                try db.execute(sql: "UPDATE events SET details = '{}' WHERE subscriber_id = ?", arguments: [subscriber])
                // Subscriptions, consent records and queued mail go with the subscriber (ON DELETE CASCADE).
                try db.execute(sql: "DELETE FROM subscribers WHERE id = ?", arguments: [subscriber])
            }
            try db.execute(sql: "DELETE FROM outbox WHERE lower(recipient) = ?", arguments: [normalizedEmail])
            // Webhook events about the address, sent or not, go too: a receiver is told of the erasure instead.
            try db.execute(sql: "DELETE FROM webhook_deliveries WHERE address = ?", arguments: [normalizedEmail])
            // Pledges are accounting records: the amounts stay, the person does not.
            try db.execute(
                sql: """
                    UPDATE pledges SET email = ?, email_normalized = ?, name = NULL, client_ip = NULL, user_agent = NULL,
                        updated_at = ?
                    WHERE email_normalized = ?
                    """, arguments: [ErasedAddress.placeholder, ErasedAddress.placeholder, Timestamp.format(time), normalizedEmail])
            let pledges = db.changesCount
            try Self.addSuppression(db, addressHash: addressHash, reason: .erased, note: nil, at: time, actor: actor)
            try Self.save(
                .erased(
                    subscriber: subscriber, addressHash: addressHash, memberships: memberships, pledges: pledges, actor: actor,
                    at: time),
                db)
            try Self.save(receipt, db)
            return subscriber != nil || pledges > 0
        }
    }

    public func eraseNeverConfirmed(before cutoff: Date, at time: Date, actor: String) async throws -> Int {
        let batch = 1_000
        var erased = 0
        // In batches, each its own short transaction: sign-ups wait for one batch, not the sweep.
        while true {
            let count = try await write { db in
                let ids = try Int64.fetchAll(
                    db, sql: StoreSQL.neverConfirmedSubscribers(cutoff: "?1", limit: batch), arguments: [Timestamp.format(cutoff)])
                guard !ids.isEmpty else { return 0 }
                let list = ids.map(String.init).joined(separator: ",")
                // Integers we just read, not input: the list is safe to inline.
                try db.execute(sql: "UPDATE events SET details = '{}' WHERE subscriber_id IN (\(list))")
                try db.execute(sql: "DELETE FROM subscribers WHERE id IN (\(list))")
                try Self.save(.neverConfirmedErased(count: ids.count, cutoff: cutoff, actor: actor, at: time), db)
                return ids.count
            }
            erased += count
            if count < batch { return erased }
        }
    }

    public func accessDocument(normalizedEmail: String, addressHash: String) async throws -> AccessDocument? {
        try await read { db in
            let profile = try Self.profile(db, normalizedEmail: normalizedEmail)
            let outbox = try Row.fetchAll(
                db, sql: """
                    SELECT id, kind, recipient, state, attempts, created_at, sent_at, last_error FROM outbox
                    WHERE subscriber_id = ? OR lower(recipient) = ? ORDER BY id
                    """, arguments: [profile?.subscriber.id, normalizedEmail]
            ).map(Self.strings)
            let pledges = try Row.fetchAll(
                db, sql: "SELECT * FROM pledges WHERE email_normalized = ? ORDER BY id", arguments: [normalizedEmail]
            ).map(Self.strings)
            let suppression = try Self.fetchSuppression(db, addressHash: addressHash)
            guard profile != nil || !outbox.isEmpty || !pledges.isEmpty || suppression != nil else { return nil }
            return AccessDocument(profile: profile, outbox: outbox, pledges: pledges, suppression: suppression)
        }
    }

    /// A row as column → text, NULL columns left out (for documents that list every column).
    static func strings(_ row: Row) -> [String: String] {
        var values: [String: String] = [:]
        for (column, value) in row {
            switch value.storage {
            case .null: continue
            case .int64(let number): values[column] = String(number)
            case .double(let number): values[column] = String(number)
            case .string(let text): values[column] = text
            case .blob(let data): values[column] = data.base64EncodedString()
            }
        }
        return values
    }
}
