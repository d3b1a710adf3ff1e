public import Foundation
public import Mail
public import Signing
public import SubscriberLists

/// Takes in an email provider's event webhook (for newsrooms that relay through Amazon SES,
/// Mailgun or SendGrid): checks the provider's signature, then applies each bounce, complaint or
/// unsubscribe to its address, as a report to a return path would be, once per event id.
public struct MailProviderIntake: Sendable {
    /// What checks each provider's signatures; nil for a provider not configured.
    public struct Keys: Sendable {
        public var mailgunSigningKey: [UInt8]?
        public var sendGridVerificationKey: ECDSAPublicKey?
        /// Amazon SNS's pinned signing certificates and the topics SES publishes to.
        public var amazonSNS: (certificates: [SigningCertificate], topics: Set<String>)?

        public init(
            mailgunSigningKey: [UInt8]? = nil, sendGridVerificationKey: ECDSAPublicKey? = nil,
            amazonSNS: (certificates: [SigningCertificate], topics: Set<String>)? = nil
        ) {
            self.mailgunSigningKey = mailgunSigningKey
            self.sendGridVerificationKey = sendGridVerificationKey
            self.amazonSNS = amazonSNS
        }
    }

    /// What one webhook came to.
    public enum Receipt: Sendable, Equatable {
        /// The outcome of each event applied.
        case applied([FeedbackPlan.Outcome])
        /// SNS's subscription confirmation: confirmed by a GET of the URL, or left for the
        /// operator to open when confirming is not enabled.
        case subscription(topic: String, subscribeURL: String, confirmed: Bool)
        /// SNS's notice that a subscription ended.
        case unsubscribed(topic: String)
    }

    /// Why a webhook was not taken.
    public enum Refusal: Error, Sendable, Equatable {
        /// No such provider, or it is not configured here.
        case notConfigured(String)
        /// The signature, its age or the body's shape is wrong.
        case refused(MailWebhookRejection)
        /// SNS's subscription confirmation URL could not be fetched (or is not SNS's).
        case confirmationFailed(String)
    }

    let keys: Keys
    let store: any FeedbackStore
    let addressHash: @Sendable (String) -> String
    let policy: SoftBouncePolicy
    let now: @Sendable () -> Date
    let confirmSubscription: (@Sendable (String) async throws -> Void)?

    /// `confirmSubscription` GETs an SNS subscription's confirmation URL; nil leaves confirming
    /// to the operator (the URL is in the log).
    public init(
        keys: Keys, store: any FeedbackStore, addressHash: @escaping @Sendable (String) -> String, policy: SoftBouncePolicy,
        now: @escaping @Sendable () -> Date, confirmSubscription: (@Sendable (String) async throws -> Void)? = nil
    ) {
        self.keys = keys
        self.store = store
        self.addressHash = addressHash
        self.policy = policy
        self.now = now
        self.confirmSubscription = confirmSubscription
    }

    /// Verifies `body` as `provider` signs it (`header` reads the request's headers) and applies
    /// its events; returns what they came to.
    public func receive(provider: String, body: [UInt8], header: (String) -> String?) async throws -> Receipt {
        let events: [ProviderFeedback]
        do {
            switch provider {
            case "ses":
                guard let trust = keys.amazonSNS else { throw Refusal.notConfigured(provider) }
                switch try AmazonSESWebhook.read(body, certificates: trust.certificates, topics: trust.topics, at: now()) {
                case .events(let reported): events = reported
                case .subscriptionConfirmation(let topic, let url):
                    if let confirmSubscription {
                        do { try await confirmSubscription(url) } catch { throw Refusal.confirmationFailed("\(error)") }
                    }
                    return .subscription(topic: topic, subscribeURL: url, confirmed: confirmSubscription != nil)
                case .unsubscribeConfirmation(let topic): return .unsubscribed(topic: topic)
                }
            case "mailgun":
                guard let key = keys.mailgunSigningKey else { throw Refusal.notConfigured(provider) }
                events = try MailgunWebhook.read(body, signingKey: key, at: now()).map { [$0] } ?? []
            case "sendgrid":
                guard let key = keys.sendGridVerificationKey else { throw Refusal.notConfigured(provider) }
                events = try SendGridWebhook.read(
                    body, signature: header(SendGridWebhook.signatureHeader), timestamp: header(SendGridWebhook.timestampHeader), key: key, at: now())
            default:
                throw Refusal.notConfigured(provider)
            }
        } catch let rejection as MailWebhookRejection {
            throw Refusal.refused(rejection)
        }
        var outcomes: [FeedbackPlan.Outcome] = []
        for event in events {
            let address = BounceIntake.normalized(event.address)
            let kind: AddressFeedback.Kind =
                switch event.kind {
                case .hardBounce: .hardBounce
                case .softBounce: .softBounce
                case .complaint: .complaint
                case .unsubscribe: .unsubscribe
                }
            outcomes.append(try await store.applyFeedback(
                AddressFeedback(
                    kind: kind, address: address, addressHash: addressHash(address), outboxID: nil, reporter: "provider:\(provider)",
                    providerEvent: ProviderEventKey(provider: provider, eventID: event.eventID), status: event.status, detail: event.detail,
                    receivedAt: now()),
                policy: policy))
        }
        return .applied(outcomes)
    }
}
