/// What operations ask of a store, whichever engine it is: whether it can serve (`/readyz`)
/// and how busy its connections are (`/metrics`). Both stores conform; the HTTP layer takes
/// one of these rather than a store.
public protocol DatabaseProbe: Sendable {
    /// Whether the database answers and its schema is current (the reason goes to logs only).
    func readiness() async -> DatabaseReadiness
    /// Connection activity, for the pool gauges.
    var poolStatistics: PoolStatistics { get }
}
