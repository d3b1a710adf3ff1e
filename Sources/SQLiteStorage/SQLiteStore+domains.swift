public import Foundation
import GRDB
public import NewsletterSignup
public import SideEffects
import StoredRows

/// Staff's domain rules (migration 0011).
extension SQLiteStore: DomainRuleStore {
    public func domainRulesFingerprint() async throws -> String {
        try await read { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT count(*) AS n, coalesce(max(created_at), '') AS latest FROM domain_rules"))
            return "\(row?["n"] ?? 0) \(row?["latest"] ?? "")"
        }
    }

    public func saveDomainRules(_ rows: [DomainRuleRow], effects: Effects) async throws -> Int {
        try await write { db in
            var changed = 0
            for row in rows {
                try db.cachedStatement(sql: """
                    INSERT INTO domain_rules (domain, rule, source, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (domain) DO UPDATE SET rule = excluded.rule, source = excluded.source, created_at = excluded.created_at
                    WHERE domain_rules.rule != excluded.rule
                    """).execute(arguments: [row.domain, row.rule, row.source, Timestamp.format(row.createdAt)])
                changed += db.changesCount
            }
            if changed > 0 { try Self.save(effects, db) }
            return changed
        }
    }

    public func removeDomainRule(_ domain: String, effects: Effects) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM domain_rules WHERE domain = ?", arguments: [domain])
            guard db.changesCount > 0 else { return false }
            try Self.save(effects, db)
            return true
        }
    }

    public func listDomainRules() async throws -> [DomainRuleRow] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM domain_rules ORDER BY domain").map(DomainRuleRow.init(stored:)) }
    }
}
