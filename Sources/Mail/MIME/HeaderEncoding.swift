import Foundation

/// Header field values: RFC 2047 encoded words for non-ASCII text, quoting of display names,
/// and folding to 78 columns (RFC 5322 §2.2.3).
enum HeaderEncoding {
    /// Unstructured text (a subject): as is when printable ASCII, else UTF-8 "B" encoded words.
    static func unstructured(_ text: String) -> String {
        let singleLine = oneLine(text)
        if singleLine.utf8.allSatisfy({ $0 >= 32 && $0 < 127 }) { return singleLine }
        return encodedWords(singleLine).joined(separator: " ")
    }

    /// A mailbox: `"Name, Inc." <a@example.org>` with the name quoted or encoded as needed.
    static func mailbox(_ mailbox: Mailbox) -> String {
        guard let name = mailbox.displayName, !name.isEmpty else { return "<\(mailbox.address)>" }
        return "\(phrase(name)) <\(mailbox.address)>"
    }

    /// A display name: an atom sequence as is, ASCII with specials quoted, otherwise encoded.
    static func phrase(_ name: String) -> String {
        let singleLine = oneLine(name)
        guard singleLine.utf8.allSatisfy({ $0 >= 32 && $0 < 127 }) else {
            return encodedWords(singleLine).joined(separator: " ")
        }
        let specials = Set("()<>[]:;@\\,.\"".utf8)
        guard singleLine.utf8.contains(where: specials.contains) else { return singleLine }
        let escaped = singleLine.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }

    /// The text with every control character (line breaks included) turned into a space, so no
    /// value can end its header line and start another (header injection).
    static func oneLine(_ text: String) -> String {
        // Printable ASCII (nearly every value) has no control character: skip the Unicode lookups.
        if text.utf8.allSatisfy({ $0 >= 32 && $0 < 127 }) { return text }
        let scalars = text.replacingLineBreaks().unicodeScalars
        return String(String.UnicodeScalarView(scalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    /// `=?UTF-8?B?…?=` words of at most 75 characters, never splitting a character.
    static func encodedWords(_ text: String) -> [String] {
        let prefix = "=?UTF-8?B?"
        let suffix = "?="
        // 36 bytes of UTF-8 make 48 base64 characters: a 60-character word, which still fits a
        // 78-column line after a header name such as "Subject: " (RFC 2047 allows up to 75).
        let budget = 36
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > budget, !chunk.isEmpty {
                words.append(prefix + Data(chunk).base64EncodedString() + suffix)
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(prefix + Data(chunk).base64EncodedString() + suffix) }
        return words
    }

    /// `Name: value`, folded at spaces so no line exceeds 78 octets where it can be helped
    /// (lengths are octets, as RFC 5322 and RFC 6532 count them).
    static func field(_ name: String, _ value: String) -> String {
        let unfolded = name + ": " + value
        if unfolded.utf8.count <= 78 { return unfolded }
        var lines: [String] = []
        var current = name + ":"
        // Split on the octet, not by Character: a space is ASCII, so every piece is whole UTF-8.
        for word in value.utf8.split(separator: 32, omittingEmptySubsequences: false).map(Substring.init) {
            if current.utf8.count + 1 + word.utf8.count > 78, current != name + ":" {
                lines.append(current)
                current = " " + word
            } else {
                current += " " + word
            }
        }
        lines.append(current)
        return lines.joined(separator: "\r\n")
    }
}
