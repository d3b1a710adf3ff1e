import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// `masthead tokens …` through the real executable, and the token it prints used over HTTP.
@Suite(.timeLimit(.minutes(3))) struct TokensCommandTests {
    @Test(arguments: StoreKind.allCases) func aTokenIsPrintedOnceWorksAndStopsWhenRevoked(_ store: StoreKind) async throws {
        let test = try await TestRuntime(store: store)
        defer { test.shutdown() }
        @Sendable func masthead(_ arguments: [String]) async throws -> Executables.Outcome {
            try await Executables.run("masthead", arguments + ["--database", test.databaseArgument], in: test.directory.path)
        }
        let created = try await masthead(["tokens", "create", "--name", "crm-sync", "--scope", "subscribers:read,stats:read", "--expires", "90d"])
        #expect(created.status == 0, "\(created.stderr)")
        let token = try #require(created.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(token.hasPrefix("mht_") && created.stdout.contains("created token crm-sync (stats:read,subscribers:read, expires "))

        let listed = try await masthead(["tokens", "list", "--format", "csv"])
        #expect(listed.stdout.hasPrefix("NAME,SCOPES,STATE,CREATED,EXPIRES,REVOKED\r\ncrm-sync,\"stats:read,subscribers:read\",active,"))
        #expect(!listed.stdout.contains(token) && !listed.stdout.contains("mht_"))

        let taken = try await masthead(["tokens", "create", "--name", "crm-sync", "--scope", "stats:read"])
        #expect(taken.status == 1 && taken.stderr.contains("an active token is already named 'crm-sync'"))
        let badScope = try await masthead(["tokens", "create", "--name", "x", "--scope", "stats:read,everything"])
        #expect(badScope.status == 1 && badScope.stderr.contains("unknown scope 'everything'"))

        try await test.application.test(.router) { client in
            #expect(try await AdminHTTP.request(client, .get, "/admin/v1/stats", token: token).status == .ok)
            let revoked = try await masthead(["tokens", "revoke", "crm-sync"])
            #expect(revoked.status == 0 && revoked.stdout == "revoked token crm-sync\n")
            #expect(try await AdminHTTP.request(client, .get, "/admin/v1/stats", token: token).status == .unauthorized)
        }
        #expect(try await masthead(["tokens", "revoke", "crm-sync"]).status == 1)
        let trail = try await test.sql("SELECT actor || ' ' || action FROM events WHERE subject_type = 'admin_token' ORDER BY id")
        #expect(trail.count == 2 && trail[0].hasSuffix(" admin_token.created") && trail[1].hasSuffix(" admin_token.revoked") && trail[0].hasPrefix("admin:"))
    }
}
