/// The built-in email templates, embedded from `Sources/Mail/Resources/Templates/`.
///
/// Each email has `NAME.subject`, `NAME.text` and `NAME.html`. `MailTemplatesTests` fails when a
/// file is missing from this list. (SwiftPM names embedded files with dots as underscores.)
public enum MailTemplates {
    /// Template name → text.
    public static let defaults: [String: String] = [
        "confirmation.subject": PackageResources.confirmation_subject_mustache,
        "confirmation.text": PackageResources.confirmation_text_mustache,
        "confirmation.html": PackageResources.confirmation_html_mustache,
        "already-subscribed.subject": PackageResources.already_subscribed_subject_mustache,
        "already-subscribed.text": PackageResources.already_subscribed_text_mustache,
        "already-subscribed.html": PackageResources.already_subscribed_html_mustache,
        "receipt.subject": PackageResources.receipt_subject_mustache,
        "receipt.text": PackageResources.receipt_text_mustache,
        "receipt.html": PackageResources.receipt_html_mustache,
    ].mapValues { String(decoding: $0, as: UTF8.self) }
}
