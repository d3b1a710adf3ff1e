/// A sign-up as the reader sent it, before validation.
public struct SignupRequest: Sendable, Equatable {
    /// The address as typed; surrounding whitespace is trimmed here, at the library's edge.
    public var email: String
    /// Newsletter slugs; empty means the configured defaults.
    public var newsletters: [String]
    /// The reader's language (BCP 47, e.g. `uk` or `en-GB`), remembered for emails.
    public var locale: String?
    /// Where the form was (`article-footer`), kept with the consent.
    public var source: String?
    /// Who sent it.
    public var client: ClientContext

    /// Creates a request.
    public init(email: String, newsletters: [String] = [], locale: String? = nil, source: String? = nil, client: ClientContext) {
        self.email = email
        self.newsletters = newsletters
        self.locale = locale
        self.source = source
        self.client = client
    }
}

/// The limits on each field of a sign-up, checked before anything else.
public enum SignupLimits {
    /// Longest address text accepted before parsing (the RFC limit is 254 octets).
    public static let maximumEmailLength = 320
    /// Most newsletters in one request.
    public static let maximumNewsletters = 20
    /// Longest `source`.
    public static let maximumSourceLength = 100
    /// Longest `locale`.
    public static let maximumLocaleLength = 35
}
