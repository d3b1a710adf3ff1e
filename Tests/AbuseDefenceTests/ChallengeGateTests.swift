import Foundation
import Signing
import Synchronization
import Testing

@testable import AbuseDefence

/// The spent-challenge record as a set: the library's rule is tested here; both stores'
/// `spendChallenge` are tested in MastheadTests (`ChallengeTests`).
final class SpentChallenges: ChallengeStore {
    let spent = Mutex<Set<String>>([])
    func spendChallenge(id: String, expires: Date, at now: Date) async throws -> Bool {
        spent.withLock { $0.insert(id).inserted }
    }
}

@Suite struct ChallengeGateTests {
    let ring = try! KeyRing(
        keys: [SigningKey(kid: "k1", secret: Array(repeating: 7, count: 32), createdAt: Date(timeIntervalSince1970: 0), state: .active)],
        addressSecret: Array(repeating: 9, count: 32))

    func gate(required: Bool, now: Date = Date(timeIntervalSince1970: 1_800_000_000), difficulty: Int = 12) -> ChallengeGate {
        ChallengeGate(
            signer: ChallengeSigner(ring: ring), store: SpentChallenges(), difficulty: difficulty, lifetime: 300,
            required: { _ in required }, now: { now })
    }

    @Test func aSolvedChallengeIsAdmittedOnceAndOnlyForItsPurpose() async throws {
        let gate = gate(required: true)
        let issued = try gate.issue(.signup)
        #expect(issued.required && issued.difficulty == 12)
        let proof = ChallengeSigner.solve(issued.challenge, difficulty: 12)
        await #expect(throws: ChallengeRefusal.rejected(.wrongPurpose)) { try await gate.admit(proof: proof, for: .pledge) }
        try await gate.admit(proof: proof, for: .signup)
        await #expect(throws: ChallengeRefusal.rejected(.replayed)) { try await gate.admit(proof: proof, for: .signup) }
    }

    @Test func theDifficultyIsHonoured() async throws {
        let gate = gate(required: true, difficulty: 16)
        let challenge = try gate.issue(.signup).challenge
        // A nonce with fewer than 16 zero bits is refused.
        var nonce = 0
        while true {
            let bits = ChallengeSigner.leadingZeroBits(SHA256Digest.hash(Array("\(challenge):\(nonce)".utf8)))
            if bits >= 4, bits < 16 { break }
            nonce += 1
        }
        await #expect(throws: ChallengeRefusal.rejected(.insufficientWork)) { try await gate.admit(proof: "\(challenge):\(nonce)", for: .signup) }
        try await gate.admit(proof: ChallengeSigner.solve(challenge, difficulty: 16), for: .signup)
    }

    @Test func anExpiredOrForgedChallengeIsRefused() async throws {
        let issuedAt = Date(timeIntervalSince1970: 1_800_000_000)
        let challenge = try gate(required: true, now: issuedAt).issue(.signup).challenge
        let proof = ChallengeSigner.solve(challenge, difficulty: 12)
        let later = gate(required: true, now: issuedAt.addingTimeInterval(301))
        await #expect(throws: ChallengeRefusal.rejected(.expired)) { try await later.admit(proof: proof, for: .signup) }
        // One character of the challenge changed: its signature no longer matches (or it no longer parses).
        var forged = Array(proof)
        forged[10] = forged[10] == "A" ? "B" : "A"
        let refusal = await #expect(throws: ChallengeRefusal.self) { try await gate(required: true).admit(proof: String(forged), for: .signup) }
        #expect(refusal != .rejected(.replayed) && refusal != .required)
        await #expect(throws: ChallengeRefusal.rejected(.malformed)) { try await gate(required: true).admit(proof: "nonsense", for: .signup) }
    }

    @Test func noProofPassesOnlyWhileNoneIsRequired() async throws {
        try await gate(required: false).admit(proof: nil, for: .signup)
        await #expect(throws: ChallengeRefusal.required) { try await gate(required: true).admit(proof: nil, for: .signup) }
        await #expect(throws: ChallengeRefusal.required) { try await gate(required: true).admit(proof: "", for: .pledge) }
    }
}
