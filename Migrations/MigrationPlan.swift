/// What a runner must do to bring a database to the schema this binary knows.
///
/// Computed from the steps the binary ships and the steps a database records as applied,
/// so the same decision is made for every store (SQLite and PostgreSQL).
public struct MigrationPlan: Sendable, Equatable {
    /// Steps the database has not applied yet, in order.
    public let pending: [Migration]
    /// Ids the database records that this binary does not ship: the database is newer than the binary.
    public let unknown: [String]
    /// Ids applied with a different checksum than the shipped SQL: a landed step was edited.
    public let altered: [String]

    /// Compares the shipped steps with the applied ones (`id → checksum`).
    public init(known: [Migration], applied: [String: String]) {
        let knownIDs = Set(known.map(\.id))
        self.pending = known.filter { applied[$0.id] == nil }
        self.unknown = applied.keys.filter { !knownIDs.contains($0) }.sorted()
        self.altered = known.filter { step in
            guard let recorded = applied[step.id] else { return false }
            return recorded != step.checksum
        }.map(\.id)
    }

    /// True when nothing is pending and nothing is unknown or altered.
    public var isCurrent: Bool { pending.isEmpty && unknown.isEmpty && altered.isEmpty }

    /// Why this database must not be used by this binary, in one line, or nil when it may.
    public var refusal: String? {
        if let newest = unknown.last {
            return "the database has migration \(newest), which this binary does not know: run a newer masthead, or restore a backup made for this version"
        }
        if let edited = altered.first {
            return "migration \(edited) was changed after it was applied: landed migrations are append-only, add a new step instead"
        }
        return nil
    }
}
