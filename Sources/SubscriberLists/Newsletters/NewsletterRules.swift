/// The shape every newsletter must have, checked before anything reaches a store.
public enum NewsletterRules {
    /// Longest slug accepted; slugs appear in URLs and form values.
    public static let maximumSlugLength = 64
    /// Longest display name accepted.
    public static let maximumNameLength = 200
    /// Longest description accepted.
    public static let maximumDescriptionLength = 2000

    /// A slug is 1–64 characters of lower-case ASCII letters, digits and single hyphens,
    /// starting and ending with a letter or digit (`ukraine-daily`).
    public static func checkSlug(_ slug: String) throws(NewsletterError) {
        func refuse(_ reason: String) -> NewsletterError { .invalidSlug(slug, reason: reason) }
        guard !slug.isEmpty else { throw refuse("it is empty") }
        guard slug.utf8.count <= maximumSlugLength else { throw refuse("longer than \(maximumSlugLength) characters") }
        for byte in slug.utf8 {
            let allowed = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
            guard allowed else { throw refuse("use lower-case letters a-z, digits and hyphens only") }
        }
        guard slug.first != "-", slug.last != "-" else { throw refuse("it starts or ends with a hyphen") }
        guard !slug.contains("--") else { throw refuse("it has two hyphens in a row") }
    }

    /// A name is non-blank, at most 200 characters, without control characters.
    public static func checkName(_ name: String) throws(NewsletterError) {
        guard !name.allSatisfy(\.isWhitespace) else { throw .invalidName(reason: "it is empty") }
        guard name.count <= maximumNameLength else {
            throw .invalidName(reason: "longer than \(maximumNameLength) characters")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidName(reason: "it contains control characters")
        }
    }

    /// A description is at most 2000 characters.
    public static func checkDescription(_ description: String) throws(NewsletterError) {
        guard description.count <= maximumDescriptionLength else {
            throw .invalidDescription(reason: "longer than \(maximumDescriptionLength) characters")
        }
    }
}
