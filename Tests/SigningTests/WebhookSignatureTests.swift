import Foundation
import Testing

@testable import Signing

/// Stripe-style `t=…,v1=…` webhook signatures.
@Suite struct WebhookSignatureTests {
    let secret = Array("whsec_test_secret".utf8)
    let other = Array("whsec_rolled_secret".utf8)
    let body = Array(#"{"id":"evt_1","type":"payment.succeeded"}"#.utf8)
    let now = Date(timeIntervalSince1970: 1_764_082_800)

    func verify(_ header: String, secrets: [[UInt8]]? = nil, at: Date? = nil, body: [UInt8]? = nil) throws(WebhookSignature.Rejection) -> Date {
        try WebhookSignature.verify(header: header, payload: body ?? self.body, secrets: secrets ?? [secret], at: at ?? now)
    }

    @Test func signedHeaderVerifies() throws {
        let header = WebhookSignature.header(for: body, secret: secret, at: now)
        #expect(header.hasPrefix("t=1764082800,v1="))
        #expect(try verify(header) == now)
    }

    @Test func matchesAnIndependentComputation() throws {
        // Stripe's scheme: hex(HMAC-SHA256(secret, "<t>.<body>")).
        let expected = WebhookSignature.hex(HMACSHA256.authenticate(Array("1764082800.".utf8) + body, key: secret))
        #expect(WebhookSignature.header(for: body, secret: secret, at: now) == "t=1764082800,v1=\(expected)")
    }

    @Test func spacesAndUnknownSchemesAreTolerated() throws {
        let signature = WebhookSignature.header(for: body, secret: secret, at: now).split(separator: "v1=")[1]
        #expect(try verify("t=1764082800, v0=deadbeef, v1=\(signature)") == now)
        #expect(try verify(" v1=\(signature) ,t=1764082800,scheme=x") == now)
        #expect(try verify("t=\t1764082800 ,\tv1 = \(signature)\t") == now)
    }

    @Test func anyOfSeveralSignaturesMayMatch() throws {
        let ours = WebhookSignature.header(for: body, secret: secret, at: now).split(separator: "v1=")[1]
        let theirs = WebhookSignature.header(for: body, secret: other, at: now).split(separator: "v1=")[1]
        #expect(try verify("t=1764082800,v1=\(theirs),v1=\(ours)") == now)
        // And any of several secrets (ours rolling).
        #expect(try verify("t=1764082800,v1=\(theirs)", secrets: [secret, other]) == now)
    }

    @Test func staleAndFutureTimestampsAreRefused() {
        let header = WebhookSignature.header(for: body, secret: secret, at: now)
        #expect((try? verify(header, at: now.addingTimeInterval(300))) == now)
        #expect(throws: WebhookSignature.Rejection.stale) { try verify(header, at: now.addingTimeInterval(301)) }
        #expect(throws: WebhookSignature.Rejection.stale) { try verify(header, at: now.addingTimeInterval(-301)) }
    }

    @Test func malformedHeadersAreRefused() {
        for header in ["", "v1=abc", "t=abc,v1=00", "t=1,t=2,v1=00", "garbage", "t=-5,v1=00", "t=1764082800,v1"] {
            #expect(throws: WebhookSignature.Rejection.malformedHeader, "\(header)") { try verify(header) }
        }
        #expect(throws: WebhookSignature.Rejection.noSignature) { try verify("t=1764082800,v0=abcd") }
    }

    @Test func alteredBodyOrWrongSecretFails() {
        let header = WebhookSignature.header(for: body, secret: secret, at: now)
        #expect(throws: WebhookSignature.Rejection.badSignature) { try verify(header, body: body + [0x20]) }
        #expect(throws: WebhookSignature.Rejection.badSignature) { try verify(header, secrets: [other]) }
        #expect(throws: WebhookSignature.Rejection.badSignature) {
            try verify("t=1764082800,v1=" + String(repeating: "0", count: 64))
        }
    }
}
