/// Where a subscriber stands with one newsletter, and the moves allowed between states.
///
/// ```
/// pending ──confirm──▶ confirmed ──unsubscribe──▶ unsubscribed
///    │ └──unsubscribe──────────────────────────▶ unsubscribed
///    └──expire──▶ expired
/// any ──▶ bounced | complained        (the address itself is the problem)
/// unsubscribed | expired ──sign up again──▶ pending
/// ```
public enum SubscriptionStatus: String, Sendable, Codable, CaseIterable {
    /// Signed up, waiting for the confirmation click.
    case pending
    /// Confirmed (or single opt-in): receives the newsletter.
    case confirmed
    /// Left the newsletter.
    case unsubscribed
    /// Never confirmed in time.
    case expired
    /// Mail to the address failed permanently.
    case bounced
    /// The reader reported the mail as spam.
    case complained

    /// True when `next` is a move this state allows (staying put is not a move).
    public func canMove(to next: SubscriptionStatus) -> Bool {
        switch (self, next) {
        case (_, .bounced), (_, .complained): self != next
        case (.pending, .confirmed), (.pending, .unsubscribed), (.pending, .expired): true
        case (.confirmed, .unsubscribed): true
        case (.unsubscribed, .pending), (.expired, .pending): true
        default: false
        }
    }

    /// True while the reader is, or is about to be, on the list.
    public var isActive: Bool { self == .pending || self == .confirmed }

    /// The state after a move, or the reason it is not allowed.
    public func moved(to next: SubscriptionStatus) throws(SubscriptionTransitionError) -> SubscriptionStatus {
        guard canMove(to: next) else { throw SubscriptionTransitionError(from: self, to: next) }
        return next
    }
}

/// A move the subscription states do not allow (e.g. confirming an unsubscribed membership).
public struct SubscriptionTransitionError: Error, Equatable, CustomStringConvertible {
    public let from: SubscriptionStatus
    public let to: SubscriptionStatus

    public var description: String { "a \(from.rawValue) subscription cannot become \(to.rawValue)" }
}
