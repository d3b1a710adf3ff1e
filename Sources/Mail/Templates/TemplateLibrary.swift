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
    /// Templates whose tags all name plain values (``PreparedTemplate``).
    let plain: Set<String>

    /// Why templates could not be loaded: the message names the file.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// Loads the defaults, replacing each one that has a file in `overrides`.
    public init(defaults: [String: String], overrides: String? = nil) throws(Problem) {
        var library = MustacheLibrary()
        var overridden: Set<String> = []
        var plain: Set<String> = []
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
                if Self.hasOnlyPlainTags(text) { plain.insert(name) }
                overridden.insert(name)
            }
        }
        for (name, text) in defaults where !overridden.contains(name) {
            try Self.register(text, named: name, in: &library, origin: "built-in template \(name)")
            if Self.hasOnlyPlainTags(text) { plain.insert(name) }
        }
        self.library = library
        self.names = Set(defaults.keys)
        self.overridden = overridden
        self.unrecognized = unrecognized.sorted()
        self.plain = plain
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
        Self.message(try parts(name, context), item: item, from: from, host: host, language: language)
    }

    /// ``message(_:_:item:from:host:language:)`` for emails that differ only in their `values`
    /// (``parts(_:shape:values:key:cache:)``).
    public func message(
        _ name: String, shape: [String: Any], values: [String: String], key: String, cache: PreparedEmails,
        item: OutboxItem, from: Mailbox, host: String, language: String?
    ) throws -> MailMessage {
        Self.message(
            try parts(name, shape: shape, values: values, key: key, cache: cache), item: item, from: from, host: host,
            language: language)
    }

    /// The subject (trimmed), text and HTML of `name` rendered with `context`.
    func parts(_ name: String, _ context: [String: Any]) throws(Problem) -> (subject: String, text: String, html: String) {
        (Self.trimmingWhiteSpace(try render("\(name).subject", context)), try render("\(name).text", context), try render("\(name).html", context))
    }

    /// ``parts(_:_:)`` for emails that differ only in their `values`, strings: `shape`, the rest
    /// of the context, is the same for every message under `key`. The templates are rendered once
    /// per key and kept in `cache`, and each message fills them with its values
    /// (``PreparedTemplate``); a template that cannot be prepared (``isPreparable(_:)``) is
    /// rendered whole.
    public func parts(
        _ name: String, shape: [String: Any], values: [String: String], key: String, cache: PreparedEmails
    ) throws -> (subject: String, text: String, html: String) {
        guard isPreparable(name) else { return try parts(name, shape.merging(values) { $1 }) }
        let holes = values.keys.sorted()
        let email = try cache.email([name, key, holes.joined(separator: ",")].joined(separator: "\u{0}")) {
            try prepareEmail(name, shape, holes: holes)
        }
        return (Self.trimmingWhiteSpace(email.subject.fill(values)), email.text.fill(values), email.html.fill(values))
    }

    private static func message(
        _ parts: (subject: String, text: String, html: String), item: OutboxItem, from: Mailbox, host: String, language: String?
    ) -> MailMessage {
        MailMessage(
            from: from, to: Mailbox(item.recipient), subject: parts.subject, textBody: parts.text, htmlBody: parts.html,
            messageID: "\(Int64(item.createdAt.timeIntervalSince1970 * 1000)).\(item.id)@\(host)", date: item.createdAt,
            headers: language.map { [MailMessage.Header("Content-Language", $0)] } ?? [])
    }
}
