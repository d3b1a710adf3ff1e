public import Mail

extension OutboxState: StoredState {}

extension OutboxEntry {
    /// An `outbox` row (migration 0001) as staff see it.
    public init(stored row: some StoredRow) throws {
        self.init(
            id: try row.value("id"), kind: try row.value("kind"), recipient: try row.value("recipient"), state: try row.value("state"),
            attempts: try row.value("attempts"), createdAt: try row.value("created_at"), nextAttemptAt: try row.value("next_attempt_at"),
            sentAt: try row.value("sent_at"), lastError: try row.value("last_error"))
    }
}

extension OutboxItem {
    /// An `outbox` row as the delivery worker claims it.
    public init(stored row: some StoredRow) throws {
        self.init(
            id: try row.value("id"), kind: try row.value("kind"), recipient: try row.value("recipient"), payload: Array(try row.value("payload", as: String.self).utf8),
            attempts: try row.value("attempts"), createdAt: try row.value("created_at"))
    }
}
