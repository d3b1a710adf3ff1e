public import Foundation
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
    let now: @Sendable () -> Date

    /// Creates the composer.
    public init(templates: TemplateLibrary, signer: TokenSigner, settings: Settings, now: @escaping @Sendable () -> Date) {
        self.templates = templates
        self.signer = signer
        self.settings = settings
        self.now = now
    }

    public var kinds: Set<String> { [SignupEmail.Kind.confirmation.rawValue, SignupEmail.Kind.alreadySubscribed.rawValue] }

    public func compose(_ item: OutboxItem) throws -> MailMessage {
        let email = try SignupEmail.decode(item.payload)
        guard !email.newsletters.isEmpty else { throw CompositionError("outbox row \(item.id) names no newsletter") }
        let unsubscribeURL = link("unsubscribe", signer.sign(
            .unsubscribe, subject: email.consentID, address: email.address, at: email.issuedAt, lifetime: nil))
        var context: [String: Any] = [
            "newsroom": settings.newsroom,
            "newsletter_list": Self.list(email.newsletters.map(\.name)),
            "plural": email.newsletters.count > 1,
            "newsletters": email.newsletters.map { ["name": $0.name, "description": $0.description] },
            "unsubscribe_url": unsubscribeURL,
        ]
        let template: String
        switch email.kind {
        case .confirmation:
            template = "confirmation"
            context["confirm_url"] = link("confirm", signer.sign(
                .confirm, subject: email.consentID, address: email.address, at: email.issuedAt,
                lifetime: settings.confirmationLifetime))
            context["confirm_days"] = max(1, settings.confirmationLifetime.components.seconds / 86_400)
        case .alreadySubscribed:
            template = "already-subscribed"
        }
        var headers = [
            MailMessage.Header("List-Id", "\(email.newsletters[0].name) <\(email.newsletters[0].slug).\(listDomain)>"),
            MailMessage.Header("List-Unsubscribe", unsubscribeHeader(unsubscribeURL)),
            MailMessage.Header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ]
        if let locale = email.locale { headers.append(MailMessage.Header("Content-Language", locale)) }
        return MailMessage(
            from: settings.from, to: Mailbox(item.recipient),
            subject: try templates.render("\(template).subject", context).trimmingCharacters(in: .whitespacesAndNewlines),
            textBody: try templates.render("\(template).text", context),
            htmlBody: try templates.render("\(template).html", context),
            messageID: "\(Int64(item.createdAt.timeIntervalSince1970 * 1000)).\(item.id)@\(listDomain)",
            date: now(), headers: headers)
    }

    private func link(_ path: String, _ token: String) -> String {
        "\(settings.publicURL)/v1/\(path)?token=\(token)"
    }

    private func unsubscribeHeader(_ url: String) -> String {
        guard let mailto = settings.unsubscribeMailto else { return "<\(url)>" }
        return "<\(url)>, <mailto:\(mailto)?subject=unsubscribe>"
    }

    /// The host of the public URL: List-Id and Message-ID live under it.
    private var listDomain: String {
        URL(string: settings.publicURL)?.host ?? settings.from.domain
    }

    /// "A", "A and B", "A, B and C".
    static func list(_ names: [String]) -> String {
        guard names.count > 1, let last = names.last else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " and " + last
    }
}
