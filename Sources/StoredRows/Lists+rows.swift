public import SubscriberLists
import SideEffects

extension SubscriptionStatus: StoredState {}
extension SuppressionReason: StoredState {}
extension Newsletter.Visibility: StoredState {}
extension Newsletter.OptIn: StoredState {}

extension Newsletter {
    /// A `newsletters` row (migration 0001).
    public init(stored row: some StoredRow) throws {
        self.init(
            id: try row.value("id"), slug: try row.value("slug"), name: try row.value("name"), description: try row.value("description"),
            visibility: try row.value("visibility"), optIn: try row.value("opt_in"), archivedAt: try row.value("archived_at"),
            createdAt: try row.value("created_at"), updatedAt: try row.value("updated_at"))
    }
}

extension Subscriber {
    /// A `subscribers` row.
    public init(stored row: some StoredRow) throws {
        self.init(
            id: try row.value("id"), email: try row.value("email"), normalizedEmail: try row.value("email_normalized"), name: try row.value("name"),
            locale: try row.value("locale"), attributes: JSONText.stringObject(try row.value("attributes")), createdAt: try row.value("created_at"))
    }
}

extension SubscriberDetails {
    /// The name, locale and attributes of a `subscribers` row.
    public init(stored row: some StoredRow) throws {
        self.init(
            name: try row.value("name"), locale: try row.value("locale"),
            attributes: JSONText.stringObject(try row.value("attributes")))
    }
}

extension Membership {
    /// A `subscriptions` row with its newsletter's `slug`.
    public init(stored row: some StoredRow) throws {
        self.init(
            newsletter: try row.value("slug"), status: try row.value("status"), createdAt: try row.value("created_at"),
            confirmedAt: try row.value("confirmed_at"), unsubscribedAt: try row.value("unsubscribed_at"))
    }
}

extension MembershipRow {
    /// A row of ``StoreSQL/membershipSelect``, with its consent record when the export asked for it.
    public init(stored row: some StoredRow, consent: ConsentRecord? = nil) throws {
        self.init(
            subscriptionID: try row.value("subscription_id"), email: try row.value("email"), name: try row.value("name"), locale: try row.value("locale"),
            newsletter: try row.value("newsletter"), status: try row.value("status"), subscribedAt: try row.value("created_at"),
            confirmedAt: try row.value("confirmed_at"), unsubscribedAt: try row.value("unsubscribed_at"),
            attributes: JSONText.stringObject(try row.value("attributes")), consent: consent)
    }
}

extension ConsentRecord {
    /// A `consent_records` row with `slugs` (its newsletters, comma-separated) selected alongside.
    public init(stored row: some StoredRow) throws {
        let slugs: String? = try row.value("slugs")
        self.init(
            id: try row.value("id"), action: try row.value("action"), newsletters: slugs?.split(separator: ",").map(String.init) ?? [],
            source: try row.value("source"), clientIP: try row.value("client_ip"), userAgent: try row.value("user_agent"),
            consentTextVersion: try row.value("consent_text_version"), locale: try row.value("locale"), basis: try row.value("basis"),
            recordedAt: try row.value("recorded_at"),
            confirmedAt: try row.value("confirmed_at"))
    }

    /// The consent columns ``StoreSQL/membershipExport(withConsent:)`` adds to an export row; nil without one.
    public init?(exported row: some StoredRow) throws {
        guard let id: Int64 = try row.value("consent_id") else { return nil }
        self.init(
            id: id, action: try row.value("consent_action"), newsletters: [try row.value("newsletter")], source: try row.value("consent_source"),
            clientIP: try row.value("consent_client_ip"), userAgent: try row.value("consent_user_agent"),
            consentTextVersion: try row.value("consent_text_version"), locale: try row.value("consent_locale"),
            basis: try row.value("consent_basis"),
            recordedAt: try row.value("consent_recorded_at"), confirmedAt: try row.value("consent_confirmed_at"))
    }
}

extension AuditEntry {
    /// An `events` row (occurred_at, actor, action, details).
    public init(stored row: some StoredRow) throws {
        self.init(
            occurredAt: try row.value("occurred_at"), actor: try row.value("actor"), action: try row.value("action"),
            details: JSONText.stringObject(try row.value("details")))
    }
}

extension Suppression {
    /// A `suppressions` row (migration 0003).
    public init(stored row: some StoredRow) throws {
        self.init(reason: try row.value("reason"), createdAt: try row.value("created_at"), note: try row.value("note"))
    }
}
