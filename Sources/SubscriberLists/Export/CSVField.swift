import Foundation

/// Writing CSV fields (RFC 4180), the dialect ``CSVReader`` reads.
public enum CSVField {
    /// Quotes a field holding a comma, quote or line break, doubling inner quotes.
    public static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record: escaped fields joined by commas, ended by CRLF.
    public static func record(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",") + "\r\n"
    }
}
