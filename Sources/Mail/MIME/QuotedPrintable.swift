/// Quoted-printable body encoding (RFC 2045 §6.7) for UTF-8 text with CRLF line breaks.
enum QuotedPrintable {
    private static let hex = Array("0123456789ABCDEF".utf8)
    static let maximumLineLength = 76

    /// Encodes `text`, normalising every line break to CRLF; encoded lines stay within 76 octets.
    static func encode(_ text: String) -> String {
        var output: [UInt8] = []
        let lines = text.replacingLineBreaks().split(separator: "\n", omittingEmptySubsequences: false)
        for (number, line) in lines.enumerated() {
            if number > 0 { output += [13, 10] }
            var length = 0
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                var piece: [UInt8]
                if (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !isLast) {
                    piece = [byte]
                } else {
                    piece = [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                }
                // Leave room for the soft break "=" unless this is the last piece of the line.
                let limit = isLast ? maximumLineLength : maximumLineLength - 1
                if length + piece.count > limit {
                    output += [UInt8(ascii: "="), 13, 10]
                    length = 0
                }
                output += piece
                length += piece.count
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension String {
    /// The text with CRLF and lone CR turned into LF.
    func replacingLineBreaks() -> String {
        // Scalars, not characters: "\r\n" is one Character, so `contains("\r")` would miss it.
        guard unicodeScalars.contains("\r") else { return self }
        return String(String.UnicodeScalarView(normalisedScalars()))
    }

    private func normalisedScalars() -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        var previousWasCR = false
        for scalar in unicodeScalars {
            if scalar == "\r" {
                scalars.append("\n")
                previousWasCR = true
            } else {
                if !(scalar == "\n" && previousWasCR) { scalars.append(scalar) }
                previousWasCR = false
            }
        }
        return scalars
    }
}
