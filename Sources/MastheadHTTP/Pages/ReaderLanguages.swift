/// What the reader pages serve, for the composition root: the languages (a production daemon
/// needs a consent text for each) and the consent notice shown beside the sign-up button.
public enum ReaderLanguages {
    /// The languages the pages are served in; the first is the default.
    public static let served = ReaderMessages.languages

    /// The notice beside the sign-up button in `language`, with the templates directory's
    /// overrides (`messages.json`), as readers see it.
    public static func consentNotice(_ language: String, templatesDirectory: String?) throws -> String {
        try ReaderMessages(overrides: templatesDirectory)["subscribe.privacy", language]
    }
}
