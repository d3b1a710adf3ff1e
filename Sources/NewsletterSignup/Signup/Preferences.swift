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

    public init(address: String, entries: [Entry]) {
        self.address = address
        self.entries = entries
    }
}

/// What saving the preferences page changes: the newsletters joined (confirmed at once: the
/// signed link proved the address) and the ones left.
public struct PreferencesChange: Sendable, Equatable {
    /// Newsletters to join, with their state before.
    public var joining: [Preferences.Entry]
    /// Newsletters to leave.
    public var leaving: [Newsletter]

    /// Where the consent record of a newsletter joined here says consent was given.
    public static let consentSource = "preferences"
    /// Why that consent record is confirmed without a confirmation email.
    public static let consentBasis = "chosen on the preferences page reached by a signed link"
}

extension Preferences {
    /// The change that makes the reader's public newsletters exactly `wanted`. Bounced and
    /// complained memberships are left alone: the address itself is the problem.
    public func change(to wanted: Set<String>) -> PreferencesChange {
        var change = PreferencesChange(joining: [], leaving: [])
        for entry in entries {
            if wanted.contains(entry.newsletter.slug) {
                guard entry.status != .confirmed, entry.status != .bounced, entry.status != .complained else { continue }
                change.joining.append(entry)
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
        return after
    }
}

extension SignupService {
    /// The preferences a `manage` link (in every sign-up email) opens.
    public func preferences(token: String) async throws(LinkProblem) -> Preferences {
        try await followManage(token) { claims, isBound in
            try await store.preferences(consent: claims.subject, wanted: nil, at: now(), client: nil, isBound: isBound)
        }
    }

    /// Sets the reader's public newsletters to exactly `wanted`: the others are unsubscribed,
    /// the wanted ones joined. The signed link proves the address, so a newsletter chosen here
    /// is confirmed at once (its consent record says so).
    public func savePreferences(token: String, wanted: Set<String>, client: ClientContext) async throws(LinkProblem) -> Preferences {
        try await followManage(token) { claims, isBound in
            try await store.preferences(consent: claims.subject, wanted: wanted, at: now(), client: client, isBound: isBound)
        }
    }

    private func followManage(
        _ token: String, _ act: (TokenClaims, @escaping @Sendable (String) -> Bool) async throws -> Preferences?
    ) async throws(LinkProblem) -> Preferences {
        let claims: TokenClaims
        do {
            claims = try signer.open(token.trimmingCharacters(in: .whitespacesAndNewlines), purpose: .manage, at: now())
        } catch {
            throw .rejected(error)
        }
        let signer = self.signer
        let found: Preferences?
        do {
            found = try await act(claims) { signer.isBound(claims, to: $0) }
        } catch {
            throw .storage(String(describing: error))
        }
        guard let found else { throw .rejected(.addressMismatch) }
        return found
    }
}
