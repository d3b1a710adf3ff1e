import AsyncHTTPClient
public import DonationPledges
public import Foundation
public import Logging
import NIOCore
import NIOHTTP1
import SideEffects
import Signing

/// The payment provider for development and tests. Its checkout is a page the daemon serves
/// (`/v1/simulated-checkout/{pledge}`) where a person picks a card brand and an outcome; it then
/// delivers a signed webhook to `/v1/webhooks/payments` over HTTP, with retries — exactly the
/// path a real provider's events take. Events are JSON signed in Stripe's `Stripe-Signature`
/// format (``WebhookSignature``). Production refuses this provider.
public struct SimulatedProvider: PaymentProvider {
    public let name = "simulated"
    public let offersRecurring = true
    /// Secrets the webhook verifier accepts; the first signs.
    let secrets: [[UInt8]]
    /// Base of the checkout URL (the public URL).
    let publicURL: String
    /// Where events are posted (the daemon's own listening address, unless configured).
    let webhookURL: @Sendable () -> String
    let now: @Sendable () -> Date
    let logger: Logger

    public init(
        secrets: [[UInt8]], publicURL: String, webhookURL: @escaping @Sendable () -> String,
        now: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.secrets = secrets
        self.publicURL = publicURL
        self.webhookURL = webhookURL
        self.now = now
        self.logger = logger
    }

    /// The card each brand pays with on the simulated page (the providers' usual test numbers' endings).
    public static let testCards = ["visa": "4242", "mastercard": "4444", "amex": "0005"]

    public func createCheckout(for pledge: CheckoutRequest) async throws -> Checkout {
        Checkout(url: "\(publicURL)/v1/simulated-checkout/\(pledge.publicID)", reference: "sim_\(pledge.publicID)")
    }

    public func cardForm(reference: String) async throws -> CardForm? {
        // Its checkout is a page of its own.
        nil
    }

    public func startRecurring(_ pledge: Pledge) async throws -> RecurringStart? {
        // Nothing to start: its checkout page sends the first payment's event itself.
        nil
    }

    public func card(for event: PaymentEvent) async -> CardSummary? {
        // Its events always carry the card chosen on its page.
        nil
    }

    public func events(since: Date) async throws -> [PaymentEvent] {
        // None to look up: its events are sent by this daemon, as its checkout page is paid.
        []
    }

    public func cancelRecurring(pledge publicID: String, reference: String?) async throws {
        // Nothing to stop: the simulated provider only charges when a person or a test asks it to.
    }

    public func parseWebhook(body: [UInt8], signatureHeader: String?, at now: Date) throws(WebhookRejection) -> PaymentEvent {
        try SignedWebhook.verify(body, header: signatureHeader, secrets: secrets, at: now)
        guard let wire = WireEvent(body) else { throw .malformedEvent("not the event JSON") }
        guard !wire.id.isEmpty, wire.id.utf8.count <= 100, !wire.data.pledge.isEmpty else { throw .malformedEvent("empty id or pledge") }
        // Seconds since 1970 up to the year 9999: a larger number is no time at all.
        guard (0...253_402_300_799).contains(wire.created) else { throw .malformedEvent("created is out of range") }
        return PaymentEvent(
            id: wire.id, kind: .init(wire.type), pledge: wire.data.pledge,
            occurredAt: Date(timeIntervalSince1970: Double(wire.created)), amountMinor: wire.data.amountMinor,
            currency: wire.data.currency, card: wire.data.card.flatMap { CardSummary(brand: $0.brand, last4: $0.last4) })
    }

    /// The body and `Stripe-Signature` header of an event, as the provider would send it.
    public func signedEvent(_ event: PaymentEvent) -> (body: [UInt8], signature: String) {
        let wire = WireEvent(
            id: event.id, type: event.kind.type, created: Int64(event.occurredAt.timeIntervalSince1970),
            data: .init(
                pledge: event.pledge, amountMinor: event.amountMinor, currency: event.currency,
                card: event.card.map { .init(brand: $0.brand, last4: $0.last4) }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = [UInt8]((try? encoder.encode(wire)) ?? Data())
        return (body, WebhookSignature.header(for: body, secret: secrets[0], at: now()))
    }

    /// Posts an event to the webhook endpoint, retrying (0.2 s doubling, five tries) until it
    /// gets a 2xx. Returns the last status, nil when nothing answered.
    @discardableResult
    public func deliver(_ event: PaymentEvent) async -> Int? {
        let (body, signature) = signedEvent(event)
        var request = HTTPClientRequest(url: webhookURL())
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Stripe-Signature", value: signature)
        request.body = .bytes(ByteBuffer(bytes: body))
        var status: Int?
        for attempt in 0..<5 {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(200 << (attempt - 1))) }
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                status = Int(response.status.code)
                // Drain the body so the connection goes back to the pool.
                _ = try? await response.body.collect(upTo: 64 * 1024)
                if let status, (200..<300).contains(status) { return status }
            } catch {
                logger.notice("simulated webhook delivery failed", metadata: ["attempt": "\(attempt + 1)", "error": "\(error)"])
            }
        }
        logger.error("simulated webhook never delivered", metadata: ["event": "\(event.id)", "status": "\(status.map(String.init) ?? "-")"])
        return status
    }

    /// A fresh event id.
    public static func eventID() throws -> String { try RandomID.make(prefix: "evt_") }

    /// An event as the simulated provider sends it: written by `JSONEncoder` (once a payment),
    /// read by `JSONDocument` (once a webhook: the decoder cost about 16 µs of one).
    struct WireEvent: Encodable {
        var id: String
        var type: String
        var created: Int64
        var data: WireData
    }

    struct WireData: Encodable {
        var pledge: String
        var amountMinor: Int64?
        var currency: String?
        var card: WireCard?

        enum CodingKeys: String, CodingKey {
            case pledge, currency, card
            case amountMinor = "amount_minor"
        }
    }

    struct WireCard: Encodable {
        var brand: String
        var last4: String
    }
}

extension SimulatedProvider.WireEvent {
    /// The event in `body`; nil unless every field is there with its type (the optional ones
    /// absent, null, or of their type).
    init?(_ body: [UInt8]) {
        guard case .object(let event)? = try? JSONDocument.parse(body),
            case .string(let id)? = event["id"], case .string(let type)? = event["type"],
            case .number(let created)? = event["created"], let created = Int64(created),
            case .object(let data)? = event["data"], case .string(let pledge)? = data["pledge"],
            let amountMinor = JSONDocument.optionalInteger(data["amount_minor"]),
            let currency = JSONDocument.optionalString(data["currency"])
        else { return nil }
        var card: SimulatedProvider.WireCard?
        switch data["card"] {
        case nil, .null?: card = nil
        case .object(let parts)?:
            guard case .string(let brand)? = parts["brand"], case .string(let last4)? = parts["last4"] else { return nil }
            card = SimulatedProvider.WireCard(brand: brand, last4: last4)
        default: return nil
        }
        self.init(
            id: id, type: type, created: created,
            data: SimulatedProvider.WireData(pledge: pledge, amountMinor: amountMinor, currency: currency, card: card))
    }
}
