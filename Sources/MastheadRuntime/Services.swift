public import AbuseDefence
public import AdminAccess
public import CoreMetrics
public import DonationPledges
public import Foundation
public import Logging
public import Mail
public import MastheadSettings
public import NewsletterSignup
public import PaymentProviders
public import Signing
public import SideEffects
public import SubscriberLists
public import Webhooks

/// The library services, built one way over one store, one key ring and the configuration:
/// the daemon's routes and worker and the CLI's commands all get theirs here, so a rule a
/// service applies holds whichever front end calls it.
public struct Services: Sendable {
    /// Signs and verifies the tokens in links.
    public let signer: TokenSigner
    /// Wakes the delivery worker when a message is queued.
    public let outboxSignal: OutboxSignal
    /// Newsletter sign-up, confirmation, resend, unsubscribe and preferences.
    public let signup: SignupService
    /// A reader's own data: the report and the erasure from the preferences page.
    public let readerData: ReaderDataService
    /// The consent texts by version (`masthead consent`).
    public let consentTexts: ConsentTexts
    /// Staff's rules for sign-up domains (`masthead domains`).
    public let domainRules: DomainRules
    /// What happens to a sign-up whose confirmation bounced (the worker's failure listener).
    public let bounces: SignupBounces
    /// Creating and changing newsletters.
    public let catalog: NewsletterCatalog
    /// Staff operations on subscribers: add, find, unsubscribe, erase, access, suppress, expire, stats.
    public let directory: SubscriberDirectory
    /// CSV imports.
    public let importer: SubscriberImporter
    /// Each currency's limits and tiers.
    public let offers: PledgeOffers
    /// Donation pledges; nil when payments are off.
    public let pledges: PledgeService?
    /// The development payment provider, when it is the one in use (its checkout page is served).
    public let simulatedPayments: SimulatedProvider?
    /// Stripe, when it is the one in use (its payment page is served).
    public let stripePayments: StripePayments?
    /// Turns outbox rows into messages (the worker's, also used by `masthead outbox show`).
    public let composers: [any MessageComposer]
    /// Sends one webhook delivery and records the outcome (the webhook worker's, and `webhooks test`).
    public let webhookDeliverer: WebhookDeliverer
    /// Webhook endpoints and their delivery log.
    public let webhooks: WebhookAdministration
    /// The admin API's bearer tokens.
    public let adminTokens: AdminTokens
    /// The address mail comes from.
    public let mailFrom: Mailbox
    /// Signs outgoing mail with DKIM; nil when no key is configured.
    public let dkim: DKIMSigner?
    /// Each message's VERP envelope sender.
    public let returnPath: ReturnPath
    /// Applies bounces and complaints that come back to a return path (`masthead bounces ingest`).
    public let bounceIntake: BounceIntake
    /// Applies email providers' signed event webhooks (Amazon SES, Mailgun, SendGrid).
    public let mailProviders: MailProviderIntake
    /// The spike detector and its alerts; says when a proof of work is required.
    public let abuse: AbuseMonitor
    /// Issues proof-of-work challenges and admits requests by their proof.
    public let challenges: ChallengeGate
    /// The hourly cap on confirmation emails (the delivery worker's); nil when off.
    public let confirmationBudget: SendingBudget?

