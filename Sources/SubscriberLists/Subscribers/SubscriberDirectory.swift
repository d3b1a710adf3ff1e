public import Foundation
import EmailAddress
import SideEffects

/// Staff operations on subscribers: look up, add, unsubscribe, erase, answer access requests,
/// keep the suppression list. Validates input, then works through a ``SubscriberStore``.
///
/// ```swift
/// let directory = SubscriberDirectory(store: store, addressHash: keys.addressHash, now: Date.init)
/// let profile = try await directory.show("anna@example.org")
/// ```
public struct SubscriberDirectory: Sendable {
    let store: any SubscriberStore
    let addressHash: @Sendable (String) -> String
    let now: @Sendable () -> Date

    /// Creates a directory; `addressHash` is the keyed hash the suppression list uses.
    public init(store: any SubscriberStore, addressHash: @escaping @Sendable (String) -> String, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.addressHash = addressHash
        self.now = now
    }

    /// Adds the address to a newsletter: confirmed at once when a basis for consent is stated,
    /// else pending with a confirmation email queued. Suppressed addresses are refused.
    public func add(
        _ email: String, newsletter: String, confirmed: Bool, basis: String?, actor: String
    ) async throws -> MembershipChange {
        let address = try Self.parse(email)
        let basis = basis?.trimmingCharacters(in: .whitespacesAndNewlines)
        if confirmed, basis?.isEmpty ?? true { throw SubscriberError.confirmedNeedsBasis }
        guard try await store.newsletter(slug: newsletter) != nil else { throw SubscriberError.unknownNewsletter(newsletter) }
        let change = try await store.addMembership(MembershipAddition(
            email: address.mailbox, normalizedEmail: address.normalized, addressHash: addressHash(address.normalized),
            newsletter: newsletter, confirmed: confirmed, basis: basis, time: now(), actor: actor))
        if case .suppressed(let reason) = change { throw SubscriberError.suppressed(reason) }
        return change
    }

    /// Everything about an address: memberships, consent records, events.
    public func show(_ email: String) async throws -> SubscriberProfile {
        let address = try Self.parse(email)
        guard let profile = try await store.subscriberProfile(normalizedEmail: address.normalized) else {
            throw SubscriberError.unknownSubscriber(address.mailbox)
        }
        return profile
    }

    /// Memberships matching every criterion given.
    public func find(_ search: SubscriberSearch) async throws -> [MembershipRow] {
        guard (1...100_000).contains(search.limit) else { throw SubscriberError.invalidLimit(search.limit) }
        var search = search
        search.emailContains = search.emailContains?.lowercased()
        search.domain = try search.domain.map(Self.asciiDomain)
        if let slug = search.newsletter { try await requireNewsletter(slug) }
        return try await store.findMemberships(search)
    }

    /// One page of memberships in id order after `cursor` (0 for the first page), narrowed by
    /// newsletter, state and last change: the admin API's list. Keyset pagination, so rows
    /// added while a client pages through are never skipped or repeated.
    public func page(
        newsletter: String?, state: SubscriptionStatus?, updatedSince: Date?, after cursor: Int64, limit: Int
    ) async throws -> [MembershipRow] {
        guard (1...100_000).contains(limit) else { throw SubscriberError.invalidLimit(limit) }
        if let newsletter { try await requireNewsletter(newsletter) }
        return try await store.exportMemberships(
            newsletter: newsletter, state: state, updatedSince: updatedSince, withConsent: false, after: max(0, cursor), limit: limit)
    }

    /// Unsubscribes the address from the newsletters named (all when none); returns the slugs
    /// that changed.
    public func unsubscribe(_ email: String, newsletters: [String], actor: String) async throws -> [String] {
        let address = try Self.parse(email)
        for slug in newsletters { try await requireNewsletter(slug) }
        guard try await store.subscriberProfile(normalizedEmail: address.normalized) != nil else {
            throw SubscriberError.unknownSubscriber(address.mailbox)
        }
        return try await store.unsubscribe(
            normalizedEmail: address.normalized, newsletters: newsletters.isEmpty ? nil : newsletters, at: now(), actor: actor)
    }

