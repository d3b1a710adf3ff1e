/// One signal's recent count and its slow baseline: the last minute in six ten-second buckets
/// (a sliding window that costs O(1) per event), with how the window splits by key (a client's
/// network, an address's domain) for the share checks; and an exponentially weighted average
/// of whole minutes, the "normal" the short window is compared with.
struct SignalWindow: Sendable {
    static let bucketSeconds: Int64 = 10
    static let bucketCount = 6
    /// Weight of each finished minute in the baseline: about half of it is the last 14 minutes.
    static let smoothing = 0.05

    private var bucketIndex = [Int64](repeating: .min, count: bucketCount)
    private var bucketCounts = [Int](repeating: 0, count: bucketCount)
    private var bucketKeys = [[String: Int]](repeating: [:], count: bucketCount)
    /// Events in the window, in all and by key.
    private(set) var total = 0
    private(set) var byKey: [String: Int] = [:]

    /// Events per minute, smoothed over past minutes.
    private(set) var baseline = 0.0
    private var minute: Int64?
    private var minuteCount = 0

    /// Counts one event at `second` (whole seconds since 1970) under `keys`.
    mutating func add(at second: Int64, keys: [String], learning: Bool) {
        advance(to: second, learning: learning)
        let slot = Int(second / Self.bucketSeconds % Int64(Self.bucketCount))
        bucketCounts[slot] += 1
        total += 1
        minuteCount += 1
        for key in keys {
            bucketKeys[slot][key, default: 0] += 1
            byKey[key, default: 0] += 1
        }
    }

    /// Drops buckets older than the window and folds finished minutes into the baseline
    /// (only while `learning`: a spike must not become the new normal).
    mutating func advance(to second: Int64, learning: Bool) {
        let current = second / Self.bucketSeconds
        let slot = Int(current % Int64(Self.bucketCount))
        for index in 0..<Self.bucketCount where bucketIndex[index] != .min && bucketIndex[index] <= current - Int64(Self.bucketCount) {
            expire(index)
        }
        if bucketIndex[slot] != current {
            expire(slot)
            bucketIndex[slot] = current
        }
        let thisMinute = second / 60
        guard let minute else {
            self.minute = thisMinute
            return
        }
        guard thisMinute > minute else { return }
        if learning {
            baseline += Self.smoothing * (Double(minuteCount) - baseline)
            // Quiet minutes with no event at all pull the baseline down too.
            let quiet = min(thisMinute - minute - 1, 10_000)
            if quiet > 0 { baseline *= pow1(1 - Self.smoothing, quiet) }
        }
        self.minute = thisMinute
        minuteCount = 0
    }

    private mutating func expire(_ index: Int) {
        total -= bucketCounts[index]
        for (key, count) in bucketKeys[index] {
            let left = (byKey[key] ?? 0) - count
            byKey[key] = left > 0 ? left : nil
        }
        bucketCounts[index] = 0
        bucketKeys[index] = [:]
        bucketIndex[index] = .min
    }
}

/// `base` to the power `exponent`, without Foundation.
private func pow1(_ base: Double, _ exponent: Int64) -> Double {
    var result = 1.0
    var factor = base
    var rest = exponent
    while rest > 0 {
        if rest & 1 == 1 { result *= factor }
        factor *= factor
        rest >>= 1
    }
    return result
}
