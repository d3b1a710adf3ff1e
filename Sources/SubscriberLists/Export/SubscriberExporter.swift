public import Foundation
import SideEffects

/// Streams memberships out as CSV or JSON Lines, one page of rows in memory at a time.
///
/// Columns, always in this order: `email, name, locale, newsletter, state, created_at,
/// confirmed_at, unsubscribed_at, attributes` (a JSON object), then with consent:
/// `consent_action, consent_basis, consent_source, consent_recorded_at, consent_confirmed_at,
/// consent_client_ip, consent_text_version, consent_text` (the words of that version in the
/// consent's language, from `masthead consent set-text`). Times are ISO 8601 UTC. The CSV imports back
/// with `masthead subscribers import` as it was.
public struct SubscriberExporter: Sendable {
    /// Output formats.
    public enum Format: String, Sendable, CaseIterable {
        case csv, jsonl
    }

    let store: any SubscriberStore
    /// Rows per page read from the store.
    public static let pageSize = 5000

    /// Creates an exporter over a store.
    public init(store: any SubscriberStore) {
        self.store = store
    }

    /// The column names, in order.
    public static func columns(withConsent: Bool) -> [String] {
        let base = ["email", "name", "locale", "newsletter", "state", "created_at", "confirmed_at", "unsubscribed_at", "attributes"]
        let consent = [
            "consent_action", "consent_basis", "consent_source", "consent_recorded_at", "consent_confirmed_at",
            "consent_client_ip", "consent_text_version", "consent_text",
        ]
        return withConsent ? base + consent : base
    }

    /// Writes every matching membership to `output`; returns how many rows were written.
    @discardableResult
    public func export(
        newsletter: String?, state: SubscriptionStatus?, format: Format, withConsent: Bool, to output: FileHandle
    ) async throws -> Int {
        if let newsletter, try await store.newsletter(slug: newsletter) == nil {
            throw SubscriberError.unknownNewsletter(newsletter)
        }
        let columns = Self.columns(withConsent: withConsent)
        let texts = withConsent ? try await store.consentTexts() : []
        var buffer = OutputBuffer(handle: output)
        if format == .csv { buffer.append(CSVField.record(columns)) }
        var cursor: Int64 = 0
        var written = 0
        while true {
            let page = try await store.exportMemberships(
                newsletter: newsletter, state: state, updatedSince: nil, withConsent: withConsent, after: cursor, limit: Self.pageSize)
            for row in page {
                let values = Self.values(row, withConsent: withConsent, texts: texts)
                switch format {
                case .csv: buffer.append(CSVField.record(values.map { $0 ?? "" }))
                case .jsonl: buffer.append(Self.jsonLine(columns: columns, values: values, attributes: row.attributes))
                }
            }
            written += page.count
            try buffer.flushIfFull()
            guard let last = page.last, page.count == Self.pageSize else { break }
            cursor = last.subscriptionID
        }
        try buffer.flush()
        return written
    }

    static func values(_ row: MembershipRow, withConsent: Bool, texts: [ConsentText] = []) -> [String?] {
        var values: [String?] = [
            row.email, row.name, row.locale, row.newsletter, row.status.rawValue, Timestamp.format(row.subscribedAt),
            row.confirmedAt.map(Timestamp.format), row.unsubscribedAt.map(Timestamp.format), JSONText.object(row.attributes),
        ]
        if withConsent {
            let consent = row.consent
            values += [
                consent?.action, consent?.basis, consent?.source, (consent?.recordedAt).map(Timestamp.format),
                (consent?.confirmedAt ?? nil).map(Timestamp.format), consent?.clientIP, consent?.consentTextVersion,
                consent.flatMap { ConsentText.matching(version: $0.consentTextVersion, locale: $0.locale, in: texts)?.body },
            ]
        }
        return values
    }

    static func jsonLine(columns: [String], values: [String?], attributes: [String: String]) -> String {
        var parts: [String] = []
        parts.reserveCapacity(columns.count)
        for (column, value) in zip(columns, values) {
            let encoded = column == "attributes" ? JSONText.object(attributes) : value.map(JSONText.string) ?? "null"
            parts.append(JSONText.string(column) + ":" + encoded)
        }
        return "{" + parts.joined(separator: ",") + "}\n"
    }
}

/// Collects output and writes it in large chunks.
struct OutputBuffer {
    let handle: FileHandle
    var bytes: [UInt8] = []
    static let chunk = 256 * 1024

    init(handle: FileHandle) {
        self.handle = handle
        bytes.reserveCapacity(Self.chunk * 2)
    }

    mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    mutating func flushIfFull() throws {
        if bytes.count >= Self.chunk { try flush() }
    }

    mutating func flush() throws {
        guard !bytes.isEmpty else { return }
        try handle.write(contentsOf: bytes)
        bytes.removeAll(keepingCapacity: true)
    }
}
