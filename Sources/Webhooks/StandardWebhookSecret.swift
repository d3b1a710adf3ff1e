import Signing

/// The secret text form endpoints keep (`whsec_…`), read through ``StandardWebhookSignature``.
enum StandardWebhookSecret {
    static func isValid(_ text: String) -> Bool { StandardWebhookSignature.secretBytes(text) != nil }

    /// The bytes of each secret text that reads as one.
    static func bytes(_ texts: [String]) -> [[UInt8]] { texts.compactMap(StandardWebhookSignature.secretBytes) }
}
