import Foundation

/// The `tag=value; tag=value` lists DKIM (RFC 6376 §3.2) and DMARC (RFC 7489 §6.4) records are
/// written in; tag names lower-cased, whitespace around values dropped.
enum TagList {
    static func parse(_ record: String) -> [String: String] {
        var tags: [String: String] = [:]
        for part in record.split(separator: ";") {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let name = part[..<equals].trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            let value = part[part.index(after: equals)...].trimmingCharacters(in: .whitespacesAndNewlines)
            if !name.isEmpty, tags[name] == nil { tags[name] = value }
        }
        return tags
    }
}
