import AdminAccess
import ArgumentParser
import Foundation
import MastheadRuntime
import SideEffects

/// `masthead tokens …`: the bearer tokens of the admin API (`/admin/v1/…`).
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Create, list and revoke admin API tokens.",
        discussion: """
            A token is sent as `Authorization: Bearer mht_…` to the admin API under /admin/v1/. \
            It grants only its scopes; what it changes is recorded in the audit trail as \
            token:NAME. Only a hash of it is stored: it is shown once, when created.

            Scopes: \(AdminScope.allCases.map(\.rawValue).joined(separator: ", ")).
            """,
        subcommands: [CreateToken.self, ListTokens.self, RevokeToken.self])
}

struct CreateToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a token and print it (shown this once).",
        discussion: """
            Examples:
              masthead tokens create --name crm-sync --scope subscribers:read,pledges:read --expires 90d
              masthead tokens create --name esp-sync --scope subscribers:read,subscribers:write,webhooks:read
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "What the token is for (letters, digits, '.', '_', '-'); the audit trail names it token:NAME.") var name: String
    @Option(help: "Scopes, comma-separated.") var scope: String
    @Option(help: "Lifetime in days (90d) or hours (12h); without it the token lasts until revoked.") var expires: Age?

    func run() async throws {
        let scopes = try await CommandFailure.reporting { try AdminScope.parse(list: scope) }
        let (token, secret) = try await global.withServices { services in
            try await services.adminTokens.create(name: name, scopes: scopes, lifetime: expires?.seconds, actor: AdminActor.current)
        }
        let expiry = token.expiresAt.map { ", expires \(Timestamp.format($0))" } ?? ""
        print("created token \(token.name) (\(token.scopesText)\(expiry))")
        print("token (shown once; keep it in the client's secret store): \(secret)")
    }
}

/// A token as `tokens list` shows it (never its secret or hash).
struct TokenRow: Encodable {
    let name: String
    let scopes: String
    let state: String
    let created: String
    let expires: String?
    let revoked: String?

    init(_ token: AdminToken, at time: Date) {
        name = token.name
        scopes = token.scopesText
        state = token.state(at: time)
        created = Timestamp.format(token.createdAt)
        expires = token.expiresAt.map(Timestamp.format)
        revoked = token.revokedAt.map(Timestamp.format)
    }

    static var listing: Listing<TokenRow> {
        Listing(columns: [
            ("NAME", \.name), ("SCOPES", \.scopes), ("STATE", \.state), ("CREATED", \.created), ("EXPIRES", { $0.expires ?? "" }),
            ("REVOKED", { $0.revoked ?? "" }),
        ])
    }
}

struct ListTokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the tokens, revoked and expired ones included.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption

    func run() async throws {
        let tokens = try await global.withServices { try await $0.adminTokens.list() }
        let now = Date()
        print(try TokenRow.listing.render(tokens.map { TokenRow($0, at: now) }, as: output.resolved), terminator: "")
    }
}

struct RevokeToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a token: from now on it is refused like one that never existed.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The token's name.") var name: String

    func run() async throws {
        _ = try await global.withServices { try await $0.adminTokens.revoke(name: name, actor: AdminActor.current) }
        print("revoked token \(name)")
    }
}
