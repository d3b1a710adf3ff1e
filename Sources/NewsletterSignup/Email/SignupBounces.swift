public import Foundation
public import Mail

/// When a sign-up email cannot be delivered at all (a 5xx reply: no such mailbox), the
/// subscriptions it was for become `bounced`: the address is not mailed again for them.
public struct SignupBounces: DeliveryFailureListener {
    let store: any SignupStore

    /// Creates the listener over the sign-up store.
    public init(store: any SignupStore) {
        self.store = store
    }

    public var kinds: Set<String> { [SignupEmail.Kind.confirmation.rawValue, SignupEmail.Kind.alreadySubscribed.rawValue] }

    public func deliveryFailedPermanently(_ item: OutboxItem, reason: String, at time: Date) async throws {
        let email = try SignupEmail.decode(item.payload)
        try await store.markBounced(consent: email.consentID, reason: reason, at: time)
    }
}
