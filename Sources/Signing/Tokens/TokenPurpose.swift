/// What a token may be used for; a token signed for one purpose is refused for every other.
///
/// The raw values are written into tokens: never renumber a case, only add new ones.
public enum TokenPurpose: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Confirms a pending subscription (double opt-in); expires.
    case confirm = 1
    /// Unsubscribes; never expires (RFC 8058 links must keep working).
    case unsubscribe = 2
    /// Opens a reader's preferences or pledge page.
    case manage = 3
    /// Opens a donation pledge's page (see it, cancel a monthly pledge); never expires.
    case pledge = 4
    /// Opens the report of everything held about a reader (their right of access); expires
    /// within the hour, as it is mailed to the address itself.
    case access = 5

    public var description: String {
        switch self {
        case .confirm: "confirm"
        case .unsubscribe: "unsubscribe"
        case .manage: "manage"
        case .pledge: "pledge"
        case .access: "access"
        }
    }
}
