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
