public import Foundation
public import EmailAddress
public import Signing

/// Donation pledges: validating and recording them, handing the reader to the provider,
/// applying the provider's webhooks, and the reader's pledge page.
public struct PledgeService: Sendable {
    public let store: any PledgeStore
    public let provider: any PaymentProvider
    let signer: TokenSigner
    let consentTextVersion: String
    /// Origins a `return_url` may point to.
    let trustedOrigins: [String]
    let now: @Sendable () -> Date

    public init(
        store: any PledgeStore, provider: any PaymentProvider, signer: TokenSigner, consentTextVersion: String,
        trustedOrigins: [String], now: @escaping @Sendable () -> Date
    ) {
        self.store = store
        self.provider = provider
        self.signer = signer
        self.consentTextVersion = consentTextVersion
        self.trustedOrigins = trustedOrigins
        self.now = now
    }

    static let maximumNameLength = 200
    static let maximumSourceLength = 100
    static let maximumLocaleLength = 35
    static let maximumURLLength = 2000

    // MARK: Tiers

    /// What `code` accepts (USD when none is named).
    public func offer(currency code: String?) async throws -> CurrencyOffer {
        let code = (code?.isEmpty == false ? code! : "USD").uppercased()
        guard Currency.named(code) != nil else { throw PledgeError.unknownCurrency(code) }
        guard let offer = try await store.currencyOffer(code) else { throw PledgeError.currencyNotOffered(code) }
        return offer
    }

    // MARK: Creating

    /// Validates a pledge request. A key already used answers with its stored answer (same
    /// request) or a conflict (another request); both before any other check.
    public func prepare(_ request: PledgeRequest) async throws -> PledgePreparation {
        let key = try request.checkedIdempotencyKey()
        let fingerprint = request.fingerprint
        if let stored = try await store.storedAnswer(idempotencyKey: key) {
            guard stored.requestHash == fingerprint else { throw IdempotencyError.keyReused }
            return .replay(stored.response)
        }
        // A card number anywhere is refused before anything else reads the fields.
        for (name, values) in request.fields.sorted(by: { $0.key < $1.key }) where values.contains(where: CardNumberDetector.containsCardNumber) {
            throw PledgeError.looksLikeCardNumber(field: name)
        }
        let email = request.first("email") ?? ""
        guard !email.isEmpty else { throw PledgeError.missing(field: "email") }
        let address: EmailAddress
        do {
            address = try EmailAddress(parsing: email.trimmingCharacters(in: .whitespaces))
        } catch {
            throw PledgeError.invalidAddress(code: error.code)
        }
        let offer = try await offer(currency: request.first("currency"))
        let intervalText = request.first("interval") ?? "once"
        guard let interval = PledgeInterval(rawValue: intervalText) else { throw PledgeError.invalidInterval(intervalText) }
        let (amount, tier) = try Self.amount(request, offer: offer, interval: interval)
        try offer.check(amount)
        let name = request.first("name").map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        try Self.limit(name, "name", Self.maximumNameLength)
        try Self.limit(request.first("source"), "source", Self.maximumSourceLength)
        try Self.limit(request.first("locale"), "locale", Self.maximumLocaleLength)
        let returnURL = try checkedReturnURL(request.first("return_url"))
        return .new(
            PreparedPledge(
                key: key, fingerprint: fingerprint, address: address, name: name, amount: amount, interval: interval,
                tier: tier, returnURL: returnURL, newsletters: request.fields["newsletter_opt_in"] ?? [],
                source: request.first("source"), locale: request.first("locale"), clientIP: request.clientIP,
                userAgent: request.userAgent))
    }

