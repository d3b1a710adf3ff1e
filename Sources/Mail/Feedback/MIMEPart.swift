import Foundation

/// Just enough of a MIME reader for the reports mail systems send back (RFC 2045/2046): header
/// fields, a Content-Type's parameters, the parts of a multipart body, base64 and
/// quoted-printable undone. Lenient, as reports from the wild need: bare LF line ends, odd case.
struct MIMEPart {
    /// Header fields, unfolded, names lower-cased, in order.
    let fields: [(name: String, value: String)]
    let body: [UInt8]

    init(_ bytes: [UInt8]) {
        let text = bytes
        var fields: [(String, String)] = []
        var index = 0
        var lineStart = 0
        var current: (String, String)?
        func finishLine(_ line: ArraySlice<UInt8>) -> Bool {
            let line = line.last == 0x0D ? line.dropLast() : line
            if line.isEmpty { return false }
            if line.first == 0x20 || line.first == 0x09 {
                current?.1 += " " + String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                return true
            }
            if let current { fields.append(current) }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                current = nil
                return true
            }
            current = (
                String(decoding: line[line.startIndex..<colon], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased(),
                String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            )
            return true
        }
        var bodyStart = text.count
        while index < text.count {
            if text[index] == 0x0A {
                if !finishLine(text[lineStart..<index]) {
                    bodyStart = index + 1
                    break
                }
                lineStart = index + 1
            }
            index += 1
        }
        if index >= text.count, lineStart < text.count { _ = finishLine(text[lineStart...]) }
        if let current { fields.append(current) }
        self.fields = fields
        self.body = bodyStart < text.count ? Array(text[bodyStart...]) : []
    }

    /// The first value of a field.
    func field(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// The media type, lower-cased (`multipart/report`); `text/plain` when none is given.
    var mediaType: String {
        field("content-type")?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "text/plain"
    }

    /// A parameter of the Content-Type (`boundary`, `report-type`), unquoted.
    func parameter(_ name: String) -> String? {
        guard let type = field("content-type") else { return nil }
        for piece in type.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            return pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    /// The body with its Content-Transfer-Encoding undone.
    var decodedBody: [UInt8] {
        switch field("content-transfer-encoding")?.lowercased() {
        case "base64":
            let compact = String(decoding: body, as: UTF8.self).filter { !$0.isWhitespace }
            return Data(base64Encoded: compact).map(Array.init) ?? body
        case "quoted-printable":
            return QuotedPrintable.decode(body)
        default:
            return body
        }
    }

    /// The parts of a multipart body; empty for anything else.
    var parts: [MIMEPart] {
        guard mediaType.hasPrefix("multipart/"), let boundary = parameter("boundary"), !boundary.isEmpty else { return [] }
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [MIMEPart] = []
        var partStart: Int?
        var lineStart = 0
        var index = 0
        while index <= body.count {
            if index == body.count || body[index] == 0x0A {
                var line = body[lineStart..<index]
                if line.last == 0x0D { line = line.dropLast() }
                if line.starts(with: delimiter) {
                    if let start = partStart {
                        // The CRLF before a delimiter belongs to the delimiter.
                        var end = lineStart
                        if end > start, body[end - 1] == 0x0A { end -= 1 }
                        if end > start, body[end - 1] == 0x0D { end -= 1 }
                        parts.append(MIMEPart(Array(body[start..<end])))
                    }
                    if line.dropFirst(delimiter.count).starts(with: Array("--".utf8)) { break }
                    partStart = index + 1
                }
                lineStart = index + 1
            }
            index += 1
        }
        return parts
    }

    /// Groups of `Name: value` lines separated by blank lines, as `message/delivery-status` and
    /// `message/feedback-report` bodies are written (RFC 3464 §2.1, RFC 5965 §3.1).
    static func fieldGroups(_ bytes: [UInt8]) -> [[String: String]] {
        var groups: [[String: String]] = []
        var current: [String: String] = [:]
        var last: String?
        // "\r\n" is one Character: split on every kind of line end, not on "\n" alone.
        for line in String(decoding: bytes, as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                if !current.isEmpty { groups.append(current) }
                current = [:]
                last = nil
            } else if line.first == " " || line.first == "\t", let last {
                current[last, default: ""] += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                current[name] = current[name] ?? line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                last = name
            }
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }
}
