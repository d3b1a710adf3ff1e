public import NewsletterSignup
import SubscriberLists

extension ConsentMember {
    /// A newsletter a consent record covers (its `newsletters` columns), with the subscriber's
    /// `subscription_status` and `pending_since` selected alongside.
    public init(stored row: some StoredRow) throws {
        self.init(
            newsletter: try Newsletter(stored: row), status: try row.value("subscription_status"),
            pendingSince: try row.value("pending_since"))
    }
}
