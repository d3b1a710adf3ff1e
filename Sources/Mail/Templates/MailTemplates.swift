/// The built-in email templates, embedded from `Sources/Mail/Resources/Templates/`.
///
/// Each email has `NAME.subject`, `NAME.text` and `NAME.html`, and may have a translation
/// `NAME.LANG.subject` etc. (Ukrainian ships) that readers with that locale get. `MailTemplatesTests` fails when a
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
        "confirmation.uk.subject": PackageResources.confirmation_uk_subject_mustache,
        "confirmation.uk.text": PackageResources.confirmation_uk_text_mustache,
        "confirmation.uk.html": PackageResources.confirmation_uk_html_mustache,
        "already-subscribed.uk.subject": PackageResources.already_subscribed_uk_subject_mustache,
        "already-subscribed.uk.text": PackageResources.already_subscribed_uk_text_mustache,
        "already-subscribed.uk.html": PackageResources.already_subscribed_uk_html_mustache,
        "receipt.subject": PackageResources.receipt_subject_mustache,
        "receipt.text": PackageResources.receipt_text_mustache,
        "receipt.html": PackageResources.receipt_html_mustache,
        "receipt.uk.subject": PackageResources.receipt_uk_subject_mustache,
        "receipt.uk.text": PackageResources.receipt_uk_text_mustache,
        "receipt.uk.html": PackageResources.receipt_uk_html_mustache,
        "data-access.subject": PackageResources.data_access_subject_mustache,
        "data-access.text": PackageResources.data_access_text_mustache,
        "data-access.html": PackageResources.data_access_html_mustache,
        "data-access.uk.subject": PackageResources.data_access_uk_subject_mustache,
        "data-access.uk.text": PackageResources.data_access_uk_text_mustache,
        "data-access.uk.html": PackageResources.data_access_uk_html_mustache,
        "erasure-receipt.subject": PackageResources.erasure_receipt_subject_mustache,
        "erasure-receipt.text": PackageResources.erasure_receipt_text_mustache,
        "erasure-receipt.html": PackageResources.erasure_receipt_html_mustache,
        "erasure-receipt.uk.subject": PackageResources.erasure_receipt_uk_subject_mustache,
        "erasure-receipt.uk.text": PackageResources.erasure_receipt_uk_text_mustache,
        "erasure-receipt.uk.html": PackageResources.erasure_receipt_uk_html_mustache,
    ].mapValues { String(decoding: $0, as: UTF8.self) }
}
