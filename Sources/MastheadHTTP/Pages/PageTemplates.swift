/// The built-in page templates, embedded from `Sources/MastheadHTTP/Resources/Pages/`.
/// `PageTemplatesTests` fails when a file there is missing from this list.
public enum PageTemplates {
    /// Template name → text.
    public static let defaults: [String: String] = [
        "page-head": PackageResources.page_head_mustache,
        "page-foot": PackageResources.page_foot_mustache,
        "confirm": PackageResources.confirm_mustache,
        "confirmed": PackageResources.confirmed_mustache,
        "unsubscribe": PackageResources.unsubscribe_mustache,
        "unsubscribed": PackageResources.unsubscribed_mustache,
        "link-problem": PackageResources.link_problem_mustache,
        "signup-result": PackageResources.signup_result_mustache,
        "pledge-checkout": PackageResources.pledge_checkout_mustache,
        "pledge-pay": PackageResources.pledge_pay_mustache,
        "pledge-manage": PackageResources.pledge_manage_mustache,
        "pledge-result": PackageResources.pledge_result_mustache,
        "subscribe": PackageResources.subscribe_mustache,
        "embed-subscribe": PackageResources.embed_subscribe_mustache,
        "subscribe-js": PackageResources.subscribe_js_mustache,
        "challenge-js": PackageResources.challenge_js_mustache,
        "challenge-worker-js": PackageResources.challenge_worker_js_mustache,
        "preferences": PackageResources.preferences_mustache,
        "support": PackageResources.support_mustache,
        "my-data": PackageResources.my_data_mustache,
        "delete": PackageResources.delete_mustache,
        "reader-message": PackageResources.reader_message_mustache,
    ].mapValues { String(decoding: $0, as: UTF8.self) }
}
