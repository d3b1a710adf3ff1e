public import Foundation
public import NewsletterSignup

/// What the pledge library needs from storage, in its own words.
public protocol PledgeStore: Sendable {
    /// What `currency` accepts, or nil when pledges in it are not taken.
    func currencyOffer(_ code: String) async throws -> CurrencyOffer?
    /// Every currency taken, by code.
    func currencyOffers() async throws -> [CurrencyOffer]
    /// Creates or changes a currency's limits.
    func setCurrencyLimits(minimum: Money, maximum: Money, customAmount: Bool, at time: Date, actor: String) async throws
    /// Creates or changes a tier (its currency must be taken).
    func setTier(_ tier: Tier, at time: Date, actor: String) async throws
    /// Removes a tier; false when there was none.
    func removeTier(name: String, currency: String, interval: PledgeInterval, at time: Date, actor: String) async throws -> Bool

    /// The request fingerprint and answer stored under an idempotency key.
    func storedAnswer(idempotencyKey: String) async throws -> StoredAnswer?
    /// What the reader address `address` (normalised) and the client address `clientIP` did
    /// lately: pledges made and payments declined within their windows, counted up to each
    /// window's `atMost` (a window counting at most 0 is not counted).
    func pledgeAttempts(address: String, clientIP: String?, pledges: PledgeAttempts.Window, declines: PledgeAttempts.Window) async throws
        -> PledgeAttempts
    /// Records a new pending pledge and, in the same transaction, the newsletter sign-up its form
    /// asked for (`optIn`); when the key was taken meanwhile, records nothing and returns what is
    /// stored under it.
    func createPledge(_ record: PledgeRecord, optIn: PreparedSignup?) async throws -> PledgeRecording
    /// Applies a verified provider event once (see ``PaymentEventOutcome``).
    func applyPaymentEvent(_ event: PaymentEvent, provider: String, receivedAt: Date) async throws -> PaymentEventOutcome
    /// Records that the provider now charges a pending (or declined) recurring pledge under
    /// `start.reference`, with the card it saved; false when the pledge is in no state to start.
    func recordRecurringStart(id: Int64, _ start: RecurringStart, at time: Date) async throws -> Bool
    /// Cancels a monthly or annual pledge at the reader's or staff's request; nil when there is no such pledge.
    func cancelPledge(id: Int64, at time: Date, actor: String) async throws -> (pledge: Pledge, changed: Bool)?

    func pledge(id: Int64) async throws -> Pledge?
    func pledge(publicID: String) async throws -> Pledge?
    /// Newest first.
    func pledges(status: PledgeStatus?, since: Date?, limit: Int) async throws -> [Pledge]
    func pledgeHistory(id: Int64) async throws -> [PledgeHistoryEntry]
    /// Counts and collected totals, one row per group and currency (currencies are never added together).
    func pledgeSummary(by grouping: PledgeSummaryGrouping, since: Date?) async throws -> [PledgeSummaryRow]
}

/// What an idempotency key holds: the fingerprint of the request that used it and the answer it got.
public struct StoredAnswer: Sendable, Equatable {
    public var requestHash: String
    public var response: String

    public init(requestHash: String, response: String) {
        self.requestHash = requestHash
        self.response = response
    }
}

/// What recording a pledge did.
public enum PledgeRecording: Sendable {
    /// Recorded, with the outcome of the newsletter sign-up when one was asked for.
    case recorded(signup: SignupOutcome?)
    /// A request with the same idempotency key got there first: what it stored.
    case alreadyStored(StoredAnswer)
}

/// A pledge to record, validated.
public struct PledgeRecord: Sendable {
    public var publicID: String
    public var email: String
    public var normalizedEmail: String
    public var name: String?
    public var amount: Money
    public var interval: PledgeInterval
    public var tier: String?
    public var idempotencyKey: String
    public var requestHash: String
    /// The answer (``PledgeAnswer``, as the store keeps it), replayed for the same key.
    public var response: String
    public var provider: String
    public var providerReference: String?
    public var checkoutURL: String
    /// Where the checkout sends the reader afterwards (one of our sites), if the form named one.
    public var returnURL: String?
    public var source: String?
    public var clientIP: String?
    public var userAgent: String?
    public var locale: String?
    public var consentTextVersion: String
    public var time: Date

    public init(
        publicID: String, email: String, normalizedEmail: String, name: String?, amount: Money, interval: PledgeInterval,
        tier: String?, idempotencyKey: String, requestHash: String, response: String, provider: String,
        providerReference: String?, checkoutURL: String, returnURL: String?, source: String?, clientIP: String?, userAgent: String?,
        locale: String?, consentTextVersion: String, time: Date
    ) {
        self.publicID = publicID
        self.email = email
        self.normalizedEmail = normalizedEmail
        self.name = name
        self.amount = amount
        self.interval = interval
        self.tier = tier
        self.idempotencyKey = idempotencyKey
        self.requestHash = requestHash
        self.response = response
        self.provider = provider
        self.providerReference = providerReference
        self.checkoutURL = checkoutURL
        self.returnURL = returnURL
        self.source = source
        self.clientIP = clientIP
        self.userAgent = userAgent
        self.locale = locale
        self.consentTextVersion = consentTextVersion
        self.time = time
    }
}

/// What applying a provider event did.
public enum PaymentEventOutcome: Sendable, Equatable {
    /// The pledge moved.
    case moved(from: PledgeStatus, to: PledgeStatus)
    /// A payment was recorded without a move (a monthly renewal).
    case recorded
    /// The event was recorded but moves nothing: not a move the state allows, or older than the last one applied.
    case ignored(String)
    /// This event id was seen before: nothing changed.
    case replayed
    /// No pledge has the event's pledge id or payment reference.
    case unknownPledge
    /// An event type Masthead does not act on.
    case unhandledType(String)
}

extension PaymentEventOutcome {
    /// The words kept in `payment_events.outcome` (and shown by `pledges show`).
    public var recordedText: String {
        switch self {
        case .moved(let from, let to): "moved \(from.rawValue) -> \(to.rawValue)"
        case .recorded: "payment recorded"
        case .ignored(let reason): "ignored: \(reason)"
        case .replayed: "replayed"
        case .unknownPledge: "unknown pledge"
        case .unhandledType(let type): "unhandled type \(type)"
        }
    }
}

/// How `pledges summary` groups.
public enum PledgeSummaryGrouping: String, Sendable, CaseIterable {
    case day, month, tier, currency
}

/// One group of the summary, in one currency.
public struct PledgeSummaryRow: Sendable, Equatable, Codable {
    public var group: String
    public var currency: String
    public var pledges: Int
    public var paying: Int
    /// Payments received, and their sum in minor units less what was given back.
    public var payments: Int
    public var collectedMinor: Int64
    /// What was received but refunded in full or is held by a dispute (minor units): not
    /// counted in `collectedMinor`.
    public var returnedMinor: Int64

    public init(group: String, currency: String, pledges: Int, paying: Int, payments: Int, collectedMinor: Int64, returnedMinor: Int64 = 0) {
        self.group = group
        self.currency = currency
        self.pledges = pledges
        self.paying = paying
        self.payments = payments
        self.collectedMinor = collectedMinor
        self.returnedMinor = returnedMinor
    }
}
