import AdminAccess
import Foundation
import Testing

/// The rules of admin API tokens that need no store: scopes, the secret's shape and check, lifetime.
struct AdminTokenTests {
    @Test func scopesAreParsedSortedAndOnce() throws {
        #expect(try AdminScope.parse(list: "pledges:read, subscribers:read,pledges:read") == [.pledgesRead, .subscribersRead])
        #expect(throws: AdminTokenError.unknownScope("subscribers:admin")) { try AdminScope.parse(list: "subscribers:read,subscribers:admin") }
        #expect(throws: AdminTokenError.noScope) { try AdminScope.parse(list: " , ") }
    }

    @Test func aSecretMatchesOnlyItsOwnHash() throws {
        let secret = try AdminTokenSecret.generate()
        #expect(secret.text.hasPrefix("mht_\(secret.selector)_"))
        #expect(secret.hash.count == 64 && !secret.hash.contains(secret.text))
        let presented = try #require(AdminTokenSecret(presented: secret.text))
        #expect(presented.selector == secret.selector && presented.matches(storedHash: secret.hash))

        // One character changed in the secret half: same selector, different hash.
        var altered = Array(secret.text)
        altered[altered.count - 1] = altered.last == "A" ? "B" : "A"
        let forged = try #require(AdminTokenSecret(presented: String(altered)))
        #expect(forged.selector == secret.selector && !forged.matches(storedHash: secret.hash))
        #expect(try AdminTokenSecret.generate() != secret)
    }

    @Test(arguments: ["", "mht_", "Bearer x", "mht_0123456789abcdef", "mht_0123456789ABCDEF_x", "mht_0123_x", "ghp_0123456789abcdef_x",
                      "mht_0123456789abcdef_" + String(repeating: "x", count: 200)])
    func whatIsNotInTheIssuedShapeIsNotLookedUp(_ text: String) {
        #expect(AdminTokenSecret(presented: text) == nil)
    }

    @Test func aTokenIsUsableUntilItExpiresOrIsRevoked() {
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        var token = AdminToken(
            id: 1, name: "crm-sync", scopes: [.subscribersRead], createdAt: created, expiresAt: created.addingTimeInterval(3600), revokedAt: nil)
        #expect(token.isUsable(at: created.addingTimeInterval(3599)) && token.state(at: created) == "active")
        #expect(!token.isUsable(at: created.addingTimeInterval(3600)) && token.state(at: created.addingTimeInterval(3600)) == "expired")
        token.revokedAt = created.addingTimeInterval(60)
        #expect(!token.isUsable(at: created.addingTimeInterval(120)) && token.state(at: created.addingTimeInterval(120)) == "revoked")
        #expect(token.actor == "token:crm-sync" && token.grants(.subscribersRead) && !token.grants(.subscribersWrite))
    }
}
