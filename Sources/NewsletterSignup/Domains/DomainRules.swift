public import Foundation
public import SideEffects

/// Staff's domain rules (`masthead domains …`): block or allow domains one by one or from a
/// file (a disposable-address list), remove a rule, list them. Every change is audited.
public struct DomainRules: Sendable {
    let store: any DomainRuleStore
    let cache: DomainRuleCache?
    let now: @Sendable () -> Date

    /// `cache`: the sign-up gate's, cleared by each change made here.
    public init(store: any DomainRuleStore, cache: DomainRuleCache?, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.cache = cache
        self.now = now
    }

    /// Sets `rule` on each domain; throws for the first that is not a domain, before any is set.
    @discardableResult
    public func set(_ texts: [String], rule: DomainRule, source: String, actor: String) async throws -> Int {
        var domains: [String] = []
        for text in texts {
            guard let domain = DomainPolicy.domain(text) else { throw DomainRuleError.invalidDomain(text) }
            domains.append(domain)
        }
        return try await save(domains, rule: rule, source: source, actor: actor)
    }

    /// A file's domains, one a line (blank lines and `#` comments skipped), and the lines that
    /// are not domains, by number: the good ones are set, the others reported.
    public struct ImportReport: Sendable, Equatable {
        public var read: Int
        public var changed: Int
        public var rejected: [(line: Int, text: String)]

        public static func == (a: Self, b: Self) -> Bool {
            a.read == b.read && a.changed == b.changed && a.rejected.map(\.line) == b.rejected.map(\.line)
        }
    }

    public func importList(_ text: String, rule: DomainRule, source: String, actor: String) async throws -> ImportReport {
        var domains: [String] = []
        var rejected: [(line: Int, text: String)] = []
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let entry = line.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
            guard !entry.isEmpty else { continue }
            if let domain = DomainPolicy.domain(entry) { domains.append(domain) } else { rejected.append((index + 1, String(line))) }
        }
        let changed = try await save(domains, rule: rule, source: source, actor: actor)
        return ImportReport(read: domains.count, changed: changed, rejected: rejected)
    }

    public func remove(_ text: String, actor: String) async throws {
        guard let domain = DomainPolicy.domain(text) else { throw DomainRuleError.invalidDomain(text) }
        let time = now()
        let removed = try await store.removeDomainRule(
            domain, effects: .record(AuditRecord(occurredAt: time, actor: actor, action: "domain.rule_removed", subjectType: "domain", details: ["domain": domain])))
        guard removed else { throw DomainRuleError.noRule(domain) }
        cache?.invalidate()
    }

    public func list() async throws -> [DomainRuleRow] {
        try await store.listDomainRules()
    }

    private func save(_ domains: [String], rule: DomainRule, source: String, actor: String) async throws -> Int {
        guard !domains.isEmpty else { return 0 }
        let time = now()
        let unique = Array(Set(domains)).sorted()
        // One audit record for the change, naming the domains when they are few (an imported list may hold thousands).
        var details = ["count": String(unique.count), "source": source]
        if unique.count <= 20 { details["domains"] = unique.joined(separator: ",") }
        let changed = try await store.saveDomainRules(
            unique.map { DomainRuleRow(domain: $0, rule: rule, source: source, createdAt: time) },
            effects: .record(AuditRecord(occurredAt: time, actor: actor, action: "domain.\(rule == .block ? "blocked" : "allowed")", subjectType: "domain", details: details)))
        cache?.invalidate()
        return changed
    }
}
