public import Foundation

/// Learns when a message of its kinds failed for good, so the library that queued it can react
/// (a confirmation that bounced marks the subscription `bounced`).
public protocol DeliveryFailureListener: Sendable {
    /// The kinds it listens for.
    var kinds: Set<String> { get }
    /// Called once, after the row moved to the dead letters because the mail could not be delivered.
    func deliveryFailedPermanently(_ item: OutboxItem, reason: String, at time: Date) async throws
}
