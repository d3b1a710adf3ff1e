/// What operations ask of a store, whichever engine it is: whether it can serve (`/readyz`)
/// and how busy its connections are (`/metrics`). Both stores conform; the HTTP layer takes
/// one of these rather than a store.
public protocol DatabaseProbe: Sendable {
    /// Whether the database answers and its schema is current (the reason goes to logs only).
    func readiness() async -> DatabaseReadiness
    /// Connection activity, for the pool gauges.
    var poolStatistics: PoolStatistics { get }
    /// Why `error` is the server's condition rather than the request's — the disk is full, the
    /// file read-only, an I/O error, the database connection lost — in a few words for the log;
    /// nil for anything else. Such a failure is answered 503 with `Retry-After`: the same
    /// request may work in a moment, and nothing was saved.
    func unavailability(of error: any Error) -> String?
}
