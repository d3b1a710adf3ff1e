public import Foundation
public import NewsletterSignup
import PostgresNIO
public import SideEffects
import StoredRows

/// Staff's domain rules (migration 0011), shared by every daemon on the database.
extension PostgresStore: DomainRuleStore {
    public func domainRulesFingerprint() async throws -> String {
        try await read { session in
            let row = try await session.row("SELECT count(*)::bigint AS n, coalesce(max(created_at), '') AS latest FROM domain_rules")
            return "\(try row.map { try $0["n", as: Int.self] } ?? 0) \(try row.map { try $0.value("latest", as: String.self) } ?? "")"
        }
    }

    public func saveDomainRules(_ rows: [DomainRuleRow], effects: Effects) async throws -> Int {
        try await write { session in
            var changed = 0
            for row in rows {
                changed += try await session.execute(
                    """
                    INSERT INTO domain_rules (domain, rule, source, created_at)
                    VALUES (\(row.domain), \(row.rule), \(row.source), \(Timestamp.format(row.createdAt)))
                    ON CONFLICT (domain) DO UPDATE SET rule = excluded.rule, source = excluded.source, created_at = excluded.created_at
                    WHERE domain_rules.rule <> excluded.rule RETURNING 1
                    """)
            }
            if changed > 0 { try await Self.save(effects, session) }
            return changed
        }
    }

    public func removeDomainRule(_ domain: String, effects: Effects) async throws -> Bool {
        try await write { session in
            guard try await session.execute("DELETE FROM domain_rules WHERE domain = \(domain) RETURNING 1") > 0 else { return false }
            try await Self.save(effects, session)
            return true
        }
    }

    public func listDomainRules() async throws -> [DomainRuleRow] {
        try await read { session in
            try await session.rows("SELECT * FROM domain_rules ORDER BY domain COLLATE \"C\"").map(DomainRuleRow.init(stored:))
        }
    }
}
