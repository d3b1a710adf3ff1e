public import DonationPledges
import SideEffects

extension PledgeStatus: StoredState {}
extension PledgeInterval: StoredState {}

extension Currency: StoredValue {
    /// An ISO 4217 code of the currency table.
    public static func read(_ column: String, from row: some StoredRow) throws -> Currency {
        let code = try row.text(column)
        guard let currency = Currency.named(code) else { throw UnreadableColumn(column: column, value: code) }
        return currency
    }
}

extension Pledge {
    /// A `pledges` row (migration 0004).
    public init(stored row: some StoredRow) throws {
        let brand: String? = try row.value("card_brand")
        let last4: String? = try row.value("card_last4")
        self.init(
            id: try row.value("id"), publicID: try row.value("public_id"), email: try row.value("email"), name: try row.value("name"),
            amount: Money(minorUnits: try row.value("amount_minor"), currency: try row.value("currency")), interval: try row.value("interval"),
            tier: try row.value("tier"), status: try row.value("status"),
            card: brand.flatMap { brand in last4.flatMap { CardSummary(brand: brand, last4: $0) } },
            checkoutURL: try row.value("checkout_url"), returnURL: try row.value("return_url"), provider: try row.value("provider"),
            createdAt: try row.value("created_at"), updatedAt: try row.value("updated_at"),
            providerReference: try row.value("provider_reference"), locale: try row.value("locale"))
    }
}

extension PledgeHistoryEntry {
    /// An `events` row about a pledge.
    public init(stored row: some StoredRow) throws {
        self.init(
            occurredAt: try row.value("occurred_at"), actor: try row.value("actor"), action: try row.value("action"),
            details: JSONText.stringObject(try row.value("details")))
    }
}

extension PledgeSummaryRow {
    /// A row of ``StoreSQL/pledgeSummary(grouping:)``.
    public init(stored row: some StoredRow) throws {
        self.init(
            group: try row.value("grp"), currency: try row.value("currency"), pledges: try row.value("pledges"), paying: try row.value("paying"),
            payments: try row.value("payments"), collectedMinor: try row.value("collected"),
            returnedMinor: try row.value("returned"))
    }
}

extension StoredAnswer {
    /// The idempotency columns of a `pledges` row.
    public init(stored row: some StoredRow) throws {
        self.init(requestHash: try row.value("request_hash"), response: try row.value("response"))
    }
}

extension CurrencyOffer {
    /// The offers in rows of ``StoreSQL/offersSelect``: each currency's row repeats once per tier,
    /// in the support page's order; a currency without tiers has one row with NULL tier columns.
    /// A currency this version does not know is left out (it cannot be offered).
    public static func offers(stored rows: [some StoredRow]) throws -> [CurrencyOffer] {
        var offers: [CurrencyOffer] = []
        for row in rows {
            guard let currency = Currency.named(try row.value("currency")) else { continue }
            if offers.last?.currency != currency {
                offers.append(
                    CurrencyOffer(
                        currency: currency, minimum: Money(minorUnits: try row.value("minimum_minor"), currency: currency),
                        maximum: Money(minorUnits: try row.value("maximum_minor"), currency: currency),
                        customAmount: try row.value("custom_amount"), tiers: []))
            }
            guard let name: String = try row.value("tier_name") else { continue }
            offers[offers.count - 1].tiers.append(
                Tier(name: name, interval: try row.value("tier_interval"), amount: Money(minorUnits: try row.value("tier_amount_minor"), currency: currency)))
        }
        return offers
    }
}

extension PledgeAttempts {
    /// The four rows of ``StoreSQL/pledgeAttemptsQuery``, in order.
    public init(_ counts: [Count]) throws {
        guard counts.count == 4 else { throw UnreadableColumn(column: "k", value: "\(counts.count) rows, not 4") }
        self.init(pledgesByAddress: counts[0], pledgesByClient: counts[1], declinesByAddress: counts[2], declinesByClient: counts[3])
    }
}

extension PledgeAttempts.Count {
    /// A row of ``StoreSQL/pledgeAttemptsQuery``.
    public init(stored row: some StoredRow) throws {
        self.init(number: try row.value("n"), oldest: try row.value("oldest"))
    }
}
