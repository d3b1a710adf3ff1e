public import Foundation
import GRDB
import NewsletterSignup
import StoredRows
import SideEffects
public import SubscriberLists

/// Subscribers and memberships as staff see them (tables of migrations 0001–0003). The import,
/// export, erasure and statistics parts of ``SubscriberStore`` live in their own files.
extension SQLiteStore: SubscriberStore {
    public func addMembership(_ addition: MembershipAddition) async throws -> MembershipChange {
        try await write { db in
            if let reason = try Self.suppressionReason(db, addressHash: addition.addressHash) { return .suppressed(reason) }
            let newsletter = try Self.requireNewsletter(db, slug: addition.newsletter)
            let stamp = Timestamp.format(addition.time)
            let subscriber = try Self.subscriberID(db, normalized: addition.normalizedEmail)
                ?? Self.insertSubscriber(db, email: addition.email, normalized: addition.normalizedEmail, at: stamp)
            let current = try Self.membershipStatus(db, subscriber: subscriber, newsletter: newsletter.id)
            let wanted: SubscriptionStatus = addition.confirmed ? .confirmed : .pending
            // Staff may bring back anyone the suppression list does not hold; they may not
            // demote a confirmed reader to pending.
            if current == wanted || (current == .confirmed && wanted == .pending) { return .unchanged(current ?? wanted) }
            try Self.setMembership(
                db, subscriber: subscriber, newsletter: newsletter.id, to: wanted, exists: current != nil,
                createdAt: stamp, at: stamp)
            let consent = try Self.insertListConsent(
                db, subscriber: subscriber, newsletter: newsletter.id, action: "admin", source: addition.actor,
                basis: addition.basis, locale: nil, confirmed: addition.confirmed, at: stamp)
            try Self.save(
                .membershipAdded(
                    addition, newsletter: newsletter, from: current, to: wanted, consent: consent,
                    subscriber: try Self.contact(db, subscriber: subscriber)), db)
            return .changed(wanted, confirmationQueued: wanted == .pending)
        }
    }

    public func subscriberProfile(normalizedEmail: String) async throws -> SubscriberProfile? {
        try await read { db in try Self.profile(db, normalizedEmail: normalizedEmail) }
    }

