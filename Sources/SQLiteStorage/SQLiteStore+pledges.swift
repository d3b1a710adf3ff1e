public import DonationPledges
public import Foundation
import GRDB
import StoredRows
public import NewsletterSignup
import SideEffects
import SubscriberLists

/// Pledges, their payments and provider events, and the currency offers (migration 0004).
extension SQLiteStore: PledgeStore {
    // MARK: Offers

    public func currencyOffer(_ code: String) async throws -> CurrencyOffer? {
        try lookup { db in try Self.offers(db, code: code).first }
    }

    public func currencyOffers() async throws -> [CurrencyOffer] {
        try lookup { db in try Self.offers(db, code: nil) }
    }

    public func setCurrencyLimits(minimum: Money, maximum: Money, customAmount: Bool, at time: Date, actor: String) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO pledge_currencies (currency, minimum_minor, maximum_minor, custom_amount) VALUES (?, ?, ?, ?)
                    ON CONFLICT (currency) DO UPDATE SET minimum_minor = excluded.minimum_minor,
                        maximum_minor = excluded.maximum_minor, custom_amount = excluded.custom_amount
                    """, arguments: [minimum.currency.code, minimum.minorUnits, maximum.minorUnits, customAmount])
            try Self.save(
                .currencyLimitsSet(minimum: minimum, maximum: maximum, customAmount: customAmount, actor: actor, at: time), db)
        }
    }

    public func setTier(_ tier: Tier, at time: Date, actor: String) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO pledge_tiers (currency, interval, name, amount_minor) VALUES (?, ?, ?, ?)
                    ON CONFLICT (currency, interval, name) DO UPDATE SET amount_minor = excluded.amount_minor
                    """, arguments: [tier.amount.currency.code, tier.interval.rawValue, tier.name, tier.amount.minorUnits])
            try Self.save(.tierSet(tier, actor: actor, at: time), db)
        }
    }

    public func removeTier(name: String, currency: String, interval: PledgeInterval, at time: Date, actor: String) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM pledge_tiers WHERE currency = ? AND interval = ? AND name = ?",
                arguments: [currency, interval.rawValue, name])
            guard db.changesCount > 0 else { return false }
            try Self.save(.tierRemoved(name: name, currency: currency, interval: interval, actor: actor, at: time), db)
            return true
        }
    }

    /// The offers with their tiers, in one statement.
    private static func offers(_ db: Database, code: String?) throws -> [CurrencyOffer] {
        try CurrencyOffer.offers(stored: Row.fetchAll(
            db.cachedStatement(sql: "\(StoreSQL.offersSelect) WHERE ? IS NULL OR c.currency = ? \(StoreSQL.offersOrder)"),
            arguments: [code, code]))
    }

    // MARK: Creating

    public func storedAnswer(idempotencyKey: String) async throws -> StoredAnswer? {
        try lookup { db in try Self.storedAnswer(db, key: idempotencyKey) }
    }

    public func pledgeAttempts(address: String, clientIP: String?, pledges: PledgeAttempts.Window, declines: PledgeAttempts.Window) async throws
        -> PledgeAttempts
    {
        try lookup { db in
            var arguments = StatementArguments()
            for (source, window) in [(address, pledges), (clientIP, pledges), (address, declines), (clientIP, declines)] {
                arguments += [source, Timestamp.format(window.since), window.atMost]
            }
            let counts = try Row.fetchAll(db.cachedStatement(sql: StoreSQL.pledgeAttemptsQuery), arguments: arguments)
                .map(PledgeAttempts.Count.init(stored:))
            return try PledgeAttempts(counts)
        }
    }

    public func createPledge(_ record: PledgeRecord, optIn: PreparedSignup?) async throws -> PledgeRecording {
        try await write { db in
            // Two requests with one key may race past the first look; the writer decides.
            if let stored = try Self.storedAnswer(db, key: record.idempotencyKey) { return .alreadyStored(stored) }
            let stamp = Timestamp.format(record.time)
            try db.cachedStatement(sql: """
                INSERT INTO pledges (public_id, email, email_normalized, name, amount_minor, currency, interval, tier,
                    status, status_changed_at, idempotency_key, request_hash, response, provider, provider_reference,
                    checkout_url, return_url, source, client_ip, user_agent, locale, consent_text_version, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    record.publicID, record.email, record.normalizedEmail, record.name, record.amount.minorUnits,
                    record.amount.currency.code, record.interval.rawValue, record.tier, stamp, record.idempotencyKey,
                    record.requestHash, record.response, record.provider, record.providerReference, record.checkoutURL,
                    record.returnURL, record.source, record.clientIP, record.userAgent, record.locale,
                    record.consentTextVersion, stamp, stamp,
                ])
            try Self.save(.pledgeCreated(record, id: db.lastInsertedRowID), db)
            return .recorded(signup: try optIn.map { try Self.recordSignup($0, db) })
        }
    }

    private static func storedAnswer(_ db: Database, key: String) throws -> StoredAnswer? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT request_hash, response FROM pledges WHERE idempotency_key = ?"), arguments: [key]
        ).map(StoredAnswer.init(stored:))
    }

    // MARK: Provider events

    public func applyPaymentEvent(_ event: PaymentEvent, provider: String, receivedAt: Date) async throws -> PaymentEventOutcome {
        try await write { db in
            let seen = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM payment_events WHERE provider = ? AND event_id = ?)"),
                arguments: [provider, event.id]) ?? false
            if seen { return .replayed }
            let key = StoreSQL.pledgeKey(of: event)
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM pledges WHERE \(key.column) = ? AND provider = ?"), arguments: [key.value, provider])
            let pledge = try row.map(Pledge.init(stored:))
            var outcome = PaymentEventOutcome.unknownPledge
            if let row, let pledge { outcome = try Self.apply(event, to: pledge, stored: row, db, at: receivedAt) }
            try db.cachedStatement(sql: """
                INSERT INTO payment_events (provider, event_id, type, pledge_id, occurred_at, received_at, outcome)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    provider, event.id, event.kind.type, pledge?.id, Timestamp.format(event.occurredAt),
                    Timestamp.format(receivedAt), outcome.recordedText,
                ])
            return outcome
        }
    }

    /// The state machine applied to one event, in the event's transaction; `stored` is the
    /// pledge's row (for the columns `Pledge` does not carry).
    private static func apply(
        _ event: PaymentEvent, to pledge: Pledge, stored: Row, _ db: Database, at time: Date
    ) throws -> PaymentEventOutcome {
        let plan = event.plan(for: pledge, lastChange: try stored.value("status_changed_at", as: Date.self))
        if plan.recordsPayment {
            try db.cachedStatement(sql: """
                INSERT INTO pledge_payments (pledge_id, amount_minor, currency, card_brand, card_last4, provider_event_id, paid_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    pledge.id, event.amountMinor ?? pledge.amount.minorUnits, pledge.amount.currency.code,
                    (event.card ?? pledge.card)?.brand, (event.card ?? pledge.card)?.last4, event.id, Timestamp.format(event.occurredAt),
                ])
        }
        if let target = plan.move {
            try db.cachedStatement(sql: """
                UPDATE pledges SET status = ?, status_changed_at = ?, updated_at = ?,
                    card_brand = coalesce(?, card_brand), card_last4 = coalesce(?, card_last4)
                WHERE id = ?
                """).execute(arguments: [
                    target.rawValue, Timestamp.format(event.occurredAt), Timestamp.format(time), event.card?.brand,
                    event.card?.last4, pledge.id,
                ])
        }
        try save(plan.effects(of: event, on: pledge, address: stored["email_normalized"], at: time), db)
        return plan.outcome
    }

    // MARK: Cancelling and reading

    public func recordRecurringStart(id: Int64, _ start: RecurringStart, at time: Date) async throws -> Bool {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM pledges WHERE id = ?", arguments: [id]) else { return false }
            let pledge = try Pledge(stored: row)
            guard pledge.status == .pending || pledge.status == .failed else { return false }
            try db.execute(
                sql: "UPDATE pledges SET provider_reference = ?, card_brand = ?, card_last4 = ?, updated_at = ? WHERE id = ?",
                arguments: [start.reference, start.card?.brand, start.card?.last4, Timestamp.format(time), id])
            try Self.save(.recurringStarted(pledge, start, at: time), db)
            return true
        }
    }

    public func cancelPledge(id: Int64, at time: Date, actor: String) async throws -> (pledge: Pledge, changed: Bool)? {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM pledges WHERE id = ?", arguments: [id]) else { return nil }
            var pledge = try Pledge(stored: row)
            guard pledge.status.canMove(to: .canceled, interval: pledge.interval) else { return (pledge, false) }
            let stamp = Timestamp.format(time)
            try db.execute(
                sql: "UPDATE pledges SET status = 'canceled', status_changed_at = ?, updated_at = ? WHERE id = ?",
                arguments: [stamp, stamp, id])
            try Self.save(.pledgeCanceled(pledge, address: row["email_normalized"], actor: actor, at: time), db)
            pledge.status = .canceled
            pledge.updatedAt = time
            return (pledge, true)
        }
    }

    public func pledge(id: Int64) async throws -> Pledge? {
        try lookup { db in try Row.fetchOne(db, sql: "SELECT * FROM pledges WHERE id = ?", arguments: [id]).map(Pledge.init(stored:)) }
    }

    public func pledge(publicID: String) async throws -> Pledge? {
        try lookup { db in
            try Row.fetchOne(db, sql: "SELECT * FROM pledges WHERE public_id = ?", arguments: [publicID]).map(Pledge.init(stored:))
        }
    }

    public func pledges(status: PledgeStatus?, since: Date?, limit: Int) async throws -> [Pledge] {
        try await read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT * FROM pledges WHERE (? IS NULL OR status = ?) AND (? IS NULL OR created_at >= ?)
                    ORDER BY created_at DESC, id DESC LIMIT ?
                    """,
                arguments: [status?.rawValue, status?.rawValue, since.map(Timestamp.format), since.map(Timestamp.format), limit]
            ).map(Pledge.init(stored:))
        }
    }

    public func pledgeHistory(id: Int64) async throws -> [PledgeHistoryEntry] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT occurred_at, actor, action, details FROM events WHERE subject_type = 'pledge' AND subject_id = ? ORDER BY id",
                arguments: [id]
            ).map(PledgeHistoryEntry.init(stored:))
        }
    }

    public func pledgeSummary(by grouping: PledgeSummaryGrouping, since: Date?) async throws -> [PledgeSummaryRow] {
        try await read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT \(StoreSQL.summaryGroup(grouping)) AS grp, p.currency,
                        count(*) AS pledges,
                        sum(p.status IN ('succeeded', 'active')) AS paying,
                        coalesce(sum((SELECT count(*) FROM pledge_payments pp WHERE pp.pledge_id = p.id)), 0) AS payments,
                        coalesce(sum(CASE WHEN p.status IN \(StoreSQL.returnedStates) THEN 0 ELSE \(StoreSQL.pledgeReceived) END), 0) AS collected,
                        coalesce(sum(CASE WHEN p.status IN \(StoreSQL.returnedStates) THEN \(StoreSQL.pledgeReceived) ELSE 0 END), 0) AS returned
                    FROM pledges p WHERE (? IS NULL OR p.created_at >= ?)
                    GROUP BY grp, p.currency ORDER BY grp, p.currency
                    """, arguments: [since.map(Timestamp.format), since.map(Timestamp.format)]
            ).map(PledgeSummaryRow.init(stored:))
        }
    }
}
