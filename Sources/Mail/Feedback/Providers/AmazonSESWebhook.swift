public import Foundation
public import Signing

/// Amazon SES's bounce and complaint notifications, as Amazon SNS posts them to an HTTPS
/// subscription: a JSON envelope signed with RSA (SignatureVersion 1: SHA-1, 2: SHA-256) by the
/// certificate at `SigningCertURL`, whose `Message` is SES's notification.
///
/// The certificate is pinned: the operator downloads it once and configures it, and the URL a
/// message names is never fetched (a message must not choose who vouches for it). SNS signs
/// every customer's messages with the same certificate, so the topic must be one configured
/// here too: otherwise anyone with an AWS account could subscribe this endpoint to a topic of
/// their own and publish forged bounces.
public enum AmazonSESWebhook {
    /// What a verified envelope carries.
    public enum Delivery: Sendable, Equatable {
        /// SES's events Masthead acts on (none for deliveries, sends, opens).
        case events([ProviderFeedback])
        /// SNS asks for the subscription to be confirmed by a GET of `subscribeURL`.
        case subscriptionConfirmation(topic: String, subscribeURL: String)
        /// SNS says the subscription ended.
        case unsubscribeConfirmation(topic: String)
    }

    /// How old a message may be. SNS keeps a message's first timestamp through its retries,
    /// which its default HTTP delivery policy spreads over about a minute and a custom one
    /// over up to an hour; a replay within the hour is refused by its `MessageId`.
    public static let tolerance: TimeInterval = 3600

    /// Reads and verifies one SNS envelope.
    public static func read(
        _ body: [UInt8], certificates: [SigningCertificate], topics: Set<String>, at now: Date
    ) throws(MailWebhookRejection) -> Delivery {
        guard let envelope = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
            let type = envelope.string("Type"), let topic = envelope.string("TopicArn"), let messageID = envelope.string("MessageId"),
            let message = envelope.string("Message"), let timestamp = envelope.string("Timestamp")
        else { throw MailWebhookRejection("not an Amazon SNS message (a raw message delivery cannot be verified: turn it off)") }
        guard let fields = signedFields[type] else { throw MailWebhookRejection("an SNS message of type '\(type)'") }
        var signed = ""
        for field in fields {
            guard let value = envelope.string(field) else {
                if field == "Subject" { continue }  // signed only when present
                throw MailWebhookRejection("an SNS \(type) without \(field)")
            }
            signed += "\(field)\n\(value)\n"
        }
        let digest: SigningCertificate.Digest
        switch envelope.string("SignatureVersion") {
        case "1": digest = .sha1
        case "2": digest = .sha256
        default: throw MailWebhookRejection("an SNS SignatureVersion other than 1 or 2")
        }
        guard let signature = envelope.string("Signature").flatMap({ Data(base64Encoded: $0) }),
            certificates.contains(where: { $0.isValidSignature(Array(signature), of: Array(signed.utf8), digest: digest) })
        else { throw MailWebhookRejection("the signature does not match the pinned SNS certificate") }
        guard topics.contains(topic) else { throw MailWebhookRejection("the topic \(topic) is not one configured here") }
        guard let sent = date(timestamp), abs(now.timeIntervalSince(sent)) <= tolerance else {
            throw MailWebhookRejection("the timestamp is more than an hour away")
        }
        switch type {
        case "SubscriptionConfirmation":
            return .subscriptionConfirmation(topic: topic, subscribeURL: envelope.string("SubscribeURL") ?? "")
        case "UnsubscribeConfirmation":
            return .unsubscribeConfirmation(topic: topic)
        default:
            guard let notification = (try? JSONSerialization.jsonObject(with: Data(message.utf8))) as? [String: Any] else {
                throw MailWebhookRejection("the SNS message is not an SES notification")
            }
            return .events(events(of: notification, messageID: messageID))
        }
    }

    /// The fields each message type signs, in the order they are signed.
    static let signedFields: [String: [String]] = [
        "Notification": ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
        "SubscriptionConfirmation": ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
        "UnsubscribeConfirmation": ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
    ]

    /// One event per recipient of an SES notification (`notificationType`, or `eventType` from a
    /// configuration set's event destination). Each is identified by the SNS message and the
    /// address, so a redelivered message changes nothing.
    static func events(of notification: [String: Any], messageID: String) -> [ProviderFeedback] {
        func event(_ address: String?, _ kind: ProviderFeedback.Kind, _ status: String?, _ detail: String?) -> ProviderFeedback? {
            guard let address else { return nil }
            return ProviderFeedback(
                provider: "ses", eventID: "\(messageID) \(address)", address: address, kind: kind, status: status ?? "unknown", detail: detail)
        }
        switch notification.string("notificationType") ?? notification.string("eventType") {
        case "Bounce":
            let bounce = notification["bounce"] as? [String: Any] ?? [:]
            // Transient and Undetermined may pass: a full mailbox, a message too large, a refusal SES could not read.
            let kind: ProviderFeedback.Kind = bounce.string("bounceType") == "Permanent" ? .hardBounce : .softBounce
            return (bounce["bouncedRecipients"] as? [[String: Any]] ?? []).compactMap { recipient in
                event(recipient.string("emailAddress"), kind, recipient.string("status"), recipient.string("diagnosticCode") ?? bounce.string("bounceSubType"))
            }
        case "Complaint":
            let complaint = notification["complaint"] as? [String: Any] ?? [:]
            // A complaint without a type still came from a reader's "this is spam".
            return (complaint["complainedRecipients"] as? [[String: Any]] ?? []).compactMap { recipient in
                event(recipient.string("emailAddress"), .complaint, complaint.string("complaintFeedbackType") ?? "complaint", complaint.string("userAgent"))
            }
        case "DeliveryDelay":
            let delay = notification["deliveryDelay"] as? [String: Any] ?? [:]
            return (delay["delayedRecipients"] as? [[String: Any]] ?? []).compactMap { recipient in
                event(recipient.string("emailAddress"), .softBounce, recipient.string("status"), delay.string("delayType"))
            }
        default:
            return []  // Delivery, Send, Open, Click, Reject (never sent), Subscription (SES's own lists)
        }
    }

    private static func date(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }
}
