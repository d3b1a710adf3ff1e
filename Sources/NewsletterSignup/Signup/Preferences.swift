import Foundation
import Signing
public import SubscriberLists

/// What the preferences page shows: the address and every public newsletter with the reader's
/// state for it.
public struct Preferences: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var newsletter: Newsletter
        public var status: SubscriptionStatus?

        public init(newsletter: Newsletter, status: SubscriptionStatus?) {
            self.newsletter = newsletter
            self.status = status
        }
    }

    public var address: String
    public var entries: [Entry]
    /// Newsletters the reader chose through a link too old to prove the address: they join
    /// once a fresh confirmation email is followed (``PreferencesChoice/linkProvesAddress``).
    public var awaitingConfirmation: [Newsletter] = []

    public init(address: String, entries: [Entry]) {
        self.address = address
        self.entries = entries
    }
}

/// What a reader saves on the preferences page: the newsletters wanted, and whether the link
/// they came by is recent enough to prove the address.
public struct PreferencesChoice: Sendable, Equatable {
    /// The public newsletters the reader wants to receive, by slug.
    public var wanted: Set<String>
    /// Whether joining confirms at once. A `manage` link never expires (every email carries
    /// one, and leaving must always work), but a link older than
    /// ``SignupPolicy/preferencesLinkConfirmsFor`` may have been forwarded or the mailbox may have
    /// changed hands: joining through it needs a fresh confirmation email.
    public var linkProvesAddress: Bool

    public init(wanted: Set<String>, linkProvesAddress: Bool = true) {
        self.wanted = wanted
        self.linkProvesAddress = linkProvesAddress
    }
}

/// What saving the preferences page changes: the newsletters joined (confirmed at once: the
/// signed link proved the address), the ones left, and the ones that need a fresh confirmation.
public struct PreferencesChange: Sendable, Equatable {
    /// Newsletters to join, with their state before.
    public var joining: [Preferences.Entry]
    /// Newsletters to leave.
    public var leaving: [Newsletter]
    /// Newsletters chosen through an old link: signed up for as a new sign-up (pending, with a
    /// confirmation email), after the change is saved.
    public var confirming: [Newsletter] = []

    public init(joining: [Preferences.Entry], leaving: [Newsletter], confirming: [Newsletter] = []) {
        self.joining = joining
        self.leaving = leaving
        self.confirming = confirming
    }

    /// Where the consent record of a newsletter joined here says consent was given.
    public static let consentSource = "preferences"
    /// Why that consent record is confirmed without a confirmation email.
    public static let consentBasis = "chosen on the preferences page reached by a signed link"
}

extension Preferences {
    /// The change that makes the reader's public newsletters exactly `choice.wanted`. Bounced
    /// and complained memberships are left alone: the address itself is the problem. Through a
    /// link that no longer proves the address, a newsletter not yet joined waits for a fresh
    /// confirmation, and one already pending stays pending.
    public func change(to choice: PreferencesChoice) -> PreferencesChange {
        var change = PreferencesChange(joining: [], leaving: [])
        for entry in entries {
            if choice.wanted.contains(entry.newsletter.slug) {
                guard entry.status != .confirmed, entry.status != .bounced, entry.status != .complained else { continue }
                if choice.linkProvesAddress {
                    change.joining.append(entry)
                } else if entry.status != .pending {
                    change.confirming.append(entry.newsletter)
                }
            } else if entry.status?.isActive == true {
                change.leaving.append(entry.newsletter)
            }
        }
        return change
    }

    /// The preferences once `change` is saved.
    public func applying(_ change: PreferencesChange) -> Preferences {
        let joined = Set(change.joining.map(\.newsletter.id))
        let left = Set(change.leaving.map(\.id))
        var after = self
        for index in after.entries.indices {
            let id = after.entries[index].newsletter.id
            if joined.contains(id) { after.entries[index].status = .confirmed }
            if left.contains(id) { after.entries[index].status = .unsubscribed }
        }
        after.awaitingConfirmation = change.confirming
        return after
    }
}

extension SignupService {
    /// The preferences a `manage` link (in every sign-up email) opens.
    public func preferences(token: String) async throws(LinkProblem) -> Preferences {
        try await followManage(token) { claims, isBound in
            try await store.preferences(consent: claims.subject, choice: nil, at: now(), client: nil, isBound: isBound)
        }
    }

    /// Sets the reader's public newsletters to exactly `wanted`: the others are unsubscribed,
    /// the wanted ones joined. A recent signed link proves the address, so a newsletter chosen
    /// through it is confirmed at once (its consent record says so); through an older link the
    /// newsletter is signed up for like any sign-up, and joins when its confirmation email's link
    /// is followed (``Preferences/awaitingConfirmation`` names them).
    public func savePreferences(token: String, wanted: Set<String>, client: ClientContext) async throws(LinkProblem) -> Preferences {
        let window = policy.preferencesLinkConfirmsFor
        let saved = try await followManage(token) { claims, isBound in
            let time = now()
            let choice = PreferencesChoice(
                wanted: wanted, linkProvesAddress: time < claims.issuedAt.addingTimeInterval(Double(window.components.seconds)))
            return try await store.preferences(consent: claims.subject, choice: choice, at: time, client: client, isBound: isBound)
        }
        guard !saved.awaitingConfirmation.isEmpty else { return saved }
        do {
            try await signUp(
                SignupRequest(
                    email: saved.address, newsletters: saved.awaitingConfirmation.map(\.slug),
                    source: PreferencesChange.consentSource, client: client))
            var after = try await followManage(token) { claims, isBound in
                try await store.preferences(consent: claims.subject, choice: nil, at: now(), client: nil, isBound: isBound)
            }
            after.awaitingConfirmation = saved.awaitingConfirmation
            return after
        } catch let problem as LinkProblem {
            throw problem
        } catch {
            throw .storage(error)
        }
    }

    private func followManage(
        _ token: String, _ act: (TokenClaims, @escaping @Sendable (String) -> Bool) async throws -> Preferences?
    ) async throws(LinkProblem) -> Preferences {
        try await signer.follow(token, purpose: .manage, at: now(), act).found
    }
}
