/// Why a token operation was refused; each case says what to do.
public enum AdminTokenError: Error, Equatable, CustomStringConvertible {
    /// The name is empty, too long, or has characters other than letters, digits, `.`, `_`, `-`.
    case invalidName(String)
    /// An active token already has this name.
    case nameTaken(String)
    /// No scope was given.
    case noScope
    /// A scope that does not exist.
    case unknownScope(String)
    /// A lifetime of zero or less.
    case invalidLifetime
    /// No active token has this name.
    case unknownToken(String)

    public var description: String {
        switch self {
        case .invalidName(let name):
            "invalid token name '\(name)': use 1 to 64 letters, digits, '.', '_' or '-' (it appears in the audit trail as token:NAME)"
        case .nameTaken(let name): "an active token is already named '\(name)'; revoke it first or choose another name"
        case .noScope: "give at least one scope: \(AdminScope.allCases.map(\.rawValue).joined(separator: ", "))"
        case .unknownScope(let scope):
            "unknown scope '\(scope)'; the scopes are \(AdminScope.allCases.map(\.rawValue).joined(separator: ", "))"
        case .invalidLifetime: "the lifetime must be positive (90d, 12h, 30m)"
        case .unknownToken(let name): "no active token is named '\(name)'; `masthead tokens list` shows them"
        }
    }
}
