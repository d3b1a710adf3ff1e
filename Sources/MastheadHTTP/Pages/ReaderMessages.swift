import Foundation

/// The sentences readers see in API answers, in one place. Defaults are English; a
/// `messages.json` file in the templates directory replaces any of them by key.
struct ReaderMessages: Sendable {
    static let defaults: [String: String] = [
        "signup.accepted": "Thank you for signing up for this newsletter. We've sent you a confirmation email.",
        "signup.invalid_email": "Please, enter correct email address",
        "signup.unknown_newsletter": "This newsletter is not available.",
        "signup.no_newsletter": "Please choose a newsletter.",
        "signup.too_many_newsletters": "Please choose fewer newsletters.",
        "signup.invalid_field": "This field is not valid.",
        "resend.accepted": "If this address has a subscription waiting for confirmation, we've sent a new confirmation email.",
        "confirm.done": "Successfully subscribed",
        "confirm.nothing": "There is nothing left to confirm for this link.",
        "link.invalid": "This link is no longer valid.",
        "unsubscribe.done": "You are unsubscribed.",
        "rate.limited": "Too many requests. Please try again in a minute.",
    ]

    private let texts: [String: String]

    /// The defaults, with `messages.json` from `directory` laid over them when present.
    init(overrides directory: String?) throws {
        var texts = Self.defaults
        if let directory, FileManager.default.fileExists(atPath: directory + "/messages.json") {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/messages.json"))
            let overrides = try JSONDecoder().decode([String: String].self, from: data)
            for (key, value) in overrides where texts[key] != nil { texts[key] = value }
        }
        self.texts = texts
    }

    subscript(key: String) -> String { texts[key] ?? key }
}
