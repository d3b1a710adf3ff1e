public import Foundation

/// A newsletter readers can subscribe to, such as "Ukraine Daily".
///
/// The slug is the stable public name used in forms and URLs (`ukraine-daily`); the name and
/// description are what readers see in pages and emails. Archived newsletters keep their
/// subscribers and history but no longer accept sign-ups.
public struct Newsletter: Sendable, Equatable, Codable {
    /// Store-assigned identifier.
    public var id: Int64
    /// Stable public name, e.g. `ukraine-daily`.
    public var slug: String
    /// Display name, e.g. "Ukraine Daily".
    public var name: String
    /// One or two sentences for sign-up pages, e.g. "News from Ukraine in your inbox".
    public var description: String
    /// Whether the newsletter is listed in the public catalogue and open to sign-up forms.
    public var visibility: Visibility
    /// Whether a sign-up needs a confirmation click before the reader receives issues.
    public var optIn: OptIn
    /// When the newsletter stopped accepting sign-ups, if it did.
    public var archivedAt: Date?
    /// When the newsletter was created.
    public var createdAt: Date
    /// When the newsletter was last changed.
    public var updatedAt: Date

    /// Who may see and join the newsletter.
    public enum Visibility: String, Sendable, Codable, CaseIterable {
        /// Listed in the catalogue; anyone may sign up.
        case `public`
        /// Hidden from the catalogue and refused by public sign-up forms; staff add members.
        case `private`
    }

    /// How a new sign-up becomes a confirmed membership.
    public enum OptIn: String, Sendable, Codable, CaseIterable {
        /// A confirmation email must be clicked first (the default, and what consent law expects).
        case double
        /// The membership is confirmed at once.
        case single
    }

    /// True while the newsletter accepts sign-ups.
    public var isArchived: Bool { archivedAt != nil }

    /// Creates a newsletter value (stores use this when reading rows).
    public init(
        id: Int64, slug: String, name: String, description: String, visibility: Visibility,
        optIn: OptIn, archivedAt: Date?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.slug = slug
        self.name = name
        self.description = description
        self.visibility = visibility
        self.optIn = optIn
        self.archivedAt = archivedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
