import Foundation
public import Mail
public import Signing
import SubscriberLists

/// Composes the emails of a reader's own data requests: the `access` link they asked for
/// (``DataAccessEmail``) and the receipt of their erasure (``ErasureReceipt``), whose row
/// forgets its recipient once sent.
public struct ReaderDataComposer: MessageComposer {
    let templates: TemplateLibrary
    let signer: TokenSigner
    let policy: ReaderDataPolicy
    let publicURL: String
    let from: Mailbox
    let newsroom: String

    /// Creates the composer.
    public init(templates: TemplateLibrary, signer: TokenSigner, policy: ReaderDataPolicy, publicURL: String, from: Mailbox, newsroom: String) {
        self.templates = templates
        self.signer = signer
        self.policy = policy
        self.publicURL = publicURL
        self.from = from
        self.newsroom = newsroom
    }

    public var kinds: Set<String> { [DataAccessEmail.kind, ErasureReceipt.kind] }
    public var forgetsRecipient: Set<String> { ErasureReceipt.forgetsRecipient }

    public func compose(_ item: OutboxItem) throws -> MailMessage {
        var context: [String: Any] = ["newsroom": newsroom]
        let name: String
        let locale: String?
        if item.kind == DataAccessEmail.kind {
            let email = try item.payload(as: DataAccessEmail.self)
            let (variant, language) = templates.variant(of: "data-access", locale: email.locale)
            let token = signer.sign(
                .access, subject: email.consentID, address: email.address, at: email.issuedAt, lifetime: policy.accessLinkLifetime)
            context["access_url"] = "\(publicURL)/v1/data?token=\(token)" + (language.map { "&lang=\($0)" } ?? "")
            context["minutes"] = policy.accessLinkLifetime.components.seconds / 60
            (name, locale) = (variant, language)
        } else {
            let receipt = try item.payload(as: ErasureReceipt.self)
            (name, locale) = templates.variant(of: "erasure-receipt", locale: receipt.locale)
        }
        let host = URL(string: publicURL)?.host ?? from.domain
        return try templates.message(name, context, item: item, from: from, host: host, language: locale)
    }
}
