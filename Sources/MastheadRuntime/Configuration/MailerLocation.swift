/// How email leaves, parsed from `MASTHEAD_MAILER`.
public enum MailerLocation: Sendable, Equatable {
    /// A directory that receives one `.eml` file per message (development).
    case file(directory: String)
    /// An SMTP server URL; the transport comes with the mail-delivery work.
    case smtp(url: String)
    /// A sendmail-compatible program; the transport comes with the mail-delivery work.
    case sendmail(path: String)

    /// Parses `file:DIR`, `smtp://…`/`smtps://…` or `sendmail:PATH`.
    public init(parsing text: String) throws(ConfigurationError) {
        if text.hasPrefix("smtp://") || text.hasPrefix("smtps://") {
            self = .smtp(url: text)
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
