public import Foundation
import GRDB
import StoredRows
public import NewsletterSignup
import SideEffects
import SubscriberLists

/// Sign-up, confirmation and unsubscription on the tables of migrations 0001 and 0002.
///
/// Every call is one write transaction; the decisions come from the closure the library passes,
/// called with the state read inside the transaction.
extension SQLiteStore: SignupStore {
    public func recordSignup(_ signup: PreparedSignup) async throws -> SignupOutcome {
        try await write { db in try Self.recordSignup(signup, db) }
    }

    /// Records a sign-up in the caller's transaction (its own, or a pledge's).
    static func recordSignup(_ prepared: PreparedSignup, _ db: Database) throws -> SignupOutcome {
        let signup = prepared.record
        let open = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM newsletters WHERE archived_at IS NULL ORDER BY slug")
        ).map(Newsletter.init(stored:))
        let newsletters = try prepared.choose(open)
        if try suppressionReason(db, addressHash: signup.addressHash) != nil {
            try save(.signupSuppressed(signup, newsletters: newsletters), db)
            return SignupOutcome(subscriberID: nil, consentID: nil, plan: SignupPlan(changes: [:], email: nil, reason: "suppressed"))
        }
        let subscriberID = try upsertSubscriber(db, signup)
        let snapshot = try snapshot(db, subscriber: subscriberID, newsletters: newsletters.map(\.id), at: signup.time)
        let decision = prepared.plan(snapshot, newsletters)
        try apply(decision.changes, current: snapshot.statuses, subscriber: subscriberID, db, at: signup.time)
        let consentID = try insertConsent(db, signup, newsletters: newsletters, subscriber: subscriberID)
        try save(.signupRequested(signup, newsletters: newsletters, plan: decision, consent: consentID, subscriber: subscriberID), db)
        return SignupOutcome(subscriberID: subscriberID, consentID: consentID, plan: decision)
    }

    public func recordResend(
        address: String, addressHash: String, at time: Date, refusal: @escaping @Sendable (SignupSnapshot) -> ResendRefusal?
    ) async throws -> ResendOutcome {
        try await write { db in
            guard try Self.suppressionReason(db, addressHash: addressHash) == nil else { return .notQueued(.suppressed) }
            guard let subscriber = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, email FROM subscribers WHERE email_normalized = ?"), arguments: [address])
            else { return .notQueued(.unknownAddress) }
            let subscriberID: Int64 = subscriber["id"]
            // The newest sign-up that still has something pending.
            guard let consent = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT c.id, c.locale FROM consent_records c
                    WHERE c.subscriber_id = ? AND c.action = 'signup' AND EXISTS (
                        SELECT 1 FROM consent_newsletters cn
                        JOIN subscriptions s ON s.newsletter_id = cn.newsletter_id AND s.subscriber_id = c.subscriber_id
                        WHERE cn.consent_id = c.id AND s.status = 'pending')
                    ORDER BY c.id DESC LIMIT 1
                    """), arguments: [subscriberID])
            else { return .notQueued(.nothingPending) }
            let consentID: Int64 = consent["id"]
            let members = try Self.consentNewsletters(db, consent: consentID, subscriber: subscriberID)
            let snapshot = try Self.snapshot(db, subscriber: subscriberID, newsletters: members.map(\.newsletter.id), at: time)
            if let refused = refusal(snapshot) { return .notQueued(refused) }
            let contact = SubscriberContact(
                id: subscriberID, email: subscriber["email"], normalizedEmail: address, locale: consent["locale"])
            let pending = members.filter { $0.status == .pending }.map(\.newsletter)
            try Self.save(.signupResent(consent: consentID, subscriber: contact, pending: pending, at: time), db)
            return .queued
        }
    }

    public func confirm(
        consent: Int64, at time: Date, client: ClientContext, isBound: @escaping @Sendable (String) -> Bool
    ) async throws -> LinkOutcome {
        try await follow(consent: consent, isBound: isBound, onlyItsOwnEpisode: true) { db, subscriberID, address, members in
            let plan = LinkPlan.confirming(members)
            let stamp = Timestamp.format(time)
            for newsletter in plan.changing {
                try db.cachedStatement(sql: """
                    UPDATE subscriptions SET status = 'confirmed', confirmed_at = ?, updated_at = ?
                    WHERE subscriber_id = ? AND newsletter_id = ? AND status = 'pending'
                    """).execute(arguments: [stamp, stamp, subscriberID, newsletter.id])
            }
            if !plan.changing.isEmpty {
                try db.cachedStatement(sql: """
                    UPDATE consent_records SET confirmed_at = ?, confirm_client_ip = ?, confirm_user_agent = ?
                    WHERE id = ? AND confirmed_at IS NULL
                    """).execute(arguments: [stamp, client.ipAddress, client.userAgent, consent])
            }
            try Self.save(.subscriptionConfirmed(consent: consent, subscriber: subscriberID, address: address, newsletters: plan.changing, at: time), db)
            return plan.outcome
        }
    }

    public func unsubscribe(
        consent: Int64, at time: Date, client: ClientContext, isBound: @escaping @Sendable (String) -> Bool
    ) async throws -> LinkOutcome {
        // Any unsubscribe link of the reader's works on whatever is active: leaving must always work.
        try await follow(consent: consent, isBound: isBound, onlyItsOwnEpisode: false) { db, subscriberID, address, members in
            let plan = LinkPlan.unsubscribing(members)
            let stamp = Timestamp.format(time)
            for newsletter in plan.changing {
                try db.cachedStatement(sql: """
                    UPDATE subscriptions SET status = 'unsubscribed', unsubscribed_at = ?, updated_at = ?
                    WHERE subscriber_id = ? AND newsletter_id = ? AND status IN ('pending', 'confirmed')
                    """).execute(arguments: [stamp, stamp, subscriberID, newsletter.id])
            }
            try Self.save(
                .unsubscribedByLink(
                    consent: consent, subscriber: subscriberID, address: address, newsletters: plan.changing, client: client, at: time),
                db)
            return plan.outcome
        }
    }

    public func markBounced(consent: Int64, addressHash: String, reason: String, at time: Date) async throws {
        try await write { db in
            try Self.addSuppression(db, addressHash: addressHash, reason: .bounced, note: nil, at: time, actor: "system")
            guard let subscriber = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT s.id, s.email_normalized FROM consent_records c JOIN subscribers s ON s.id = c.subscriber_id
                    WHERE c.id = ?
                    """), arguments: [consent])
            else { return }
            let subscriberID: Int64 = subscriber["id"]
            let bouncing = LinkPlan.unsubscribing(try Self.consentNewsletters(db, consent: consent, subscriber: subscriberID)).changing
            let stamp = Timestamp.format(time)
            for newsletter in bouncing {
                try db.cachedStatement(sql: """
                    UPDATE subscriptions SET status = 'bounced', updated_at = ?
                    WHERE subscriber_id = ? AND newsletter_id = ? AND status IN ('pending', 'confirmed')
                    """).execute(arguments: [stamp, subscriberID, newsletter.id])
            }
            try Self.save(
                .subscriptionBounced(
                    consent: consent, subscriber: subscriberID, address: subscriber["email_normalized"], newsletters: bouncing,
                    reason: reason, at: time),
                db)
        }
    }

    // MARK: - Pieces

    /// Runs `act` for a consent record whose subscriber's address passes `isBound`, else `.notFound`.
    /// With `onlyItsOwnEpisode`, pending subscriptions started after the consent are hidden from `act`.
    private func follow(
        consent: Int64, isBound: @escaping @Sendable (String) -> Bool, onlyItsOwnEpisode: Bool,
        _ act: @escaping @Sendable (Database, Int64, String, [ConsentMember]) throws -> LinkOutcome
    ) async throws -> LinkOutcome {
        try await write { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT c.subscriber_id, c.recorded_at, s.email_normalized FROM consent_records c
                    JOIN subscribers s ON s.id = c.subscriber_id WHERE c.id = ?
                    """), arguments: [consent]),
                case let address: String = row["email_normalized"], isBound(address)
            else { return .notFound }
            let subscriberID: Int64 = row["subscriber_id"]
            let members = try Self.consentNewsletters(db, consent: consent, subscriber: subscriberID)
            guard onlyItsOwnEpisode else { return try act(db, subscriberID, address, members) }
            return try act(db, subscriberID, address, members.map { $0.asSeenBy(consentRecordedAt: row["recorded_at"]) })
        }
    }

    static func consentNewsletters(_ db: Database, consent: Int64, subscriber: Int64) throws -> [ConsentMember] {
        try Row.fetchAll(
            db.cachedStatement(sql: """
                SELECT n.*, sub.status AS subscription_status, sub.pending_since FROM consent_newsletters cn
                JOIN newsletters n ON n.id = cn.newsletter_id
                LEFT JOIN subscriptions sub ON sub.newsletter_id = n.id AND sub.subscriber_id = ?
                WHERE cn.consent_id = ? ORDER BY n.slug
                """), arguments: [subscriber, consent]
        ).map(ConsentMember.init(stored:))
    }

    private static func upsertSubscriber(_ db: Database, _ signup: SignupRecord) throws -> Int64 {
        let stamp = Timestamp.format(signup.time)
        if let id = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM subscribers WHERE email_normalized = ?"),
            arguments: [signup.normalizedAddress])
        {
            if let locale = signup.locale {
                try db.cachedStatement(sql: "UPDATE subscribers SET locale = ?, updated_at = ? WHERE id = ?")
                    .execute(arguments: [locale, stamp, id])
            }
            return id
        }
        try db.cachedStatement(sql: """
            INSERT INTO subscribers (email, email_normalized, locale, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
            """).execute(arguments: [signup.mailbox, signup.normalizedAddress, signup.locale, stamp, stamp])
        return db.lastInsertedRowID
    }

    static func snapshot(_ db: Database, subscriber: Int64, newsletters: [Int64], at time: Date) throws -> SignupSnapshot {
        let wanted = Set(newsletters)
        var statuses: [Int64: SubscriptionStatus] = [:]
        for row in try Row.fetchAll(
            db.cachedStatement(sql: "SELECT newsletter_id, status FROM subscriptions WHERE subscriber_id = ?"),
            arguments: [subscriber])
        {
            let id: Int64 = row["newsletter_id"]
            if wanted.contains(id) { statuses[id] = try row.value("status") }
        }
        let since = Timestamp.format(SignupEmail.capWindowStart(before: time))
        let emails = try Row.fetchOne(
            db.cachedStatement(sql: """
                SELECT count(*) AS n, max(created_at) AS last FROM outbox
                WHERE subscriber_id = ? AND kind IN \(StoreSQL.cappedKinds) AND created_at > ?
                """), arguments: [subscriber, since])
        return SignupSnapshot(
            statuses: statuses, emailsInLastDay: emails?["n"] ?? 0,
            lastEmailAt: try emails?.value("last", as: Date?.self))
    }

    private static func apply(
        _ changes: [Int64: SubscriptionStatus], current: [Int64: SubscriptionStatus], subscriber: Int64,
        _ db: Database, at time: Date
    ) throws {
        let stamp = Timestamp.format(time)
        for (newsletterID, status) in changes.sorted(by: { $0.key < $1.key }) {
            let confirmedAt: String? = status == .confirmed ? stamp : nil
            let pendingSince: String? = status == .pending ? stamp : nil
            if current[newsletterID] == nil {
                try db.cachedStatement(sql: """
                    INSERT INTO subscriptions
                        (subscriber_id, newsletter_id, status, created_at, updated_at, confirmed_at, pending_since)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [subscriber, newsletterID, status.rawValue, stamp, stamp, confirmedAt, pendingSince])
            } else {
                try db.cachedStatement(sql: """
                    UPDATE subscriptions SET status = ?, updated_at = ?, confirmed_at = ?, pending_since = ?, unsubscribed_at = NULL
                    WHERE subscriber_id = ? AND newsletter_id = ?
                    """).execute(arguments: [status.rawValue, stamp, confirmedAt, pendingSince, subscriber, newsletterID])
            }
        }
    }

    private static func insertConsent(
        _ db: Database, _ signup: SignupRecord, newsletters: [Newsletter], subscriber: Int64
    ) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO consent_records
                (subscriber_id, action, source, client_ip, user_agent, consent_text_version, locale, recorded_at)
            VALUES (?, 'signup', ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                subscriber, signup.source, signup.client.ipAddress, signup.client.userAgent,
                signup.consentTextVersion, signup.locale, Timestamp.format(signup.time),
            ])
        let consentID = db.lastInsertedRowID
        let member = try db.cachedStatement(sql: "INSERT INTO consent_newsletters (consent_id, newsletter_id) VALUES (?, ?)")
        for newsletter in newsletters {
            try member.execute(arguments: [consentID, newsletter.id])
        }
        return consentID
    }
}
