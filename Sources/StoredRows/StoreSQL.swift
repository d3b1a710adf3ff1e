public import DonationPledges
import SubscriberLists

/// SQL text both engines run as it is: fixed fragments, never input. Each engine adds its own
/// WHERE clause and parameters (`?` for SQLite, `$n` for PostgreSQL).
public enum StoreSQL {
    /// The columns of a `MembershipRow`; append WHERE/ORDER/LIMIT.
    public static let membershipSelect = "SELECT \(membershipColumns)\n\(membershipTables)"

    /// ``membershipSelect`` for an export; with consent, also the latest consent record covering
    /// each membership (read back with `ConsentRecord(exported:)`).
    public static func membershipExport(withConsent: Bool) -> String {
        guard withConsent else { return membershipSelect }
        return "SELECT \(membershipColumns)\(consentColumns)\n\(membershipTables)\n\(latestConsentJoin)"
    }

    static let membershipColumns = """
        s.id AS subscription_id, sub.email, sub.name, sub.locale, sub.attributes, n.slug AS newsletter,
        s.status, s.created_at, s.confirmed_at, s.unsubscribed_at
        """

    static let membershipTables = """
        FROM subscriptions s
        JOIN subscribers sub ON sub.id = s.subscriber_id
        JOIN newsletters n ON n.id = s.newsletter_id
        """

    static let consentColumns = """
        , c.id AS consent_id, c.action AS consent_action, c.source AS consent_source, c.client_ip AS consent_client_ip,
          c.user_agent AS consent_user_agent, c.consent_text_version AS consent_text_version,
          c.basis AS consent_basis, c.recorded_at AS consent_recorded_at, c.confirmed_at AS consent_confirmed_at
        """

    static let latestConsentJoin = """
        LEFT JOIN consent_records c ON c.id = (
            SELECT max(cr.id) FROM consent_records cr
            JOIN consent_newsletters cn ON cn.consent_id = cr.id AND cn.newsletter_id = s.newsletter_id
            WHERE cr.subscriber_id = s.subscriber_id)
        """

    /// `SignupEmail.cappedKinds` as an SQL list, for `kind IN \(cappedKinds)`.
    public static let cappedKinds = "(" + SignupEmail.cappedKinds.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"

    /// Every offer with its tiers, one row per tier (read back with `CurrencyOffer.offers(stored:)`);
    /// insert the engine's WHERE between this and ``offersOrder``.
    public static let offersSelect = """
        SELECT c.currency, c.minimum_minor, c.maximum_minor, c.custom_amount,
            t.interval AS tier_interval, t.name AS tier_name, t.amount_minor AS tier_amount_minor
        FROM pledge_currencies c LEFT JOIN pledge_tiers t ON t.currency = c.currency
        """

    /// The support page's order of offers and tiers.
    public static let offersOrder = "ORDER BY c.currency, t.interval, t.amount_minor, t.name"

    /// The states whose money was given back or is held, as an SQL list: `('refunded', 'disputed')`.
    public static let returnedStates = "(" + PledgeStatus.allCases.filter(\.isReturned).map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"

    /// A pledge's money received, a subquery over `pledges p`.
    public static let pledgeReceived = "(SELECT sum(amount_minor) FROM pledge_payments pp WHERE pp.pledge_id = p.id)"

    /// The column a provider event finds its pledge by: the pledge's public id when the event
    /// carries it, else the provider's payment id.
    public static func pledgeKey(of event: PaymentEvent) -> (column: String, value: String?) {
        event.pledge.isEmpty ? ("provider_reference", event.reference) : ("public_id", event.pledge)
    }

    /// What the card-testing limits count, each the newest `$3` at most of one source's since
    /// `$2`, as `n` and the oldest of them: pledges by reader or client address (`$1`), and
    /// declined payments (one `payment_failed` event each) of their pledges. Counting no further
    /// than the limit keeps each check a short index range, however busy a source was. The
    /// parameters are PostgreSQL's; SQLite reads `$1` as a named parameter and binds it by position alike.
    public static let pledgeAttemptQueries = [
        "email_normalized", "client_ip",
    ].map { column in
        "SELECT count(*) AS n, min(t) AS oldest FROM (SELECT created_at AS t FROM pledges WHERE \(column) = $1 AND created_at >= $2 "
            + "ORDER BY created_at DESC LIMIT $3) AS recent"
    } + ["email_normalized", "client_ip"].map { column in
        "SELECT count(*) AS n, min(t) AS oldest FROM (SELECT e.received_at AS t FROM payment_events e JOIN pledges p ON p.id = e.pledge_id "
            + "WHERE p.\(column) = $1 AND e.type = 'payment_failed' AND e.received_at >= $2 ORDER BY e.received_at DESC LIMIT $3) AS recent"
    }

    /// The expression `pledges summary` groups by, over `pledges p`.
    public static func summaryGroup(_ grouping: PledgeSummaryGrouping) -> String {
        switch grouping {
        case .day: "substr(p.created_at, 1, 10)"
        case .month: "substr(p.created_at, 1, 7)"
        case .tier: "coalesce(p.tier, '(custom)') || ' ' || p.interval"
        case .currency: "p.currency"
        }
    }
}
