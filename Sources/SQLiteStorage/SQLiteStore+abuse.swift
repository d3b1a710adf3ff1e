public import AbuseDefence
public import Foundation
import GRDB
public import SideEffects
import StoredRows

/// Alerts and spent challenges (migration 0012).
extension SQLiteStore: AlertStore, ChallengeStore {
    public func raiseAlert(
        _ notice: AlertNotice, plan: @escaping @Sendable (_ lastMailed: Date?) -> (mails: Bool, effects: Effects)
    ) async throws -> Bool {
        try await write { db in
            let open = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM alerts WHERE kind = ? AND subject = ? AND cleared_at IS NULL",
                arguments: [notice.kind.rawValue, notice.subject]) ?? false
            guard !open else { return false }
            let last = try String.fetchOne(
                db, sql: "SELECT max(raised_at) FROM alerts WHERE kind = ? AND mailed = 1", arguments: [notice.kind.rawValue])
            let (mails, effects) = plan(last.flatMap(Timestamp.parse))
            try db.execute(
                sql: "INSERT INTO alerts (kind, subject, detail, raised_at, mailed) VALUES (?, ?, ?, ?, ?)",
                arguments: [notice.kind.rawValue, notice.subject, notice.detail, Timestamp.format(notice.at), mails ? 1 : 0])
            try Self.save(effects, db)
            return true
        }
    }

    public func clearAlert(_ notice: AlertNotice, effects: Effects) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE alerts SET cleared_at = ? WHERE kind = ? AND subject = ? AND cleared_at IS NULL",
                arguments: [Timestamp.format(notice.at), notice.kind.rawValue, notice.subject])
            if db.changesCount > 0 { try Self.save(effects, db) }
        }
    }

    public func clearAlerts(raisedBefore before: Date, at time: Date) async throws -> Int {
        try await write { db in
            try db.execute(
                sql: "UPDATE alerts SET cleared_at = ? WHERE cleared_at IS NULL AND raised_at < ?",
                arguments: [Timestamp.format(time), Timestamp.format(before)])
            return db.changesCount
        }
    }

    public func alerts(includeCleared: Bool, limit: Int) async throws -> [AlertRow] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM alerts \(includeCleared ? "" : "WHERE cleared_at IS NULL ") ORDER BY id DESC LIMIT ?",
                arguments: [limit]
            ).map(AlertRow.init(stored:))
        }
    }

    public func spendChallenge(id: String, expires: Date, at now: Date) async throws -> Bool {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM spent_challenges WHERE expires_at <= ?").execute(arguments: [Timestamp.format(now)])
            try db.cachedStatement(sql: "INSERT INTO spent_challenges (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING")
                .execute(arguments: [id, Timestamp.format(expires)])
            return db.changesCount > 0
        }
    }
}
