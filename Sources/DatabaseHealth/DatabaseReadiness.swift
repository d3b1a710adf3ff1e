public import Migrations

/// The answer of a readiness probe.
public enum DatabaseReadiness: Sendable, Equatable {
    /// The database answers and every migration is applied.
    case ready
    /// Not ready, with the reason for the log (never shown to clients).
    case notReady(String)

    /// Readiness from the migration plan of a database that answered.
    public init(plan: MigrationPlan) {
        if let refusal = plan.refusal {
            self = .notReady(refusal)
        } else if !plan.pending.isEmpty {
            self = .notReady("migrations pending: \(plan.pending.map(\.id).joined(separator: ", "))")
        } else {
            self = .ready
        }
    }
}
