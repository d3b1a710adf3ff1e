// The token fuzzer's property, and the test that replays its seed corpus and every input it
// ever crashed on. Ops/fuzz's target FuzzToken compiles this same file (a symlink, built with
// FUZZING defined, which hides the suite), so the property is written once.
import Foundation
#if !FUZZING
import Testing
import TestSupport
#endif

@testable import Signing

/// What must hold for any text handed to the parsers of signed things — email-link tokens and
/// `Stripe-Signature` headers — beyond not crashing: nothing verifies unless we signed exactly
/// those bytes, and each decoding layer accepts one form per value (so no two strings are the
/// same token).
enum TokenFuzzProperty {
    /// The clock, keys and address the seeds were signed with (`Ops/fuzz/corpus/FuzzToken/`).
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let address = "reader@example.org"
    static let keys = [
        SigningKey(kid: "old2025", secret: Array(repeating: 0x25, count: 32), createdAt: now, state: .retired),
        SigningKey(kid: "new2026", secret: Array(repeating: 0x26, count: 32), createdAt: now, state: .active),
    ]
    /// One signer per key, that key active: re-signing claims must give back the token's text.
    static let signers: [String: TokenSigner] = Dictionary(uniqueKeysWithValues: keys.map { key in
        let ring = ringWith(active: key.kid)
        return (key.kid, TokenSigner(ring: ring))
    })
    static let verifier = TokenSigner(ring: ringWith(active: "new2026"))
    static let webhookSecrets = [Array("whsec_fuzz_current".utf8), Array("whsec_fuzz_rolled".utf8)]
    static let webhookPayload = Array(#"{"id":"evt_fuzz","type":"payment_succeeded"}"#.utf8)

    /// Nil when the property holds for `input`; otherwise what broke.
    static func check(_ input: [UInt8]) -> String? {
        let text = String(decoding: input, as: UTF8.self)
        return checkEncodings(text, input) ?? checkToken(text) ?? checkSignatureHeader(text)
    }

    /// Base64url and the token record each have exactly one encoding per value, as their
    /// comments promise; checked on the raw bytes too, so the fuzzer reaches the record
    /// without having to learn base64 first.
    private static func checkEncodings(_ text: String, _ input: [UInt8]) -> String? {
        let body = text.hasPrefix(TokenSigner.prefix) ? String(text.dropFirst(TokenSigner.prefix.count)) : text
        var records = [input]
        if let bytes = Base64URL.decode(body) {
            guard Base64URL.encode(bytes) == body else { return "base64url accepts a second spelling: \(body.debugDescription)" }
            records.append(Array(bytes.dropLast(TokenSigner.macLength)))
        }
        for bytes in records {
            guard let record = TokenRecord(decoding: bytes) else { continue }
            guard record.encoded() == bytes else { return "a token record decodes from a non-canonical form: \(bytes)" }
        }
        return nil
    }

    private static func checkToken(_ text: String) -> String? {
        for purpose in TokenPurpose.allCases {
            let claims: TokenClaims
            do {
                claims = try verifier.open(text, purpose: purpose, at: now)
            } catch {
                _ = error.description
                continue
            }
            // Only our signatures open, and we signed the seeds for one address; the text must be
            // exactly what signing these claims gives (no second form of a valid token).
            guard verifier.isBound(claims, to: address) else { return "a token opened that is not bound to the seeds' address" }
            guard let signer = signers[claims.keyID] else { return "a token opened under a key the ring does not have" }
            let lifetime = claims.expiresAt.map { Duration.seconds(Int64($0.timeIntervalSince(claims.issuedAt))) }
            let again = signer.sign(purpose, subject: claims.subject, address: address, at: claims.issuedAt, lifetime: lifetime)
            guard again == text else { return "a token opened that signing its claims does not give back: \(text.debugDescription)" }
        }
        return nil
    }

    private static func checkSignatureHeader(_ header: String) -> String? {
        let signed: Date
        do {
            signed = try WebhookSignature.verify(header: header, payload: webhookPayload, secrets: webhookSecrets, at: now)
        } catch {
            _ = error.description
            return nil
        }
        guard abs(signed.timeIntervalSince(now)) <= Double(WebhookSignature.defaultTolerance.components.seconds) else {
            return "a stale signature verified: \(header.debugDescription)"
        }
        // It verified, so it must carry the signature we would compute for its time.
        let carried = webhookSecrets.contains { secret in
            let expected = WebhookSignature.header(for: webhookPayload, secret: secret, at: signed)
            return expected.split(separator: "v1=").last.map { header.lowercased().contains($0) } ?? false
        }
        return carried ? nil : "a header verified without our signature: \(header.debugDescription)"
    }

    private static func ringWith(active kid: String) -> KeyRing {
        let keys = keys.map { key in
            var key = key
            key.state = key.kid == kid ? .active : .retired
            return key
        }
        // Fixed, valid keys: a failure here is a mistake in this file, not a finding.
        guard let ring = try? KeyRing(keys: keys, addressSecret: Array(repeating: 0x5A, count: 32)) else {
            fatalError("the fuzz key ring is invalid")
        }
        return ring
    }
}

#if !FUZZING
/// Every seed and every saved crash input of the token fuzzer, without the fuzzer.
@Suite struct FuzzCorpusTests {
    @Test func everySeedAndRegressionKeepsTheTokenProperty() throws {
        let (count, failures) = try FuzzInputs.replay("FuzzToken", through: TokenFuzzProperty.check)
        #expect(count > 0, "no corpus found under Ops/fuzz/corpus/FuzzToken")
        #expect(failures.isEmpty, "\(failures)")
    }

    /// The seeds are signed with the keys above at `now`: if they stop opening, the property
    /// above is testing nothing.
    @Test func theSignedSeedsStillOpen() throws {
        let tokens = try FuzzInputs.of("FuzzToken").map { String(decoding: $0.bytes, as: UTF8.self) }.filter { $0.hasPrefix("v1.") }
        let opened = tokens.filter { token in
            TokenPurpose.allCases.contains { (try? TokenFuzzProperty.verifier.open(token, purpose: $0, at: TokenFuzzProperty.now)) != nil }
        }
        #expect(opened.count >= 4)
    }
}

#endif
