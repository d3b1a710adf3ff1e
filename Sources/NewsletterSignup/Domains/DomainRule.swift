public import Foundation
public import SideEffects

/// What staff decided about the addresses of one domain (and its subdomains): refuse their
/// sign-ups, or accept them whatever else would refuse them (the built-in list, the MX check,
/// the hourly cap).
public enum DomainRule: String, Sendable, Equatable, CaseIterable {
    case block, allow
}

/// One stored rule: the domain (lower-case, ASCII), the rule, and where it came from
/// (`masthead domains block`, `import:FILE`).
public struct DomainRuleRow: Sendable, Equatable, Codable {
    public var domain: String
    public var rule: String
    public var source: String
    public var createdAt: Date

    public init(domain: String, rule: DomainRule, source: String, createdAt: Date) {
        self.domain = domain
        self.rule = rule.rawValue
        self.source = source
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case domain, rule, source
        case createdAt = "created_at"
    }
}

/// Where domain rules are kept. Implementations: `SQLiteStore`, `PostgresStore` (migration 0011).
public protocol DomainRuleStore: Sendable {
    /// What changes whenever a rule is set or removed (their number and latest time): the
    /// daemons' caches reload the rules when it differs.
    func domainRulesFingerprint() async throws -> String
    /// Sets each row's rule (replacing one the domain had) and saves `effects`; returns how
    /// many rules were new or changed.
    func saveDomainRules(_ rows: [DomainRuleRow], effects: Effects) async throws -> Int
    /// Removes the domain's rule; false when it had none.
    func removeDomainRule(_ domain: String, effects: Effects) async throws -> Bool
    /// Every stored rule, by domain.
    func listDomainRules() async throws -> [DomainRuleRow]
}

/// Why a domain rule cannot be set.
public enum DomainRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidDomain(String)
    case noRule(String)

    public var description: String {
        switch self {
        case .invalidDomain(let text): "'\(text)' is not a domain name (e.g. sms.example.net)"
        case .noRule(let domain): "\(domain) has no rule (built-in gateway domains cannot be removed, only allowed)"
        }
    }
}
