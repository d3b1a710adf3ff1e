public import Foundation

/// What `masthead subscribers find` looks for; every criterion narrows the result.
public struct SubscriberSearch: Sendable, Equatable {
    /// Part of the normalised address.
    public var emailContains: String?
    /// The exact domain (A-label form, lower case).
    public var domain: String?
    /// Only members of this newsletter.
    public var newsletter: String?
    /// Only memberships in this state.
    public var state: SubscriptionStatus?
    /// Only memberships created at or after this time.
    public var since: Date?
    /// Most rows.
    public var limit: Int

    /// Creates a search (100 rows by default).
    public init(
        emailContains: String? = nil, domain: String? = nil, newsletter: String? = nil, state: SubscriptionStatus? = nil,
        since: Date? = nil, limit: Int = 100
    ) {
        self.emailContains = emailContains
        self.domain = domain
        self.newsletter = newsletter
        self.state = state
        self.since = since
        self.limit = limit
    }
}

/// One row of a search or an export: a membership with its subscriber.
public struct MembershipRow: Sendable, Equatable, Codable {
    public var subscriptionID: Int64
    public var email: String
    public var name: String?
    public var locale: String?
    public var newsletter: String
    public var status: SubscriptionStatus
    public var subscribedAt: Date
    public var confirmedAt: Date?
    public var unsubscribedAt: Date?
    public var attributes: [String: String]
    /// The latest consent covering this membership (export `--with-consent` only).
    public var consent: ConsentRecord?

    /// Creates a row.
    public init(
        subscriptionID: Int64, email: String, name: String?, locale: String?, newsletter: String, status: SubscriptionStatus,
        subscribedAt: Date, confirmedAt: Date?, unsubscribedAt: Date?, attributes: [String: String], consent: ConsentRecord?
    ) {
        self.subscriptionID = subscriptionID
        self.email = email
        self.name = name
        self.locale = locale
        self.newsletter = newsletter
        self.status = status
        self.subscribedAt = subscribedAt
        self.confirmedAt = confirmedAt
        self.unsubscribedAt = unsubscribedAt
        self.attributes = attributes
        self.consent = consent
    }
}
