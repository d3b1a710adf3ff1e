/// What every store reports about its database to `/readyz` and `/metrics`, whichever engine it is.

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

/// A snapshot of the connection pool, exposed as Prometheus gauges.
public struct PoolStatistics: Sendable, Equatable {
    /// Connections the pool may use for reads (SQLite: reader connections; PostgreSQL: the whole pool).
    public var maximumReaders: Int
    /// Read transactions running or waiting for a connection.
    public var readsInFlight: Int
    /// Write transactions running or waiting for a connection.
    public var writesInFlight: Int

    public init(maximumReaders: Int, readsInFlight: Int, writesInFlight: Int) {
        self.maximumReaders = maximumReaders
        self.readsInFlight = readsInFlight
        self.writesInFlight = writesInFlight
    }
}
