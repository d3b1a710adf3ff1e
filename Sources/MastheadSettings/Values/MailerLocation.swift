public import Mail

/// How email leaves, parsed from `MASTHEAD_MAILER`.
public enum MailerLocation: Sendable, Equatable {
    /// A directory that receives one `.eml` file per message (development).
    case file(directory: String)
    /// An SMTP server (see ``SMTPConfiguration`` for the URL's parameters).
    case smtp(SMTPConfiguration)
    /// A sendmail-compatible program.
    case sendmail(path: String)

    /// Parses `file:DIR`, `smtp://…`/`smtps://…` or `sendmail:PATH`; `environment` may hold
    /// `MASTHEAD_SMTP_PASSWORD`.
    public init(parsing text: String, environment: [String: String] = [:]) throws(ConfigurationError) {
        if text.hasPrefix("smtp://") || text.hasPrefix("smtps://") {
            do {
                self = .smtp(try SMTPConfiguration(url: text, environment: environment))
            } catch {
                throw ConfigurationError(.mailer, error.description)
            }
        } else if text.hasPrefix("sendmail:") {
            let path = String(text.dropFirst("sendmail:".count))
            guard !path.isEmpty else { throw ConfigurationError(.mailer, "sendmail: needs a program path") }
            self = .sendmail(path: path)
        } else if text.hasPrefix("file:") {
            let directory = String(text.dropFirst("file:".count))
            guard !directory.isEmpty else { throw ConfigurationError(.mailer, "file: needs a directory, e.g. file:outbox") }
            self = .file(directory: directory)
        } else {
            throw ConfigurationError(.mailer, "'\(kindOf(text))…' is not file:DIR, smtp://… or sendmail:PATH")
        }
    }

    /// The transport's kind, safe for logs (an SMTP URL may hold a password).
    public var kind: String {
        switch self {
        case .file: "file"
        case .smtp: "smtp"
        case .sendmail: "sendmail"
        }
    }
}

/// The scheme-ish start of a value, so an error never echoes a password further on.
private func kindOf(_ text: String) -> String {
    String(text.prefix { $0 != ":" && $0 != "@" }.prefix(16))
}
