import EmailAddress
import Foundation
import Signing

extension TokenSigner {
    /// Opens a link's token for `purpose`, then finds what it names with `find`, which is given
    /// the check that an address is the one the token was made for. A refused token, or nothing
    /// found for it, is ``LinkProblem/rejected(_:)``; a store error is ``LinkProblem/storage(_:)``.
    func follow<Found>(
        _ token: String, purpose: TokenPurpose, at time: Date,
        _ find: (TokenClaims, @escaping @Sendable (String) -> Bool) async throws -> Found?
    ) async throws(LinkProblem) -> (claims: TokenClaims, found: Found) {
        let claims: TokenClaims
        do {
            claims = try open(EmailAddress.trimmingWhiteSpace(token), purpose: purpose, at: time)
        } catch {
            throw .rejected(error)
        }
        let found: Found?
        do {
            found = try await find(claims) { [self] in isBound(claims, to: $0) }
        } catch {
            throw .storage(error)
        }
        guard let found else { throw .rejected(.addressMismatch) }
        return (claims, found)
    }
}
