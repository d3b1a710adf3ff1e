public import Foundation
import EmailAddress
public import Mail
public import Signing
public import SideEffects
import SubscriberLists

/// Newsletter sign-up: validate, record with consent, queue the confirmation; confirm,
/// resend and unsubscribe through signed links.
///
/// ```swift
/// let service = SignupService(store: store, signer: signer, policy: policy, outbox: signal, now: Date.init)
/// try await service.signUp(SignupRequest(email: "anna@example.org", newsletters: ["ukraine-daily"], client: client))
/// ```
/// Every outcome a reader can observe is the same whatever the address's state; only
/// validation errors (about the input, never the address's state) differ.
public struct SignupService: Sendable {
    let store: any SignupStore
    let signer: TokenSigner
    let policy: SignupPolicy
    let outbox: OutboxSignal
    let gate: DomainGate?
    let now: @Sendable () -> Date

    /// Creates the service; `outbox` is notified after each commit that queued an email;
    /// `gate` checks each sign-up's domain (nil: no domain policy).
    public init(
        store: any SignupStore, signer: TokenSigner, policy: SignupPolicy, outbox: OutboxSignal, gate: DomainGate? = nil,
        now: @escaping @Sendable () -> Date
    ) {
        self.store = store
        self.signer = signer
        self.policy = policy
        self.outbox = outbox
        self.gate = gate
        self.now = now
    }

    /// Records a sign-up and, when the rules allow, queues one confirmation email. The domain
    /// policy is checked first: a refused domain records nothing.
    @discardableResult
    public func signUp(_ request: SignupRequest) async throws -> SignupOutcome {
        let prepared = try prepare(request)
        if let gate { try await gate.admit(String(prepared.record.normalizedAddress.drop { $0 != "@" }.dropFirst())) }
        let outcome = try await store.recordSignup(prepared)
        recorded(outcome)
        return outcome
    }

