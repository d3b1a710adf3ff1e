import Foundation
import Synchronization

/// A template rendered once with some values left open ("holes"), filled cheaply per message.
///
/// Emails to many readers differ only in their links: rendering the mustache template once per
/// newsletter set and splicing each reader's links in is several times faster than rendering
/// it for every message. A hole the template HTML-escapes (`{{name}}` in an HTML template) is
/// escaped as it is filled, one it does not (`{{{name}}}`, a text template) is not: the result
/// is the full render's.
public struct PreparedTemplate: Sendable {
    enum Segment: Sendable {
        case text(String)
        case hole(String, escaped: Bool)
    }

    let segments: [Segment]

    /// The text with each hole replaced by its value (a missing value leaves the hole empty).
    public func fill(_ values: [String: String]) -> String {
        var output = ""
        for segment in segments {
            switch segment {
            case .text(let text): output += text
            case .hole(let name, let escaped):
                let value = values[name] ?? ""
                output += escaped ? Self.htmlEscaped(value) : value
            }
        }
        return output
    }

    /// `text` escaped as mustache escapes a value in an HTML template.
    static func htmlEscaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var output = ""
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }
}

extension TemplateLibrary {
    /// Renders `name` with `context`, leaving the keys in `holes` to be filled by
    /// ``PreparedTemplate/fill(_:)``. Only for a template ``isPreparable(_:)`` says can be, with
    /// hole values that are strings (a string is what a section over it sees, whatever it holds).
    public func prepare(_ name: String, _ context: [String: Any], holes: [String]) throws(Problem) -> PreparedTemplate {
        var marked = context
        // Private-use characters, which no template or escaping produces or changes, around the
        // hole's number and an "&": escaping turns that into "&amp;", which tells the two apart.
        for (index, hole) in holes.enumerated() { marked[hole] = "\u{E000}\(index)&\u{E001}" }
        let rendered = try render(name, marked)
        var segments: [PreparedTemplate.Segment] = []
        var rest = Substring(rendered)
        while let open = rest.firstIndex(of: "\u{E000}"), let close = rest[open...].firstIndex(of: "\u{E001}") {
            let marker = rest[rest.index(after: open)..<close]
            let digits = marker.prefix(while: { $0.isASCII && $0.isNumber })
            let ampersand = marker.dropFirst(digits.count)
            let escaped = ampersand == "&amp;"
            guard let index = Int(digits), holes.indices.contains(index), escaped || ampersand == "&" else {
                throw Problem(description: "template \(name) changed a value it was given (a transform?); it cannot be prepared")
            }
            if open > rest.startIndex { segments.append(.text(String(rest[..<open]))) }
            segments.append(.hole(holes[index], escaped: escaped))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { segments.append(.text(String(rest))) }
        return PreparedTemplate(segments: segments)
    }
}

extension TemplateLibrary {
    /// Whether every part of `email` (its subject, text and HTML templates) can be prepared: a
    /// template that transforms a value (`{{uppercased(name)}}`), reads into it (`{{name.count}}`),
    /// includes a partial or changes its delimiters would act on the hole's marker instead of
    /// the value, so an operator's template that does is rendered whole for every message.
    public func isPreparable(_ email: String) -> Bool {
        ["subject", "text", "html"].allSatisfy { plain.contains("\(email).\($0)") }
    }

    /// Whether each of `text`'s tags is a comment, a pragma, or names a value (`{{name}}`,
    /// `{{{name}}}`, `{{&name}}`, a section over one, or `{{.}}`).
    static func hasOnlyPlainTags(_ text: String) -> Bool {
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            let triple = rest[open.upperBound...].hasPrefix("{")
            let start = triple ? rest.index(after: open.upperBound) : open.upperBound
            guard let close = rest[start...].range(of: triple ? "}}}" : "}}") else { return false }
            var tag = rest[start..<close.lowerBound]
            rest = rest[close.upperBound...]
            if tag.hasPrefix("!") || tag.hasPrefix("%") { continue }
            if let sigil = tag.first, "#^/&".contains(sigil) { tag = tag.dropFirst() }
            let name = tag.trimmingCharacters(in: .whitespaces)
            guard name == "." || (!name.isEmpty && name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })) else {
                return false
            }
        }
        return true
    }

    /// `email`'s three parts prepared with `holes` left open (``prepare(_:_:holes:)``).
    func prepareEmail(_ email: String, _ context: [String: Any], holes: [String]) throws(Problem) -> PreparedEmail {
        PreparedEmail(
            subject: try prepare("\(email).subject", context, holes: holes),
            text: try prepare("\(email).text", context, holes: holes),
            html: try prepare("\(email).html", context, holes: holes))
    }
}

/// An email's subject, text and HTML, prepared.
struct PreparedEmail: Sendable {
    let subject: PreparedTemplate
    let text: PreparedTemplate
    let html: PreparedTemplate
}

/// Prepared emails by a key naming their template and everything but their holes, so a burst of
/// messages of one shape renders its templates once. Bounded: the oldest entries go first.
public final class PreparedEmails: Sendable {
    private let capacity: Int
    private let entries = Mutex<(emails: [String: PreparedEmail], order: [String])>(([:], []))

    /// A cache of at most `capacity` emails.
    public init(capacity: Int = 64) {
        self.capacity = capacity
    }

    /// The email prepared for `key`, made by `make` the first time.
    func email(_ key: String, make: () throws -> PreparedEmail) throws -> PreparedEmail {
        if let cached = entries.withLock({ $0.emails[key] }) { return cached }
        let email = try make()
        entries.withLock { entries in
            if entries.emails[key] == nil {
                entries.emails[key] = email
                entries.order.append(key)
                if entries.order.count > capacity { entries.emails[entries.order.removeFirst()] = nil }
            }
        }
        return email
    }
}
