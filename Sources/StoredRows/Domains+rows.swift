public import NewsletterSignup

extension DomainRuleRow {
    /// A `domain_rules` row (migration 0011).
    public init(stored row: some StoredRow) throws {
        self.init(
            domain: try row.value("domain"), rule: DomainRule(rawValue: try row.value("rule")) ?? .block, source: try row.value("source"),
            createdAt: try row.value("created_at"))
    }
}
