import EmailAddress
import Foundation
import SideEffects

/// Turns one CSV record into an ``ImportRow``, or says why it cannot be imported.
struct RowValidator: Sendable {
    let columns: ImportColumns
    let options: ImportOptions
    let newsletters: [String: Newsletter]
    let addressHash: @Sendable (String) -> String

    func validate(_ record: CSVReader.Record) -> Result<ImportRow, ImportRejection> {
        let fields = record.fields
        func rejected(_ reason: String, email: String = "") -> Result<ImportRow, ImportRejection> {
            .failure(ImportRejection(line: record.line, reason: reason, email: email))
        }
        if fields.allSatisfy({ $0.trimmingSpaces.isEmpty }) { return rejected("the row is empty") }
        guard fields.count == columns.count else {
            return rejected("expected \(columns.count) fields, found \(fields.count)", email: fields.count > columns.email ? fields[columns.email] : "")
        }
        let typed = fields[columns.email].trimmingSpaces
        guard !typed.isEmpty else { return rejected("no email address") }
        let address: EmailAddress
        do {
            address = try EmailAddress(parsing: typed)
        } catch {
            return rejected("invalid address: \(error)", email: typed)
        }
        func value(_ index: Int?) -> String? {
            guard let index else { return nil }
            let text = CSVField.restored(fields[index].trimmingSpaces)
            return text.isEmpty ? nil : text
        }
        let name = value(columns.name)
        if let name, name.count > SubscriberImporter.maximumNameLength {
            return rejected("the name is longer than \(SubscriberImporter.maximumNameLength) characters", email: typed)
        }
        let locale = value(columns.locale)
        if let locale, !Self.isLocale(locale) {
            return rejected("invalid locale '\(locale)' (expected a language tag such as uk or en-GB)", email: typed)
        }
        var createdAt: Date?
        if let text = value(columns.createdAt) {
            guard let date = ImportDate.parse(text) else {
                return rejected("created_at '\(text)' is not an ISO 8601 date such as 2025-03-14T09:26:53Z", email: typed)
            }
            createdAt = date
        }
        guard let slug = value(columns.newsletter) ?? options.newsletter else {
            return rejected("no newsletter: fill the newsletter column or give --newsletter", email: typed)
        }
        guard newsletters[slug] != nil else { return rejected("unknown newsletter '\(slug)'", email: typed) }
        var state: SubscriptionStatus = options.confirmed ? .confirmed : .pending
        if let text = value(columns.state) {
            guard let named = SubscriptionStatus(rawValue: text.lowercased()) else {
                let known = SubscriptionStatus.allCases.map(\.rawValue).joined(separator: ", ")
                return rejected("unknown state '\(text)' (one of: \(known))", email: typed)
            }
            state = named
        }
        if state == .confirmed, options.basis == nil {
            return rejected("a confirmed row needs --consent-basis saying how the person agreed", email: typed)
        }
        var attributes: [String: String] = [:]
        if let json = value(columns.attributes) {
            guard let object = JSONText.parseObject(json) else {
                return rejected("attributes is not a JSON object of strings", email: typed)
            }
            attributes = object
        }
        for extra in columns.extras {
            if let text = value(extra.index) { attributes[extra.name] = text }
        }
        return .success(ImportRow(
            line: record.line, email: address.mailbox, normalizedEmail: address.normalized,
            addressHash: addressHash(address.normalized), name: name, locale: locale, createdAt: createdAt,
            newsletter: slug, state: state, attributes: attributes))
    }

    /// A BCP 47-shaped tag: letters, digits, hyphens and underscores.
    static func isLocale(_ text: String) -> Bool {
        text.count <= SubscriberImporter.maximumLocaleLength
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
