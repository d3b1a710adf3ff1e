public import DonationPledges
public import Foundation
public import NewsletterSignup
import PostgresNIO
import StoredRows
import SideEffects
import SubscriberLists

/// Pledges, their payments and provider events, and the currency offers (migration 0004).
///
/// What one SQLite writer decided alone, several daemons decide here through the database:
/// the idempotency key's and the provider event id's unique constraints, and the pledge row's
/// lock while its state moves.
extension PostgresStore: PledgeStore {
    // MARK: Offers

    public func currencyOffer(_ code: String) async throws -> CurrencyOffer? {
        try await read { session in try await Self.offers(session, code: code).first }
    }

    public func currencyOffers() async throws -> [CurrencyOffer] {
        try await read { session in try await Self.offers(session, code: nil) }
    }

    public func setCurrencyLimits(minimum: Money, maximum: Money, customAmount: Bool, at time: Date, actor: String) async throws {
        try await write { session in
            // custom_amount is a 0/1 integer, as in SQLite (migration 0004).
            try await session.execute(
                """
                INSERT INTO pledge_currencies (currency, minimum_minor, maximum_minor, custom_amount)
                VALUES (\(minimum.currency.code), \(minimum.minorUnits), \(maximum.minorUnits), \(Int64(customAmount ? 1 : 0)))
                ON CONFLICT (currency) DO UPDATE SET minimum_minor = excluded.minimum_minor,
                    maximum_minor = excluded.maximum_minor, custom_amount = excluded.custom_amount
                """)
            try await Self.save(
                .currencyLimitsSet(minimum: minimum, maximum: maximum, customAmount: customAmount, actor: actor, at: time),
                session)
        }
    }

    public func setTier(_ tier: Tier, at time: Date, actor: String) async throws {
        try await write { session in
            try await session.execute(
                """
                INSERT INTO pledge_tiers (currency, interval, name, amount_minor)
                VALUES (\(tier.amount.currency.code), \(tier.interval.rawValue), \(tier.name), \(tier.amount.minorUnits))
                ON CONFLICT (currency, interval, name) DO UPDATE SET amount_minor = excluded.amount_minor
                """)
            try await Self.save(.tierSet(tier, actor: actor, at: time), session)
        }
    }

    public func removeTier(name: String, currency: String, interval: PledgeInterval, at time: Date, actor: String) async throws -> Bool {
        try await write { session in
            let removed = try await session.execute(
                """
                DELETE FROM pledge_tiers WHERE currency = \(currency) AND interval = \(interval.rawValue) AND name = \(name)
                RETURNING 1
                """)
            guard removed > 0 else { return false }
            try await Self.save(.tierRemoved(name: name, currency: currency, interval: interval, actor: actor, at: time), session)
            return true
        }
    }

    /// The offers with their tiers, in one statement (one snapshot): a currency's row repeats
    /// once per tier, in the support page's order.
    private static func offers(_ session: PostgresSession, code: String?) async throws -> [CurrencyOffer] {
        try CurrencyOffer.offers(stored: try await session.rows(
            """
            \(unescaped: StoreSQL.offersSelect) WHERE \(code)::text IS NULL OR c.currency = \(code) \(unescaped: StoreSQL.offersOrder)
            """))
    }

    // MARK: Creating

    public func storedAnswer(idempotencyKey: String) async throws -> StoredAnswer? {
        try await read { session in try await Self.storedAnswer(session, key: idempotencyKey) }
    }

    public func pledgeAttempts(address: String, clientIP: String?, pledges: PledgeAttempts.Window, declines: PledgeAttempts.Window) async throws
        -> PledgeAttempts
    {
        var binds = PostgresBindings()
        for (source, window) in [(address, pledges), (clientIP, pledges), (address, declines), (clientIP, declines)] {
            binds.append(source)
            binds.append(Timestamp.format(window.since))
            binds.append(Int64(window.atMost))
        }
        let query = PostgresQuery(unsafeSQL: StoreSQL.pledgeAttemptsQuery, binds: binds)
        return try await read { session in
            try PledgeAttempts(try await session.rows(query).map(PledgeAttempts.Count.init(stored:)))
        }
    }

