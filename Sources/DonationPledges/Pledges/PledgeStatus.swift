/// Where a pledge stands, and the moves the provider's events may make.
///
/// ```
/// pending ──paid──▶ succeeded (once) | active (monthly, annual)
/// pending ──declined──▶ failed ──paid on a later try──▶ succeeded | active
/// pending | failed | active ──canceled──▶ canceled
/// succeeded ──refunded in full──▶ refunded
/// succeeded ──disputed──▶ disputed ──dispute won──▶ succeeded
/// ```
/// `canceled` and `refunded` are final: a late or replayed event never moves a pledge back.
/// Refunds and disputes are of one-time payments; a recurring pledge's refunded month is kept
/// in its history without a move.
public enum PledgeStatus: String, Sendable, Codable, CaseIterable {
    case pending
    case succeeded
    case failed
    case canceled
    case active
    /// The payment was given back in full (by staff, from the provider's dashboard).
    case refunded
    /// The cardholder's bank disputes the payment: the money is held until the dispute closes.
    case disputed

    /// True when `next` is a move this state allows for a pledge paid at `interval`.
    public func canMove(to next: PledgeStatus, interval: PledgeInterval) -> Bool {
        switch (self, next) {
        case (.pending, .succeeded), (.failed, .succeeded): interval == .once
        case (.pending, .active), (.failed, .active): interval.isRecurring
        case (.pending, .failed): true
        case (.pending, .canceled), (.failed, .canceled), (.active, .canceled): true
        case (.succeeded, .refunded), (.succeeded, .disputed): true
        case (.disputed, .succeeded): true
        default: false
        }
    }

    /// Whether the money of a pledge in this state was given back (refunded) or is held by a
    /// dispute: the summary subtracts it from what was collected.
    public var isReturned: Bool { self == .refunded || self == .disputed }

    /// The state once the first payment went through.
    public static func paid(_ interval: PledgeInterval) -> PledgeStatus { interval == .once ? .succeeded : .active }
}
