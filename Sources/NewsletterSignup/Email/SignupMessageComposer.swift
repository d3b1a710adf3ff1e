import Foundation
import SubscriberLists
public import Mail
public import Signing

/// Composes the sign-up emails from their outbox rows: signs the links, fills the templates,
/// and adds the headers every newsletter email carries (`List-Id`, `List-Unsubscribe`,
/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, RFC 8058).
public struct SignupMessageComposer: MessageComposer {
    /// What the emails need to know about the deployment.
    public struct Settings: Sendable {
        /// Base of every link, without a trailing slash (`https://news.example.org/masthead`).
        public var publicURL: String
        /// The transactional From (confirmations and notices are not newsletter issues).
        public var from: Mailbox
        /// The newsroom's name as readers know it.
        public var newsroom: String
        /// How long confirmation links work (also said in the email).
        public var confirmationLifetime: Duration
        /// An optional `mailto:` unsubscribe address for `List-Unsubscribe`.
        public var unsubscribeMailto: String?

        /// Creates settings.
        public init(publicURL: String, from: Mailbox, newsroom: String, confirmationLifetime: Duration, unsubscribeMailto: String? = nil) {
            self.publicURL = publicURL
            self.from = from
            self.newsroom = newsroom
            self.confirmationLifetime = confirmationLifetime
            self.unsubscribeMailto = unsubscribeMailto
        }
    }

    let templates: TemplateLibrary
    let signer: TokenSigner
    let settings: Settings
    let prepared = PreparedEmails()
    /// The host of the public URL: List-Id and Message-ID live under it.
    let listDomain: String

    /// Creates the composer. A message's Date is when its row was queued, so a retry and
    /// `masthead outbox show` give the same message as the first attempt.
    public init(templates: TemplateLibrary, signer: TokenSigner, settings: Settings) {
        self.templates = templates
        self.signer = signer
        self.settings = settings
        self.listDomain = URL(string: settings.publicURL)?.host ?? settings.from.domain
    }

    public var kinds: Set<String> { [SignupEmail.Kind.confirmation.rawValue, SignupEmail.Kind.alreadySubscribed.rawValue] }

    public func compose(_ item: OutboxItem) throws -> MailMessage {
        let email = try SignupEmail.decode(item.payload)
        guard !email.newsletters.isEmpty else { throw CompositionError("outbox row \(item.id) names no newsletter") }
        let template = email.kind == .confirmation ? "confirmation" : "already-subscribed"
        let (variant, language) = templates.variant(of: template, locale: email.locale)
        var links = [
            "unsubscribe_url": link("unsubscribe", signer.sign(
                .unsubscribe, subject: email.consentID, address: email.address, at: email.issuedAt, lifetime: nil), language),
            "manage_url": link("preferences", signer.sign(
                .manage, subject: email.consentID, address: email.address, at: email.issuedAt, lifetime: nil), language),
        ]
        if email.kind == .confirmation {
            links["confirm_url"] = link("confirm", signer.sign(
                .confirm, subject: email.consentID, address: email.address, at: email.issuedAt,
                lifetime: settings.confirmationLifetime), language)
        }
        let parts = try parts(of: email, template: variant, links: links)
        var headers = [
            MailMessage.Header("List-Id", "\(email.newsletters[0].name) <\(email.newsletters[0].slug).\(listDomain)>"),
            MailMessage.Header("List-Unsubscribe", unsubscribeHeader(links["unsubscribe_url"] ?? "")),
            MailMessage.Header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ]
        if let locale = email.locale { headers.append(MailMessage.Header("Content-Language", locale)) }
        return MailMessage(
            from: settings.from, to: Mailbox(item.recipient),
            subject: parts.subject, textBody: parts.text, htmlBody: parts.html,
            messageID: "\(Int64(item.createdAt.timeIntervalSince1970 * 1000)).\(item.id)@\(listDomain)",
            date: item.createdAt, headers: headers)
    }

    /// The email's three parts with its links in: its templates rendered once per newsletter set
    /// with the links left open (an operator's template that cannot be prepared is rendered whole).
    private func parts(of email: SignupEmail, template: String, links: [String: String]) throws -> (subject: String, text: String, html: String) {
        let context: [String: Any] = [
            "newsroom": settings.newsroom,
            "newsletter_list": Self.list(email.newsletters.map(\.name)),
            "plural": email.newsletters.count > 1,
            "newsletters": email.newsletters.map { ["name": $0.name, "description": $0.description] },
            "confirm_days": max(1, settings.confirmationLifetime.components.seconds / 86_400),
        ]
        let key = email.newsletters.map { "\($0.slug)\u{1}\($0.name)\u{1}\($0.description)" }.joined(separator: "\u{0}")
        return try templates.parts(template, shape: context, values: links, key: key, cache: prepared)
    }

    /// A link to a page, in the reader's language when we know it.
    private func link(_ path: String, _ token: String, _ language: String?) -> String {
        "\(settings.publicURL)/v1/\(path)?token=\(token)" + (language.map { "&lang=\($0)" } ?? "")
    }

    private func unsubscribeHeader(_ url: String) -> String {
        guard let mailto = settings.unsubscribeMailto else { return "<\(url)>" }
        return "<\(url)>, <mailto:\(mailto)?subject=unsubscribe>"
    }

    /// "A", "A and B", "A, B and C".
    static func list(_ names: [String]) -> String {
        guard names.count > 1, let last = names.last else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + last
    }
}