    /// Opens the provider's checkout and records the pending pledge; returns the 201 body (or,
    /// when a request with the same key won the race, what it stored).
    public func create(_ pledge: PreparedPledge) async throws -> String {
        let publicID = try RandomID.make(prefix: "pl_")
        let checkout = try await provider.createCheckout(
            for: CheckoutRequest(publicID: publicID, amount: pledge.amount, interval: pledge.interval, email: pledge.address.normalized))
        let response = PledgeAnswer(
            pledge: publicID, status: PledgeStatus.pending.rawValue, amountMinor: pledge.amount.minorUnits,
            currency: pledge.amount.currency.code, interval: pledge.interval.rawValue, tier: pledge.tier,
            display: pledge.amount.formatted + (pledge.interval == .monthly ? " a month" : ""), checkoutURL: checkout.url
        ).json
        let record = PledgeRecord(
            publicID: publicID, email: pledge.address.mailbox, normalizedEmail: pledge.address.normalized, name: pledge.name,
            amount: pledge.amount, interval: pledge.interval, tier: pledge.tier, idempotencyKey: pledge.key,
            requestHash: pledge.fingerprint, response: response, provider: provider.name, providerReference: checkout.reference,
            checkoutURL: checkout.url, returnURL: pledge.returnURL, source: pledge.source, clientIP: pledge.clientIP,
            userAgent: pledge.userAgent, locale: pledge.locale, consentTextVersion: consentTextVersion, time: now())
        if let stored = try await store.createPledge(record) {
            guard stored.requestHash == pledge.fingerprint else { throw IdempotencyError.keyReused }
            return stored.response
        }
        return response
    }

    private static func amount(_ request: PledgeRequest, offer: CurrencyOffer, interval: PledgeInterval) throws(PledgeError) -> (Money, String?) {
        var custom: Money?
        // An empty field is an absent one (a form sends the amount box empty when a tier is chosen).
        if let minor = request.first("amount_minor"), !minor.isEmpty {
            guard minor.utf8.count <= 15, minor.allSatisfy(\.isASCIIDigit), let value = Int64(minor) else {
                throw .invalidAmount(minor)
            }
            custom = Money(minorUnits: value, currency: offer.currency)
        } else if let text = request.first("amount"), !text.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let parsed = Money.parse(text.trimmingCharacters(in: .whitespaces), currency: offer.currency) else {
                throw .invalidAmount(text)
            }
            custom = parsed
        }
        if let tierName = request.first("tier"), !tierName.isEmpty {
            guard let tier = offer.tier(tierName, interval: interval) else { throw .unknownTier(tierName) }
            if let custom, custom != tier.amount { throw .invalidAmount(custom.decimalText) }
            return (tier.amount, tier.name)
        }
        guard let custom else { throw .missing(field: "amount") }
        guard offer.customAmount else { throw .customAmountNotOffered }
        return (custom, nil)
    }

    private static func limit(_ value: String?, _ field: String, _ maximum: Int) throws(PledgeError) {
        if let value, value.count > maximum { throw .fieldTooLong(field: field) }
    }

    private func checkedReturnURL(_ text: String?) throws(PledgeError) -> String? {
        guard let text, !text.isEmpty else { return nil }
        guard text.count <= Self.maximumURLLength,
            trustedOrigins.contains(where: { text.lowercased() == $0 || text.lowercased().hasPrefix($0 + "/") })
        else { throw .invalidReturnURL }
        return text
    }

    // MARK: Webhooks

    /// Verifies and applies a provider webhook.
    public func receiveWebhook(body: [UInt8], signatureHeader: String?) async throws -> PaymentEventOutcome {
        let event = try provider.parseWebhook(body: body, signatureHeader: signatureHeader, at: now())
        return try await store.applyPaymentEvent(event, provider: provider.name, receivedAt: now())
    }

    // MARK: The reader's pledge page

    /// The pledge a `pledge` link opens, after checking signature and address binding.
    public func pledge(token: String) async throws -> Pledge {
        let claims: TokenClaims
        do {
            claims = try signer.open(token, purpose: .pledge, at: now())
        } catch {
            throw PledgeLinkError.invalid(error.description)
        }
        guard let pledge = try await store.pledge(id: claims.subject),
            let address = try? EmailAddress(parsing: pledge.email), signer.isBound(claims, to: address.normalized)
        else { throw PledgeLinkError.invalid("no pledge for this link") }
        return pledge
    }

    /// Cancels the monthly pledge a link opens; returns it and whether anything changed.
    public func cancel(token: String) async throws -> (pledge: Pledge, changed: Bool) {
        let pledge = try await pledge(token: token)
        guard pledge.interval == .monthly, pledge.status.canMove(to: .canceled, interval: pledge.interval) else {
            return (pledge, false)
        }
        try await provider.cancelRecurring(pledge: pledge.publicID, reference: nil)
        guard let result = try await store.cancelPledge(id: pledge.id, at: now(), actor: "reader") else {
            throw PledgeLinkError.invalid("pledge vanished")
        }
        return result
    }

    /// The link to a pledge's page (in receipts).
    public func link(for pledge: Pledge, publicURL: String) -> String? {
        guard let address = try? EmailAddress(parsing: pledge.email) else { return nil }
        let token = signer.sign(.pledge, subject: pledge.id, address: address.normalized, at: now(), lifetime: nil)
        return "\(publicURL)/v1/pledges/manage?token=\(token)"
    }
}

