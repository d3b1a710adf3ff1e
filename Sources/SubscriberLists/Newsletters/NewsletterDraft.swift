/// The fields of a newsletter that staff choose when creating it.
public struct NewsletterDraft: Sendable, Equatable {
    /// Stable public name; see ``NewsletterRules/checkSlug(_:)``.
    public var slug: String
    /// Display name.
    public var name: String
    /// Short description shown to readers.
    public var description: String
    /// Listed publicly or not.
    public var visibility: Newsletter.Visibility
    /// Double (default) or single opt-in.
    public var optIn: Newsletter.OptIn

    /// Creates a draft; visibility and opt-in default to public and double.
    public init(
        slug: String, name: String, description: String = "",
        visibility: Newsletter.Visibility = .public, optIn: Newsletter.OptIn = .double
    ) {
        self.slug = slug
        self.name = name
        self.description = description
        self.visibility = visibility
        self.optIn = optIn
    }
}

/// A partial update of a newsletter: `nil` leaves a field as it is.
public struct NewsletterChanges: Sendable, Equatable {
    /// New display name.
    public var name: String?
    /// New description.
    public var description: String?
    /// New visibility.
    public var visibility: Newsletter.Visibility?
    /// New opt-in mode.
    public var optIn: Newsletter.OptIn?

    /// Creates a change set.
    public init(
        name: String? = nil, description: String? = nil,
        visibility: Newsletter.Visibility? = nil, optIn: Newsletter.OptIn? = nil
    ) {
        self.name = name
        self.description = description
        self.visibility = visibility
        self.optIn = optIn
    }

    /// True when the change set changes nothing.
    public var isEmpty: Bool { name == nil && description == nil && visibility == nil && optIn == nil }
}

extension NewsletterChanges {
    /// What the audit event of an update records: the slug and each changed field (a new
    /// description only as "changed", since it can be long).
    public func auditDetails(slug: String) -> [String: String] {
        var details = ["slug": slug]
        if let name { details["name"] = name }
        if description != nil { details["description"] = "changed" }
        if let visibility { details["visibility"] = visibility.rawValue }
        if let optIn { details["opt_in"] = optIn.rawValue }
        return details
    }
}
