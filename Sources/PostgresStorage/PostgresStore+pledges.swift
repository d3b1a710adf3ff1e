public import DonationPledges
public import Foundation
public import NewsletterSignup
import PostgresNIO
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
        let rows = try await session.rows(
            """
            SELECT c.currency, c.minimum_minor, c.maximum_minor, c.custom_amount,
                t.interval AS tier_interval, t.name AS tier_name, t.amount_minor AS tier_amount_minor
            FROM pledge_currencies c LEFT JOIN pledge_tiers t ON t.currency = c.currency
            WHERE \(code)::text IS NULL OR c.currency = \(code)
            ORDER BY c.currency, t.interval, t.amount_minor, t.name
            """)
        var offers: [CurrencyOffer] = []
        for row in rows {
            guard let currency = Currency.named(try row["currency", as: String.self]) else { continue }
            if offers.last?.currency != currency {
                offers.append(
                    CurrencyOffer(
                        currency: currency, minimum: Money(minorUnits: try row["minimum_minor"], currency: currency),
                        maximum: Money(minorUnits: try row["maximum_minor"], currency: currency),
                        customAmount: try row["custom_amount", as: Int64.self] != 0, tiers: []))
            }
            guard let name = try row["tier_name", as: String?.self] else { continue }
            offers[offers.count - 1].tiers.append(
                Tier(
                    name: name, interval: try row.enumValue("tier_interval"),
                    amount: Money(minorUnits: try row["tier_amount_minor"], currency: currency)))
        }
        return offers
    }

    // MARK: Creating

    public func storedAnswer(idempotencyKey: String) async throws -> StoredAnswer? {
        try await read { session in try await Self.storedAnswer(session, key: idempotencyKey) }
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
        return StoredAnswer(requestHash: try row["request_hash"], response: try row["response"])
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
            let row = try await session.row(
                "SELECT * FROM pledges WHERE public_id = \(event.pledge) AND provider = \(provider) FOR UPDATE")
            let pledge = try row.map(Self.pledge(from:))
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
        let plan = event.plan(for: pledge, lastChange: try stored.date("status_changed_at"))
        if plan.recordsPayment {
            try await session.execute(
                """
                INSERT INTO pledge_payments (pledge_id, amount_minor, currency, card_brand, card_last4, provider_event_id, paid_at)
                VALUES (\(pledge.id), \(event.amountMinor ?? pledge.amount.minorUnits), \(pledge.amount.currency.code),
                    \(event.card?.brand), \(event.card?.last4), \(event.id), \(Timestamp.format(event.occurredAt)))
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

    public func cancelPledge(id: Int64, at time: Date, actor: String) async throws -> (pledge: Pledge, changed: Bool)? {
        try await write { session in
            // Locked: a provider event for this pledge waits, then sees it canceled.
            guard let row = try await session.row("SELECT * FROM pledges WHERE id = \(id) FOR UPDATE") else { return nil }
            var pledge = try Self.pledge(from: row)
            guard pledge.status.canMove(to: .canceled, interval: pledge.interval) else { return (pledge, false) }
            let stamp = Timestamp.format(time)
            try await session.execute(
                "UPDATE pledges SET status = 'canceled', status_changed_at = \(stamp), updated_at = \(stamp) WHERE id = \(id)")
            try await Self.save(.pledgeCanceled(pledge, actor: actor, at: time), session)
            pledge.status = .canceled
            pledge.updatedAt = time
            return (pledge, true)
        }
    }

    public func pledge(id: Int64) async throws -> Pledge? {
        try await read { session in try await session.row("SELECT * FROM pledges WHERE id = \(id)").map(Self.pledge(from:)) }
    }

    public func pledge(publicID: String) async throws -> Pledge? {
        try await read { session in
            try await session.row("SELECT * FROM pledges WHERE public_id = \(publicID)").map(Self.pledge(from:))
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
            ).map(Self.pledge(from:))
        }
    }

    public func pledgeHistory(id: Int64) async throws -> [PledgeHistoryEntry] {
        try await read { session in
            try await session.rows(
                "SELECT occurred_at, actor, action, details FROM events WHERE subject_type = 'pledge' AND subject_id = \(id) ORDER BY id"
            ).map { row in
                PledgeHistoryEntry(
                    occurredAt: try row.date("occurred_at"), actor: try row["actor"], action: try row["action"],
                    details: JSONText.stringObject(try row["details"]))
            }
        }
    }

    public func pledgeSummary(by grouping: PledgeSummaryGrouping, since: Date?) async throws -> [PledgeSummaryRow] {
        // A fixed SQL expression per grouping, never input.
        let group =
            switch grouping {
            case .day: "substr(p.created_at, 1, 10)"
            case .month: "substr(p.created_at, 1, 7)"
            case .tier: "coalesce(p.tier, '(custom)') || ' ' || p.interval"
            case .currency: "p.currency"
            }
        let after = since.map(Timestamp.format)
        // sum() of BIGINT is NUMERIC in PostgreSQL: cast back, the totals fit.
        let query: PostgresQuery = """
            SELECT \(unescaped: group) AS grp, p.currency,
                count(*) AS pledges,
                count(*) FILTER (WHERE p.status IN ('succeeded', 'active')) AS paying,
                coalesce(sum((SELECT count(*) FROM pledge_payments pp WHERE pp.pledge_id = p.id)), 0)::bigint AS payments,
                coalesce(sum((SELECT sum(amount_minor) FROM pledge_payments pp WHERE pp.pledge_id = p.id)), 0)::bigint AS collected
            FROM pledges p WHERE (\(after)::text IS NULL OR p.created_at >= \(after))
            GROUP BY grp, p.currency ORDER BY grp, p.currency
            """
        return try await read { session in
            try await session.rows(query).map { row in
                PledgeSummaryRow(
                    group: try row["grp"], currency: try row["currency"], pledges: try row["pledges", as: Int.self],
                    paying: try row["paying", as: Int.self], payments: try row["payments", as: Int.self],
                    collectedMinor: try row["collected", as: Int64.self])
            }
        }
    }

    static func pledge(from row: PostgresRandomAccessRow) throws -> Pledge {
        let code: String = try row["currency"]
        guard let currency = Currency.named(code) else {
            throw PostgresRandomAccessRow.UnreadableColumn(column: "currency", value: code)
        }
        let brand = try row["card_brand", as: String?.self]
        let last4 = try row["card_last4", as: String?.self]
        return Pledge(
            id: try row["id"], publicID: try row["public_id"], email: try row["email"], name: try row["name"],
            amount: Money(minorUnits: try row["amount_minor"], currency: currency), interval: try row.enumValue("interval"),
            tier: try row["tier"], status: try row.enumValue("status"),
            card: brand.flatMap { brand in last4.flatMap { CardSummary(brand: brand, last4: $0) } },
            checkoutURL: try row["checkout_url"], returnURL: try row["return_url"], provider: try row["provider"],
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