    public func createPledge(_ record: PledgeRecord, optIn: PreparedSignup?) async throws -> PledgeRecording {
        try await writeSeeingSuppressions { session in
            let stamp = Timestamp.format(record.time)
            // The unique key decides between two requests with one key, on any daemon: the second
            // insert waits for the first transaction, then does nothing and returns no id.
            guard let id = try await session.value(
                """
                INSERT INTO pledges (public_id, email, email_normalized, name, amount_minor, currency, interval, tier,
                    status, status_changed_at, idempotency_key, request_hash, response, provider, provider_reference,
                    checkout_url, return_url, source, client_ip, user_agent, locale, consent_text_version, created_at, updated_at)
                VALUES (\(record.publicID), \(record.email), \(record.normalizedEmail), \(record.name), \(record.amount.minorUnits),
                    \(record.amount.currency.code), \(record.interval.rawValue), \(record.tier), 'pending', \(stamp),
                    \(record.idempotencyKey), \(record.requestHash), \(record.response), \(record.provider),
                    \(record.providerReference), \(record.checkoutURL), \(record.returnURL), \(record.source), \(record.clientIP),
                    \(record.userAgent), \(record.locale), \(record.consentTextVersion), \(stamp), \(stamp))
                ON CONFLICT (idempotency_key) DO NOTHING RETURNING id
                """, as: Int64.self)
            else {
                // The key's pledge is committed (the conflict waited for it), so this statement sees it.
                guard let stored = try await Self.storedAnswer(session, key: record.idempotencyKey) else {
                    throw InsertReturnedNothing(table: "pledges")
                }
                return .alreadyStored(stored)
            }
            try await Self.save(.pledgeCreated(record, id: id), session)
            guard let optIn else { return .recorded(signup: nil) }
            return .recorded(signup: try await Self.recordSignup(optIn, session))
        }
    }

    private static func storedAnswer(_ session: PostgresSession, key: String) async throws -> StoredAnswer? {
        guard let row = try await session.row("SELECT request_hash, response FROM pledges WHERE idempotency_key = \(key)")
        else { return nil }
        return try StoredAnswer(stored: row)
    }

    // MARK: Provider events

    public func applyPaymentEvent(_ event: PaymentEvent, provider: String, receivedAt: Date) async throws -> PaymentEventOutcome {
        try await write { session in
            // The event's row goes in first, its outcome a placeholder until the end of this
            // transaction: the primary key makes a concurrent delivery of the same event (another
            // daemon) wait for this transaction, then find the row and change nothing.
            let claimed = try await session.execute(
                """
                INSERT INTO payment_events (provider, event_id, type, pledge_id, occurred_at, received_at, outcome)
                VALUES (\(provider), \(event.id), \(event.kind.type), NULL, \(Timestamp.format(event.occurredAt)),
                    \(Timestamp.format(receivedAt)), 'applying')
                ON CONFLICT (provider, event_id) DO NOTHING RETURNING 1
                """)
            guard claimed > 0 else { return .replayed }
            // Locked: events of one pledge (and a cancellation) move it one at a time.
            let key = StoreSQL.pledgeKey(of: event)
            let row = try await session.row(
                "SELECT * FROM pledges WHERE \(unescaped: key.column) = \(key.value) AND provider = \(provider) FOR UPDATE")
            let pledge = try row.map(Pledge.init(stored:))
            var outcome = PaymentEventOutcome.unknownPledge
            if let row, let pledge { outcome = try await Self.apply(event, to: pledge, stored: row, session, at: receivedAt) }
            try await session.execute(
                """
                UPDATE payment_events SET pledge_id = \(pledge?.id), outcome = \(outcome.recordedText)
                WHERE provider = \(provider) AND event_id = \(event.id)
                """)
            return outcome
        }
    }

    /// The state machine applied to one event, in the event's transaction; `stored` is the
    /// pledge's row (for the columns `Pledge` does not carry), locked by the caller.
    private static func apply(
        _ event: PaymentEvent, to pledge: Pledge, stored: PostgresRandomAccessRow, _ session: PostgresSession, at time: Date
    ) async throws -> PaymentEventOutcome {
        let plan = event.plan(for: pledge, lastChange: try stored.value("status_changed_at", as: Date.self))
        if plan.recordsPayment {
            try await session.execute(
                """
                INSERT INTO pledge_payments (pledge_id, amount_minor, currency, card_brand, card_last4, provider_event_id, paid_at)
                VALUES (\(pledge.id), \(event.amountMinor ?? pledge.amount.minorUnits), \(pledge.amount.currency.code),
                    \((event.card ?? pledge.card)?.brand), \((event.card ?? pledge.card)?.last4), \(event.id),
                    \(Timestamp.format(event.occurredAt)))
                """)
        }
        if let target = plan.move {
            try await session.execute(
                """
                UPDATE pledges SET status = \(target.rawValue), status_changed_at = \(Timestamp.format(event.occurredAt)),
                    updated_at = \(Timestamp.format(time)), card_brand = coalesce(\(event.card?.brand), card_brand),
                    card_last4 = coalesce(\(event.card?.last4), card_last4)
                WHERE id = \(pledge.id)
                """)
        }
        try await save(plan.effects(of: event, on: pledge, address: try stored["email_normalized"], at: time), session)
        return plan.outcome
    }

