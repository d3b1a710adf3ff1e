public import Foundation
public import Mail
import SubscriberLists

/// When a sign-up email cannot be delivered at all (a 5xx reply: no such mailbox), the
/// subscriptions it was for become `bounced` and the address goes on the suppression list:
/// it is not mailed again until a person lifts it.
public struct SignupBounces: DeliveryFailureListener {
    let store: any SignupStore
    let addressHash: @Sendable (String) -> String

    /// Creates the listener over the sign-up store; `addressHash` keys the suppression list.
    public init(store: any SignupStore, addressHash: @escaping @Sendable (String) -> String) {
        self.store = store
        self.addressHash = addressHash
    }

    public var kinds: Set<String> { [SignupEmail.Kind.confirmation.rawValue, SignupEmail.Kind.alreadySubscribed.rawValue] }

    public func deliveryFailedPermanently(_ item: OutboxItem, reason: String, at time: Date) async throws {
        let email = try SignupEmail.decode(item.payload)
        try await store.markBounced(consent: email.consentID, addressHash: addressHash(email.address), reason: reason, at: time)
    }
}
