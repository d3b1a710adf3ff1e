public import Foundation
public import Signing

/// When sign-ups and pledges must carry a proof of work (`MASTHEAD_CHALLENGE`).
public enum ChallengeMode: String, Sendable, CaseIterable {
    /// Never required (a proof sent anyway is still checked).
    case off
    /// Required while the detector reports an attack on what the request does.
    case adaptive
    /// Always required: every sign-up and pledge needs JavaScript.
    case always
}

/// A challenge as `GET /v1/challenge` serves it.
public struct IssuedChallenge: Sendable, Equatable {
    public var challenge: String
    public var difficulty: Int
    public var expires: Date
    /// Whether a request for this purpose needs a proof right now (clients may skip the work otherwise).
    public var required: Bool
}

/// Why a request was refused for its proof.
public enum ChallengeRefusal: Error, Sendable, Equatable {
    /// None was sent, and one is required now (428).
    case required
    /// One was sent and is no good (422 naming `proof`).
    case rejected(ChallengeRejection)
}

/// Issues challenges and admits requests by their proof: checked whenever one is sent, required
/// when the mode says so. A proof is spent once (the store remembers it until it expires).
public struct ChallengeGate: Sendable {
    let signer: ChallengeSigner
    let store: any ChallengeStore
    public let difficulty: Int
    let lifetime: TimeInterval
    let required: @Sendable (ChallengePurpose) -> Bool
    let now: @Sendable () -> Date

    /// `difficulty` in leading zero bits (16 takes a phone a few hundred milliseconds);
    /// `required` says whether a purpose needs a proof now (the monitor's verdict).
    public init(
        signer: ChallengeSigner, store: any ChallengeStore, difficulty: Int, lifetime: TimeInterval = 300,
        required: @escaping @Sendable (ChallengePurpose) -> Bool, now: @escaping @Sendable () -> Date
    ) {
        self.signer = signer
        self.store = store
        self.difficulty = difficulty
        self.lifetime = lifetime
        self.required = required
        self.now = now
    }

    /// A fresh challenge for `purpose`.
    public func issue(_ purpose: ChallengePurpose) throws -> IssuedChallenge {
        let expires = now().addingTimeInterval(lifetime)
        return IssuedChallenge(
            challenge: try signer.issue(purpose, difficulty: difficulty, expires: expires), difficulty: difficulty, expires: expires,
            required: required(purpose))
    }

    /// Lets a request for `purpose` through, or refuses it for its `proof` (nil or empty: none sent).
    public func admit(proof: String?, for purpose: ChallengePurpose) async throws {
        guard let proof, !proof.isEmpty else {
            if required(purpose) { throw ChallengeRefusal.required }
            return
        }
        let time = now()
        let verified: ChallengeProof
        do {
            verified = try signer.verify(proof, purpose: purpose, at: time)
        } catch {
            throw ChallengeRefusal.rejected(error)
        }
        guard try await store.spendChallenge(id: verified.id, expires: verified.expires, at: time) else {
            throw ChallengeRefusal.rejected(.replayed)
        }
    }
}
