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

extension ReaderIdentity {
    /// A `subscribers` row's id, email, email_normalized and locale.
    public init(stored row: some StoredRow) throws {
        self.init(
            subscriberID: try row.value("id"), email: try row.value("email"), normalizedEmail: try row.value("email_normalized"),
            locale: try row.value("locale"))
    }
}
