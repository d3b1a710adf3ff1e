import Foundation

/// Which column of an import file holds what, read from its header row.
///
/// `email` is required. `name`, `locale`, `created_at`, `newsletter`, `state` and
/// `attributes` (a JSON object) are read when present. The other columns of our own export
/// (`confirmed_at`, `unsubscribed_at`, `consent_*`) are recognised and ignored, so an export
/// imports back as it was. Every other column becomes an attribute of the subscriber.
public struct ImportColumns: Sendable, Equatable {
    public let count: Int
    public let email: Int
    public let name: Int?
    public let locale: Int?
    public let createdAt: Int?
    public let newsletter: Int?
    public let state: Int?
    public let attributes: Int?
    /// Columns kept as attributes: (attribute name, column index).
    public let extras: [Extra]

    /// An extra column.
    public struct Extra: Sendable, Equatable {
        public let name: String
        public let index: Int
    }

    /// Columns of our export that carry nothing an import keeps.
    static let ignored: Set<String> = [
        "confirmed_at", "unsubscribed_at", "consent_action", "consent_basis", "consent_source", "consent_recorded_at",
        "consent_confirmed_at", "consent_client_ip", "consent_text_version", "consent_text",
    ]

    /// Reads the header; names are compared trimmed and case-insensitively.
    public init(header: [String]) throws(ImportError) {
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var seen: Set<String> = []
        for name in names where !name.isEmpty {
            guard seen.insert(name).inserted else { throw .duplicateColumn(name) }
        }
        guard let email = names.firstIndex(of: "email") else { throw .missingEmailColumn(found: names) }
        func column(_ name: String) -> Int? { names.firstIndex(of: name) }
        let known: Set<String> = ["email", "name", "locale", "created_at", "newsletter", "state", "attributes"]
        self.count = names.count
        self.email = email
        self.name = column("name")
        self.locale = column("locale")
        self.createdAt = column("created_at")
        self.newsletter = column("newsletter")
        self.state = column("state")
        self.attributes = column("attributes")
        self.extras = names.enumerated().compactMap { index, name in
            name.isEmpty || known.contains(name) || Self.ignored.contains(name)
                ? nil : Extra(name: header[index].trimmingCharacters(in: .whitespaces), index: index)
        }
    }
}
