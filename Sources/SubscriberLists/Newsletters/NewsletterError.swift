/// Why a newsletter operation was refused; each case says what to do.
public enum NewsletterError: Error, Equatable, CustomStringConvertible {
    /// The slug breaks ``NewsletterRules``.
    case invalidSlug(String, reason: String)
    /// The name is empty or too long.
    case invalidName(reason: String)
    /// The description is too long.
    case invalidDescription(reason: String)
    /// Another newsletter already uses this slug (archived ones included: slugs are never reused).
    case slugTaken(String)
    /// No newsletter has this slug.
    case notFound(String)
    /// The update named no field to change.
    case nothingToChange
    /// The newsletter is already archived.
    case alreadyArchived(String)

    public var description: String {
        switch self {
        case .invalidSlug(let slug, let reason): "invalid slug '\(slug)': \(reason)"
        case .invalidName(let reason): "invalid name: \(reason)"
        case .invalidDescription(let reason): "invalid description: \(reason)"
        case .slugTaken(let slug): "a newsletter with slug '\(slug)' already exists (slugs are never reused, archived newsletters included)"
        case .notFound(let slug): "no newsletter has slug '\(slug)'; `masthead newsletters list` shows them"
        case .nothingToChange: "nothing to change: give at least one of --name, --description, --public/--private, --single-opt-in/--double-opt-in"
        case .alreadyArchived(let slug): "newsletter '\(slug)' is already archived"
        }
    }
}