    /// Memberships per state, of one newsletter or all.
    public func count(newsletter: String?) async throws -> [SubscriptionStatus: Int] {
        if let newsletter { try await requireNewsletter(newsletter) }
        return try await store.countMemberships(newsletter: newsletter)
    }

    /// The right to erasure: deletes everything personal about the address and keeps only the
    /// suppression hash. Returns whether anything was held.
    /// With `receipt`, an email telling the person it is done is queued in the same transaction.
    public func erase(_ email: String, actor: String, receipt: ErasureReceipt? = nil) async throws -> Bool {
        let address = try Self.parse(email)
        let time = now()
        let mail = try receipt.map { Effects(mail: [try $0.draft(to: address.mailbox, at: time)]) } ?? .none
        return try await store.erase(
            normalizedEmail: address.normalized, addressHash: addressHash(address.normalized), at: time, actor: actor, receipt: mail)
    }

    /// Retention: erases the sign-ups nobody confirmed that began before `retention`'s cutoff.
    public func eraseNeverConfirmed(_ retention: PendingRetention, actor: String) async throws -> Int {
        let time = now()
        return try await store.eraseNeverConfirmed(before: retention.cutoff(at: time), at: time, actor: actor)
    }

    /// The right of access: everything held about the address, each consent record with the
    /// words it agreed to.
    public func access(_ email: String) async throws -> AccessDocument {
        let address = try Self.parse(email)
        guard var document = try await store.accessDocument(
            normalizedEmail: address.normalized, addressHash: addressHash(address.normalized))
        else { throw SubscriberError.unknownSubscriber(address.mailbox) }
        if let profile = document.profile {
            document.profile = ConsentTexts.withWords(profile, from: try await store.consentTexts())
        }
        return document
    }

    /// Puts the address on the suppression list by hand.
    public func suppress(_ email: String, note: String?, actor: String) async throws {
        let address = try Self.parse(email)
        try await store.suppress(
            addressHash: addressHash(address.normalized), reason: .manual, note: note, at: now(), actor: actor)
    }

    /// Lifts a suppression (the person asked to come back).
    public func unsuppress(_ email: String, actor: String) async throws {
        let address = try Self.parse(email)
        guard try await store.unsuppress(addressHash: addressHash(address.normalized), at: now(), actor: actor) else {
            throw SubscriberError.notSuppressed
        }
    }

    /// The suppression entry of an address, if any.
    public func suppression(of email: String) async throws -> Suppression? {
        let address = try Self.parse(email)
        return try await store.suppression(addressHash: addressHash(address.normalized))
    }

    /// Expires memberships left pending for longer than `age`; returns how many.
    public func expirePending(olderThan age: TimeInterval, actor: String) async throws -> Int {
        let time = now()
        return try await store.expirePending(before: time.addingTimeInterval(-age), at: time, actor: actor)
    }

    /// Counts, opt-in rate and growth over the last `days` days of each newsletter named (all when none).
    public func stats(newsletter: String?, days: Int) async throws -> [NewsletterStats] {
        let slugs: [String]
        if let newsletter {
            try await requireNewsletter(newsletter)
            slugs = [newsletter]
        } else {
            slugs = try await store.newsletters(includingArchived: false).map(\.slug)
        }
        var all: [NewsletterStats] = []
        for slug in slugs { all.append(try await store.newsletterStats(slug: slug, days: days, at: now())) }
        return all
    }

    private func requireNewsletter(_ slug: String) async throws {
        guard try await store.newsletter(slug: slug) != nil else { throw SubscriberError.unknownNewsletter(slug) }
    }

    static func parse(_ text: String) throws(SubscriberError) -> EmailAddress {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            return try EmailAddress(parsing: trimmed)
        } catch {
            throw .invalidAddress(trimmed, reason: error.description)
        }
    }

    /// A domain as stored (A-label, lower case), via the address parser's IDNA handling.
    static func asciiDomain(_ text: String) throws(SubscriberError) -> String {
        try parse("x@" + text.trimmingCharacters(in: .whitespaces)).asciiDomain.lowercased()
    }
}