    public func findMemberships(_ search: SubscriberSearch) async throws -> [MembershipRow] {
        try await read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let part = search.emailContains {
                conditions.append("instr(sub.email_normalized, ?) > 0")
                arguments += [part]
            }
            if let domain = search.domain {
                conditions.append("substr(sub.email_normalized, -length(?)) = ?")
                arguments += ["@" + domain, "@" + domain]
            }
            if let newsletter = search.newsletter {
                conditions.append("n.slug = ?")
                arguments += [newsletter]
            }
            if let state = search.state {
                conditions.append("s.status = ?")
                arguments += [state.rawValue]
            }
            if let since = search.since {
                conditions.append("s.created_at >= ?")
                arguments += [Timestamp.format(since)]
            }
            arguments += [search.limit]
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(
                db, sql: "\(StoreSQL.membershipSelect) \(filter) ORDER BY s.created_at DESC, s.id DESC LIMIT ?", arguments: arguments
            ).map { try MembershipRow(stored: $0) }
        }
    }

    public func unsubscribe(normalizedEmail: String, newsletters: [String]?, at time: Date, actor: String) async throws -> [String] {
        try await write { db in
            guard let subscriber = try Self.subscriberID(db, normalized: normalizedEmail) else { return [] }
            let active = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT n.id, n.slug FROM subscriptions s JOIN newsletters n ON n.id = s.newsletter_id
                    WHERE s.subscriber_id = ? AND s.status IN ('pending', 'confirmed') ORDER BY n.slug
                    """), arguments: [subscriber]
            ).filter { row in newsletters?.contains(row["slug"]) ?? true }
            let stamp = Timestamp.format(time)
            for row in active {
                try db.cachedStatement(sql: """
                    UPDATE subscriptions SET status = 'unsubscribed', unsubscribed_at = ?, updated_at = ?
                    WHERE subscriber_id = ? AND newsletter_id = ?
                    """).execute(arguments: [stamp, stamp, subscriber, row["id"] as Int64])
            }
            let slugs = active.map { $0["slug"] as String }
            try Self.save(.membershipsUnsubscribed(subscriber: subscriber, address: normalizedEmail, slugs: slugs, actor: actor, at: time), db)
            return slugs
        }
    }

    public func countMemberships(newsletter: String?) async throws -> [SubscriptionStatus: Int] {
        try await read { db in
            let rows = try Row.fetchAll(
                db, sql: """
                    SELECT s.status, count(*) AS n FROM subscriptions s JOIN newsletters n ON n.id = s.newsletter_id
                    WHERE ? IS NULL OR n.slug = ? GROUP BY s.status
                    """, arguments: [newsletter, newsletter])
            var counts: [SubscriptionStatus: Int] = [:]
            for row in rows { counts[try row.value("status")] = row["n"] }
            return counts
        }
    }

    public func expirePending(before cutoff: Date, at time: Date, actor: String) async throws -> Int {
        try await write { db in
            let stamp = Timestamp.format(time)
            try db.execute(
                sql: """
                    UPDATE subscriptions SET status = 'expired', updated_at = ?
                    WHERE status = 'pending' AND coalesce(pending_since, created_at) < ?
                    """, arguments: [stamp, Timestamp.format(cutoff)])
            let expired = db.changesCount
            try Self.save(.pendingExpired(count: expired, cutoff: cutoff, actor: actor, at: time), db)
            return expired
        }
    }

    // MARK: - Shared by the list operations

    static func subscriberID(_ db: Database, normalized: String) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM subscribers WHERE email_normalized = ?"), arguments: [normalized])
    }

    /// Inserts a subscriber; `stamp` is the formatted time of the change (formatted once per
    /// batch on the import path), `createdAt` the formatted time the person first appeared.
    static func insertSubscriber(
        _ db: Database, email: String, normalized: String, name: String? = nil, locale: String? = nil,
        attributes: [String: String] = [:], createdAt: String? = nil, at stamp: String
    ) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO subscribers (email, email_normalized, name, locale, attributes, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [email, normalized, name, locale, JSONText.object(attributes), createdAt ?? stamp, stamp])
        return db.lastInsertedRowID
    }

    static func membershipStatus(_ db: Database, subscriber: Int64, newsletter: Int64) throws -> SubscriptionStatus? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT status FROM subscriptions WHERE subscriber_id = ? AND newsletter_id = ?"),
            arguments: [subscriber, newsletter]
        ).flatMap(SubscriptionStatus.init)
    }

    /// Writes a membership's new state with the timestamps that state carries.
    static func setMembership(
        _ db: Database, subscriber: Int64, newsletter: Int64, to status: SubscriptionStatus, exists: Bool,
        createdAt: String, at stamp: String
    ) throws {
        let confirmedAt: String? = status == .confirmed ? stamp : nil
        let unsubscribedAt: String? = status == .unsubscribed ? stamp : nil
        let pendingSince: String? = status == .pending ? stamp : nil
        if exists {
            try db.cachedStatement(sql: """
                UPDATE subscriptions SET status = ?, updated_at = ?, confirmed_at = coalesce(?, confirmed_at),
                    unsubscribed_at = ?, pending_since = ?
                WHERE subscriber_id = ? AND newsletter_id = ?
                """).execute(arguments: [status.rawValue, stamp, confirmedAt, unsubscribedAt, pendingSince, subscriber, newsletter])
        } else {
            try db.cachedStatement(sql: """
                INSERT INTO subscriptions (subscriber_id, newsletter_id, status, created_at, updated_at, confirmed_at,
                    unsubscribed_at, pending_since)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    subscriber, newsletter, status.rawValue, createdAt, stamp, confirmedAt, unsubscribedAt,
                    pendingSince,
                ])
        }
    }

    /// A consent record for one newsletter (staff additions and imports); returns its id.
    static func insertListConsent(
        _ db: Database, subscriber: Int64, newsletter: Int64, action: String, source: String?, basis: String?,
        locale: String?, confirmed: Bool, client: ClientContext? = nil, at stamp: String
    ) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO consent_records (subscriber_id, action, source, basis, locale, recorded_at, confirmed_at, client_ip, user_agent)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                subscriber, action, source, basis, locale, stamp, confirmed ? stamp : nil, client?.ipAddress, client?.userAgent,
            ])
        let consent = db.lastInsertedRowID
        try db.cachedStatement(sql: "INSERT INTO consent_newsletters (consent_id, newsletter_id) VALUES (?, ?)")
            .execute(arguments: [consent, newsletter])
        return consent
    }

    /// Where a subscriber's email goes, as stored.
    static func contact(_ db: Database, subscriber: Int64) throws -> SubscriberContact {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT email, email_normalized, locale FROM subscribers WHERE id = ?"),
            arguments: [subscriber])
        return SubscriberContact(id: subscriber, email: row?["email"] ?? "", normalizedEmail: row?["email_normalized"] ?? "", locale: row?["locale"])
    }

    static func profile(_ db: Database, normalizedEmail: String) throws -> SubscriberProfile? {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM subscribers WHERE email_normalized = ?"), arguments: [normalizedEmail])
        else { return nil }
        let subscriber = try Subscriber(stored: row)
        let id = subscriber.id
        let memberships = try Row.fetchAll(
            db, sql: """
                SELECT n.slug, s.status, s.created_at, s.confirmed_at, s.unsubscribed_at FROM subscriptions s
                JOIN newsletters n ON n.id = s.newsletter_id WHERE s.subscriber_id = ? ORDER BY n.slug
                """, arguments: [id]
        ).map(Membership.init(stored:))
        let consents = try Row.fetchAll(
            db, sql: """
                SELECT c.*, (SELECT group_concat(n.slug, ',') FROM consent_newsletters cn
                             JOIN newsletters n ON n.id = cn.newsletter_id WHERE cn.consent_id = c.id) AS slugs
                FROM consent_records c WHERE c.subscriber_id = ? ORDER BY c.id
                """, arguments: [id]
        ).map(ConsentRecord.init(stored:))
        let events = try Row.fetchAll(
            db, sql: "SELECT occurred_at, actor, action, details FROM events WHERE subscriber_id = ? ORDER BY id",
            arguments: [id]
        ).map(AuditEntry.init(stored:))
        return SubscriberProfile(subscriber: subscriber, memberships: memberships, consents: consents, events: events)
    }
}
