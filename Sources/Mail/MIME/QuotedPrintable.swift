/// Quoted-printable body encoding (RFC 2045 §6.7) for UTF-8 text with CRLF line breaks.
///
/// Works on bytes in one pass (it runs once per email, on every delivery attempt).
enum QuotedPrintable {
    private static let hex = Array("0123456789ABCDEF".utf8)
    static let maximumLineLength = 76

    /// Encodes `text`, turning every line break (CRLF, LF or CR) into CRLF; encoded lines stay
    /// within 76 octets, with soft breaks (`=` CRLF) where a line must be cut.
    static func encode(_ text: String) -> String {
        let input = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count + input.count / 8 + 16)
        var length = 0
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == 13 || byte == 10 {
                // CRLF (or a lone CR or LF) is one hard line break.
                if byte == 13, index + 1 < input.count, input[index + 1] == 10 { index += 1 }
                output.append(13)
                output.append(10)
                length = 0
                index += 1
                continue
            }
            let nextIsBreak = index + 1 >= input.count || input[index + 1] == 13 || input[index + 1] == 10
            let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !nextIsBreak)
            let width = literal ? 1 : 3
            // Leave room for the soft break's "=" unless this is the line's last character.
            if length + width > (nextIsBreak ? maximumLineLength : maximumLineLength - 1) {
                output.append(UInt8(ascii: "="))
                output.append(13)
                output.append(10)
                length = 0
            }
            if literal {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "="))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 15)])
            }
            length += width
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension String {
    /// The text with CRLF and lone CR turned into LF.
    func replacingLineBreaks() -> String {
        // Scalars, not characters: "\r\n" is one Character, so `contains("\r")` would miss it.
        guard unicodeScalars.contains("\r") else { return self }
        var scalars = String.UnicodeScalarView()
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
        return String(scalars)
    }
}

extension QuotedPrintable {
    /// Decodes a quoted-printable body (reports mail systems send back): `=XX` becomes its
    /// byte, a soft break (`=` at a line's end) joins the lines, anything malformed stays as is.
    static func decode(_ input: [UInt8]) -> [UInt8] {
        func value(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: byte - 48
            case 65...70: byte - 55
            case 97...102: byte - 87
            default: nil
            }
        }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            guard byte == UInt8(ascii: "=") else {
                output.append(byte)
                index += 1
                continue
            }
            if index + 2 < input.count, input[index + 1] == 0x0D, input[index + 2] == 0x0A {
                index += 3
            } else if index + 1 < input.count, input[index + 1] == 0x0A {
                index += 2
            } else if index + 2 < input.count, let high = value(input[index + 1]), let low = value(input[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }
}
