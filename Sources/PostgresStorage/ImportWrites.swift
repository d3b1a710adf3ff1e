import Foundation
import PostgresNIO
import SideEffects
import SubscriberLists

/// What a batch of imported rows writes, gathered while its rows are decided in file order and
/// then sent as parts of one statement (``statements(consentIDs:source:basis:at:)``), each
/// taking its rows as arrays (`unnest`). The parts see one snapshot, so none may read another's
/// rows: each (subscriber, newsletter) appears once in a batch (a second row of it is a
/// duplicate), as ``PostgresStore/membershipWrites(_:at:)`` needs.
struct ImportWrites {
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
    var memberships: [MembershipWrite] = []
    var consents: [Consent] = []
    var confirmations: [Confirmation] = []

    /// The writes, for ``PostgresStore/save(_:_:with:)``; `consentIDs` are the ids the consent
    /// records take, in order (allocated beforehand, so the confirmations can name them).
    func statements(consentIDs: [Int64], source: String?, basis: String?, at stamp: String) -> [SQLFragment] {
        var writes: [SQLFragment] = []
        if !details.isEmpty { writes.append(detailsUpdate(at: stamp)) }
        writes += PostgresStore.membershipWrites(memberships, at: stamp)
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
