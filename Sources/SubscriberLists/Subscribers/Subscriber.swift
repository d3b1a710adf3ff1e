public import Foundation

/// A person on at least one list, keyed by the normalised address.
public struct Subscriber: Sendable, Equatable, Codable {
    /// Store-assigned id.
    public var id: Int64
    /// The address to send to (local part as typed, A-label domain).
    public var email: String
    /// The address as compared (see `EmailAddress.normalized`).
    public var normalizedEmail: String
    /// A name, when one was given (imports).
    public var name: String?
    /// The reader's language.
    public var locale: String?
    /// Extra columns of an import, kept as they came.
    public var attributes: [String: String]
    /// When the person first appeared.
    public var createdAt: Date

    /// Creates a subscriber value (stores use this).
    public init(
        id: Int64, email: String, normalizedEmail: String, name: String?, locale: String?, attributes: [String: String],
        createdAt: Date
    ) {
        self.id = id
        self.email = email
        self.normalizedEmail = normalizedEmail
        self.name = name
        self.locale = locale
        self.attributes = attributes
        self.createdAt = createdAt
    }
}

/// One membership of a subscriber: a newsletter and where they stand with it.
public struct Membership: Sendable, Equatable, Codable {
    public var newsletter: String
    public var status: SubscriptionStatus
    public var createdAt: Date
    public var confirmedAt: Date?
    public var unsubscribedAt: Date?

    /// Creates a membership value.
    public init(newsletter: String, status: SubscriptionStatus, createdAt: Date, confirmedAt: Date?, unsubscribedAt: Date?) {
        self.newsletter = newsletter
        self.status = status
        self.createdAt = createdAt
        self.confirmedAt = confirmedAt
        self.unsubscribedAt = unsubscribedAt
    }
}

/// One act of consent: a sign-up form, an import with its basis, a staff addition.
public struct ConsentRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var action: String
    public var newsletters: [String]
    public var source: String?
    public var clientIP: String?
    public var userAgent: String?
    public var consentTextVersion: String?
    /// The language of the page consent was given on (picks the consent text's locale).
    public var locale: String?
    /// The words of the consent text this record points at (version and locale), filled in from
    /// the stored texts for access reports; nil when that text was never stored.
    public var consentText: String?
    public var basis: String?
    public var recordedAt: Date
    public var confirmedAt: Date?

    /// Creates a consent record value.
    public init(
        id: Int64, action: String, newsletters: [String], source: String?, clientIP: String?, userAgent: String?,
        consentTextVersion: String?, locale: String? = nil, basis: String?, recordedAt: Date, confirmedAt: Date?
    ) {
        self.id = id
        self.action = action
        self.newsletters = newsletters
        self.source = source
        self.clientIP = clientIP
        self.userAgent = userAgent
        self.consentTextVersion = consentTextVersion
        self.locale = locale
        self.basis = basis
        self.recordedAt = recordedAt
        self.confirmedAt = confirmedAt
    }
}

/// One line of the audit trail about a subscriber.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var occurredAt: Date
    public var actor: String
    public var action: String
    public var details: [String: String]

    /// Creates an entry.
    public init(occurredAt: Date, actor: String, action: String, details: [String: String]) {
        self.occurredAt = occurredAt
        self.actor = actor
        self.action = action
        self.details = details
    }
}

/// Everything `masthead subscribers show` prints about one address.
public struct SubscriberProfile: Sendable, Equatable, Codable {
    public var subscriber: Subscriber
    public var memberships: [Membership]
    public var consents: [ConsentRecord]
    public var events: [AuditEntry]

    /// Creates a profile.
    public init(subscriber: Subscriber, memberships: [Membership], consents: [ConsentRecord], events: [AuditEntry]) {
        self.subscriber = subscriber
        self.memberships = memberships
        self.consents = consents
        self.events = events
    }
}
