import DonationPledges
import Foundation
import Signing

/// The check every provider makes before it reads a webhook's body: a `Stripe-Signature`
/// header that one of the endpoint's secrets signed, recently.
enum SignedWebhook {
    static func verify(_ body: [UInt8], header: String?, secrets: [[UInt8]], at now: Date) throws(WebhookRejection) {
        guard let header else { throw .missingSignature }
        do {
            _ = try WebhookSignature.verify(header: header, payload: body, secrets: secrets, at: now)
        } catch {
            throw .signature(error.description)
        }
    }
}
