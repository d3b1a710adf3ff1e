public import Foundation
public import SideEffects

/// The outbox payload of a sign-up email: everything needed to compose it later, and nothing
/// secret (the token is signed when the message is composed, from these facts).
///
/// It lives with the lists because staff additions and imports queue the same confirmation as
/// a sign-up does; `NewsletterSignup` composes it.
public struct SignupEmail: Sendable, Codable, Equatable {
    /// Which email.
    public enum Kind: String, Sendable, Codable {
        /// Asks the reader to confirm (double opt-in).
        case confirmation
        /// Tells the reader they already receive the newsletters they asked for.
        case alreadySubscribed = "already_subscribed"
    }

    /// The newsletters the email is about, as they were when it was queued.
    public struct NewsletterSummary: Sendable, Codable, Equatable {
        public var slug: String
        public var name: String
        public var description: String

        /// Creates a summary.
        public init(slug: String, name: String, description: String) {
            self.slug = slug
            self.name = name
            self.description = description
        }

        /// The summary of a newsletter as it is now.
        public init(_ newsletter: Newsletter) {
            self.init(slug: newsletter.slug, name: newsletter.name, description: newsletter.description)
        }
    }

    /// Which email.
    public var kind: Kind
    /// The consent record (sign-up) the links act on.
    public var consentID: Int64
    /// The normalised address the links are bound to.
    public var address: String
    /// The reader's language.
    public var locale: String?
    /// The newsletters concerned.
    public var newsletters: [NewsletterSummary]
    /// When the links' validity starts (the sign-up, or the resend).
    public var issuedAt: Date

    /// Creates a payload.
    public init(kind: Kind, consentID: Int64, address: String, locale: String?, newsletters: [NewsletterSummary], issuedAt: Date) {
        self.kind = kind
        self.consentID = consentID
        self.address = address
        self.locale = locale
        self.newsletters = newsletters
        self.issuedAt = issuedAt
    }

    /// The payload as stored in the outbox: the JSON `JSONEncoder` would write (sorted keys,
    /// seconds since 1970), written by hand because every sign-up writes one and the encoder
    /// was a tenth of the sign-up's CPU. `decode` reads it back by hand too.
    public func encoded() -> [UInt8] {
        var json = #"{"address":"# + JSONText.string(address) + #","consentID":\#(consentID)"#
            + #","issuedAt":\#(issuedAt.timeIntervalSince1970),"kind":"# + JSONText.string(kind.rawValue)
        if let locale { json += #","locale":"# + JSONText.string(locale) }
        json += #","newsletters":["#
            + newsletters.map { newsletter in
                #"{"description":"# + JSONText.string(newsletter.description) + #","name":"# + JSONText.string(newsletter.name)
                    + #","slug":"# + JSONText.string(newsletter.slug) + "}"
            }.joined(separator: ",") + "]}"
        return Array(json.utf8)
    }

    /// The outbox row that sends this email to `recipient`.
    public func draft(recipient: String, subscriber: Int64) -> OutboxDraft {
        OutboxDraft(kind: kind.rawValue, recipient: recipient, subscriberID: subscriber, payload: encoded(), queuedAt: issuedAt)
    }

    /// Reads a stored payload: by hand, as ``encoded()`` writes it (the decoder was a tenth of
    /// the delivery worker's CPU); anything the reader does not take goes to `JSONDecoder`,
    /// whose error then says what is wrong with the row.
    public static func decode(_ bytes: [UInt8]) throws -> SignupEmail {
        if let document = try? JSONDocument.parse(bytes), let email = SignupEmail(document) { return email }
        return try decoder.decode(SignupEmail.self, from: Data(bytes))
    }

    /// The payload from a parsed document; nil unless every field is there with its type.
    public init?(_ document: JSONDocument) {
        guard case .object(let fields) = document,
            case .string(let kindName)? = fields["kind"], let kind = Kind(rawValue: kindName),
            case .number(let consentText)? = fields["consentID"], let consentID = Int64(consentText),
            case .string(let address)? = fields["address"],
            case .number(let issuedText)? = fields["issuedAt"], let issued = Double(issuedText),
            case .array(let listed)? = fields["newsletters"], let locale = JSONDocument.optionalString(fields["locale"])
        else { return nil }
        var newsletters: [NewsletterSummary] = []
        for element in listed {
            guard case .object(let newsletter) = element, case .string(let slug)? = newsletter["slug"],
                case .string(let name)? = newsletter["name"], case .string(let description)? = newsletter["description"]
            else { return nil }
            newsletters.append(NewsletterSummary(slug: slug, name: name, description: description))
        }
        self.init(
            kind: kind, consentID: consentID, address: address, locale: locale, newsletters: newsletters,
            issuedAt: Date(timeIntervalSince1970: issued))
    }

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()
}

extension SignupEmail {
    /// The emails the per-address cap counts: every sign-up email, whatever asked for it.
    public static let cappedKinds: [Kind] = [.confirmation, .alreadySubscribed]

    /// Where the cap's window of 24 hours begins, seen from `now`.
    public static func capWindowStart(before now: Date) -> Date { now.addingTimeInterval(-86_400) }
}