    // MARK: Cancelling and reading

    public func recordRecurringStart(id: Int64, _ start: RecurringStart, at time: Date) async throws -> Bool {
        try await write { session in
            // Locked: the subscription's first invoice event waits, then finds the pledge by its reference.
            guard let row = try await session.row("SELECT * FROM pledges WHERE id = \(id) FOR UPDATE") else { return false }
            let pledge = try Pledge(stored: row)
            guard pledge.status == .pending || pledge.status == .failed else { return false }
            let (brand, last4, stamp) = (start.card?.brand, start.card?.last4, Timestamp.format(time))
            try await session.execute(
                "UPDATE pledges SET provider_reference = \(start.reference), card_brand = \(brand), card_last4 = \(last4), updated_at = \(stamp) WHERE id = \(id)")
            try await Self.save(.recurringStarted(pledge, start, at: time), session)
            return true
        }
    }

    public func cancelPledge(id: Int64, at time: Date, actor: String) async throws -> (pledge: Pledge, changed: Bool)? {
        try await write { session in
            // Locked: a provider event for this pledge waits, then sees it canceled.
            guard let row = try await session.row("SELECT * FROM pledges WHERE id = \(id) FOR UPDATE") else { return nil }
            var pledge = try Pledge(stored: row)
            guard pledge.status.canMove(to: .canceled, interval: pledge.interval) else { return (pledge, false) }
            let stamp = Timestamp.format(time)
            try await session.execute(
                "UPDATE pledges SET status = 'canceled', status_changed_at = \(stamp), updated_at = \(stamp) WHERE id = \(id)")
            try await Self.save(.pledgeCanceled(pledge, address: try row["email_normalized"], actor: actor, at: time), session)
            pledge.status = .canceled
            pledge.updatedAt = time
            return (pledge, true)
        }
    }

    public func pledge(id: Int64) async throws -> Pledge? {
        try await read { session in try await session.row("SELECT * FROM pledges WHERE id = \(id)").map(Pledge.init(stored:)) }
    }

    public func pledge(publicID: String) async throws -> Pledge? {
        try await read { session in
            try await session.row("SELECT * FROM pledges WHERE public_id = \(publicID)").map(Pledge.init(stored:))
        }
    }

    public func pledges(status: PledgeStatus?, since: Date?, limit: Int) async throws -> [Pledge] {
        let state = status?.rawValue
        let after = since.map(Timestamp.format)
        return try await read { session in
            try await session.rows(
                """
                SELECT * FROM pledges WHERE (\(state)::text IS NULL OR status = \(state))
                    AND (\(after)::text IS NULL OR created_at >= \(after))
                ORDER BY created_at DESC, id DESC LIMIT \(limit)
                """
            ).map(Pledge.init(stored:))
        }
    }

    public func pledgeHistory(id: Int64) async throws -> [PledgeHistoryEntry] {
        try await read { session in
            try await session.rows(
                "SELECT occurred_at, actor, action, details FROM events WHERE subject_type = 'pledge' AND subject_id = \(id) ORDER BY id"
            ).map(PledgeHistoryEntry.init(stored:))
        }
    }

    public func pledgeSummary(by grouping: PledgeSummaryGrouping, since: Date?) async throws -> [PledgeSummaryRow] {
        let after = since.map(Timestamp.format)
        // sum() of BIGINT is NUMERIC in PostgreSQL: cast back, the totals fit.
        let query: PostgresQuery = """
            SELECT \(unescaped: StoreSQL.summaryGroup(grouping)) AS grp, p.currency,
                count(*) AS pledges,
                count(*) FILTER (WHERE p.status IN ('succeeded', 'active')) AS paying,
                coalesce(sum((SELECT count(*) FROM pledge_payments pp WHERE pp.pledge_id = p.id)), 0)::bigint AS payments,
                coalesce(sum(CASE WHEN p.status IN \(unescaped: StoreSQL.returnedStates) THEN 0 ELSE \(unescaped: StoreSQL.pledgeReceived) END), 0)::bigint
                    AS collected,
                coalesce(sum(CASE WHEN p.status IN \(unescaped: StoreSQL.returnedStates) THEN \(unescaped: StoreSQL.pledgeReceived) ELSE 0 END), 0)::bigint
                    AS returned
            FROM pledges p WHERE (\(after)::text IS NULL OR p.created_at >= \(after))
            GROUP BY grp, p.currency ORDER BY grp, p.currency
            """
        return try await read { session in
            try await session.rows(query).map(PledgeSummaryRow.init(stored:))
        }
    }
}
