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

    /// Records a sign-up in the caller's transaction (its own, or a pledge's): three statements,
    /// the subscriber's upsert with the open newsletters, its locked state, and one write of
    /// everything decided.
    static func recordSignup(_ prepared: PreparedSignup, _ session: PostgresSession) async throws -> SignupOutcome {
        let signup = prepared.record
        let rows = try await session.rows(
            SignupStatements.NewslettersAndSubscriber(
                addressHash: signup.addressHash, mailbox: signup.mailbox, normalizedAddress: signup.normalizedAddress,
                locale: signup.locale, stamp: Timestamp.format(signup.time)))
        let newsletters = try prepared.choose(try rows.filter { try !$0.isNull("id") }.map(Newsletter.init(stored:)))
        guard let first = rows.first else { throw NoReturnedRow() }
        if try !first.isNull("suppressed_for") {
            try await Self.save(.signupSuppressed(signup, newsletters: newsletters), session)
            return SignupOutcome(
                subscriberID: nil, consentID: nil, plan: SignupPlan(changes: [:], email: nil, reason: "suppressed"))
        }
        let subscriberID = try first["subscriber_id", as: Int64.self]
        // The upsert may have waited for a bounce or an erasure of this address on another daemon
        // (they lock the subscriber too): if that added a suppression, start again and store nothing.
        // The same read reserves the consent record's id, which the confirmation link carries.
        let lockedState = try await session.rows(
            SignupStatements.LockedState(subscriber: subscriberID, since: Self.capWindowStart(signup.time), addressHash: signup.addressHash))
        let (snapshot, facts) = try Self.snapshot(lockedState, newsletters: newsletters.map(\.id))
        if try !facts.isNull("suppressed_for") { throw SuppressedWhileWaiting() }
        let consentID = try facts["consent_id", as: Int64.self]
        let decision = prepared.plan(snapshot, newsletters)
        try await Self.save(
            prepared: SignupStatements.Write(
                subscriber: subscriberID, stamp: Timestamp.format(signup.time), changes: decision.changes, consent: consentID,
                newsletters: newsletters.map(\.id), source: signup.source, clientIP: signup.client.ipAddress,
                userAgent: signup.client.userAgent, consentTextVersion: signup.consentTextVersion, locale: signup.locale,
                effects: .signupRequested(signup, newsletters: newsletters, plan: decision, consent: consentID, subscriber: subscriberID)),
            session)
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
            guard !plan.changing.isEmpty else { return plan.outcome }
            try await Self.save(
                prepared: LinkStatements.Confirm(
                    consent: consent, subscriber: subscriberID, newsletters: plan.changing.map(\.id), stamp: Timestamp.format(time),
                    client: (client.ipAddress, client.userAgent),
                    effects: .subscriptionConfirmed(
                        consent: consent, subscriber: subscriberID, address: address, newsletters: plan.changing, at: time)),
                session)
            return plan.outcome
        }
    }

    public func unsubscribe(
        consent: Int64, at time: Date, client: ClientContext, isBound: @escaping @Sendable (String) -> Bool
    ) async throws -> LinkOutcome {
        // Any unsubscribe link of the reader's works on whatever is active: leaving must always work.
        try await follow(consent: consent, isBound: isBound, onlyItsOwnEpisode: false) { session, subscriberID, address, members in
            let plan = LinkPlan.unsubscribing(members)
            guard !plan.changing.isEmpty else { return plan.outcome }
            try await Self.save(
                prepared: LinkStatements.Unsubscribe(
                    subscriber: subscriberID, newsletters: plan.changing.map(\.id), stamp: Timestamp.format(time),
                    effects: .unsubscribedByLink(
                        consent: consent, subscriber: subscriberID, address: address, newsletters: plan.changing, client: client, at: time)),
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
            guard let row = try await session.rows(LinkStatements.Subject(consent: consent)).first,
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
        try await session.rows(LinkStatements.Members(consent: consent, subscriber: subscriber)).map(ConsentMember.init(stored:))
    }

    /// The subscriber's state for `newsletters` and its capped emails of the last day. Call it
    /// with the subscriber's row locked, so the count includes every other daemon's committed email.
    static func snapshot(_ session: PostgresSession, subscriber: Int64, newsletters: [Int64], at time: Date) async throws -> SignupSnapshot {
        var binds = PostgresBindings()
        binds.append(subscriber)
        binds.append(capWindowStart(time))
        let rows = try await session.rows(PostgresQuery(unsafeSQL: snapshotSQL(more: ""), binds: binds))
        return try snapshot(rows, newsletters: newsletters).snapshot
    }

    /// One row per subscription of subscriber `$1` (one with NULLs when there is none), each with
    /// the count and the last time of its capped emails since `$2`, and the columns `more` adds.
    static func snapshotSQL(more: String) -> String {
        """
        SELECT mail.*, sub.newsletter_id, sub.status
        FROM (SELECT count(*) AS n, max(created_at) AS last \(more) FROM outbox
              WHERE subscriber_id = $1 AND kind IN \(StoreSQL.cappedKinds) AND created_at > $2) AS mail
        LEFT JOIN subscriptions sub ON sub.subscriber_id = $1
        """
    }

    /// The start of the cap's window before `time`, as the `$2` of ``snapshotSQL(more:)``.
    static func capWindowStart(_ time: Date) -> String { Timestamp.format(SignupEmail.capWindowStart(before: time)) }

    /// The snapshot for `newsletters` that rows of ``snapshotSQL(more:)`` hold, and their first row.
    static func snapshot(
        _ rows: [PostgresRandomAccessRow], newsletters: [Int64]
    ) throws -> (snapshot: SignupSnapshot, first: PostgresRandomAccessRow) {
        guard let first = rows.first else { throw NoReturnedRow() }
        let wanted = Set(newsletters)
        var statuses: [Int64: SubscriptionStatus] = [:]
        for row in rows where try !row.isNull("newsletter_id") {
            let id = try row["newsletter_id", as: Int64.self]
            if wanted.contains(id) { statuses[id] = try row.value("status") }
        }
        let snapshot = SignupSnapshot(
            statuses: statuses, emailsInLastDay: try first["n", as: Int.self], lastEmailAt: try first.value("last", as: Date?.self))
        return (snapshot, first)
    }

    /// An `INSERT … RETURNING id` or an aggregate returned no row, which PostgreSQL never does.
    private struct NoReturnedRow: Error, CustomStringConvertible {
        var description: String { "the statement returned no row" }
    }
}
