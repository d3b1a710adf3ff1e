public import Foundation
import NewsletterSignup
import PostgresNIO
import StoredRows
import SideEffects
public import SubscriberLists

/// Subscribers and memberships as staff see them (tables of migrations 0001–0003). The import,
/// export, erasure and statistics parts of ``SubscriberStore`` live in their own files.
///
/// Every write that reads a subscriber's state and then decides locks the subscriber row
/// first (``lockSubscriber(_:normalized:)``), so two daemons deciding about one person take turns.
extension PostgresStore: SubscriberStore {
    public func addMembership(_ addition: MembershipAddition) async throws -> MembershipChange {
        try await write { session in
            // Lock before the suppression check: an erasure running now deletes the row and adds
            // the suppression in one transaction, so after waiting for it we see the suppression.
            let existing = try await Self.lockSubscriber(session, normalized: addition.normalizedEmail)
            if let reason = try await Self.suppressionReason(session, addressHash: addition.addressHash) { return .suppressed(reason) }
            let newsletter = try await Self.requireNewsletter(session, slug: addition.newsletter)
            let stamp = Timestamp.format(addition.time)
            let subscriber: Int64
            if let existing {
                subscriber = existing
            } else {
                subscriber = try await Self.insertOrLockSubscriber(
                    session, email: addition.email, normalized: addition.normalizedEmail, at: stamp)
            }
            let current = try await Self.membershipStatus(session, subscriber: subscriber, newsletter: newsletter.id)
            let wanted: SubscriptionStatus = addition.confirmed ? .confirmed : .pending
            // Staff may bring back anyone the suppression list does not hold; they may not
            // demote a confirmed reader to pending.
            if current == wanted || (current == .confirmed && wanted == .pending) { return .unchanged(current ?? wanted) }
            try await Self.setMembership(
                session, subscriber: subscriber, newsletter: newsletter.id, to: wanted, exists: current != nil,
                createdAt: stamp, at: stamp)
            let consent = try await Self.insertListConsent(
                session, subscriber: subscriber, newsletter: newsletter.id, action: "admin", source: addition.actor,
                basis: addition.basis, locale: nil, confirmed: addition.confirmed, at: stamp)
            try await Self.save(
                .membershipAdded(
                    addition, newsletter: newsletter, from: current, to: wanted, consent: consent,
                    subscriber: try await Self.contact(session, subscriber: subscriber)), session)
            return .changed(wanted, confirmationQueued: wanted == .pending)
        }
    }

    public func subscriberProfile(normalizedEmail: String) async throws -> SubscriberProfile? {
        try await readSnapshot { session in try await Self.profile(session, normalizedEmail: normalizedEmail) }
    }

    public func findMemberships(_ search: SubscriberSearch) async throws -> [MembershipRow] {
        // Only the criteria given become conditions; every value is a bound parameter ($n).
        var conditions: [String] = []
        var binds = PostgresBindings()
        if let part = search.emailContains {
            binds.append(part)
            conditions.append("strpos(sub.email_normalized, $\(binds.count)) > 0")
        }
        if let domain = search.domain {
            binds.append("@" + domain)
            conditions.append("right(sub.email_normalized, length($\(binds.count))) = $\(binds.count)")
        }
        if let newsletter = search.newsletter {
            binds.append(newsletter)
            conditions.append("n.slug = $\(binds.count)")
        }
        if let state = search.state {
            binds.append(state.rawValue)
            conditions.append("s.status = $\(binds.count)")
        }
        if let since = search.since {
            binds.append(Timestamp.format(since))
            conditions.append("s.created_at >= $\(binds.count)")
        }
        binds.append(search.limit)
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let query = PostgresQuery(
            unsafeSQL: "\(StoreSQL.membershipSelect) \(filter) ORDER BY s.created_at DESC, s.id DESC LIMIT $\(binds.count)",
            binds: binds)
        return try await read { session in try await session.rows(query).map { try MembershipRow(stored: $0) } }
    }

