public import Foundation
public import Signing

/// SendGrid's signed Event Webhook: a JSON array of events, with an ECDSA P-256 signature
/// (`X-Twilio-Email-Event-Webhook-Signature`, base64 DER) over the timestamp header followed
/// by the raw body, checked with the verification key SendGrid shows. A timestamp more than
/// five minutes away is refused; an event id (`sg_event_id`) seen before is a replay.
public enum SendGridWebhook {
    public static let signatureHeader = "X-Twilio-Email-Event-Webhook-Signature"
    public static let timestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp"

    /// The events of a verified body Masthead acts on.
    public static func read(
        _ body: [UInt8], signature: String?, timestamp: String?, key: ECDSAPublicKey, at now: Date
    ) throws(MailWebhookRejection) -> [ProviderFeedback] {
        guard let signature, let timestamp, let der = Data(base64Encoded: signature) else {
            throw MailWebhookRejection("no \(signatureHeader) and \(timestampHeader)")
        }
        guard let seconds = TimeInterval(timestamp), abs(now.timeIntervalSince1970 - seconds) <= MailWebhookRejection.tolerance else {
            throw MailWebhookRejection("the timestamp is more than five minutes away")
        }
        guard key.isValidSignature(Array(der), of: Array(timestamp.utf8) + body) else {
            throw MailWebhookRejection("the signature does not match")
        }
        guard let events = (try? JSONSerialization.jsonObject(with: Data(body))) as? [[String: Any]] else {
            throw MailWebhookRejection("not a SendGrid event list")
        }
        return events.compactMap { event in
            guard let address = event.string("email"), let id = event.string("sg_event_id"), let name = event.string("event") else { return nil }
            let kind: ProviderFeedback.Kind
            switch name {
            // `bounce` of type `blocked` is a refusal that may pass later (a block list), not a dead mailbox.
            case "bounce": kind = event.string("type") == "blocked" ? .softBounce : .hardBounce
            case "deferred": kind = .softBounce
            case "spamreport": kind = .complaint
            case "unsubscribe", "group_unsubscribe": kind = .unsubscribe
            default: return nil  // processed, delivered, open, click, dropped (SendGrid's own suppression)
            }
            return ProviderFeedback(
                provider: "sendgrid", eventID: id, address: address, kind: kind, status: event.string("status") ?? name,
                detail: event.string("reason") ?? event.string("response"))
        }
    }
}
