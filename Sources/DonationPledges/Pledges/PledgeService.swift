public import Foundation
public import EmailAddress
public import NewsletterSignup
public import Signing

/// Donation pledges: validating and recording them, handing the reader to the provider,
/// applying the provider's webhooks, and the reader's pledge page.
public struct PledgeService: Sendable {
    public let store: any PledgeStore
    public let provider: any PaymentProvider
    let signer: TokenSigner
    /// Signs the reader up for the newsletters a pledge form also asked for, in the pledge's transaction.
    let signup: SignupService
    let consentTextVersion: String
    /// Origins a `return_url` may point to.
    let trustedOrigins: [String]
    /// The card-testing defence.
    let limits: PledgeLimits
    let now: @Sendable () -> Date

    /// Creates the service.
    public init(
        store: any PledgeStore, provider: any PaymentProvider, signer: TokenSigner, signup: SignupService,
        consentTextVersion: String, trustedOrigins: [String], limits: PledgeLimits = PledgeLimits(),
        now: @escaping @Sendable () -> Date
    ) {
        self.store = store
        self.provider = provider
        self.signer = signer
        self.signup = signup
        self.consentTextVersion = consentTextVersion
        self.trustedOrigins = trustedOrigins
        self.limits = limits
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
        guard Currency.named(code) != nil else { throw PledgeError.unknownCurrency }
        guard var offer = try await store.currencyOffer(code) else { throw PledgeError.currencyNotOffered(code) }
        if !offersRecurring { offer.tiers.removeAll { $0.interval != .once } }
        return offer
    }

    /// Whether monthly pledges can be taken (the provider's say).
    public var offersRecurring: Bool { provider.offersRecurring }

    // MARK: Creating

    /// Validates a pledge request. A key already used answers with its stored answer (same
    /// request) or a conflict (another request); both before any other check.
    public func prepare(_ request: PledgeRequest) async throws -> PledgePreparation {
        let key = try request.checkedIdempotencyKey()
        let fingerprint = request.fingerprint
        if let stored = try await store.storedAnswer(idempotencyKey: key) {
            guard stored.requestHash == fingerprint else { throw IdempotencyError.keyReused }
            return .replay(await withCardForm(try PledgeAnswer(storedText: stored.response)))
        }
        // A card number anywhere is refused before anything else reads the fields.
        if let field = request.fieldWithCardNumber { throw PledgeError.looksLikeCardNumber(field: field) }
        let email = request.email ?? ""
        guard !email.isEmpty else { throw PledgeError.missing(field: "email") }
        let address: EmailAddress
        do {
            address = try EmailAddress(parsing: EmailAddress.trimmingWhiteSpace(email))
        } catch {
            throw PledgeError.invalidAddress(error)
        }
        let offer = try await offer(currency: request.currency)
        let intervalText = request.interval ?? "once"
        guard let interval = PledgeInterval(rawValue: intervalText) else { throw PledgeError.invalidInterval }
        guard interval == .once || offersRecurring else { throw PledgeError.intervalNotOffered }
        let (amount, tier) = try Self.amount(request, offer: offer, interval: interval)
        try offer.check(amount)
        let name = request.name.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        try Self.limit(name, "name", Self.maximumNameLength)
        try Self.limit(request.source, "source", Self.maximumSourceLength)
        try Self.limit(request.locale, "locale", Self.maximumLocaleLength)
        let returnURL = try checkedReturnURL(request.returnURL)
        // Last, so a mistake in the form does not count: only pledges that would reach the provider.
        try await checkLimits(address: address.normalized, clientIP: request.clientIP)
        return .new(
            PreparedPledge(
                key: key, fingerprint: fingerprint, address: address, name: name, amount: amount, interval: interval,
                tier: tier, returnURL: returnURL, newsletters: request.newsletters, source: request.source,
                locale: request.locale, clientIP: request.clientIP, userAgent: request.userAgent))
    }

    /// Throws ``PledgeLimitReached`` when the reader's or the client's address made too many
    /// pledges today, or had too many payments declined within the cool-down.
    private func checkLimits(address: String, clientIP: String?) async throws {
        guard limits.dailyPledges > 0 || limits.declinedPayments > 0 else { return }
        let time = now()
        let attempts = try await store.pledgeAttempts(
            address: address, clientIP: clientIP,
            pledges: .init(since: time.addingTimeInterval(-PledgeLimits.day), atMost: limits.dailyPledges),
            declines: .init(since: time.addingTimeInterval(-limits.cooldown), atMost: limits.declinedPayments))
        if let refusal = limits.refusal(attempts, at: time) { throw refusal }
    }

