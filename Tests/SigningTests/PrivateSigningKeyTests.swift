import Foundation
import Signing
import TestSupport
import Testing

/// Keys for DKIM through OpenSSL: made, written as PEM and read back, published as DKIM wants.
struct PrivateSigningKeyTests {
    @Test(arguments: PrivateSigningKey.Kind.allCases) func aKeyRoundTripsThroughPEM(_ kind: PrivateSigningKey.Kind) throws {
        let key = try PrivateSigningKey.generate(kind)
        #expect(key.kind == kind && key.pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let read = try PrivateSigningKey(pem: key.pem)
        #expect(read.kind == kind && read.publicKeyBase64 == key.publicKeyBase64)
        let published = try #require(Data(base64Encoded: key.publicKeyBase64))
        // Ed25519: the raw 32 bytes (RFC 8463); RSA 2048: the SubjectPublicKeyInfo DER (294 bytes).
        #expect(published.count == (kind == .ed25519 ? 32 : 294))
        let message = Array("the data DKIM signs".utf8)
        #expect(key.sign(message).count == (kind == .ed25519 ? 64 : 256))
        // Ed25519 signatures are deterministic, so the key read back signs identically.
        if kind == .ed25519 { #expect(read.sign(message) == key.sign(message)) }
    }

    @Test func whatIsNotAPrivateKeyIsRefused() {
        #expect(throws: PrivateSigningKey.Failure.self) { try PrivateSigningKey(pem: "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n") }
        #expect(throws: PrivateSigningKey.Failure.self) { try PrivateSigningKey(pem: "") }
    }

    /// A key too short for DKIM is refused, and the refusal says its size: read before the key
    /// is freed (it was once read after, from freed memory).
    @Test func aShortRSAKeyIsRefusedWithItsSize() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("short.pem")
        let status = try await offThePool {
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            openssl.arguments = ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:512", "-out", file]
            openssl.standardOutput = FileHandle.nullDevice
            openssl.standardError = FileHandle.nullDevice
            try ChildProcesses.run(openssl)
            openssl.waitUntilExit()
            return openssl.terminationStatus
        }
        try #require(status == 0)
        let pem = try String(contentsOfFile: file, encoding: .utf8)
        let refusal = #expect(throws: PrivateSigningKey.Failure.self) { try PrivateSigningKey(pem: pem) }
        #expect(refusal?.description == "the RSA key has 512 bits; DKIM needs at least 1024 (use 2048)")
    }
}