    /// Builds every service over `store`; the ones that count (webhook deliveries) report to
    /// `metrics`. Throws when the mail templates, the From address or a DKIM key in the configuration cannot be used.
    public init(
        configuration: MastheadConfiguration, store: any MastheadStore, keys: KeyRing, listening: ListeningAddress,
        now: @escaping @Sendable () -> Date, metrics: any MetricsFactory, logger: Logger
    ) throws {
        let templates = try TemplateLibrary(defaults: MailTemplates.defaults, overrides: configuration.templatesDirectory)
        let from = try configuration.fromMailbox()
        mailFrom = from
        dkim = try Runtime.dkimSigner(configuration, from: from)
        let verp = BounceAddress(secret: keys.addressSecret)
        returnPath = ReturnPath(verp: verp, domain: configuration.bounceDomain ?? from.domain)
        let softBounces = SoftBouncePolicy(limit: configuration.softBounceLimit, days: configuration.softBounceDays)
        bounceIntake = BounceIntake(verp: verp, outbox: store, store: store, addressHash: keys.addressHash, policy: softBounces, now: now)
        mailProviders = MailProviderIntake(
            keys: try Runtime.mailProviderKeys(configuration), store: store, addressHash: keys.addressHash, policy: softBounces, now: now,
            confirmSubscription: Runtime.snsSubscriptionConfirmer(configuration))
        signer = TokenSigner(ring: keys)
        outboxSignal = OutboxSignal()
        let domainRuleCache = DomainRuleCache(store: store)
        signup = SignupService(
            store: store, signer: signer, policy: configuration.signup, outbox: outboxSignal,
            gate: Runtime.domainGate(configuration, rules: domainRuleCache, now: now), now: now)
        domainRules = DomainRules(store: store, cache: domainRuleCache, now: now)
        bounces = SignupBounces(store: store, addressHash: keys.addressHash)
        catalog = NewsletterCatalog(store: store, now: now)
        directory = SubscriberDirectory(store: store, addressHash: keys.addressHash, now: now)
        readerData = ReaderDataService(store: store, directory: directory, signer: signer, outbox: outboxSignal, now: now)
        consentTexts = ConsentTexts(store: store, now: now)
        importer = SubscriberImporter(store: store, addressHash: keys.addressHash, now: now)
        offers = PledgeOffers(store: store, now: now)
        simulatedPayments =
            configuration.effectivePayments == .simulated
            ? SimulatedProvider(
                secrets: [Self.simulatedWebhookSecret(keys)], publicURL: configuration.publicURL,
                webhookURL: { [webhook = configuration.paymentsWebhookURL, port = configuration.port] in
                    webhook ?? "http://\(listening.hostAndPort ?? "127.0.0.1:\(port)")/v1/webhooks/payments"
                }, now: now, logger: logger)
            : nil
        stripePayments = configuration.effectivePayments == .stripe ? try Runtime.stripePayments(configuration, logger: logger) : nil
        let provider: (any PaymentProvider)? = simulatedPayments ?? stripePayments?.provider
        pledges = provider.map { [signer, signup] provider in
            PledgeService(
                store: store, provider: provider, signer: signer, signup: signup,
                consentTextVersion: configuration.signup.consentTextVersion, trustedOrigins: configuration.siteOrigins,
                limits: PledgeLimits(
                    dailyPledges: configuration.pledgesPerDay, declinedPayments: configuration.pledgeDeclines,
                    cooldown: TimeInterval(configuration.pledgeCooldown.components.seconds)),
                now: now)
        }
        composers = [
            SignupMessageComposer(
                templates: templates, signer: signer,
                settings: .init(
                    publicURL: configuration.publicURL, from: from, newsroom: configuration.newsroom,
                    confirmationLifetime: configuration.signup.confirmationLifetime,
                    unsubscribeMailto: configuration.unsubscribeMailto)),
            PledgeMessageComposer(
                templates: templates, signer: signer, publicURL: configuration.publicURL, from: from,
                newsroom: configuration.newsroom),
            ReaderDataComposer(
                templates: templates, signer: signer, policy: ReaderDataPolicy(), publicURL: configuration.publicURL, from: from,
                newsroom: configuration.newsroom),
            WebhookAlertComposer(from: from, newsroom: configuration.newsroom),
            OperatorAlertComposer(from: from, newsroom: configuration.newsroom),
        ]
        let abuse = AbuseMonitor(
            detector: configuration.alerts.map(SpikeDetector.init(settings:)), store: store, mode: configuration.challenge,
            recipient: configuration.operatorEmail, now: now, logger: logger)
        self.abuse = abuse
        challenges = ChallengeGate(
            signer: ChallengeSigner(ring: keys), store: store, difficulty: configuration.challengeDifficulty,
            required: { abuse.challengeRequired($0) }, now: now)
        confirmationBudget = Runtime.confirmationBudget(configuration, detector: abuse.detector)
        let production = configuration.environment == .production
        webhookDeliverer = WebhookDeliverer(
            store: store,
            sender: WebhookSender(allowNonPublicAddresses: !production, userAgent: "Masthead-Webhooks/\(MastheadVersion.current)"),
            policy: WebhookRetryPolicy(base: .seconds(5), cap: .seconds(3600), window: configuration.webhookRetryWindow),
            alertRecipient: configuration.operatorEmail, now: now, metrics: metrics, logger: logger)
        webhooks = WebhookAdministration(store: store, deliverer: webhookDeliverer, requireHTTPS: production, now: now)
        adminTokens = AdminTokens(store: store, now: now)
    }

    /// The simulated provider's webhook secret, derived from the keys file's address secret
    /// (never rotated), so a development setup needs no extra secret.
    public static func simulatedWebhookSecret(_ keys: KeyRing) -> [UInt8] {
        HMACSHA256.authenticate(Array("masthead/payments/simulated/v1".utf8), key: keys.addressSecret)
    }
}
