public import Foundation

/// The seam to a payment provider: Masthead hands the reader to the provider's checkout and
/// learns the outcome from signed webhooks. It never sees a card number.
public protocol PaymentProvider: Sendable {
    /// Short name kept with each pledge and event (`simulated`, `stripe`).
    var name: String { get }
    /// Whether it takes monthly and annual pledges; without them the tiers and the support page
    /// offer one-time pledges only, and a recurring request is refused (422 naming `interval`).
    var offersRecurring: Bool { get }
    /// Creates the checkout the reader is sent to.
    func createCheckout(for pledge: CheckoutRequest) async throws -> Checkout
    /// What an in-page card form needs to pay the pledge whose checkout is `reference` now, read
    /// from the provider (an idempotent replay of the create carries it too); nil for a provider
    /// whose checkout is a page of its own, or when nothing is left to pay.
    func cardForm(reference: String) async throws -> CardForm?
    /// Starts charging a recurring pledge whose checkout saved the reader's card (Stripe: the
    /// Subscription, once the SetupIntent succeeded). Nil when there is nothing to start: the
    /// card is not saved yet, or the pledge was started before. Throws
    /// ``PaymentProviderUnavailable`` when the provider cannot be reached.
    func startRecurring(_ pledge: Pledge) async throws -> RecurringStart?
    /// Tells the provider to stop a recurring pledge's future payments (`reference` is the
    /// pledge's ``Pledge/providerReference``).
    func cancelRecurring(pledge publicID: String, reference: String?) async throws
    /// The card of a payment whose event did not carry it (Stripe's events of API versions after
    /// 2022-11-15 name only the charge), looked up for the receipt; nil when it cannot be (the
    /// receipt then says "card": a missing card never holds a payment back).
    func card(for event: PaymentEvent) async -> CardSummary?
    /// The provider's events since `since`, oldest first, read as webhooks are: for repairing
    /// pledges whose webhook never arrived (`masthead pledges sync`). Applying one twice is
    /// harmless, as each event id is applied once.
    func events(since: Date) async throws -> [PaymentEvent]
    /// Verifies the signature over the raw body (before parsing anything), then reads the event.
    func parseWebhook(body: [UInt8], signatureHeader: String?, at now: Date) throws(WebhookRejection) -> PaymentEvent
}

/// What a provider needs to open a checkout.
public struct CheckoutRequest: Sendable {
    public var publicID: String
    public var amount: Money
    public var interval: PledgeInterval
    public var email: String

    public init(publicID: String, amount: Money, interval: PledgeInterval, email: String) {
        self.publicID = publicID
        self.amount = amount
        self.interval = interval
        self.email = email
    }
}

/// Where the reader pays, and the provider's id for it.
public struct Checkout: Sendable {
    public var url: String
    public var reference: String?
    /// What a provider's in-page card form needs to pay (Stripe's client secret and publishable
    /// key); nil for a provider whose checkout is a page of its own.
    public var cardForm: CardForm?

    public init(url: String, reference: String?, cardForm: CardForm? = nil) {
        self.url = url
        self.reference = reference
        self.cardForm = cardForm
    }
}

/// A recurring pledge the provider now charges: its id there (Stripe's `sub_…`) and the card it
/// saved, for the receipts.
public struct RecurringStart: Sendable, Equatable {
    public var reference: String
    public var card: CardSummary?

    public init(reference: String, card: CardSummary?) {
        self.reference = reference
        self.card = card
    }
}

/// A verified event from the provider.
public struct PaymentEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A payment went through: the first one, or a monthly renewal.
        case paymentSucceeded
        /// A payment was declined.
        case paymentFailed
        /// The pledge (a monthly one, or an abandoned checkout) was canceled.
        case canceled
        /// The payment was refunded; `amountMinor` says how much of it (a part leaves the pledge
        /// as it is, with the refund in its history).
        case refunded
        /// The cardholder's bank opened a dispute over the payment.
        case disputed
        /// A dispute closed in the newsroom's favour: the money stays.
        case disputeWon
        /// Something Masthead does not act on.
        case other(String)

        public init(_ type: String) {
            switch type {
            case "payment_succeeded": self = .paymentSucceeded
            case "payment_failed": self = .paymentFailed
            case "canceled": self = .canceled
            case "refunded": self = .refunded
            case "disputed": self = .disputed
            case "dispute_won": self = .disputeWon
            default: self = .other(type)
            }
        }

        public var type: String {
            switch self {
            case .paymentSucceeded: "payment_succeeded"
            case .paymentFailed: "payment_failed"
            case .canceled: "canceled"
            case .refunded: "refunded"
            case .disputed: "disputed"
            case .disputeWon: "dispute_won"
            case .other(let type): type
            }
        }
    }

    /// The provider's event id: each is applied once.
    public var id: String
    public var kind: Kind
    /// The pledge's public id; empty when the event names only the provider's payment
    /// (a dispute carries its PaymentIntent, not the pledge).
    public var pledge: String
    /// The provider's id of the payment (``Pledge/providerReference``), which finds the pledge
    /// when `pledge` is empty.
    public var reference: String?
    /// When the provider says it happened (orders events that arrive out of order).
    public var occurredAt: Date
    public var amountMinor: Int64?
    public var currency: String?
    public var card: CardSummary?

    public init(
        id: String, kind: Kind, pledge: String, occurredAt: Date, amountMinor: Int64? = nil, currency: String? = nil,
        card: CardSummary? = nil, reference: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.pledge = pledge
        self.reference = reference
        self.occurredAt = occurredAt
        self.amountMinor = amountMinor
        self.currency = currency
        self.card = card
    }
}

/// The provider failed to open a checkout (down, slow, or refusing our credentials): the
/// server's condition, not the reader's mistake (503; the reader may try again).
public struct PaymentProviderUnavailable: Error, Sendable, CustomStringConvertible {
    /// The provider's error, for the log (never the secret key, which only travels in a header).
    public let reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { "the payment provider failed: \(reason)" }
}

/// Why a webhook was refused (400; the provider retries, a forger learns nothing).
public enum WebhookRejection: Error, Sendable, Equatable, CustomStringConvertible {
    case missingSignature
    case signature(String)
    case malformedEvent(String)

    public var description: String {
        switch self {
        case .missingSignature: "no signature header"
        case .signature(let reason): "signature refused: \(reason)"
        case .malformedEvent(let reason): "malformed event: \(reason)"
        }
    }
}

extension PaymentEvent {
    /// How far back an event may be dated: a provider retries for days, and staff may resend an
    /// event from its dashboard for weeks.
    public static let oldestAccepted: TimeInterval = 30 * 86_400
    /// How far ahead of our clock an event may be dated (the provider's clock may run ahead).
    public static let newestAccepted: TimeInterval = 300
    /// The largest amount an event may carry, in minor units (far above any pledge's maximum).
    public static let largestAmount: Int64 = 1_000_000_000_000

    /// The event, if its numbers are ones a provider could send: dated within
    /// [now − 30 days, now + 5 minutes] and with a positive amount under the largest. An event
    /// dated in 2100 would freeze its pledge (every later event would be older); one from
    /// `Int64.max` seconds could not even be written down.
    public func checked(at now: Date) throws(WebhookRejection) -> PaymentEvent {
        let age = now.timeIntervalSince(occurredAt)
        guard age <= Self.oldestAccepted, age >= -Self.newestAccepted else {
            throw .malformedEvent("its time is not within 30 days before now and 5 minutes after")
        }
        if let amountMinor, !(1...Self.largestAmount).contains(amountMinor) {
            throw .malformedEvent("its amount is out of range")
        }
        return self
    }
}
