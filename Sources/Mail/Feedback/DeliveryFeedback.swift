import Foundation

/// What a report that came back to a message's return path says about the recipient.
///
/// Read from the standard formats: an RFC 3464 delivery status notification
/// (`multipart/report; report-type=delivery-status`), whose per-recipient `Action` and `Status`
/// decide, and an RFC 5965 abuse report (`report-type=feedback-report`). A report in neither
/// format (an old MTA's prose) says only that something went wrong: a soft bounce.
public enum DeliveryFeedback: Sendable, Equatable {
    /// The address cannot be delivered to (`Action: failed`, `Status: 5.x.x`).
    case hardBounce(status: String, diagnostic: String?)
    /// Delivery failed for now (`4.x.x`, `delayed`), or a report we cannot read.
    case softBounce(status: String, diagnostic: String?)
    /// The recipient reported the message as spam (`Feedback-Type: abuse`).
    case complaint(feedbackType: String)
    /// Nothing about the recipient's address: a delivery or relay notice, another kind of feedback.
    case ignored(reason: String)

    /// Reads a report (the whole message as received).
    public static func read(_ message: [UInt8]) -> DeliveryFeedback {
        let top = MIMEPart(message)
        guard top.mediaType == "multipart/report" else {
            return .softBounce(status: "unknown", diagnostic: "not a delivery status notification")
        }
        let parts = top.parts
        switch top.parameter("report-type")?.lowercased() {
        case "feedback-report":
            guard let report = parts.first(where: { $0.mediaType == "message/feedback-report" }),
                let type = MIMEPart.fieldGroups(report.decodedBody).first?["feedback-type"]?.lowercased()
            else { return .ignored(reason: "a feedback report without a Feedback-Type") }
            // abuse and fraud are the reader's complaint; not-spam, virus, other say nothing of consent.
            return ["abuse", "fraud"].contains(type) ? .complaint(feedbackType: type) : .ignored(reason: "feedback of type \(type)")
        case "delivery-status":
            guard let status = parts.first(where: { ["message/delivery-status", "message/global-delivery-status"].contains($0.mediaType) })
            else { return .softBounce(status: "unknown", diagnostic: "a delivery report without its status part") }
            return readDeliveryStatus(MIMEPart.fieldGroups(status.decodedBody))
        default:
            return .ignored(reason: "a report of type \(top.parameter("report-type") ?? "none")")
        }
    }

    /// The per-recipient groups (those after the per-message one, each with an `Action`): the
    /// worst of them decides. A return path names one message to one recipient, so there is one.
    static func readDeliveryStatus(_ groups: [[String: String]]) -> DeliveryFeedback {
        let recipients = groups.filter { $0["action"] != nil }
        guard !recipients.isEmpty else { return .softBounce(status: "unknown", diagnostic: "a delivery report naming no recipient") }
        var soft: DeliveryFeedback?
        for group in recipients {
            let action = group["action"]?.lowercased().trimmingCharacters(in: .whitespaces) ?? ""
            // `Status: 5.1.1 (bad destination mailbox address)`: the code is the first word.
            let status = group["status"]?.split(separator: " ").first.map(String.init) ?? "unknown"
            let diagnostic = group["diagnostic-code"]
            switch action {
            case "failed" where status.hasPrefix("5"):
                return .hardBounce(status: status, diagnostic: diagnostic)
            case "failed", "delayed":
                soft = soft ?? .softBounce(status: status, diagnostic: diagnostic)
            default:
                continue  // delivered, relayed, expanded
            }
        }
        return soft ?? .ignored(reason: "the report says the message was delivered or relayed")
    }
}
