public import SubscriberLists

extension ConsentText {
    /// A `consent_texts` row (migration 0013).
    public init(stored row: some StoredRow) throws {
        self.init(
            version: try row.value("version"), locale: try row.value("locale"), body: try row.value("body"),
            createdAt: try row.value("created_at"), createdBy: try row.value("created_by"))
    }
}
