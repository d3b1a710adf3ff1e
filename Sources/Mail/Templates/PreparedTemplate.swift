/// A template rendered once with some values left open ("holes"), filled cheaply per message.
///
/// Emails to many readers differ only in their links: rendering the mustache template once per
/// newsletter set and splicing each reader's links in is several times faster than rendering
/// it for every message.
public struct PreparedTemplate: Sendable {
    enum Segment: Sendable {
        case text(String)
        case hole(String)
    }

    let segments: [Segment]

    /// The text with each hole replaced by its value (a missing value leaves the hole empty).
    public func fill(_ values: [String: String]) -> String {
        var output = ""
        for segment in segments {
            switch segment {
            case .text(let text): output += text
            case .hole(let name): output += values[name] ?? ""
            }
        }
        return output
    }

    /// The template without whitespace at its ends, as a subject line wants: trimmed once here
    /// rather than in every message. Hole values (links) have none of their own to trim.
    public func trimmed() -> PreparedTemplate {
        var segments = self.segments
        while case .text(let text)? = segments.first {
            let rest = text.drop(while: \.isWhitespace)
            guard rest.isEmpty else {
                segments[0] = .text(String(rest))
                break
            }
            segments.removeFirst()
        }
        while case .text(let text)? = segments.last {
            guard let end = text.lastIndex(where: { !$0.isWhitespace }) else {
                segments.removeLast()
                continue
            }
            segments[segments.count - 1] = .text(String(text[...end]))
            break
        }
        return PreparedTemplate(segments: segments)
    }
}

extension TemplateLibrary {
    /// Renders `name` with `context`, leaving the keys in `holes` to be filled by ``PreparedTemplate/fill(_:)``.
    ///
    /// Hole values must not need escaping (they are spliced in verbatim): use it for URL-safe
    /// values such as signed links.
    public func prepare(_ name: String, _ context: [String: Any], holes: [String]) throws(Problem) -> PreparedTemplate {
        var marked = context
        // Private-use characters: no template or escaping produces or changes them.
        for (index, hole) in holes.enumerated() { marked[hole] = "\u{E000}\(index)\u{E001}" }
        let rendered = try render(name, marked)
        var segments: [PreparedTemplate.Segment] = []
        var rest = Substring(rendered)
        while let open = rest.firstIndex(of: "\u{E000}"), let close = rest[open...].firstIndex(of: "\u{E001}"),
            let index = Int(rest[rest.index(after: open)..<close]), holes.indices.contains(index)
        {
            if open > rest.startIndex { segments.append(.text(String(rest[..<open]))) }
            segments.append(.hole(holes[index]))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { segments.append(.text(String(rest))) }
        return PreparedTemplate(segments: segments)
    }
}
