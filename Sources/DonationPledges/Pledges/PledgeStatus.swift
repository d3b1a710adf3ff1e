/// Where a pledge stands, and the moves the provider's events may make.
///
/// ```
/// pending ──paid──▶ succeeded (once) | active (monthly)
/// pending ──declined──▶ failed ──paid on a later try──▶ succeeded | active
/// pending | failed | active ──canceled──▶ canceled
/// ```
/// `succeeded` and `canceled` are final: a late or replayed event never moves a pledge back.
public enum PledgeStatus: String, Sendable, Codable, CaseIterable {
    case pending
    case succeeded
    case failed
    case canceled
    case active

    /// True when `next` is a move this state allows for a pledge paid at `interval`.
    public func canMove(to next: PledgeStatus, interval: PledgeInterval) -> Bool {
        switch (self, next) {
        case (.pending, .succeeded), (.failed, .succeeded): interval == .once
        case (.pending, .active), (.failed, .active): interval == .monthly
        case (.pending, .failed): true
        case (.pending, .canceled), (.failed, .canceled), (.active, .canceled): true
        default: false
        }
    }

    /// The state once the first payment went through.
    public static func paid(_ interval: PledgeInterval) -> PledgeStatus { interval == .once ? .succeeded : .active }
}
