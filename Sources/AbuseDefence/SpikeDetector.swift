public import Foundation
import Synchronization

/// Watches short-window rates against their slow baselines and raises an alert when a rate
/// jumps (more than `factor` × baseline and more than the floor, in the last minute), or when one
/// client network or one domain makes more than `share` of a busy minute's sign-ups. An alert
/// ends after `cooldown` without its condition. Pure and clock-free: every call says when it is.
///
/// Costs O(1) per event (a few dictionary updates under a lock); the caller persists the changes
/// it returns.
public final class SpikeDetector: Sendable {
    public let settings: SpikeSettings

    private struct Key: Hashable {
        var kind: AlertKind
        var subject: String
    }

    private struct Active {
        var notice: AlertNotice
        /// When its condition last held (seconds since 1970).
        var lastHeld: Int64
    }

    private struct State {
        var windows: [TrafficSignal: SignalWindow] = [:]
        var active: [Key: Active] = [:]
    }

    private let state = Mutex(State())

    public init(settings: SpikeSettings = SpikeSettings()) {
        self.settings = settings
    }

    /// Large mailbox providers: most of a newsroom's readers may be at one of them, so their
    /// share of sign-ups says nothing (a flood of their addresses still trips the rate alert).
    static let commonProviders: Set<String> = [
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "icloud.com",
        "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net", "web.de", "ukr.net", "i.ua", "meta.ua",
    ]

    /// Counts one event; `network` and `domain` (sign-ups only) feed the share checks.
    public func observe(_ signal: TrafficSignal, network: String? = nil, domain: String? = nil, at time: Date) -> [AlertChange] {
        let second = Int64(time.timeIntervalSince1970.rounded(.down))
        let settings = self.settings
        return state.withLock { state in
            var keys: [String] = []
            if let network { keys.append("net:" + network) }
            if let domain, !Self.commonProviders.contains(domain) { keys.append("dom:" + domain) }
            let learning = !state.active.keys.contains { $0.kind.signal == signal }
            state.windows[signal, default: SignalWindow()].add(at: second, keys: keys, learning: learning)
            let window = state.windows[signal]!
            var changes: [AlertChange] = []
            let floor = settings.floor(of: signal)
            let threshold = max(Double(floor), settings.factor * window.baseline)
            if Double(window.total) > threshold {
                let kind: AlertKind =
                    switch signal {
                    case .signups: .signupRate
                    case .confirmations: .confirmationRate
                    case .failedPayments: .paymentFailures
                    }
                changes += Self.hold(
                    Key(kind: kind, subject: ""),
                    detail: "\(window.total) \(signal.noun) in the last minute; normal is \(Self.rounded(window.baseline)) a minute, the alert threshold \(Int(threshold))",
                    at: time, second: second, in: &state)
            }
            if signal == .signups, window.total >= floor {
                for key in keys {
                    let count = window.byKey[key] ?? 0
                    guard Double(count) > settings.share * Double(window.total) else { continue }
                    let subject = String(key.dropFirst(4))
                    let network = key.hasPrefix("net:")
                    changes += Self.hold(
                        Key(kind: network ? .signupNetwork : .signupDomain, subject: subject),
                        detail: "\(count) of the last minute's \(window.total) sign-ups came from \(network ? "network" : "domain") \(subject)",
                        at: time, second: second, in: &state)
                }
            }
            return changes
        }
    }

    /// Ends the alerts whose condition has not held for the cool-down; call it every few seconds.
    public func tick(at time: Date) -> [AlertChange] {
        let second = Int64(time.timeIntervalSince1970.rounded(.down))
        let cooldown = settings.cooldown
        return state.withLock { state in
            for signal in state.windows.keys {
                let learning = !state.active.keys.contains { $0.kind.signal == signal }
                state.windows[signal]?.advance(to: second, learning: learning)
            }
            var changes: [AlertChange] = []
            for (key, active) in state.active where second - active.lastHeld >= cooldown {
                state.active[key] = nil
                changes.append(.cleared(AlertNotice(
                    kind: key.kind, subject: key.subject,
                    detail: "normal for \(cooldown / 60) minutes since: \(active.notice.detail)", at: time)))
            }
            return changes
        }
    }

    /// Whether an alert about any of `signals` is active (adaptive challenges turn on).
    public func isAlerting(_ signals: Set<TrafficSignal>) -> Bool {
        state.withLock { state in state.active.keys.contains { signals.contains($0.kind.signal) } }
    }

    /// The active alerts, oldest first.
    public var activeAlerts: [AlertNotice] {
        state.withLock { $0.active.values.map(\.notice).sorted { $0.at < $1.at } }
    }

    /// A signal's baseline, events a minute (as of its last finished minute): cheap, for the
    /// confirmation budget's `auto`, asked once per message.
    public func baseline(of signal: TrafficSignal) -> Double {
        state.withLock { $0.windows[signal]?.baseline ?? 0 }
    }

    /// A signal's last-minute count and its baseline (events a minute), for the metrics.
    public func rate(of signal: TrafficSignal, at time: Date) -> (lastMinute: Int, baseline: Double) {
        let second = Int64(time.timeIntervalSince1970.rounded(.down))
        return state.withLock { state in
            guard var window = state.windows[signal] else { return (0, 0) }
            window.advance(to: second, learning: false)
            return (window.total, window.baseline)
        }
    }

    /// How many client networks and address domains the last minute's sign-ups came from
    /// (the big mailbox providers are not counted among the domains).
    public func distinctSources(at time: Date) -> (networks: Int, domains: Int) {
        let second = Int64(time.timeIntervalSince1970.rounded(.down))
        return state.withLock { state in
            guard var window = state.windows[.signups] else { return (0, 0) }
            window.advance(to: second, learning: false)
            let networks = window.byKey.keys.filter { $0.hasPrefix("net:") }.count
            return (networks, window.byKey.count - networks)
        }
    }

    /// `detail` is only written when the alert is raised: while one holds, every request of
    /// the flood passes here.
    private static func hold(_ key: Key, detail: @autoclosure () -> String, at time: Date, second: Int64, in state: inout State) -> [AlertChange] {
        if state.active[key] != nil {
            state.active[key]?.lastHeld = second
            return []
        }
        let notice = AlertNotice(kind: key.kind, subject: key.subject, detail: detail(), at: time)
        state.active[key] = Active(notice: notice, lastHeld: second)
        return [.raised(notice)]
    }

    private static func rounded(_ value: Double) -> String {
        String(Double((value * 10).rounded()) / 10)
    }
}

extension TrafficSignal {
    var noun: String {
        switch self {
        case .signups: "sign-ups"
        case .confirmations: "confirmations"
        case .failedPayments: "failed payments"
        }
    }
}