/// A request to pledge, as submitted (JSON or form), with the client it came from.
public struct PledgeRequest: Sendable {
    /// Every submitted field: read for the pledge, scanned for card numbers, fingerprinted for idempotency.
    public var fields: [String: [String]]
    public var idempotencyKey: String?
    public var clientIP: String?
    public var userAgent: String?

    public init(fields: [String: [String]], idempotencyKey: String?, clientIP: String?, userAgent: String?) {
        self.fields = fields
        self.idempotencyKey = idempotencyKey
        self.clientIP = clientIP
        self.userAgent = userAgent
    }

    func first(_ name: String) -> String? { fields[name]?.first }

    func checkedIdempotencyKey() throws(IdempotencyError) -> String {
        guard let key = idempotencyKey, !key.isEmpty else { throw .missingKey }
        guard key.utf8.count <= 255, key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .invalidKey }
        return key
    }

    /// A hash of the request's fields in a canonical order: "the same body" whatever the field
    /// order or encoding (JSON or form).
    var fingerprint: String {
        var canonical = ""
        for (name, values) in fields.sorted(by: { $0.key < $1.key }) {
            for value in values { canonical += "\(name.utf8.count):\(name)=\(value.utf8.count):\(value)\n" }
        }
        return HMACSHA256.hexDigest(Array(canonical.utf8), key: Array("masthead/idempotency/v1".utf8))
    }
}

/// The outcome of ``PledgeService/prepare(_:)``.
public enum PledgePreparation: Sendable {
    /// The key was used before by the same request: its answer, to send again.
    case replay(String)
    /// A new, valid pledge.
    case new(PreparedPledge)
}

/// A validated pledge, not yet recorded.
public struct PreparedPledge: Sendable {
    public let key: String
    public let fingerprint: String
    public let address: EmailAddress
    public let name: String?
    public let amount: Money
    public let interval: PledgeInterval
    public let tier: String?
    public let returnURL: String?
    /// Newsletters the reader also asked to join (the caller signs them up).
    public let newsletters: [String]
    public let source: String?
    public let locale: String?
    public let clientIP: String?
    public let userAgent: String?
}

/// The `Idempotency-Key` header is missing, malformed, or was used for another request.
public enum IdempotencyError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingKey, invalidKey, keyReused

    public var description: String {
        switch self {
        case .missingKey: "An Idempotency-Key header is required (a random value per pledge, reused when retrying)."
        case .invalidKey: "The Idempotency-Key must be 1-255 printable ASCII characters."
        case .keyReused: "This Idempotency-Key was used for a different request; use a new key for a new pledge."
        }
    }
}

/// A pledge link that does not open a pledge (the reason is for the log).
public enum PledgeLinkError: Error, Sendable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let reason): reason
        }
    }
}

/// The 201 body of a new pledge.
struct PledgeAnswer: Encodable {
    var pledge: String
    var status: String
    var amountMinor: Int64
    var currency: String
    var interval: String
    var tier: String?
    var display: String
    var checkoutURL: String

    enum CodingKeys: String, CodingKey {
        case pledge, status, currency, interval, tier, display
        case amountMinor = "amount_minor"
        case checkoutURL = "checkout_url"
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
