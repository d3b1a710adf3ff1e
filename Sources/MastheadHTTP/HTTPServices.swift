public import AbuseDefence
public import DatabaseHealth
public import DonationPledges
public import Foundation
public import Mail
public import NewsletterSignup
public import PaymentProviders
public import Prometheus
public import SubscriberLists

/// What the routes work through: the library services, the catalogue's read side, the
/// database's probe and the metrics registry. The composition root (`MastheadRuntime`) builds
/// it from the configured store; nothing here knows which engine that is.
public struct HTTPServices: Sendable {
    /// Sign-up, confirmation, resend, unsubscribe and preferences.
    public var signup: SignupService
    /// A reader's own data requests from the preferences page (download, delete).
    public var readerData: ReaderDataService
    /// Donation pledges; nil when payments are off (the pledge routes answer 503).
    public var pledges: PledgeService?
    /// The development payment provider, when it is the one in use (its checkout page is served).
    public var simulatedPayments: SimulatedProvider?
    /// Stripe, when it is the one in use (its payment page is served).
    public var stripePayments: StripePayments?
    /// The public newsletter catalogue.
    public var newsletters: any NewsletterStore
    /// Readiness and pool gauges.
    public var database: any DatabaseProbe
    /// Outbox gauges for `/metrics`.
    public var outbox: any OutboxAdministration
    /// Where every metric is registered; `/metrics` renders it.
    public var metrics: PrometheusCollectorRegistry
    /// The wall clock (tests inject theirs).
    public var now: @Sendable () -> Date
    /// What the admin API works through.
    public var admin: AdminServices
    /// Email providers' event webhooks.
    public var mailProviders: MailProviderIntake
    /// Bounce and complaint counts for `/metrics`.
    public var feedback: any FeedbackStore
    /// The spike detector: sign-ups, confirmations and failed payments are counted into it.
    public var abuse: AbuseMonitor
    /// Proof-of-work challenges for sign-up and pledge posts.
    public var challenges: ChallengeGate
    /// The confirmation budget, for `/metrics`; nil when off.
    public var confirmationBudget: SendingBudget?

    /// Gathers the services.
    public init(
        signup: SignupService, readerData: ReaderDataService, pledges: PledgeService?, simulatedPayments: SimulatedProvider?, stripePayments: StripePayments? = nil,
        newsletters: any NewsletterStore,
        database: any DatabaseProbe, outbox: any OutboxAdministration, metrics: PrometheusCollectorRegistry,
        now: @escaping @Sendable () -> Date, admin: AdminServices, mailProviders: MailProviderIntake,
        feedback: any FeedbackStore, abuse: AbuseMonitor, challenges: ChallengeGate, confirmationBudget: SendingBudget?
    ) {
        self.signup = signup
        self.readerData = readerData
        self.pledges = pledges
        self.simulatedPayments = simulatedPayments
        self.stripePayments = stripePayments
        self.newsletters = newsletters
        self.database = database
        self.outbox = outbox
        self.metrics = metrics
        self.now = now
        self.admin = admin
        self.mailProviders = mailProviders
        self.feedback = feedback
        self.abuse = abuse
        self.challenges = challenges
        self.confirmationBudget = confirmationBudget
    }
}
