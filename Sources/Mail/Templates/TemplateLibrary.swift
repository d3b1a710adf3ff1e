import Foundation
import Mustache

/// Mustache templates for everything a person reads, shipped inside the binary and
/// overridable file by file from a directory (`MASTHEAD_TEMPLATES`).
///
/// ```swift
/// let templates = try TemplateLibrary(defaults: MailTemplates.defaults, overrides: "/etc/masthead/templates")
/// let subject = try templates.render("confirmation.subject", ["newsletters": "Ukraine Daily"])
/// ```
/// An override is the file `NAME.mustache` in the directory; a file there whose name matches no
/// template is reported, since it is almost always a typo.
public struct TemplateLibrary: Sendable {
    private let library: MustacheLibrary
    /// Every template's name.
    public let names: Set<String>
    /// Templates taken from the override directory.
    public let overridden: Set<String>
    /// Files in the override directory that match no template.
    public let unrecognized: [String]

    /// Why templates could not be loaded: the message names the file.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// Loads the defaults, replacing each one that has a file in `overrides`.
    public init(defaults: [String: String], overrides: String? = nil) throws(Problem) {
        var library = MustacheLibrary()
        var overridden: Set<String> = []
        var unrecognized: [String] = []
        if let overrides {
            let files: [String]
            do {
                files = try FileManager.default.contentsOfDirectory(atPath: overrides)
            } catch {
                throw Problem(description: "cannot read templates directory \(overrides): \(error.localizedDescription)")
            }
            for file in files where file.hasSuffix(".mustache") {
                let name = String(file.dropLast(".mustache".count))
                guard defaults[name] != nil else {
                    unrecognized.append(file)
                    continue
                }
                guard let text = try? String(contentsOfFile: overrides + "/" + file, encoding: .utf8) else {
                    throw Problem(description: "cannot read template \(overrides)/\(file) as UTF-8")
                }
                try Self.register(text, named: name, in: &library, origin: "\(overrides)/\(file)")
                overridden.insert(name)
            }
        }
        for (name, text) in defaults where !overridden.contains(name) {
            try Self.register(text, named: name, in: &library, origin: "built-in template \(name)")
        }
        self.library = library
        self.names = Set(defaults.keys)
        self.overridden = overridden
        self.unrecognized = unrecognized.sorted()
    }

    private static func register(_ text: String, named name: String, in library: inout MustacheLibrary, origin: String) throws(Problem) {
        do {
            try library.register(text, named: name)
        } catch {
            throw Problem(description: "template \(origin) does not parse: \(error)")
        }
    }

    /// The name of `email` to render for a reader whose locale is `locale` (`uk-UA`, `uk`): its
    /// translation when there is one (`confirmation.uk`, from `confirmation.uk.subject`), else
    /// `email` itself; and the language, for the links the email carries.
    public func variant(of email: String, locale: String?) -> (name: String, language: String?) {
        guard let locale, let language = locale.split(separator: "-").first?.lowercased(), !language.isEmpty,
            language.allSatisfy({ $0.isLetter && $0.isASCII })
        else { return (email, nil) }
        return (names.contains("\(email).\(language).subject") ? "\(email).\(language)" : email, language)
    }

    /// Renders a template with a context of strings, numbers, booleans, arrays and dictionaries.
    public func render(_ name: String, _ context: [String: Any]) throws(Problem) -> String {
        guard let output = library.render(context, withTemplate: name) else {
            throw Problem(description: "no template named \(name)")
        }
        return output
    }
}

extension TemplateLibrary {
    /// A rendered line without the white space (`Character.isWhitespace`) around it.
    /// Foundation's `trimmingCharacters(in:)` cost about 5 µs a message.
    static func trimmingWhiteSpace(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }), let last = text.lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(text[first...last])
    }

    /// The message for outbox row `item` from templates `name.subject`, `name.text` and
    /// `name.html` filled with `context`: dated when it was queued (a retry is the same message),
    /// with a Message-ID under `host` and the `Content-Language` of `language`.
    public func message(
        _ name: String, _ context: [String: Any], item: OutboxItem, from: Mailbox, host: String, language: String?
    ) throws -> MailMessage {
        MailMessage(
            from: from, to: Mailbox(item.recipient),
            subject: Self.trimmingWhiteSpace(try render("\(name).subject", context)),
            textBody: try render("\(name).text", context), htmlBody: try render("\(name).html", context),
            messageID: "\(Int64(item.createdAt.timeIntervalSince1970 * 1000)).\(item.id)@\(host)", date: item.createdAt,
            headers: language.map { [MailMessage.Header("Content-Language", $0)] } ?? [])
    }
}
