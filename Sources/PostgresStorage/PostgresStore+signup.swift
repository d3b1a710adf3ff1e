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
    /// Records the sign-up in a batch with the others this daemon receives meanwhile (``SignupQueue``):
    /// one transaction and five round trips for the batch instead of for each sign-up.
    public func recordSignup(_ signup: PreparedSignup) async throws -> SignupOutcome {
        try await signupQueue.record(signup) { batch in await self.recordSignups(batch) }
    }

    /// Records `batch` in one transaction, each sign-up's result in its place. A sign-up the
    /// library refuses gets its error and the rest are recorded without it; when the batch fails
    /// otherwise (a value the database refuses, a lost connection), each is tried alone, so one
    /// sign-up's fault is not the others'.
    func recordSignups(_ batch: [PreparedSignup]) async -> [Result<SignupOutcome, any Error>] {
        var results = [Result<SignupOutcome, any Error>?](repeating: nil, count: batch.count)
        var remaining = Array(batch.indices)
        while !remaining.isEmpty {
            let running = remaining
            do {
                let outcomes = try await writeSeeingSuppressions { session in try await Self.recordSignups(running.map { batch[$0] }, session) }
                for (index, outcome) in zip(running, outcomes) { results[index] = .success(outcome) }
                remaining = []
            } catch let refused as RefusedSignups {
                // The refusals rolled back with the batch; the others run again without them.
                for (position, error) in refused.errors { results[running[position]] = .failure(error) }
                remaining = running.indices.filter { refused.errors[$0] == nil }.map { running[$0] }
            } catch where running.count > 1 {
                await withTaskGroup(of: (Int, Result<SignupOutcome, any Error>).self) { group in
                    for index in running { group.addTask { (index, await self.recordSignups([batch[index]])[0]) } }
                    for await (index, result) in group { results[index] = result }
                }
                remaining = []
            } catch {
                results[running[0]] = .failure(error)
                remaining = []
            }
        }
        return results.map { $0 ?? .failure(NoReturnedRow()) }
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

    /// Records a sign-up in the caller's transaction (a pledge's); throws the library's refusal.
    static func recordSignup(_ prepared: PreparedSignup, _ session: PostgresSession) async throws -> SignupOutcome {
        do {
            return try await recordSignups([prepared], session)[0]
        } catch let refused as RefusedSignups {
            throw refused.errors[0] ?? NoReturnedRow()
        }
    }

    /// Records `batch` (no address twice) in the caller's transaction, in three statements: the
    /// subscribers' upsert with the open newsletters, their locked states, and one write of
    /// everything decided. Throws ``RefusedSignups`` when the library refuses any of them; the
    /// caller must then roll back, since the upserts are written by then.
    static func recordSignups(_ batch: [PreparedSignup], _ session: PostgresSession) async throws -> [SignupOutcome] {
        let records = batch.map(\.record)
        let rows = try await session.rows(SignupStatements.NewslettersAndSubscribers(signups: records))
        guard let first = rows.first else { throw NoReturnedRow() }
        let open = try rows.filter { try !$0.isNull("id") }.map(Newsletter.init(stored:))
        var chosen: [[Newsletter]] = []
        var refusals: [Int: any Error] = [:]
        for (position, prepared) in batch.enumerated() {
            do { chosen.append(try prepared.choose(open)) } catch {
                refusals[position] = error
                chosen.append([])
            }
        }
        guard refusals.isEmpty else { throw RefusedSignups(errors: refusals) }
        let suppressions = try first["suppressed_for", as: [String].self]
        let subscribers = try first["subscriber_ids", as: [Int64].self]
        guard suppressions.count == batch.count, subscribers.count == batch.count else { throw NoReturnedRow() }

        var outcomes = [SignupOutcome?](repeating: nil, count: batch.count)
        var write = SignupStatements.Write()
        for position in batch.indices where !suppressions[position].isEmpty {
            write.effects += .signupSuppressed(records[position], newsletters: chosen[position])
            outcomes[position] = SignupOutcome(subscriberID: nil, consentID: nil, plan: SignupPlan(changes: [:], email: nil, reason: "suppressed"))
        }
        let going = batch.indices.filter { suppressions[$0].isEmpty }
        if !going.isEmpty {
            // The upserts may have waited for a bounce or an erasure of an address on another daemon
            // (they lock the subscriber too): if that added a suppression, start again and store nothing.
            // The same read reserves each consent record's id, which the confirmation link carries.
            let states = try await session.rows(
                SignupStatements.LockedStates(subscribers: going.map { subscribers[$0] }, signups: going.map { records[$0] }))
            let byOrdinal = try Dictionary(grouping: states) { try $0["ordinal", as: Int64.self] }
            for (offset, position) in going.enumerated() {
                let newsletters = chosen[position]
                let (snapshot, facts) = try Self.snapshot(byOrdinal[Int64(offset + 1)] ?? [], newsletters: newsletters.map(\.id))
                if try !facts.isNull("suppressed_for") { throw SuppressedWhileWaiting() }
                let consentID = try facts["consent_id", as: Int64.self]
                let subscriberID = subscribers[position]
                let decision = batch[position].plan(snapshot, newsletters)
                write.add(records[position], subscriber: subscriberID, consent: consentID, newsletters: newsletters, plan: decision)
                write.effects += .signupRequested(
                    records[position], newsletters: newsletters, plan: decision, consent: consentID, subscriber: subscriberID)
                outcomes[position] = SignupOutcome(subscriberID: subscriberID, consentID: consentID, plan: decision)
            }
        }
        try await Self.save(prepared: write, session)
        // Every sign-up was either suppressed or decided above.
        let recorded = outcomes.compactMap { $0 }
        guard recorded.count == batch.count else { throw NoReturnedRow() }
        return recorded
    }

    /// The library refused some sign-ups of a batch (``PreparedSignup/choose``), by position.
    struct RefusedSignups: Error {
        var errors: [Int: any Error]
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
        let rows = try await session.rows(PostgresQuery(unsafeSQL: snapshotSQL(subscriber: "$1", since: "$2", more: ""), binds: binds))
        return try snapshot(rows, newsletters: newsletters).snapshot
    }

    /// One row per subscription of the subscriber `subscriber` (an SQL expression; one row with
    /// NULLs when there is none), each with the count and the last time of its capped emails since
    /// `since`, and the columns `more` adds.
    static func snapshotSQL(subscriber: String, since: String, more: String) -> String {
        """
        SELECT mail.*, sub.newsletter_id, sub.status
        FROM (SELECT count(*) AS n, max(created_at) AS last \(more) FROM outbox
              WHERE subscriber_id = \(subscriber) AND kind IN \(StoreSQL.cappedKinds) AND created_at > \(since)) AS mail
        LEFT JOIN subscriptions sub ON sub.subscriber_id = \(subscriber)
        """
    }

    /// The start of the cap's window before `time`, the `since` of ``snapshotSQL(subscriber:since:more:)``.
    static func capWindowStart(_ time: Date) -> String { Timestamp.format(SignupEmail.capWindowStart(before: time)) }

    /// The snapshot for `newsletters` that rows of ``snapshotSQL(subscriber:since:more:)`` hold, and their first row.
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
    struct NoReturnedRow: Error, CustomStringConvertible {
        var description: String { "the statement returned no row" }
    }
}
