import Foundation
import PostgresNIO
import SideEffects
import SubscriberLists

/// What a batch of imported rows writes, gathered while its rows are decided in file order and
/// then sent as parts of one statement (``statements(consentIDs:source:basis:at:)``), each
/// taking its rows as arrays (`unnest`). The parts see one snapshot, so none may read another's
/// rows: each (subscriber, newsletter) appears once in a batch (a second row of it is a
/// duplicate), so no membership is both inserted and updated.
struct ImportWrites {
    struct Membership {
        var subscriber: Int64
        var newsletter: Int64
        var status: SubscriptionStatus
        /// Whether the membership exists (updated) or not (inserted).
        var exists: Bool
        /// The formatted time the membership begins, when it is new.
        var createdAt: String
    }

    struct Consent {
        var subscriber: Int64
        var newsletter: Int64
        var locale: String?
        var confirmed: Bool
    }

    struct Confirmation {
        /// Its consent record's index in ``consents``.
        var consent: Int
        var subscriber: SubscriberContact
        var newsletter: Newsletter
    }

    /// Existing subscribers' details once the batch filled their blanks, by id.
    var details: [Int64: SubscriberDetails] = [:]
    var memberships: [Membership] = []
    var consents: [Consent] = []
    var confirmations: [Confirmation] = []

    /// The writes, for ``PostgresStore/save(_:_:with:)``; `consentIDs` are the ids the consent
    /// records take, in order (allocated beforehand, so the confirmations can name them).
    func statements(consentIDs: [Int64], source: String?, basis: String?, at stamp: String) -> [SQLFragment] {
        var writes: [SQLFragment] = []
        if !details.isEmpty { writes.append(detailsUpdate(at: stamp)) }
        let (existing, new) = (memberships.filter(\.exists), memberships.filter { !$0.exists })
        if !new.isEmpty { writes.append(Self.membershipInsert(new, at: stamp)) }
        if !existing.isEmpty { writes.append(Self.membershipUpdate(existing, at: stamp)) }
        if !consents.isEmpty {
            writes.append(consentInsert(ids: consentIDs, source: source, basis: basis, at: stamp))
            writes.append("""
                INSERT INTO consent_newsletters (consent_id, newsletter_id)
                SELECT * FROM unnest(\(consentIDs)::bigint[], \(consents.map(\.newsletter))::bigint[])
                """)
        }
        return writes
    }

    /// The filled details. A stored name or locale may be empty, so each goes with a flag for
    /// NULL rather than as "" (postgres-nio binds no NULL inside an array).
    private func detailsUpdate(at stamp: String) -> SQLFragment {
        let filled = details.sorted { $0.key < $1.key }
        return """
            UPDATE subscribers s SET name = CASE WHEN v.has_name THEN v.name END,
                locale = CASE WHEN v.has_locale THEN v.locale END, attributes = v.attributes, updated_at = \(stamp)
            FROM unnest(\(filled.map(\.key))::bigint[], \(filled.map { $0.value.name ?? "" })::text[],
                \(filled.map { $0.value.name != nil })::bool[], \(filled.map { $0.value.locale ?? "" })::text[],
                \(filled.map { $0.value.locale != nil })::bool[], \(filled.map { JSONText.object($0.value.attributes) })::text[])
                AS v (id, name, has_name, locale, has_locale, attributes)
            WHERE s.id = v.id
            """
    }

    // A membership's timestamps follow its new state, as `PostgresStore.setMembership` writes them.

    private static func membershipInsert(_ new: [Membership], at stamp: String) -> SQLFragment {
        """
        INSERT INTO subscriptions (subscriber_id, newsletter_id, status, created_at, updated_at, confirmed_at,
            unsubscribed_at, pending_since)
        SELECT v.subscriber_id, v.newsletter_id, v.status, v.created_at, \(stamp),
            CASE WHEN v.status = 'confirmed' THEN \(stamp) END, CASE WHEN v.status = 'unsubscribed' THEN \(stamp) END,
            CASE WHEN v.status = 'pending' THEN \(stamp) END
        FROM unnest(\(new.map(\.subscriber))::bigint[], \(new.map(\.newsletter))::bigint[], \(new.map(\.status.rawValue))::text[],
            \(new.map(\.createdAt))::text[]) WITH ORDINALITY AS v (subscriber_id, newsletter_id, status, created_at, n)
        ORDER BY v.n
        """
    }

    private static func membershipUpdate(_ existing: [Membership], at stamp: String) -> SQLFragment {
        """
        UPDATE subscriptions s SET status = v.status, updated_at = \(stamp),
            confirmed_at = coalesce(CASE WHEN v.status = 'confirmed' THEN \(stamp) END, s.confirmed_at),
            unsubscribed_at = CASE WHEN v.status = 'unsubscribed' THEN \(stamp) END,
            pending_since = CASE WHEN v.status = 'pending' THEN \(stamp) END
        FROM unnest(\(existing.map(\.subscriber))::bigint[], \(existing.map(\.newsletter))::bigint[],
            \(existing.map(\.status.rawValue))::text[]) AS v (subscriber_id, newsletter_id, status)
        WHERE s.subscriber_id = v.subscriber_id AND s.newsletter_id = v.newsletter_id
        """
    }

    /// The consent records, as `PostgresStore.insertListConsent` writes one. A locale is never
    /// empty (the importer reads a blank field as none), so "" stands for NULL.
    private func consentInsert(ids: [Int64], source: String?, basis: String?, at stamp: String) -> SQLFragment {
        """
        INSERT INTO consent_records (id, subscriber_id, action, source, basis, locale, recorded_at, confirmed_at)
        SELECT v.id, v.subscriber_id, \(ImportRowPlan.consentAction), \(source)::text, \(basis)::text, NULLIF(v.locale, ''), \(stamp),
            CASE WHEN v.confirmed THEN \(stamp) END
        FROM unnest(\(ids)::bigint[], \(consents.map(\.subscriber))::bigint[], \(consents.map { $0.locale ?? "" })::text[],
            \(consents.map(\.confirmed))::bool[]) AS v (id, subscriber_id, locale, confirmed)
        """
    }
}

extension PostgresStore {
    /// `count` ids for new consent records, from the table's own sequence.
    static func newConsentIDs(_ session: PostgresSession, count: Int) async throws -> [Int64] {
        guard count > 0 else { return [] }
        return try await session.rows(
            "SELECT nextval(pg_get_serial_sequence('consent_records', 'id')) AS id FROM generate_series(1, \(count))"
        ).map { try $0["id", as: Int64.self] }
    }
}
