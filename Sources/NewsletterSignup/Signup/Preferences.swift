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
