public import Foundation
public import NewsletterSignup
import PostgresNIO
import StoredRows
import SideEffects
import SubscriberLists

/// Sign-up, confirmation and unsubscription on the tables of migrations 0001 and 0002.
///
/// Every call is one write transaction; the decisions come from the closure the library passes,
/// called with the state read inside the transaction. Each call locks the subscriber's row
/// before it reads the subscriber's subscriptions or recent emails, so the same call for the same
/// address on another daemon waits for this one to commit and then decides from what it wrote.
extension PostgresStore: SignupStore {
    public func recordSignup(_ signup: PreparedSignup) async throws -> SignupOutcome {
        try await writeSeeingSuppressions { session in try await Self.recordSignup(signup, session) }
    }

    /// Runs `body` as one write; when a sign-up in it waited for another daemon that suppressed
    /// the address meanwhile, runs it again from the start, so the suppression is seen before
    /// anything is written.
    func writeSeeingSuppressions<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) async throws -> T) async throws -> T {
        do {
            return try await write(body)
        } catch is SuppressedWhileWaiting {
            return try await write(body)
        }
    }

    /// Records a sign-up in the caller's transaction (its own, or a pledge's).
    static func recordSignup(_ prepared: PreparedSignup, _ session: PostgresSession) async throws -> SignupOutcome {
        let signup = prepared.record
        // COLLATE "C": byte order, as SQLite sorts, whatever the database's collation.
        let open = try await session.rows(
            """
            SELECT * FROM newsletters WHERE archived_at IS NULL ORDER BY slug COLLATE "C"
            """
        ).map(Newsletter.init(stored:))
        let newsletters = try prepared.choose(open)
        if try await Self.suppressionReason(session, addressHash: signup.addressHash) != nil {
            try await Self.save(.signupSuppressed(signup, newsletters: newsletters), session)
            return SignupOutcome(
                subscriberID: nil, consentID: nil, plan: SignupPlan(changes: [:], email: nil, reason: "suppressed"))
        }
        let subscriberID = try await Self.upsertSubscriber(session, signup)
        // The upsert may have waited for a bounce or an erasure of this address on another daemon
        // (they lock the subscriber too): if that added a suppression, start again and store nothing.
        if try await Self.suppressionReason(session, addressHash: signup.addressHash) != nil {
            throw SuppressedWhileWaiting()
        }
        let snapshot = try await Self.snapshot(
            session, subscriber: subscriberID, newsletters: newsletters.map(\.id), at: signup.time)
        let decision = prepared.plan(snapshot, newsletters)
        try await Self.apply(decision.changes, current: snapshot.statuses, subscriber: subscriberID, session, at: signup.time)
        let consentID = try await Self.insertConsent(session, signup, newsletters: newsletters, subscriber: subscriberID)
        try await Self.save(
            .signupRequested(signup, newsletters: newsletters, plan: decision, consent: consentID, subscriber: subscriberID), session)
        return SignupOutcome(subscriberID: subscriberID, consentID: consentID, plan: decision)
    }

    /// A suppression committed while the sign-up waited for the subscriber's lock.
    private struct SuppressedWhileWaiting: Error {}

    public func recordResend(
        address: String, addressHash: String, at time: Date, refusal: @escaping @Sendable (SignupSnapshot) -> ResendRefusal?
    ) async throws -> ResendOutcome {
        try await write { session in
            // Locks the subscriber: a resend or sign-up on another daemon waits, then counts this email against the cap.
            // (Taken before the suppression check, so a bounce that held the lock is seen; both refusals write nothing.)
            guard let subscriber = try await session.row(
                "SELECT id, email FROM subscribers WHERE email_normalized = \(address) FOR UPDATE")
            else { return .notQueued(.unknownAddress) }
            guard try await Self.suppressionReason(session, addressHash: addressHash) == nil else { return .notQueued(.suppressed) }
            let subscriberID = try subscriber["id", as: Int64.self]
            // The newest sign-up that still has something pending.
            guard let consent = try await session.row(
                """
                SELECT c.id, c.locale FROM consent_records c
                WHERE c.subscriber_id = \(subscriberID) AND c.action = 'signup' AND EXISTS (
                    SELECT 1 FROM consent_newsletters cn
                    JOIN subscriptions s ON s.newsletter_id = cn.newsletter_id AND s.subscriber_id = c.subscriber_id
                    WHERE cn.consent_id = c.id AND s.status = 'pending')
                ORDER BY c.id DESC LIMIT 1
                """)
            else { return .notQueued(.nothingPending) }
            let consentID = try consent["id", as: Int64.self]
            let members = try await Self.consentNewsletters(session, consent: consentID, subscriber: subscriberID)
            let snapshot = try await Self.snapshot(
                session, subscriber: subscriberID, newsletters: members.map(\.newsletter.id), at: time)
            if let refused = refusal(snapshot) { return .notQueued(refused) }
            let contact = SubscriberContact(
                id: subscriberID, email: try subscriber["email", as: String.self], normalizedEmail: address,
                locale: try consent["locale", as: String?.self])
            let pending = members.filter { $0.status == .pending }.map(\.newsletter)
            try await Self.save(.signupResent(consent: consentID, subscriber: contact, pending: pending, at: time), session)
            return .queued
        }
    }

    public func confirm(
        consent: Int64, at time: Date, client: ClientContext, isBound: @escaping @Sendable (String) -> Bool
    ) async throws -> LinkOutcome {
        try await follow(consent: consent, isBound: isBound, onlyItsOwnEpisode: true) { session, subscriberID, address, members in
            let plan = LinkPlan.confirming(members)
            let stamp = Timestamp.format(time)
            for newsletter in plan.changing {
                try await session.execute(
                    """
                    UPDATE subscriptions SET status = 'confirmed', confirmed_at = \(stamp), updated_at = \(stamp)
                    WHERE subscriber_id = \(subscriberID) AND newsletter_id = \(newsletter.id) AND status = 'pending'
                    """)
            }
            if !plan.changing.isEmpty {
                try await session.execute(
                    """
                    UPDATE consent_records SET confirmed_at = \(stamp), confirm_client_ip = \(client.ipAddress),
                        confirm_user_agent = \(client.userAgent)
                    WHERE id = \(consent) AND confirmed_at IS NULL
                    """)
            }
            try await Self.save(
                .subscriptionConfirmed(consent: consent, subscriber: subscriberID, address: address, newsletters: plan.changing, at: time), session)
            return plan.outcome
        }
    }

    public func unsubscribe(
        consent: Int64, at time: Date, client: ClientContext, isBound: @escaping @Sendable (String) -> Bool
    ) async throws -> LinkOutcome {
        // Any unsubscribe link of the reader's works on whatever is active: leaving must always work.
        try await follow(consent: consent, isBound: isBound, onlyItsOwnEpisode: false) { session, subscriberID, address, members in
            let plan = LinkPlan.unsubscribing(members)
            let stamp = Timestamp.format(time)
            for newsletter in plan.changing {
                try await session.execute(
                    """
                    UPDATE subscriptions SET status = 'unsubscribed', unsubscribed_at = \(stamp), updated_at = \(stamp)
                    WHERE subscriber_id = \(subscriberID) AND newsletter_id = \(newsletter.id) AND status IN ('pending', 'confirmed')
                    """)
            }
            try await Self.save(
                .unsubscribedByLink(consent: consent, subscriber: subscriberID, address: address, newsletters: plan.changing, client: client, at: time),
                session)
            return plan.outcome
        }
    }

    public func markBounced(consent: Int64, addressHash: String, reason: String, at time: Date) async throws {
        try await write { session in
            // Locks the subscriber before the suppression row (the order every write path takes), so a
            // sign-up of this address on another daemon waits and then sees the suppression.
            let subscriber = try await session.row(
                """
                SELECT s.id, s.email_normalized FROM consent_records c JOIN subscribers s ON s.id = c.subscriber_id
                WHERE c.id = \(consent) FOR UPDATE OF s
                """)
            try await Self.addSuppression(
                session, addressHash: addressHash, reason: .bounced, note: nil, at: time, actor: "system")
            guard let subscriber else { return }
            let subscriberID = try subscriber["id", as: Int64.self]
            let bouncing = LinkPlan.unsubscribing(
                try await Self.consentNewsletters(session, consent: consent, subscriber: subscriberID)).changing
            let stamp = Timestamp.format(time)
            for newsletter in bouncing {
                try await session.execute(
                    """
                    UPDATE subscriptions SET status = 'bounced', updated_at = \(stamp)
                    WHERE subscriber_id = \(subscriberID) AND newsletter_id = \(newsletter.id) AND status IN ('pending', 'confirmed')
                    """)
            }
            try await Self.save(
                .subscriptionBounced(
                    consent: consent, subscriber: subscriberID, address: try subscriber["email_normalized", as: String.self],
                    newsletters: bouncing, reason: reason, at: time),
                session)
        }
    }

    // MARK: - Pieces

    /// Runs `act` for a consent record whose subscriber's address passes `isBound`, else `.notFound`.
    /// With `onlyItsOwnEpisode`, pending subscriptions started after the consent are hidden from `act`.
    private func follow(
        consent: Int64, isBound: @escaping @Sendable (String) -> Bool, onlyItsOwnEpisode: Bool,
        _ act: @escaping @Sendable (PostgresSession, Int64, String, [ConsentMember]) async throws -> LinkOutcome
    ) async throws -> LinkOutcome {
        try await write { session in
            // FOR UPDATE OF s locks the subscriber before its subscriptions are read: a second click on
            // another daemon waits and then finds the work done. An erased subscriber gives no row.
            guard let row = try await session.row(
                """
                SELECT c.subscriber_id, c.recorded_at, s.email_normalized FROM consent_records c
                JOIN subscribers s ON s.id = c.subscriber_id WHERE c.id = \(consent) FOR UPDATE OF s
                """),
                case let address = try row["email_normalized", as: String.self], isBound(address)
            else { return .notFound }
            let subscriberID = try row["subscriber_id", as: Int64.self]
            let members = try await Self.consentNewsletters(session, consent: consent, subscriber: subscriberID)
            guard onlyItsOwnEpisode else { return try await act(session, subscriberID, address, members) }
            let recordedAt = try row["recorded_at", as: String.self]
            return try await act(session, subscriberID, address, members.map { $0.asSeenBy(consentRecordedAt: recordedAt) })
        }
    }

    static func consentNewsletters(_ session: PostgresSession, consent: Int64, subscriber: Int64) async throws -> [ConsentMember] {
        try await session.rows(
            """
            SELECT n.*, sub.status AS subscription_status, sub.pending_since FROM consent_newsletters cn
            JOIN newsletters n ON n.id = cn.newsletter_id
            LEFT JOIN subscriptions sub ON sub.newsletter_id = n.id AND sub.subscriber_id = \(subscriber)
            WHERE cn.consent_id = \(consent) ORDER BY n.slug COLLATE "C"
            """
        ).map(ConsentMember.init(stored:))
    }

    /// Inserts the subscriber or, when the address is known, changes its locale if one was given;
    /// either way the row stays locked until commit, which serialises sign-ups of one address.
    private static func upsertSubscriber(_ session: PostgresSession, _ signup: SignupRecord) async throws -> Int64 {
        let stamp = Timestamp.format(signup.time)
        return try await returnedID(
            session,
            """
            INSERT INTO subscribers (email, email_normalized, locale, created_at, updated_at)
            VALUES (\(signup.mailbox), \(signup.normalizedAddress), \(signup.locale), \(stamp), \(stamp))
            ON CONFLICT (email_normalized) DO UPDATE SET
                locale = COALESCE(EXCLUDED.locale, subscribers.locale),
                updated_at = CASE WHEN EXCLUDED.locale IS NULL THEN subscribers.updated_at ELSE EXCLUDED.updated_at END
            RETURNING id
            """)
    }

    /// The subscriber's state for `newsletters` and its capped emails of the last day. Call it
    /// with the subscriber's row locked, so the count includes every other daemon's committed email.
    static func snapshot(
        _ session: PostgresSession, subscriber: Int64, newsletters: [Int64], at time: Date
    ) async throws -> SignupSnapshot {
        let wanted = Set(newsletters)
        var statuses: [Int64: SubscriptionStatus] = [:]
        for row in try await session.rows("SELECT newsletter_id, status FROM subscriptions WHERE subscriber_id = \(subscriber)") {
            let id = try row["newsletter_id", as: Int64.self]
            if wanted.contains(id) { statuses[id] = try row.value("status") }
        }
        let since = Timestamp.format(SignupEmail.capWindowStart(before: time))
        let emails = try await session.row(
            """
            SELECT count(*) AS n, max(created_at) AS last FROM outbox
            WHERE subscriber_id = \(subscriber) AND kind IN \(unescaped: StoreSQL.cappedKinds) AND created_at > \(since)
            """)
        return SignupSnapshot(
            statuses: statuses, emailsInLastDay: try emails.map { try $0["n", as: Int.self] } ?? 0,
            lastEmailAt: try emails?.value("last", as: Date?.self))
    }

    private static func apply(
        _ changes: [Int64: SubscriptionStatus], current: [Int64: SubscriptionStatus], subscriber: Int64,
        _ session: PostgresSession, at time: Date
    ) async throws {
        let stamp = Timestamp.format(time)
        for (newsletterID, status) in changes.sorted(by: { $0.key < $1.key }) {
            let confirmedAt: String? = status == .confirmed ? stamp : nil
            let pendingSince: String? = status == .pending ? stamp : nil
            if current[newsletterID] == nil {
                try await session.execute(
                    """
                    INSERT INTO subscriptions
                        (subscriber_id, newsletter_id, status, created_at, updated_at, confirmed_at, pending_since)
                    VALUES (\(subscriber), \(newsletterID), \(status.rawValue), \(stamp), \(stamp), \(confirmedAt), \(pendingSince))
                    """)
            } else {
                try await session.execute(
                    """
                    UPDATE subscriptions SET status = \(status.rawValue), updated_at = \(stamp), confirmed_at = \(confirmedAt),
                        pending_since = \(pendingSince), unsubscribed_at = NULL
                    WHERE subscriber_id = \(subscriber) AND newsletter_id = \(newsletterID)
                    """)
            }
        }
    }

    private static func insertConsent(
        _ session: PostgresSession, _ signup: SignupRecord, newsletters: [Newsletter], subscriber: Int64
    ) async throws -> Int64 {
        let consentID = try await returnedID(
            session,
            """
            INSERT INTO consent_records
                (subscriber_id, action, source, client_ip, user_agent, consent_text_version, locale, recorded_at)
            VALUES (\(subscriber), 'signup', \(signup.source), \(signup.client.ipAddress), \(signup.client.userAgent),
                \(signup.consentTextVersion), \(signup.locale), \(Timestamp.format(signup.time)))
            RETURNING id
            """)
        for newsletter in newsletters {
            try await session.execute(
                "INSERT INTO consent_newsletters (consent_id, newsletter_id) VALUES (\(consentID), \(newsletter.id))")
        }
        return consentID
    }

    /// The `id` of the row an `INSERT … RETURNING id` wrote.
    private static func returnedID(_ session: PostgresSession, _ query: PostgresQuery) async throws -> Int64 {
        guard let id = try await session.value(query, as: Int64.self) else { throw NoReturnedRow() }
        return id
    }

    /// An `INSERT … RETURNING id` returned nothing, which PostgreSQL never does for a written row.
    private struct NoReturnedRow: Error, CustomStringConvertible {
        var description: String { "the insert returned no id" }
    }
}
