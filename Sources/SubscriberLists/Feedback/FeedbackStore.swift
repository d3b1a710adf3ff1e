/// Where bounce and complaint reports are applied. Implementations: `SQLiteStore`,
/// `PostgresStore` (migration 0009, table `bounce_reports`).
public protocol FeedbackStore: Sendable {
    /// In one transaction: reads the address's memberships and the soft bounces counted in the
    /// policy's window, decides with ``FeedbackPlan/deciding(_:subscriber:members:softBounces:policy:)``,
    /// and writes the plan (states, suppression, the report kept, its effects).
    func applyFeedback(_ feedback: AddressFeedback, policy: SoftBouncePolicy) async throws -> FeedbackPlan.Outcome
}
