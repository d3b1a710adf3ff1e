import Foundation
import NIOSSL
import PostgresNIO

/// A PostgreSQL server and database, parsed from
/// `postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require]`.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    /// How the connection is encrypted, named as libpq names it.
    public enum TLSMode: String, Sendable {
        /// Plain TCP (a database on the same host or a private network).
        case disable
        /// TLS when the server offers it (libpq's default).
        case prefer
        /// TLS or no connection; the server's certificate is verified against the system's roots.
        case require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// Connections this process may hold (postgres-nio's pool maximum).
    public var poolSize: Int

    /// Parses the URL. A password in the URL wins over `password` (from a file or `PGPASSWORD`).
    public init(url: String, password: String? = nil, poolSize: Int = 10) throws(PostgresLocationError) {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql"
        else { throw PostgresLocationError("is not a postgres://user@host/db URL") }
        guard let host = components.host, !host.isEmpty else { throw PostgresLocationError("names no host") }
        guard let user = components.user, !user.isEmpty else { throw PostgresLocationError("names no user (postgres://USER@host/db)") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw PostgresLocationError("names no database (postgres://user@host/DB)") }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw PostgresLocationError("sslmode must be disable, prefer or require")
                }
                tls = mode
            default:
                throw PostgresLocationError("has an unknown parameter '\(item.name)' (only sslmode is understood)")
            }
        }
        guard poolSize >= 1 else { throw PostgresLocationError("needs a pool of at least one connection") }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 } ?? password
        self.database = database.removingPercentEncoding ?? database
        self.tls = tls
        self.poolSize = poolSize
    }

    /// `postgres://user@host:port/db` — never the password.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// The same settings for one direct connection (the reachability check).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let mode: PostgresConnection.Configuration.TLS =
            switch tls {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: mode)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    var clientConfiguration: PostgresClient.Configuration {
        let mode: PostgresClient.Configuration.TLS =
            switch tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: mode)
        configuration.options.maximumConnections = poolSize
        configuration.options.connectTimeout = .seconds(5)
        // The pool's named statements (SignupStatements) are planned once per connection. With
        // PostgreSQL's default (`auto`) a statement is planned again for its values on every run
        // while the custom plans cost less than the generic one: a sign-up's write was planned
        // per sign-up, more CPU than parsing it had cost (Ops/bench/README.md). Unnamed
        // statements, everything else, are planned for their values whatever this says.
        configuration.options.additionalStartupParameters = [("plan_cache_mode", "force_generic_plan")]
        return configuration
    }
}

/// Why a PostgreSQL URL was refused.
public struct PostgresLocationError: Error, CustomStringConvertible {
    public let description: String
    init(_ reason: String) { description = reason }
}