    /// Validates a sign-up and binds the rules the store applies inside its transaction: which
    /// newsletters it is for, and what it changes and sends. A store records it alone
    /// (``signUp(_:)``) or inside another change's transaction (a pledge's newsletter opt-in).
    public func prepare(_ request: SignupRequest) throws(SignupError) -> PreparedSignup {
        let address = try Self.validatedAddress(request.email)
        let locale = try Self.validated(request.locale, field: "locale", maximum: SignupLimits.maximumLocaleLength) {
            $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
        let source = try Self.validated(request.source, field: "source", maximum: SignupLimits.maximumSourceLength) {
            !$0.unicodeScalars.contains { $0.properties.generalCategory == .control }
        }
        guard request.newsletters.count <= SignupLimits.maximumNewsletters else {
            throw SignupError.tooManyNewsletters(maximum: SignupLimits.maximumNewsletters)
        }
        let time = now()
        let record = SignupRecord(
            normalizedAddress: address.normalized, mailbox: address.mailbox,
            addressHash: signer.ring.addressHash(address.normalized), locale: locale, source: source,
            client: request.client, consentTextVersion: policy.consentTextVersion, time: time)
        let policy = self.policy
        let slugs = request.newsletters
        return PreparedSignup(
            record: record,
            choose: { open in try Self.choose(slugs, from: open, defaults: policy.defaultNewsletters) },
            plan: { snapshot, newsletters in SignupPlanner.plan(snapshot, newsletters: newsletters, policy: policy, at: time) })
    }

    /// Wakes the delivery worker when a committed sign-up queued an email.
    public func recorded(_ outcome: SignupOutcome) {
        if outcome.plan.email != nil { outbox.notify() }
    }

    /// Sends a fresh confirmation if the address has pending subscriptions (within the limits).
    /// Returns what happened and why, for the log; callers answer the same either way.
    @discardableResult
    public func resend(email: String) async throws -> ResendOutcome {
        let address = try Self.validatedAddress(email)
        let time = now()
        let policy = self.policy
        let outcome = try await store.recordResend(
            address: address.normalized, addressHash: signer.ring.addressHash(address.normalized), at: time
        ) { snapshot in
            SignupPlanner.resendRefusal(snapshot, policy: policy, at: time)
        }
        if outcome == .queued { outbox.notify() }
        return outcome
    }

    /// Confirms the sign-up a `confirm` link stands for. Confirming twice is harmless.
    public func confirm(token: String, client: ClientContext) async throws(LinkProblem) -> LinkOutcome {
        try await follow(token, purpose: .confirm) { claims, isBound in
            try await store.confirm(consent: claims.subject, at: now(), client: client, isBound: isBound)
        }
    }

    /// Unsubscribes from the newsletters an `unsubscribe` link stands for, at once. Twice is harmless.
    public func unsubscribe(token: String, client: ClientContext) async throws(LinkProblem) -> LinkOutcome {
        try await follow(token, purpose: .unsubscribe) { claims, isBound in
            try await store.unsubscribe(consent: claims.subject, at: now(), client: client, isBound: isBound)
        }
    }

    private func follow(
        _ token: String, purpose: TokenPurpose,
        _ act: (TokenClaims, @escaping @Sendable (String) -> Bool) async throws -> LinkOutcome
    ) async throws(LinkProblem) -> LinkOutcome {
        try await signer.follow(token, purpose: purpose, at: now()) { claims, isBound in
            let outcome = try await act(claims, isBound)
            if case .notFound = outcome { return nil }
            return outcome
        }.found
    }

    /// The newsletters a request is for, among the open (not archived) ones: the named public
    /// ones, or the configured defaults, or the only public newsletter there is.
    static func choose(_ slugs: [String], from open: [Newsletter], defaults: [String]) throws(SignupError) -> [Newsletter] {
        let candidates = open.filter { $0.visibility == .public }
        guard !candidates.isEmpty else { throw .noNewsletterOpen }
        var wanted: [String] = []
        for slug in slugs where !wanted.contains(slug) { wanted.append(slug) }
        if wanted.isEmpty {
            if !defaults.isEmpty {
                wanted = defaults
            } else if candidates.count == 1, let only = candidates.first {
                wanted = [only.slug]
            } else {
                throw .noNewsletterChosen
            }
        }
        let bySlug = Dictionary(uniqueKeysWithValues: candidates.map { ($0.slug, $0) })
        let unknown = wanted.filter { bySlug[$0] == nil }
        guard unknown.isEmpty else { throw .unknownNewsletters(unknown) }
        return wanted.compactMap { bySlug[$0] }
    }

    static func validatedAddress(_ text: String) throws(SignupError) -> EmailAddress {
        let trimmed = EmailAddress.trimmingWhiteSpace(text)
        guard trimmed.count <= SignupLimits.maximumEmailLength else { throw .invalidAddress(.addressTooLong) }
        do {
            return try EmailAddress(parsing: trimmed)
        } catch {
            throw .invalidAddress(error)
        }
    }

    private static func validated(
        _ value: String?, field: String, maximum: Int, allowed: (String) -> Bool
    ) throws(SignupError) -> String? {
        guard let value = value.map(EmailAddress.trimmingWhiteSpace), !value.isEmpty else { return nil }
        guard value.count <= maximum else { throw .fieldTooLong(field: field, maximum: maximum) }
        guard allowed(value) else { throw .invalidField(field: field) }
        return value
    }
}

/// Why a confirm or unsubscribe link did nothing. The reader sees one polite page whatever the
/// reason; the reason goes to the log.
public enum LinkProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The token was refused (malformed, unknown key, bad signature, wrong purpose, expired,
    /// or bound to another address).
    case rejected(TokenRejection)
    /// The database failed (the error is kept: a full disk is answered otherwise than a bug).
    case storage(any Error)

    public var description: String {
        switch self {
        case .rejected(let rejection): "\(rejection)"
        case .storage(let error): "storage failed: \(error)"
        }
    }

    public static func == (lhs: LinkProblem, rhs: LinkProblem) -> Bool {
        switch (lhs, rhs) {
        case (.rejected(let left), .rejected(let right)): left == right
        case (.storage(let left), .storage(let right)): "\(left)" == "\(right)"
        default: false
        }
    }
}
