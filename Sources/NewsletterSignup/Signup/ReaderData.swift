public import Foundation
public import Mail
public import Signing
public import SideEffects
public import SubscriberLists

/// A reader's own rights from the preferences page (the signed `manage` link in every email):
/// get everything held about them (GDPR Art. 15, 20) and delete it (Art. 17), without writing
/// to the newsroom. The report and the erasure are the staff commands' own
/// (`masthead subscribers access`, `erase`), through ``SubscriberDirectory``.
///
/// A `manage` link never expires and may have been forwarded, so the report is shown at once only
/// through a link signed within ``ReaderDataPolicy/showsAtOnceFor``; through an older one it is
/// mailed to the address as a short-lived `access` link instead.
public struct ReaderDataService: Sendable {
    let store: any SignupStore
    let directory: SubscriberDirectory
    let signer: TokenSigner
    let policy: ReaderDataPolicy
    let outbox: OutboxSignal
    let now: @Sendable () -> Date

    /// Creates the service.
    public init(
        store: any SignupStore, directory: SubscriberDirectory, signer: TokenSigner, policy: ReaderDataPolicy = ReaderDataPolicy(),
        outbox: OutboxSignal, now: @escaping @Sendable () -> Date
    ) {
        self.store = store
        self.directory = directory
        self.signer = signer
        self.policy = policy
        self.outbox = outbox
        self.now = now
    }

    /// What asking for one's data through a `manage` link gives.
    public enum DataRequest: Sendable, Equatable {
        /// The link is recent: an `access` token that opens the report now.
        case ready(accessToken: String)
        /// The link is older: an email with an `access` link went to the address (or, past the
        /// day's limit, nothing more did: the reader is told the same).
        case emailed
    }

    /// Who a `manage` link belongs to (the delete page names the address it will erase).
    public func reader(manageToken token: String) async throws(LinkProblem) -> ReaderIdentity {
        try await open(token, purpose: .manage).reader
    }

    /// The reader asked for their data on the preferences page.
    public func request(manageToken token: String, locale: String?) async throws(LinkProblem) -> DataRequest {
        let (claims, reader) = try await open(token, purpose: .manage)
        let time = now()
        if time < claims.issuedAt.addingTimeInterval(Double(policy.showsAtOnceFor.components.seconds)) {
            return .ready(accessToken: accessToken(claims.subject, reader, at: time))
        }
        let email = DataAccessEmail(address: reader.normalizedEmail, consentID: claims.subject, locale: locale, issuedAt: time)
        do {
            let queued = try await store.queueReaderMail(
                email.draft(to: reader.email, subscriber: reader.subscriberID), limit: policy.emailsPerDay,
                since: time.addingTimeInterval(-86_400))
            if queued { outbox.notify() }
        } catch {
            throw .storage(error)
        }
        return .emailed
    }

    /// Everything held about the reader an `access` link was made for.
    public func report(accessToken token: String) async throws(LinkProblem) -> AccessDocument {
        let reader = try await open(token, purpose: .access).reader
        do {
            return try await directory.access(reader.email)
        } catch {
            throw .storage(error)
        }
    }

    /// Erases the reader a `manage` link belongs to, as `masthead subscribers erase` does, and
    /// queues the receipt (in `locale`) in the same transaction. The link stops working.
    public func erase(manageToken token: String, locale: String?) async throws(LinkProblem) {
        let reader = try await open(token, purpose: .manage).reader
        do {
            _ = try await directory.erase(reader.email, actor: Self.actor, receipt: ErasureReceipt(locale: locale))
        } catch {
            throw .storage(error)
        }
        outbox.notify()
    }

    /// The audit trail's actor for what readers do themselves.
    public static let actor = "reader"

    private func accessToken(_ consent: Int64, _ reader: ReaderIdentity, at time: Date) -> String {
        signer.sign(.access, subject: consent, address: reader.normalizedEmail, at: time, lifetime: policy.accessLinkLifetime)
    }

    private func open(_ token: String, purpose: TokenPurpose) async throws(LinkProblem) -> (claims: TokenClaims, reader: ReaderIdentity) {
        let (claims, reader) = try await signer.follow(token, purpose: purpose, at: now()) { claims, isBound in
            try await store.reader(consent: claims.subject, isBound: isBound)
        }
        return (claims, reader)
    }
}

/// The rules of the reader's data requests.
public struct ReaderDataPolicy: Sendable, Equatable {
    /// A `manage` link signed this recently shows the report at once; an older one mails it.
    public var showsAtOnceFor: Duration = .seconds(3_600)
    /// How long the mailed `access` link works.
    public var accessLinkLifetime: Duration = .seconds(3_600)
    /// Data-access emails per address per 24 hours (a leaked link cannot flood the mailbox).
    public var emailsPerDay = 3

    /// The defaults.
    public init() {}
}

/// A subscriber as a link names them.
public struct ReaderIdentity: Sendable, Equatable {
    public var subscriberID: Int64
    /// The address as the reader typed it.
    public var email: String
    public var normalizedEmail: String
    public var locale: String?

    /// Creates an identity.
    public init(subscriberID: Int64, email: String, normalizedEmail: String, locale: String?) {
        self.subscriberID = subscriberID
        self.email = email
        self.normalizedEmail = normalizedEmail
        self.locale = locale
    }
}

/// The email with a reader's `access` link: its outbox payload.
public struct DataAccessEmail: Sendable, Equatable, Codable {
    /// The outbox kind.
    public static let kind = "data_access"

    /// The normalised address the link is bound to.
    public var address: String
    /// The consent record the reader's links name (the token's subject).
    public var consentID: Int64
    public var locale: String?
    /// When it was asked for: the link's lifetime counts from here.
    public var issuedAt: Date

    /// Creates a payload.
    public init(address: String, consentID: Int64, locale: String?, issuedAt: Date) {
        self.address = address
        self.consentID = consentID
        self.locale = locale
        self.issuedAt = issuedAt
    }

    func draft(to recipient: String, subscriber: Int64) throws -> OutboxDraft {
        OutboxDraft(kind: Self.kind, recipient: recipient, subscriberID: subscriber, payload: Array(try JSONEncoder().encode(self)), queuedAt: issuedAt)
    }
}
