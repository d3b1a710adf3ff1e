public import Foundation
import Signing

/// Mailgun's event webhooks (its "webhooks" API): a JSON body whose `signature` object is
/// HMAC-SHA256, keyed with the domain's webhook signing key, over `timestamp` followed by
/// `token` (hex). A timestamp more than five minutes away is refused; a token seen before is a
/// replay (the store refuses it, by ``ProviderFeedback/eventID``).
public enum MailgunWebhook {
    /// The event a verified body reports; nil for kinds Masthead does not act on.
    public static func read(_ body: [UInt8], signingKey: [UInt8], at now: Date) throws(MailWebhookRejection) -> ProviderFeedback? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
            let signature = object["signature"] as? [String: Any], let timestamp = signature.string("timestamp"),
            let token = signature.string("token"), let mac = signature.string("signature")
        else { throw MailWebhookRejection("not a Mailgun webhook: no signature object") }
        guard let seconds = TimeInterval(timestamp), abs(now.timeIntervalSince1970 - seconds) <= MailWebhookRejection.tolerance else {
            throw MailWebhookRejection("the timestamp is more than five minutes away")
        }
        let expected = HMACSHA256.hexDigest(Array((timestamp + token).utf8), key: signingKey)
        guard HMACSHA256.constantTimeEquals(Array(expected.utf8), Array(mac.lowercased().utf8)) else {
            throw MailWebhookRejection("the signature does not match")
        }
        guard let event = object["event-data"] as? [String: Any], let kind = event.string("event"), let address = event.string("recipient") else {
            throw MailWebhookRejection("no event-data with an event and a recipient")
        }
        let status = event["delivery-status"] as? [String: Any]
        let code = status?.string("code") ?? "unknown"
        let detail = status?.string("description").flatMap { $0.isEmpty ? nil : $0 } ?? status?.string("message")
        let feedback: ProviderFeedback.Kind
        switch kind {
        case "failed": feedback = event.string("severity") == "permanent" ? .hardBounce : .softBounce
        case "complained": feedback = .complaint
        case "unsubscribed": feedback = .unsubscribe
        default: return nil
        }
        return ProviderFeedback(provider: "mailgun", eventID: token, address: address, kind: feedback, status: code, detail: detail)
    }
}
