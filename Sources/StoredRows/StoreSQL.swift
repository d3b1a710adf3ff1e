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
          c.locale AS consent_locale, c.basis AS consent_basis, c.recorded_at AS consent_recorded_at, c.confirmed_at AS consent_confirmed_at
        """

    static let latestConsentJoin = """
        LEFT JOIN consent_records c ON c.id = (
            SELECT max(cr.id) FROM consent_records cr
            JOIN consent_newsletters cn ON cn.consent_id = cr.id AND cn.newsletter_id = s.newsletter_id
            WHERE cr.subscriber_id = s.subscriber_id)
        """

    /// Up to `limit` subscribers retention erases: every membership pending or expired and never
    /// confirmed, the last sign-up begun before the cutoff (`cutoff`: the engine's placeholder,
    /// used twice). Their row is younger than the cutoff only if they appeared since.
    public static func neverConfirmedSubscribers(cutoff: String, limit: Int) -> String {
        """
        SELECT sub.id FROM subscribers sub
        WHERE sub.created_at < \(cutoff) AND NOT EXISTS (
            SELECT 1 FROM subscriptions s WHERE s.subscriber_id = sub.id
            AND (s.status NOT IN ('pending', 'expired') OR s.confirmed_at IS NOT NULL
                 OR coalesce(s.pending_since, s.created_at) >= \(cutoff)))
        ORDER BY sub.id LIMIT \(limit)
        """
    }

    /// Per newsletter: the messages sent since the parameter `since` (the engine's placeholder
    /// for it, used twice) to readers on it, and its memberships ended by a complaint since then.
    public static func feedbackPerNewsletter(since: String) -> String {
        """
        SELECT n.slug,
            (SELECT count(*) FROM outbox o JOIN subscriptions s ON s.subscriber_id = o.subscriber_id
             WHERE s.newsletter_id = n.id AND o.state = 'sent' AND o.sent_at >= \(since)) AS sent,
            (SELECT count(*) FROM subscriptions s WHERE s.newsletter_id = n.id AND s.status = 'complained' AND s.updated_at >= \(since)) AS complaints
        FROM newsletters n ORDER BY n.slug
        """
    }

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

    /// What the card-testing limits count, in one statement: four rows `k, n, oldest`, each the
    /// newest few attempts of one source (`n` of them, at most the limit, and the oldest one's
    /// time): k = 0 pledges by reader address, 1 by client address, 2 declined payments (one
    /// `payment_failed` event each) by reader address, 3 by client address. Each part takes
    /// three parameters: the source, the window's start, the limit. Counting no further than the
    /// limit keeps each part a short index range, however busy a source was. The parameters are
    /// PostgreSQL's `$1`…`$12`; SQLite reads them as named parameters and binds them by position alike.
    public static let pledgeAttemptsQuery: String = {
        let parts = [
            ("pledges", "created_at", "email_normalized"), ("pledges", "created_at", "client_ip"),
            ("declines", "e.received_at", "p.email_normalized"), ("declines", "e.received_at", "p.client_ip"),
        ]
        return parts.enumerated().map { index, part in
            let (kind, time, column) = part
            let (source, window, limit) = ("$\(3 * index + 1)", "$\(3 * index + 2)", "$\(3 * index + 3)")
            let from =
                kind == "pledges"
                ? "FROM pledges WHERE \(column) = \(source) AND created_at >= \(window)"
                : "FROM payment_events e JOIN pledges p ON p.id = e.pledge_id WHERE \(column) = \(source) AND e.type = 'payment_failed' AND e.received_at >= \(window)"
            return "SELECT \(index) AS k, count(*) AS n, min(t) AS oldest FROM (SELECT \(time) AS t \(from) ORDER BY \(time) DESC LIMIT \(limit)) AS recent\(index)"
        }.joined(separator: " UNION ALL ") + " ORDER BY k"
    }()

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
