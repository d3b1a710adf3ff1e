/// Quoted-printable body encoding (RFC 2045 §6.7) for UTF-8 text with CRLF line breaks.
///
/// Works on bytes in one pass (it runs once per email, on every delivery attempt).
enum QuotedPrintable {
    private static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? 48 + value : 55 + value }
    static let maximumLineLength = 76

    /// Appends the encoding of `text` to `output`, turning every line break (CRLF, LF or CR) into
    /// CRLF; encoded lines stay within 76 octets, with soft breaks (`=` CRLF) where a line must be cut.
    static func encode(_ text: String, into output: inout [UInt8]) {
        var text = text
        let encoded = text.withUTF8 { input in
            // At most 3 octets per input octet, plus a soft break (3) per 25 of them: a line
            // holds at least 25 input octets. Pointers, not Array appends: this loop touches
            // every octet of every email's body.
            [UInt8](unsafeUninitializedCapacity: input.count * 3 + (input.count / 25 + 1) * 3) { buffer, count in
                count = 0
                guard let start = buffer.baseAddress else { return }
                var out = start
                var lineStart = start
                var index = 0
                while index < input.count {
                    let byte = input[index]
                    index += 1
                    if byte == 13 || byte == 10 {
                        // CRLF (or a lone CR or LF) is one hard line break.
                        if byte == 13, index < input.count, input[index] == 10 { index += 1 }
                        out[0] = 13
                        out[1] = 10
                        out += 2
                        lineStart = out
                        continue
                    }
                    let nextIsBreak = index >= input.count || input[index] == 13 || input[index] == 10
                    let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !nextIsBreak)
                    let width = literal ? 1 : 3
                    // Leave room for the soft break's "=" unless this is the line's last character.
                    if out - lineStart + width > (nextIsBreak ? maximumLineLength : maximumLineLength - 1) {
                        out[0] = UInt8(ascii: "=")
                        out[1] = 13
                        out[2] = 10
                        out += 3
                        lineStart = out
                    }
                    if literal {
                        out[0] = byte
                    } else {
                        out[0] = UInt8(ascii: "=")
                        out[1] = hexDigit(byte >> 4)
                        out[2] = hexDigit(byte & 15)
                    }
                    out += width
                }
                count = out - start
            }
        }
        output += encoded
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
