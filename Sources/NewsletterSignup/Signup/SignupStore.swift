public import Foundation
public import SubscriberLists
public import SideEffects

/// The persistence sign-up needs, in its own words. Each call is one short transaction.
///
/// The decisions (who gets which state, whether an email goes out) are made by
/// ``SignupPlanner`` from a ``SignupSnapshot`` read *inside* the store's transaction, so
/// concurrent requests for one address cannot both decide to send. Implementations:
/// `SQLiteStore` and `PostgresStore`.
public protocol SignupStore: NewsletterStore {
    /// In one transaction: passes the open (not archived) newsletters to the sign-up's `choose`,
    /// which picks the request's or throws a ``SignupError`` (then nothing is written); upserts
    /// the subscriber, reads its state for the chosen newsletters, applies its `plan`, and writes
    /// the subscriptions, the consent record and the planned effects (audit record, email).
    /// A suppressed address (``SignupRecord/addressHash`` on the suppression list) records
    /// nothing but an audit event without the address, and sends nothing.
    func recordSignup(_ signup: PreparedSignup) async throws -> SignupOutcome

    /// Queues a fresh confirmation for the newest sign-up of `address` that still has pending
    /// subscriptions, when `allow` agrees with the snapshot and the address is not suppressed.
    /// Returns whether one was queued.
    func recordResend(
        address: String, addressHash: String, at time: Date, refusal: @escaping @Sendable (SignupSnapshot) -> ResendRefusal?
    ) async throws -> ResendOutcome

    /// Confirms the pending subscriptions of a consent record whose subscriber's normalised
    /// address passes `isBound`.
    func confirm(
        consent: Int64, at time: Date, client: ClientContext, isBound: @escaping @Sendable (String) -> Bool
    ) async throws -> LinkOutcome

    /// Marks the active subscriptions of a consent record's newsletters `bounced`, with the
    /// reason, and puts the address on the suppression list.
    func markBounced(consent: Int64, addressHash: String, reason: String, at time: Date) async throws

    /// Unsubscribes the newsletters of a consent record whose subscriber's address passes `isBound`.
    func unsubscribe(
        consent: Int64, at time: Date, client: ClientContext, isBound: @escaping @Sendable (String) -> Bool
    ) async throws -> LinkOutcome

    /// Who the subscriber behind `consent` is, if its address passes `isBound`.
    func reader(consent: Int64, isBound: @escaping @Sendable (String) -> Bool) async throws -> ReaderIdentity?

    /// Queues `draft` unless `limit` messages of its kind were queued for its subscriber since
    /// `since`; returns whether it was queued.
    func queueReaderMail(_ draft: OutboxDraft, limit: Int, since: Date) async throws -> Bool

    /// The preferences of the subscriber behind `consent` (if its address passes `isBound`);
    /// with a `choice`, first makes their public newsletters what it asks, in one transaction.
    func preferences(
        consent: Int64, choice: PreferencesChoice?, at time: Date, client: ClientContext?, isBound: @escaping @Sendable (String) -> Bool
    ) async throws -> Preferences?
}

/// A validated sign-up, ready to be recorded.
public struct SignupRecord: Sendable {
    /// The normalised address (unique key of the subscriber).
    public var normalizedAddress: String
    /// The address to send to (A-label domain).
    public var mailbox: String
    /// The keyed hash the suppression list is checked with.
    public var addressHash: String
    /// The reader's language.
    public var locale: String?
    /// Where the form was.
    public var source: String?
    /// Who sent it.
    public var client: ClientContext
    /// The consent text version agreed to.
    public var consentTextVersion: String
    /// When.
    public var time: Date
}

/// A validated sign-up with the rules its store applies inside the transaction
/// (``SignupService/prepare(_:)``).
public struct PreparedSignup: Sendable {
    /// What to record.
    public var record: SignupRecord
    /// Picks the request's newsletters among the open ones, or throws a ``SignupError``.
    public var choose: @Sendable ([Newsletter]) throws -> [Newsletter]
    /// Decides the changes and the email from the address's state (``SignupPlanner``).
    public var plan: @Sendable (SignupSnapshot, [Newsletter]) -> SignupPlan

    /// Binds a record to its rules.
    public init(
        record: SignupRecord, choose: @escaping @Sendable ([Newsletter]) throws -> [Newsletter],
        plan: @escaping @Sendable (SignupSnapshot, [Newsletter]) -> SignupPlan
    ) {
        self.record = record
        self.choose = choose
        self.plan = plan
    }
}

/// What the store knows about an address at the moment of a sign-up or resend.
public struct SignupSnapshot: Sendable, Equatable {
    /// Current state per newsletter id, for the newsletters concerned (absent: never subscribed).
    public var statuses: [Int64: SubscriptionStatus]
    /// Confirmation and notice emails queued for this subscriber in the 24 hours before now.
    public var emailsInLastDay: Int
    /// When the last such email was queued.
    public var lastEmailAt: Date?

    /// Creates a snapshot.
    public init(statuses: [Int64: SubscriptionStatus], emailsInLastDay: Int, lastEmailAt: Date?) {
        self.statuses = statuses
        self.emailsInLastDay = emailsInLastDay
        self.lastEmailAt = lastEmailAt
    }
}

/// What to write for a sign-up: new states and at most one email.
public struct SignupPlan: Sendable, Equatable {
    /// Newsletter id → the state it moves to.
    public var changes: [Int64: SubscriptionStatus]
    /// The email to queue, if any.
    public var email: PlannedEmail?
    /// Why (for the audit event): `confirmation_queued`, `cooldown`, `daily_cap`, …
    public var reason: String

    /// Creates a plan.
    public init(changes: [Int64: SubscriptionStatus], email: PlannedEmail?, reason: String) {
        self.changes = changes
        self.email = email
        self.reason = reason
    }
}

/// An email the plan asks for.
public struct PlannedEmail: Sendable, Equatable {
    /// Which email.
    public var kind: SignupEmail.Kind
    /// The newsletters it is about.
    public var newsletterIDs: [Int64]

    /// Creates a planned email.
    public init(kind: SignupEmail.Kind, newsletterIDs: [Int64]) {
        self.kind = kind
        self.newsletterIDs = newsletterIDs
    }
}

/// What a recorded sign-up did (for logs and tests; never shown to the reader).
public struct SignupOutcome: Sendable, Equatable {
    /// The subscriber, new or existing (nil when the address is suppressed: nothing is stored).
    public var subscriberID: Int64?
    /// The consent record written (nil when suppressed).
    public var consentID: Int64?
    /// The plan that was applied.
    public var plan: SignupPlan

    /// Creates an outcome.
    public init(subscriberID: Int64?, consentID: Int64?, plan: SignupPlan) {
        self.subscriberID = subscriberID
        self.consentID = consentID
        self.plan = plan
    }
}

/// The result of using a confirm or unsubscribe link.
public enum LinkOutcome: Sendable, Equatable {
    /// The link did its job (or had already done it): these newsletters are now in the wanted state.
    case done(newsletters: [Newsletter], changed: Bool)
    /// The link is genuine but nothing is left for it to do (e.g. confirming after unsubscribing).
    case nothingToDo
    /// No such record, or it belongs to another address (erased, changed): treated as a bad link.
    case notFound
}
