public import Foundation

/// Outgoing webhook signatures per the Standard Webhooks specification
/// (https://www.standardwebhooks.com), so a receiver can verify with an existing library:
///
/// ```
/// webhook-id: msg_42
/// webhook-timestamp: 1764658800
/// webhook-signature: v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=
/// ```
///
/// Each `v1` value is the base64 HMAC-SHA256 of `"<id>.<timestamp>.<body>"` under a secret
/// written `whsec_<base64 bytes>`. While a secret is being rotated both sign, space-separated,
/// and a receiver that knows either accepts the message.
public enum StandardWebhookSignature {
    /// The secret's prefix in its text form.
    public static let secretPrefix = "whsec_"

    /// A new secret's text form: 32 random bytes.
    public static func newSecret() throws(SecureRandom.Failure) -> String {
        secretPrefix + Data(try SecureRandom.bytes(count: 32)).base64EncodedString()
    }

    /// The bytes of a `whsec_…` secret (the prefix is optional, as receivers' libraries accept),
    /// or nil when it is not base64 of at least 24 bytes.
    public static func secretBytes(_ text: String) -> [UInt8]? {
        let encoded = text.hasPrefix(secretPrefix) ? String(text.dropFirst(secretPrefix.count)) : text
        guard let data = Data(base64Encoded: encoded), data.count >= 24 else { return nil }
        return Array(data)
    }

    /// The `webhook-signature` header value for one message, signed with every secret given.
    public static func header(id: String, timestamp: Int64, body: [UInt8], secrets: [[UInt8]]) -> String {
        secrets.map { "v1," + Data(signature(id: id, timestamp: timestamp, body: body, secret: $0)).base64EncodedString() }
            .joined(separator: " ")
    }

    /// Whether one of the header's `v1` signatures matches under one of `secrets` (constant-time
    /// comparison). The receiver's side, used by the tests and `webhooks test`'s own check.
    public static func verify(header: String, id: String, timestamp: Int64, body: [UInt8], secrets: [[UInt8]]) -> Bool {
        let candidates = header.split(separator: " ").compactMap { element -> [UInt8]? in
            guard element.hasPrefix("v1,"), let data = Data(base64Encoded: String(element.dropFirst(3))) else { return nil }
            return Array(data)
        }
        var matched = false
        for secret in secrets {
            let expected = signature(id: id, timestamp: timestamp, body: body, secret: secret)
            for candidate in candidates where HMACSHA256.constantTimeEquals(expected, candidate) { matched = true }
        }
        return matched
    }

    private static func signature(id: String, timestamp: Int64, body: [UInt8], secret: [UInt8]) -> [UInt8] {
        HMACSHA256.authenticate(Array("\(id).\(timestamp).".utf8) + body, key: secret)
    }
}
