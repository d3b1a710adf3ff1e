public import Logging
import Synchronization

/// Thins out repeats of the same warning or error: while a disk is full every request fails the
/// same way, and one line per request (48,000 in 20 seconds, in the trial that found it) fills
/// what little space is left and buries everything else.
///
/// A line of level warning or above is written the first time; the same line (same level,
/// label, message and `error`/`reason`) is then written at most once per ``interval``, saying
/// how many were left out since (`repeated`). Other lines pass untouched.
///
/// Generic over the handler it wraps, not holding `any LogHandler`: every request sets metadata
/// on its logger, and a nested existential made that a second copy-on-write box (measured: 3 %
/// of the daemon's CPU under a `/healthz` load).
public struct RepeatLimitingLogHandler<Inner: LogHandler>: LogHandler {
    var inner: Inner
    let repeats: LogRepeats

    /// Wraps `inner`; every handler made for one process shares one `repeats`.
    public init(_ inner: Inner, repeats: LogRepeats) {
        self.inner = inner
        self.repeats = repeats
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        guard event.level >= .warning else { return inner.log(event: event) }
        let details = ["error", "reason"].compactMap { event.metadata?[$0]?.description }
        let key = "\(event.level)|\(event.source)|\(event.message)|\(details.joined(separator: "|"))"
        guard let left = repeats.admit(key) else { return }
        var event = event
        if left > 0 {
            var metadata = event.metadata ?? [:]
            metadata["repeated"] = "\(left) identical lines left out in the last \(repeats.interval.components.seconds) s"
            event.metadata = metadata
        }
        inner.log(event: event)
    }
}

/// What ``RepeatLimitingLogHandler`` remembers: when each line was last written and how many
/// of it were left out since.
public final class LogRepeats: Sendable {
    /// How often one repeated line is written at most.
    public let interval: Duration
    /// Distinct lines remembered; past this the oldest half is forgotten (bounded memory).
    static let capacity = 1024
    private let seen = Mutex<[String: (written: ContinuousClock.Instant, leftOut: Int)]>([:])

    public init(interval: Duration = .seconds(10)) {
        self.interval = interval
    }

    /// nil to leave the line out; else how many were left out before it.
    func admit(_ key: String, at now: ContinuousClock.Instant = .now) -> Int? {
        seen.withLock { seen in
            if let last = seen[key], now - last.written < interval {
                seen[key]?.leftOut += 1
                return nil
            }
            if seen.count >= Self.capacity {
                for old in seen.sorted(by: { $0.value.written < $1.value.written }).prefix(Self.capacity / 2) {
                    seen[old.key] = nil
                }
            }
            let leftOut = seen[key]?.leftOut ?? 0
            seen[key] = (now, 0)
            return leftOut
        }
    }
}
