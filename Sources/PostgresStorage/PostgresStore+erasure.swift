public import Foundation
import PostgresNIO
public import SideEffects
import StoredRows
public import SubscriberLists

/// The rights to erasure and access, over every table that can hold an address.
extension PostgresStore {
    public func erase(
        normalizedEmail: String, addressHash: String, at time: Date, actor: String, receipt: Effects
    ) async throws -> Bool {
        try await write { session in
            // Locked: a sign-up or staff addition for this address waits, then finds the suppression.
            let subscriber = try await Self.lockSubscriber(session, normalized: normalizedEmail)
            var memberships: Int?
            if let subscriber {
                memberships = Int(try await session.value(
                    "SELECT count(*) FROM subscriptions WHERE subscriber_id = \(subscriber)", as: Int64.self) ?? 0)
                // The audit trail keeps what happened and when, but not to whom: the personal
                // details (client addresses, reasons quoting the address) go, and the link to the
                // subscriber is cut when the row is deleted (ON DELETE SET NULL).
                try await session.execute("UPDATE events SET details = '{}' WHERE subscriber_id = \(subscriber)")
                // Subscriptions, consent records and queued mail go with the subscriber (ON DELETE CASCADE).
                try await session.execute("DELETE FROM subscribers WHERE id = \(subscriber)")
            }
            // lower() folds ASCII only under the database's C ctype (Ops/postgres/README.md), as SQLite's does.
            try await session.execute("DELETE FROM outbox WHERE lower(recipient) = \(normalizedEmail)")
            // Webhook events about the address, sent or not, go too: a receiver is told of the erasure instead.
            try await session.execute("DELETE FROM webhook_deliveries WHERE address = \(normalizedEmail)")
            // Pledges are accounting records: the amounts stay, the person does not.
            let pledges = try await session.execute(
                """
                UPDATE pledges SET email = \(ErasedAddress.placeholder), email_normalized = \(ErasedAddress.placeholder), name = NULL,
                    client_ip = NULL, user_agent = NULL, updated_at = \(Timestamp.format(time))
                WHERE email_normalized = \(normalizedEmail)
                RETURNING 1
                """)
            try await Self.addSuppression(session, addressHash: addressHash, reason: .erased, note: nil, at: time, actor: actor)
            try await Self.save(
                .erased(
                    subscriber: subscriber, addressHash: addressHash, memberships: memberships, pledges: pledges, actor: actor,
                    at: time),
                session)
            try await Self.save(receipt, session)
            return subscriber != nil || pledges > 0
        }
    }

    public func eraseNeverConfirmed(before cutoff: Date, at time: Date, actor: String) async throws -> Int {
        let batch = 1_000
        var erased = 0
        // In batches, each its own short transaction; rows locked by a concurrent sign-up are
        // skipped and taken by the next sweep.
        while true {
            let count = try await write { session in
                var binds = PostgresBindings()
                binds.append(Timestamp.format(cutoff))
                let ids = try await session.rows(
                    PostgresQuery(unsafeSQL: StoreSQL.neverConfirmedSubscribers(cutoff: "$1", limit: batch) + " FOR UPDATE SKIP LOCKED", binds: binds)
                ).map { try $0["id", as: Int64.self] }
                guard !ids.isEmpty else { return 0 }
                try await session.execute("UPDATE events SET details = '{}' WHERE subscriber_id = ANY(\(ids))")
                try await session.execute("DELETE FROM subscribers WHERE id = ANY(\(ids))")
                try await Self.save(.neverConfirmedErased(count: ids.count, cutoff: cutoff, actor: actor, at: time), session)
                return ids.count
            }
            erased += count
            if count < batch { return erased }
        }
    }

    public func accessDocument(normalizedEmail: String, addressHash: String) async throws -> AccessDocument? {
        try await readSnapshot { session in
            let profile = try await Self.profile(session, normalizedEmail: normalizedEmail)
            let outbox = try await session.rows(
                """
                SELECT id, kind, recipient, state, attempts, created_at, sent_at, last_error FROM outbox
                WHERE subscriber_id = \(profile?.subscriber.id) OR lower(recipient) = \(normalizedEmail) ORDER BY id
                """
            ).map(Self.strings)
            let pledges = try await session.rows(
                "SELECT * FROM pledges WHERE email_normalized = \(normalizedEmail) ORDER BY id"
            ).map(Self.strings)
            let suppression = try await Self.fetchSuppression(session, addressHash: addressHash)
            guard profile != nil || !outbox.isEmpty || !pledges.isEmpty || suppression != nil else { return nil }
            return AccessDocument(profile: profile, outbox: outbox, pledges: pledges, suppression: suppression)
        }
    }

    /// A row as column → text, NULL columns left out (for documents that list every column);
    /// numbers written as SQLite's store writes them, so both stores give the same document.
    /// (No table has a binary column: payloads and details are TEXT.)
    static func strings(_ row: PostgresRandomAccessRow) throws -> [String: String] {
        var values: [String: String] = [:]
        for cell in row where cell.bytes != nil {
            switch cell.dataType {
            case .int8, .int4, .int2: values[cell.columnName] = String(try cell.decode(Int64.self))
            case .float8, .float4: values[cell.columnName] = String(try cell.decode(Double.self))
            default: values[cell.columnName] = try cell.decode(String.self)
            }
        }
        return values
    }
}
