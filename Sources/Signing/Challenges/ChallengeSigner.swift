public import Foundation

/// What a proof-of-work challenge may be spent on; a challenge issued for one is refused for the
/// other. The raw values are written into challenges: never renumber, only add.
public enum ChallengePurpose: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// A newsletter sign-up or a resent confirmation (each sends an email).
    case signup = 1
    /// Creating a donation pledge (card testers create many).
    case pledge = 2

    public var description: String {
        switch self {
        case .signup: "signup"
        case .pledge: "pledge"
        }
    }

    /// The purpose named `name` (`signup`, `pledge`).
    public init?(named name: String) {
        guard let purpose = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = purpose
    }
}

/// Issues and checks proof-of-work challenges (no third party): the server signs a challenge,
/// the client finds a nonce, and a request carrying `proof` = `CHALLENGE:NONCE` is let through
/// when SHA-256 of the proof's UTF-8 bytes starts with the challenge's number of zero bits.
///
/// A challenge is `c1.` and base64url of: purpose (1 byte), difficulty in bits (1), expiry in
/// seconds since 1970 (4, big-endian), a random id (12), the key id's length (1) and the key
/// id, then the first 128 bits of an HMAC-SHA256 over all of it with the ring's key. The id
/// makes a challenge single use: the caller records it as spent (``ChallengeProof/id``) until
/// it expires. Finding a nonce for `d` bits takes 2^d hashes on average; checking one takes one.
public struct ChallengeSigner: Sendable {
    public let ring: KeyRing

    static let prefix = "c1."
    static let macLength = 16
    static let idLength = 12
    private static let context = Array("masthead/challenge/v1\u{0}".utf8)

    public init(ring: KeyRing) {
        self.ring = ring
    }

    /// A fresh challenge for `purpose`, at `difficulty` bits, good until `expires`.
    public func issue(_ purpose: ChallengePurpose, difficulty: Int, expires: Date) throws(SecureRandom.Failure) -> String {
        let key = ring.activeKey
        var record: [UInt8] = [purpose.rawValue, UInt8(clamping: difficulty)]
        let seconds = UInt32(clamping: Int64(expires.timeIntervalSince1970.rounded(.up)))
        record += withUnsafeBytes(of: seconds.bigEndian, Array.init)
        record += try SecureRandom.bytes(count: Self.idLength)
        record.append(UInt8(key.kid.utf8.count))
        record += Array(key.kid.utf8)
        record += Self.mac(record, secret: key.secret)
        return Self.prefix + Base64URL.encode(record)
    }

    /// Checks a `CHALLENGE:NONCE` proof: signature, purpose, expiry, then the work. The caller
    /// still has to record the returned id as spent, and refuse it when it already was.
    public func verify(_ proof: String, purpose: ChallengePurpose, at now: Date) throws(ChallengeRejection) -> ChallengeProof {
        guard proof.utf8.count <= 200, let colon = proof.lastIndex(of: ":") else { throw .malformed }
        let challenge = proof[..<colon]
        let nonce = proof[proof.index(after: colon)...]
        guard !nonce.isEmpty, nonce.count <= 20, nonce.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            challenge.hasPrefix(Self.prefix), let bytes = Base64URL.decode(challenge.dropFirst(Self.prefix.count)),
            bytes.count > 2 + 4 + Self.idLength + 1 + Self.macLength
        else { throw .malformed }
        let body = Array(bytes.dropLast(Self.macLength))
        let kidLength = Int(body[2 + 4 + Self.idLength])
        guard body.count == 2 + 4 + Self.idLength + 1 + kidLength,
            let kid = String(bytes: body.suffix(kidLength), encoding: .utf8)
        else { throw .malformed }
        guard let key = ring.key(withID: kid) else { throw .unknownKey }
        guard HMACSHA256.constantTimeEquals(Self.mac(body, secret: key.secret), bytes.suffix(Self.macLength)) else {
            throw .badSignature
        }
        guard body[0] == purpose.rawValue else { throw .wrongPurpose }
        let expires = body[2..<6].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let expiry = Date(timeIntervalSince1970: Double(expires))
        guard now < expiry else { throw .expired }
        let difficulty = Int(body[1])
        guard Self.leadingZeroBits(SHA256Digest.hash(Array(proof.utf8))) >= difficulty else { throw .insufficientWork }
        return ChallengeProof(id: Base64URL.encode(Array(body[6..<(6 + Self.idLength)])), difficulty: difficulty, expires: expiry)
    }

    /// The reference solver, as the pages' Web Worker does it: the proof with the smallest
    /// decimal nonce (2^difficulty hashes on average). For Swift clients and the tests.
    public static func solve(_ challenge: String, difficulty: Int) -> String {
        var nonce = 0
        while leadingZeroBits(SHA256Digest.hash(Array("\(challenge):\(nonce)".utf8))) < difficulty { nonce += 1 }
        return "\(challenge):\(nonce)"
    }

    /// How many zero bits `digest` starts with.
    public static func leadingZeroBits(_ digest: [UInt8]) -> Int {
        var bits = 0
        for byte in digest {
            if byte == 0 {
                bits += 8
                continue
            }
            return bits + byte.leadingZeroBitCount
        }
        return bits
    }

    private static func mac(_ record: [UInt8], secret: [UInt8]) -> [UInt8] {
        Array(HMACSHA256.authenticate(context + record, key: secret).prefix(macLength))
    }
}

/// A verified proof: the challenge's id (to record as spent until it expires), its difficulty.
public struct ChallengeProof: Sendable, Equatable {
    public var id: String
    public var difficulty: Int
    public var expires: Date
}

/// Why a proof was refused.
public enum ChallengeRejection: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed, unknownKey, badSignature, wrongPurpose, expired, insufficientWork
    /// The challenge was already spent on another request.
    case replayed

    public var description: String {
        switch self {
        case .malformed: "the proof is not CHALLENGE:NONCE"
        case .unknownKey: "the challenge was signed with an unknown key"
        case .badSignature: "the challenge's signature does not match"
        case .wrongPurpose: "the challenge was issued for another purpose"
        case .expired: "the challenge has expired"
        case .insufficientWork: "the nonce does not solve the challenge"
        case .replayed: "the challenge was already used"
        }
    }
}
