public import AbuseDefence

extension AlertRow {
    /// An `alerts` row (migration 0012).
    public init(stored row: some StoredRow) throws {
        self.init(
            id: try row.value("id"), kind: try row.value("kind"), subject: try row.value("subject"), detail: try row.value("detail"),
            raisedAt: try row.value("raised_at"), clearedAt: try row.value("cleared_at"), mailed: try row.value("mailed"))
    }
}

