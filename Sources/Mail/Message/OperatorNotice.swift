public import Foundation

extension MailMessage {
    /// A plain-text email to the newsroom's operator (an alert), in English like the daemon's
    /// logs: from the newsroom's address to the outbox row's recipient, dated when it was queued.
    public static func operatorNotice(from: Mailbox, item: OutboxItem, subject: String, text: String) -> MailMessage {
        let host = from.address.split(separator: "@").last.map(String.init) ?? "localhost"
        return MailMessage(
            from: from, to: Mailbox(item.recipient), subject: subject, textBody: text, htmlBody: nil,
            messageID: "\(Int64(item.createdAt.timeIntervalSince1970 * 1000)).\(item.id)@\(host)", date: item.createdAt, headers: [])
    }
}

extension OutboxItem {
    /// The row's JSON payload as `type`; a composer's error when it is not one.
    public func payload<Payload: Decodable>(as type: Payload.Type) throws -> Payload {
        guard let payload = try? JSONDecoder().decode(type, from: Data(self.payload)) else {
            throw CompositionError("unreadable \(kind) payload")
        }
        return payload
    }
}
