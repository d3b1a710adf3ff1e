public import Foundation

/// What an alert is about. The raw values are stored and shown (`masthead alerts list`).
public enum AlertKind: String, Sendable, CaseIterable, Codable {
    /// Sign-ups a minute far above normal.
    case signupRate = "signup_rate"
    /// One client network makes most of the sign-ups.
    case signupNetwork = "signup_network"
    /// One domain receives most of the sign-ups.
    case signupDomain = "signup_domain"
    /// Confirmations a minute far above normal.
    case confirmationRate = "confirmation_rate"
    /// Failed payments a minute far above normal (card testing).
    case paymentFailures = "payment_failures"

    /// The signal it watches.
    public var signal: TrafficSignal {
        switch self {
        case .signupRate, .signupNetwork, .signupDomain: .signups
        case .confirmationRate: .confirmations
        case .paymentFailures: .failedPayments
        }
    }
}

/// An alert raised or cleared: its kind, what it is about (a network or domain; empty for a
/// rate), and a sentence for the operator.
public struct AlertNotice: Sendable, Equatable, Codable {
    public var kind: AlertKind
    public var subject: String
    public var detail: String
    public var at: Date

    public init(kind: AlertKind, subject: String, detail: String, at: Date) {
        self.kind = kind
        self.subject = subject
        self.detail = detail
        self.at = at
    }
}

/// A change in the detector's state.
public enum AlertChange: Sendable, Equatable {
    case raised(AlertNotice)
    case cleared(AlertNotice)
}

/// A stored alert, as `masthead alerts list` shows it.
public struct AlertRow: Sendable, Equatable, Codable {
    public var id: Int64
    public var kind: String
    public var subject: String
    public var detail: String
    public var raisedAt: Date
    public var clearedAt: Date?
    /// Whether the operator was emailed about it (at most once an hour per kind).
    public var mailed: Bool

    public init(id: Int64, kind: String, subject: String, detail: String, raisedAt: Date, clearedAt: Date?, mailed: Bool) {
        self.id = id
        self.kind = kind
        self.subject = subject
        self.detail = detail
        self.raisedAt = raisedAt
        self.clearedAt = clearedAt
        self.mailed = mailed
    }
}
