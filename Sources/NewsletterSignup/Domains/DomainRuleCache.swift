import Foundation
import Synchronization

/// The stored domain rules, held in memory so a sign-up does not read them: a read per sign-up
/// cost 40% more CPU per sign-up (Ops/bench/cpu-per-request). Every few seconds one cheap read of
/// the rules' fingerprint tells whether another process (`masthead domains`) changed them, and
/// only then are they read again; a change made through this process's ``DomainRules`` clears
/// the cache at once.
public final class DomainRuleCache: Sendable {
    let store: any DomainRuleStore
    let interval: Duration
    private let state = Mutex<(rules: [String: DomainRule], fingerprint: String?, checked: ContinuousClock.Instant?)>(([:], nil, nil))

    /// `interval`: how stale a change made by another process may be.
    public init(store: any DomainRuleStore, interval: Duration = .seconds(5)) {
        self.store = store
        self.interval = interval
    }

    /// Every stored rule, by domain.
    func rules() async throws -> [String: DomainRule] {
        let now = ContinuousClock.now
        let (cached, fingerprint, checked) = state.withLock { ($0.rules, $0.fingerprint, $0.checked) }
        if let checked, now - checked < interval { return cached }
        let current = try await store.domainRulesFingerprint()
        if current == fingerprint {
            state.withLock { $0.checked = now }
            return cached
        }
        var rules: [String: DomainRule] = [:]
        for row in try await store.listDomainRules() { rules[row.domain] = DomainRule(rawValue: row.rule) }
        state.withLock { $0 = (rules, current, now) }
        return rules
    }

    /// Forgets what it holds: the next sign-up reads the rules again.
    func invalidate() {
        state.withLock { $0 = ([:], nil, nil) }
    }
}