    public func unsubscribe(normalizedEmail: String, newsletters: [String]?, at time: Date, actor: String) async throws -> [String] {
        try await write { session in
            // Locked: the memberships read next are the ones changed, whatever another daemon does meanwhile.
            guard let subscriber = try await Self.lockSubscriber(session, normalized: normalizedEmail) else { return [] }
            let active = try await session.rows(
                """
                SELECT n.id, n.slug FROM subscriptions s JOIN newsletters n ON n.id = s.newsletter_id
                WHERE s.subscriber_id = \(subscriber) AND s.status IN ('pending', 'confirmed') ORDER BY n.slug
                """
            ).map { row in (id: try row["id", as: Int64.self], slug: try row["slug", as: String.self]) }
                .filter { row in newsletters?.contains(row.slug) ?? true }
            guard !active.isEmpty else { return [] }
            let stamp = Timestamp.format(time)
            try await session.execute(
                """
                UPDATE subscriptions SET status = 'unsubscribed', unsubscribed_at = \(stamp), updated_at = \(stamp)
                WHERE subscriber_id = \(subscriber) AND newsletter_id = ANY(\(active.map(\.id)))
                """)
            let slugs = active.map(\.slug)
            try await Self.save(.membershipsUnsubscribed(subscriber: subscriber, address: normalizedEmail, slugs: slugs, actor: actor, at: time), session)
            return slugs
        }
    }

    public func countMemberships(newsletter: String?) async throws -> [SubscriptionStatus: Int] {
        try await read { session in
            let rows = try await session.rows(
                """
                SELECT s.status, count(*) AS n FROM subscriptions s JOIN newsletters n ON n.id = s.newsletter_id
                WHERE \(newsletter)::text IS NULL OR n.slug = \(newsletter) GROUP BY s.status
                """)
            var counts: [SubscriptionStatus: Int] = [:]
            for row in rows { counts[try row.value("status")] = try row["n", as: Int.self] }
            return counts
        }
    }

    public func expirePending(before cutoff: Date, at time: Date, actor: String) async throws -> Int {
        try await write { session in
            let stamp = Timestamp.format(time)
            // One statement: each row is locked as it is updated, and a row confirmed meanwhile by
            // another daemon is re-checked against `status = 'pending'` and left alone.
            let expired = try await session.execute(
                """
                UPDATE subscriptions SET status = 'expired', updated_at = \(stamp)
                WHERE status = 'pending' AND coalesce(pending_since, created_at) < \(Timestamp.format(cutoff))
                RETURNING 1
                """)
            try await Self.save(.pendingExpired(count: expired, cutoff: cutoff, actor: actor, at: time), session)
            return expired
        }
    }

    // MARK: - Shared by the list operations

