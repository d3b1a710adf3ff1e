import Foundation

/// Writing CSV fields (RFC 4180), the dialect ``CSVReader`` reads, safe to open in a spreadsheet.
public enum CSVField {
    /// Quotes a field holding a comma, quote or line break, doubling inner quotes. A field a
    /// spreadsheet would run as a formula (it begins with `=`, `+`, `-`, `@`, a tab or a carriage
    /// return: OWASP's CSV-injection list) gets a leading `'` first, which spreadsheets show as
    /// text; a reader's sign-up `source` of `=HYPERLINK(…)` then stays words in staff's export.
    public static func escape(_ text: String) -> String {
        let cell = startsLikeAFormula(text) ? "'" + text : text
        guard cell.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 || $0 == 9 }) else { return cell }
        // Doubled byte by byte: `replacingOccurrences` compares characters, and a quote followed
        // by a combining mark is one character that is not `"` (found by Ops/fuzz's FuzzCSV).
        let doubled = cell.utf8.flatMap { $0 == 34 ? [34, 34] : [$0] }
        return "\"" + String(decoding: doubled, as: UTF8.self) + "\""
    }

    /// One record: escaped fields joined by commas, ended by CRLF.
    public static func record(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",") + "\r\n"
    }

    /// A field as written before ``escape(_:)`` neutralised it: the `'` it put in front of a
    /// formula-like value comes off again, so an export imports back unchanged.
    public static func restored(_ text: String) -> String {
        guard text.hasPrefix("'"), startsLikeAFormula(String(text.dropFirst())) else { return text }
        return String(text.dropFirst())
    }

    /// Whether the text, after any `'` it begins with, begins like a formula. (The `'`s count
    /// so that a value that really begins with `'=` gets one more and reads back whole.)
    static func startsLikeAFormula(_ text: String) -> Bool {
        guard let first = text.utf8.first(where: { $0 != UInt8(ascii: "'") }) else { return false }
        return first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || first == UInt8(ascii: "@")
            || first == 9 || first == 13
    }
}