    /// Opens the provider's checkout and records the pending pledge, with the newsletter
    /// sign-up the form asked for in the same transaction; returns the answer (or, when a
    /// request with the same key won the race, the answer it stored).
    public func create(_ pledge: PreparedPledge) async throws -> PledgeAnswer {
        // Validated before the provider is called: a refused sign-up leaves no checkout behind.
        let optIn = try pledge.newsletters.isEmpty ? nil : signup.prepare(
            SignupRequest(
                email: pledge.address.mailbox, newsletters: pledge.newsletters, locale: pledge.locale,
                source: pledge.source ?? "pledge", client: ClientContext(ipAddress: pledge.clientIP, userAgent: pledge.userAgent)))
        let publicID = try RandomID.make(prefix: "pl_")
        let checkout: Checkout
        do {
            checkout = try await provider.createCheckout(
                for: CheckoutRequest(publicID: publicID, amount: pledge.amount, interval: pledge.interval, email: pledge.address.normalized))
        } catch {
            throw PaymentProviderUnavailable(reason: "\(error)")
        }
        let answer = PledgeAnswer(
            pledge: publicID, status: .pending, amount: pledge.amount, interval: pledge.interval, tier: pledge.tier,
            checkoutURL: checkout.url, cardForm: checkout.cardForm)
        let record = PledgeRecord(
            publicID: publicID, email: pledge.address.mailbox, normalizedEmail: pledge.address.normalized, name: pledge.name,
            amount: pledge.amount, interval: pledge.interval, tier: pledge.tier, idempotencyKey: pledge.key,
            requestHash: pledge.fingerprint, response: answer.storedText, provider: provider.name,
            providerReference: checkout.reference, checkoutURL: checkout.url, returnURL: pledge.returnURL, source: pledge.source,
            clientIP: pledge.clientIP, userAgent: pledge.userAgent, locale: pledge.locale,
            consentTextVersion: consentTextVersion, time: now())
        switch try await store.createPledge(record, optIn: optIn) {
        case .recorded(let signedUp):
            if let signedUp { signup.recorded(signedUp) }
            return answer
        case .alreadyStored(let stored):
            guard stored.requestHash == pledge.fingerprint else { throw IdempotencyError.keyReused }
            return await withCardForm(try PledgeAnswer(storedText: stored.response))
        }
    }

    /// A stored answer with its card form read afresh from the provider (the client secret is
    /// not stored). Without the provider's answer it goes without: its checkout URL still works.
    private func withCardForm(_ stored: PledgeAnswer) async -> PledgeAnswer {
        guard let pledge = try? await store.pledge(publicID: stored.pledge), pledge.status == .pending || pledge.status == .failed,
            let reference = pledge.providerReference
        else { return stored }
        var answer = stored
        answer.cardForm = try? await provider.cardForm(reference: reference)
        return answer
    }

    private static func amount(_ request: PledgeRequest, offer: CurrencyOffer, interval: PledgeInterval) throws(PledgeError) -> (Money, String?) {
        var custom: Money?
        // An empty field is an absent one (a form sends the amount box empty when a tier is chosen).
        if let minor = request.amountMinor, !minor.isEmpty {
            guard minor.utf8.count <= 15, minor.allSatisfy(\.isASCIIDigit), let value = Int64(minor) else {
                throw .invalidAmount(minor)
            }
            custom = Money(minorUnits: value, currency: offer.currency)
        } else if let text = request.amount, !text.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let parsed = Money.parse(text.trimmingCharacters(in: .whitespaces), currency: offer.currency) else {
                throw .invalidAmount(text)
            }
            custom = parsed
        }
        if let tierName = request.tier, !tierName.isEmpty {
            guard let tier = offer.tier(tierName, interval: interval) else { throw .unknownTier }
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

    // MARK: Recurring pledges

    /// Starts charging the recurring pledge `publicID` once its checkout saved the reader's card
    /// (the payment page posts here after Stripe.js confirmed the card; `masthead pledges sync`
    /// does it for a reader who closed the page first). Returns the pledge and whether it
    /// started now; a pledge started before, or not recurring, is left as it is.
    public func startRecurring(publicID: String) async throws -> (pledge: Pledge, started: Bool)? {
        guard let pledge = try await store.pledge(publicID: publicID) else { return nil }
        guard pledge.interval.isRecurring, pledge.status == .pending || pledge.status == .failed, pledge.provider == provider.name
        else { return (pledge, false) }
        let start: RecurringStart?
        do {
            start = try await provider.startRecurring(pledge)
        } catch {
            throw PaymentProviderUnavailable(reason: "\(error)")
        }
        guard let start, try await store.recordRecurringStart(id: pledge.id, start, at: now()) else { return (pledge, false) }
        return (try await store.pledge(id: pledge.id) ?? pledge, true)
    }

    // MARK: Webhooks

    /// Verifies and applies a provider webhook.
    public func receiveWebhook(body: [UInt8], signatureHeader: String?) async throws -> PaymentEventOutcome {
        let event = try provider.parseWebhook(body: body, signatureHeader: signatureHeader, at: now()).checked(at: now())
        return try await apply(event)
    }

    /// Applies a verified event, with the card looked up when a payment's event lacks it.
    func apply(_ event: PaymentEvent) async throws -> PaymentEventOutcome {
        var event = event
        if event.kind == .paymentSucceeded, event.card == nil { event.card = await provider.card(for: event) }
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

    /// Cancels the monthly or annual pledge a link opens; returns it and whether anything changed.
    public func cancel(token: String) async throws -> (pledge: Pledge, changed: Bool) {
        let pledge = try await pledge(token: token)
        guard pledge.interval.isRecurring, pledge.status.canMove(to: .canceled, interval: pledge.interval) else {
            return (pledge, false)
        }
        do {
            try await provider.cancelRecurring(pledge: pledge.publicID, reference: pledge.providerReference)
        } catch {
            throw PaymentProviderUnavailable(reason: "\(error)")
        }
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

/// The outcome of ``PledgeService/prepare(_:)``.
public enum PledgePreparation: Sendable {
    /// The key was used before by the same request: its answer, to send again.
    case replay(PledgeAnswer)
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
    /// Newsletters the reader also asked to join (signed up with the pledge).
    public let newsletters: [String]
    public let source: String?
    public let locale: String?
    public let clientIP: String?
    public let userAgent: String?
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
