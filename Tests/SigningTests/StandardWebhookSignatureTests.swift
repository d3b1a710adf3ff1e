import Foundation
import Signing
import Testing

/// Outgoing webhook signatures in the Standard Webhooks format, checked against the
/// specification's own example (https://www.standardwebhooks.com, "Verifying webhooks"); the
/// daemon tests verify real deliveries with the `standardwebhooks` Python package too.
@Suite struct StandardWebhookSignatureTests {
    // The specification's test vector (its libraries' shared tests use the same).
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    let timestamp: Int64 = 1_614_265_330
    let body = Array(#"{"test": 2432232314}"#.utf8)

    @Test func theSpecificationsExampleSignsAsItSays() throws {
        let key = try #require(StandardWebhookSignature.secretBytes(secret))
        #expect(StandardWebhookSignature.header(id: id, timestamp: timestamp, body: body, secrets: [key])
            == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func duringARotationBothSecretsSignAndEitherVerifies() throws {
        let old = try #require(StandardWebhookSignature.secretBytes(secret))
        let new = try #require(StandardWebhookSignature.secretBytes(try StandardWebhookSignature.newSecret()))
        let header = StandardWebhookSignature.header(id: id, timestamp: timestamp, body: body, secrets: [new, old])
        #expect(header.split(separator: " ").count == 2)
        #expect(StandardWebhookSignature.verify(header: header, id: id, timestamp: timestamp, body: body, secrets: [old]))
        #expect(StandardWebhookSignature.verify(header: header, id: id, timestamp: timestamp, body: body, secrets: [new]))
        #expect(!StandardWebhookSignature.verify(header: header, id: id, timestamp: timestamp + 1, body: body, secrets: [old]))
        #expect(!StandardWebhookSignature.verify(header: header, id: "msg_other", timestamp: timestamp, body: body, secrets: [old]))
        #expect(!StandardWebhookSignature.verify(header: header, id: id, timestamp: timestamp, body: body + [0x20], secrets: [old]))
    }

    @Test(arguments: ["", "whsec_", "whsec_not base64!", "whsec_c2hvcnQ="]) func unusableSecretsAreRefused(text: String) {
        #expect(StandardWebhookSignature.secretBytes(text) == nil)
    }

    @Test func newSecretsAreTheirOwn() throws {
        let first = try StandardWebhookSignature.newSecret()
        #expect(first.hasPrefix("whsec_") && StandardWebhookSignature.secretBytes(first)?.count == 32)
        #expect(first != (try StandardWebhookSignature.newSecret()))
    }
}