    /// Runs `body` in one read-only REPEATABLE READ transaction, so that the several statements
    /// of a document (a profile, an access request) see one snapshot, as a SQLite read does.
    func readSnapshot<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) async throws -> T) async throws -> T {
        try await read { session in try await session.transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body) }
    }

    /// The subscriber's id, without a lock (for reads).
    static func subscriberID(_ session: PostgresSession, normalized: String) async throws -> Int64? {
        try await session.value("SELECT id FROM subscribers WHERE email_normalized = \(normalized)", as: Int64.self)
    }

    /// The subscriber's id with its row locked until the transaction ends: every write that
    /// decides from a subscriber's state takes this lock first, so deciders take turns.
    static func lockSubscriber(_ session: PostgresSession, normalized: String) async throws -> Int64? {
        try await session.value("SELECT id FROM subscribers WHERE email_normalized = \(normalized) FOR UPDATE", as: Int64.self)
    }

    /// Inserts a subscriber and returns its id, or nil when the address exists (another daemon
    /// may have created it since this transaction looked; the insert waits for that one to end).
    /// `stamp` is the formatted time of the change (formatted once per batch on the import path),
    /// `createdAt` the formatted time the person first appeared.
    static func insertSubscriber(
        _ session: PostgresSession, email: String, normalized: String, name: String? = nil, locale: String? = nil,
        attributes: [String: String] = [:], createdAt: String? = nil, at stamp: String
    ) async throws -> Int64? {
        try await session.value(
            """
            INSERT INTO subscribers (email, email_normalized, name, locale, attributes, created_at, updated_at)
            VALUES (\(email), \(normalized), \(name), \(locale), \(JSONText.object(attributes)), \(createdAt ?? stamp), \(stamp))
            ON CONFLICT (email_normalized) DO NOTHING RETURNING id
            """, as: Int64.self)
    }

    /// The subscriber's id, inserting the row when the address is new; either way the row is
    /// locked by this transaction (a row it inserted is invisible to others until it commits).
    static func insertOrLockSubscriber(
        _ session: PostgresSession, email: String, normalized: String, at stamp: String
    ) async throws -> Int64 {
        if let id = try await insertSubscriber(session, email: email, normalized: normalized, at: stamp) { return id }
        if let id = try await lockSubscriber(session, normalized: normalized) { return id }
        // Created and erased by others between the two statements: the insert now succeeds or
        // a third daemon's row is there to lock.
        if let id = try await insertSubscriber(session, email: email, normalized: normalized, at: stamp) { return id }
        guard let id = try await lockSubscriber(session, normalized: normalized) else {
            throw SubscriberRowContention()
        }
        return id
    }

    static func membershipStatus(_ session: PostgresSession, subscriber: Int64, newsletter: Int64) async throws -> SubscriptionStatus? {
        try await session.value(
            "SELECT status FROM subscriptions WHERE subscriber_id = \(subscriber) AND newsletter_id = \(newsletter)",
            as: String.self
        ).flatMap(SubscriptionStatus.init)
    }

    /// Writes a membership's new state with the timestamps that state carries.
    static func setMembership(
        _ session: PostgresSession, subscriber: Int64, newsletter: Int64, to status: SubscriptionStatus, exists: Bool,
        createdAt: String, at stamp: String
    ) async throws {
        let change = MembershipWrite(subscriber: subscriber, newsletter: newsletter, status: status, exists: exists, createdAt: createdAt)
        try await session.execute(together: membershipWrites([change], at: stamp))
    }

    /// Memberships' new states, each with the timestamps its state carries: one insert of the new
    /// ones and one update of the existing ones, each taking its rows as arrays. A membership may
    /// appear once: the two parts see one snapshot.
    static func membershipWrites(_ changes: [MembershipWrite], at stamp: String) -> [SQLFragment] {
        let (existing, new) = (changes.filter(\.exists), changes.filter { !$0.exists })
        var writes: [SQLFragment] = []
        if !new.isEmpty {
            writes.append("""
                INSERT INTO subscriptions (subscriber_id, newsletter_id, status, created_at, updated_at, confirmed_at,
                    unsubscribed_at, pending_since)
                SELECT v.subscriber_id, v.newsletter_id, v.status, v.created_at, \(stamp),
                    CASE WHEN v.status = 'confirmed' THEN \(stamp) END, CASE WHEN v.status = 'unsubscribed' THEN \(stamp) END,
                    CASE WHEN v.status = 'pending' THEN \(stamp) END
                FROM unnest(\(new.map(\.subscriber))::bigint[], \(new.map(\.newsletter))::bigint[],
                    \(new.map(\.status.rawValue))::text[], \(new.map(\.createdAt))::text[])
                    WITH ORDINALITY AS v (subscriber_id, newsletter_id, status, created_at, n)
                ORDER BY v.n
                """)
        }
        if !existing.isEmpty {
            writes.append("""
                UPDATE subscriptions s SET status = v.status, updated_at = \(stamp),
                    confirmed_at = coalesce(CASE WHEN v.status = 'confirmed' THEN \(stamp) END, s.confirmed_at),
                    unsubscribed_at = CASE WHEN v.status = 'unsubscribed' THEN \(stamp) END,
                    pending_since = CASE WHEN v.status = 'pending' THEN \(stamp) END
                FROM unnest(\(existing.map(\.subscriber))::bigint[], \(existing.map(\.newsletter))::bigint[],
                    \(existing.map(\.status.rawValue))::text[]) AS v (subscriber_id, newsletter_id, status)
                WHERE s.subscriber_id = v.subscriber_id AND s.newsletter_id = v.newsletter_id
                """)
        }
        return writes
    }

    /// A consent record for one newsletter (staff additions and imports); returns its id.
    static func insertListConsent(
        _ session: PostgresSession, subscriber: Int64, newsletter: Int64, action: String, source: String?, basis: String?,
        locale: String?, confirmed: Bool, client: ClientContext? = nil, at stamp: String
    ) async throws -> Int64 {
        let confirmedAt: String? = confirmed ? stamp : nil
        // One round trip for the record and its newsletter.
        guard let consent = try await session.value(
            """
            WITH consent AS (
                INSERT INTO consent_records
                    (subscriber_id, action, source, basis, locale, recorded_at, confirmed_at, client_ip, user_agent)
                VALUES (\(subscriber), \(action), \(source), \(basis), \(locale), \(stamp), \(confirmedAt), \(client?.ipAddress),
                    \(client?.userAgent))
                RETURNING id)
            INSERT INTO consent_newsletters (consent_id, newsletter_id) SELECT id, \(newsletter) FROM consent
            RETURNING consent_id
            """, as: Int64.self)
        else { throw InsertReturnedNothing(table: "consent_records") }
        return consent
    }

    /// Where a subscriber's email goes, as stored.
    static func contact(_ session: PostgresSession, subscriber: Int64) async throws -> SubscriberContact {
        let row = try await session.row("SELECT email, email_normalized, locale FROM subscribers WHERE id = \(subscriber)")
        return SubscriberContact(
            id: subscriber, email: try row?["email"] ?? "", normalizedEmail: try row?["email_normalized"] ?? "",
            locale: try row?["locale"])
    }

    static func profile(_ session: PostgresSession, normalizedEmail: String) async throws -> SubscriberProfile? {
        guard let row = try await session.row("SELECT * FROM subscribers WHERE email_normalized = \(normalizedEmail)")
        else { return nil }
        let subscriber = try Subscriber(stored: row)
        let id = subscriber.id
        let memberships = try await session.rows(
            """
            SELECT n.slug, s.status, s.created_at, s.confirmed_at, s.unsubscribed_at FROM subscriptions s
            JOIN newsletters n ON n.id = s.newsletter_id WHERE s.subscriber_id = \(id) ORDER BY n.slug
            """
        ).map(Membership.init(stored:))
        // SQLite's group_concat lists a record's newsletters in the order it reads them: by
        // newsletter id, along consent_newsletters' primary key.
        let consents = try await session.rows(
            """
            SELECT c.*, (SELECT string_agg(n.slug, ',' ORDER BY cn.newsletter_id) FROM consent_newsletters cn
                         JOIN newsletters n ON n.id = cn.newsletter_id WHERE cn.consent_id = c.id) AS slugs
            FROM consent_records c WHERE c.subscriber_id = \(id) ORDER BY c.id
            """
        ).map(ConsentRecord.init(stored:))
        let events = try await session.rows(
            "SELECT occurred_at, actor, action, details FROM events WHERE subscriber_id = \(id) ORDER BY id"
        ).map(AuditEntry.init(stored:))
        return SubscriberProfile(subscriber: subscriber, memberships: memberships, consents: consents, events: events)
    }
}

/// A membership's new state, for ``PostgresStore/membershipWrites(_:at:)``.
struct MembershipWrite {
    var subscriber: Int64
    var newsletter: Int64
    var status: SubscriptionStatus
    /// Whether the membership exists (updated) or not (inserted).
    var exists: Bool
    /// The formatted time the membership begins, when it is new.
    var createdAt: String
}

/// An address that was created and deleted by other daemons again and again while one
/// transaction tried to insert or lock it; the caller may simply try again.
struct SubscriberRowContention: Error, CustomStringConvertible {
    var description: String { "the subscriber row of one address kept changing under this transaction; try again" }
}

/// An `INSERT … RETURNING` that returned no row, which only a broken schema (a rule or
/// trigger swallowing the row) can cause.
struct InsertReturnedNothing: Error, CustomStringConvertible {
    let table: String
    var description: String { "inserting into \(table) returned no row: check the database's schema" }
}
