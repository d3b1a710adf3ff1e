public import AbuseDefence
public import Foundation
import PostgresNIO
public import SideEffects
import StoredRows

/// Alerts and spent challenges (migration 0012), shared by every daemon on the database: one
/// open alert per kind and subject (a unique index), one operator email an hour per kind.
extension PostgresStore: AlertStore, ChallengeStore {
    public func raiseAlert(
        _ notice: AlertNotice, plan: @escaping @Sendable (_ lastMailed: Date?) -> (mails: Bool, effects: Effects)
    ) async throws -> Bool {
        try await write { session in
            // Two daemons raising at once: the lock makes the second see the first's row.
            try await session.execute("SELECT pg_advisory_xact_lock(hashtext('masthead.alerts'))")
            let open = try await session.row(
                "SELECT 1 FROM alerts WHERE kind = \(notice.kind.rawValue) AND subject = \(notice.subject) AND cleared_at IS NULL")
            guard open == nil else { return false }
            let last = try await session.row("SELECT max(raised_at) AS at FROM alerts WHERE kind = \(notice.kind.rawValue) AND mailed = 1")
            let lastMailed = try last.flatMap { row in try row.value("at", as: String?.self) }.flatMap(Timestamp.parse)
            let (mails, effects) = plan(lastMailed)
            try await session.execute(
                """
                INSERT INTO alerts (kind, subject, detail, raised_at, mailed)
                VALUES (\(notice.kind.rawValue), \(notice.subject), \(notice.detail), \(Timestamp.format(notice.at)), \(mails ? 1 : 0))
                """)
            try await Self.save(effects, session)
            return true
        }
    }

    public func clearAlert(_ notice: AlertNotice, effects: Effects) async throws {
        try await write { session in
            let cleared = try await session.execute(
                """
                UPDATE alerts SET cleared_at = \(Timestamp.format(notice.at))
                WHERE kind = \(notice.kind.rawValue) AND subject = \(notice.subject) AND cleared_at IS NULL RETURNING 1
                """)
            if cleared > 0 { try await Self.save(effects, session) }
        }
    }

    public func clearAlerts(raisedBefore before: Date, at time: Date) async throws -> Int {
        try await write { session in
            try await session.execute(
                """
                UPDATE alerts SET cleared_at = \(Timestamp.format(time))
                WHERE cleared_at IS NULL AND raised_at < \(Timestamp.format(before)) RETURNING 1
                """)
        }
    }

    public func alerts(includeCleared: Bool, limit: Int) async throws -> [AlertRow] {
        try await read { session in
            let rows =
                includeCleared
                ? try await session.rows("SELECT * FROM alerts ORDER BY id DESC LIMIT \(limit)")
                : try await session.rows("SELECT * FROM alerts WHERE cleared_at IS NULL ORDER BY id DESC LIMIT \(limit)")
            return try rows.map(AlertRow.init(stored:))
        }
    }

    public func spendChallenge(id: String, expires: Date, at now: Date) async throws -> Bool {
        try await write { session in
            try await session.execute("DELETE FROM spent_challenges WHERE expires_at <= \(Timestamp.format(now))")
            return try await session.execute(
                "INSERT INTO spent_challenges (id, expires_at) VALUES (\(id), \(Timestamp.format(expires))) ON CONFLICT (id) DO NOTHING RETURNING 1"
            ) > 0
        }
    }
}
