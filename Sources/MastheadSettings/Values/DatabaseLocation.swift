import Foundation

/// Where the data lives, parsed from `MASTHEAD_DATABASE`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    /// An SQLite file; a relative path is relative to the working directory.
    case sqlite(path: String)
    /// A PostgreSQL URL (`postgres://user[:password]@host[:port]/db[?sslmode=…]`).
    case postgres(url: String)

    /// Parses `sqlite:PATH`, `sqlite://PATH` or `postgres://…` / `postgresql://…`.
    public init(parsing text: String) throws(ConfigurationError) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(url: text)
            return
        }
        guard text.hasPrefix("sqlite:") else {
            throw ConfigurationError(.database, "'\(text)' is neither sqlite:PATH nor postgres://…")
        }
        var path = String(text.dropFirst("sqlite:".count))
        if path.hasPrefix("//") { path.removeFirst(2) }
        guard !path.isEmpty else { throw ConfigurationError(.database, "sqlite: needs a file path, e.g. sqlite:masthead.sqlite") }
        self = .sqlite(path: path)
    }

    /// The location without credentials, safe for logs.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url): Self.redacted(url)
        }
    }

    /// The URL without its password.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "postgres" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "postgres"
    }
}
