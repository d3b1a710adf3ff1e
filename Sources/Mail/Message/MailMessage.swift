public import Foundation

/// An email before it is turned into bytes: who, what, and the extra headers it needs.
///
/// ```swift
/// let message = MailMessage(
///     from: Mailbox("news@example.org", displayName: "Ukraine Daily"), to: Mailbox("anna@example.org"),
///     subject: "Confirm your subscription", textBody: "…", htmlBody: "<p>…</p>",
///     messageID: "1764082800000.42@example.org", date: now)
/// let bytes = MIMERenderer.render(message)
/// ```
public struct MailMessage: Sendable, Equatable {
    /// The author shown to the reader.
    public var from: Mailbox
    /// The one recipient.
    public var to: Mailbox
    /// The subject line (any Unicode; encoded as RFC 2047 words when needed).
    public var subject: String
    /// The plain-text part.
    public var textBody: String
    /// The HTML part; with it the message is `multipart/alternative`.
    public var htmlBody: String?
    /// The Message-ID without angle brackets; stable for one outbox row.
    public var messageID: String
    /// The Date header.
    public var date: Date
    /// Further headers in order (`List-Unsubscribe`, `List-Id`, …); values must be ASCII or are encoded.
    public var headers: [Header]
    /// The envelope sender (MAIL FROM / Return-Path), where bounces go; defaults to `from`.
    public var envelopeSender: String?

    /// One header field.
    public struct Header: Sendable, Equatable {
        /// The field name, e.g. `List-Unsubscribe`.
        public var name: String
        /// The field value.
        public var value: String

        /// Creates a header field.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Creates a message.
    public init(
        from: Mailbox, to: Mailbox, subject: String, textBody: String, htmlBody: String? = nil,
        messageID: String, date: Date, headers: [Header] = [], envelopeSender: String? = nil
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.messageID = messageID
        self.date = date
        self.headers = headers
        self.envelopeSender = envelopeSender
    }

    /// True when an address needs SMTPUTF8 to be delivered.
    public var requiresSMTPUTF8: Bool { from.requiresSMTPUTF8 || to.requiresSMTPUTF8 }

    /// The web links of the text body, in order, as a reader would follow them — what is hard
    /// to copy out of an `.eml`, where quoted-printable breaks lines and writes `=` as `=3D`.
    public var links: [String] {
        textBody.matches(of: /https?:\/\/[^\s<>"]+/).map { String($0.output) }
    }
}
