import Foundation
import Synchronization

/// A token bucket per key (a client address; an admin API token): `burst` requests at once,
/// refilled at `perMinute`.
///
/// Kept in memory, so it is per daemon; nginx's `limit_req` is the global one. The table is
/// bounded: when it grows past `maximumClients`, buckets that have refilled (idle clients) go.
public final class RateLimiter<Key: Hashable & Sendable>: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let buckets = Mutex<[Key: Bucket]>([:])
    private let capacity: Double
    private let perSecond: Double
    private let maximumClients: Int
    private let clock: @Sendable () -> Double

    /// Creates a limiter; `clock` returns seconds on a monotonic scale (tests inject theirs;
    /// nil is the system's uptime).
    public init(perMinute: Int, burst: Int, maximumClients: Int = 100_000, clock: (@Sendable () -> Double)? = nil) {
        self.capacity = Double(burst)
        self.perSecond = Double(perMinute) / 60
        self.maximumClients = maximumClients
        self.clock = clock ?? { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    }

    /// Takes a token for `client`; returns nil when allowed, else the seconds until one is available.
    public func take(for client: Key) -> Int? {
        let now = clock()
        return buckets.withLock { buckets in
            if buckets.count >= maximumClients { prune(&buckets, now: now) }
            var bucket = buckets[client] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updated) * perSecond)
            bucket.updated = now
            defer { buckets[client] = bucket }
            guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up))) }
            bucket.tokens -= 1
            return nil
        }
    }

    private func prune(_ buckets: inout [Key: Bucket], now: Double) {
        buckets = buckets.filter { _, bucket in bucket.tokens + (now - bucket.updated) * perSecond < capacity }
    }
}
