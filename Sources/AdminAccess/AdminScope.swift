import Foundation

/// What an admin API token may do. A route names the one scope it needs; `write` does not
/// imply `read` (a token that adds subscribers need not read the list).
public enum AdminScope: String, Sendable, CaseIterable, Comparable {
    case subscribersRead = "subscribers:read"
    case subscribersWrite = "subscribers:write"
    case newslettersRead = "newsletters:read"
    case newslettersWrite = "newsletters:write"
    case pledgesRead = "pledges:read"
    case outboxRead = "outbox:read"
    case outboxWrite = "outbox:write"
    case webhooksRead = "webhooks:read"
    case webhooksWrite = "webhooks:write"
    case statsRead = "stats:read"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The scopes of a comma-separated list (`subscribers:read,pledges:read`), sorted, each once.
    public static func parse(list text: String) throws(AdminTokenError) -> [AdminScope] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw .noScope }
        var scopes = Set<AdminScope>()
        for name in names {
            guard let scope = AdminScope(rawValue: name) else { throw .unknownScope(name) }
            scopes.insert(scope)
        }
        return scopes.sorted()
    }
}
