public import Foundation

/// One event an email provider reported through its webhook, once its signature is checked:
/// which address, and whether it bounced, complained or unsubscribed. Opens, clicks and
/// deliveries are not kept (Masthead does not track readers).
public struct ProviderFeedback: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case hardBounce, softBounce, complaint, unsubscribe
    }

    /// `mailgun`, `sendgrid`.
    public var provider: String
    /// The provider's id of the event (Mailgun's signature token): a replay carries the same.
    public var eventID: String
    public var address: String
    public var kind: Kind
    /// The SMTP status (`5.1.1`, `550`) or the provider's word for it.
    public var status: String
    public var detail: String?

    public init(provider: String, eventID: String, address: String, kind: Kind, status: String, detail: String?) {
        self.provider = provider
        self.eventID = eventID
        self.address = address
        self.kind = kind
        self.status = status
        self.detail = detail
    }
}

/// Why a provider's webhook was refused: its signature, its age, its shape.
public struct MailWebhookRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }

    /// How far a webhook's timestamp may be from now, either way.
    public static let tolerance: TimeInterval = 300
}

extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) -> String? {
        switch self[key] {
        case let text as String: text
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }
}
