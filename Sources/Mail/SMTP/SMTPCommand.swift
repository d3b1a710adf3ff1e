import NIOCore

/// A command the client sends (RFC 5321 §4.1, RFC 3207 STARTTLS, RFC 4954 AUTH).
enum SMTPCommand: Equatable {
    case ehlo(String)
    case helo(String)
    case startTLS
    /// `AUTH <mechanism> [initial response]` or a bare continuation line (base64) during AUTH LOGIN.
    case auth(mechanism: String, initialResponse: String?)
    case authContinuation(String)
    case mailFrom(String, parameters: [String])
    case rcptTo(String)
    case data
    /// The message itself, already dot-stuffed and terminated by `CRLF.CRLF`.
    case message([UInt8])
    case reset
    case quit

    /// The bytes on the wire.
    func write(into buffer: inout ByteBuffer) {
        switch self {
        case .ehlo(let name): buffer.writeString("EHLO \(name)\r\n")
        case .helo(let name): buffer.writeString("HELO \(name)\r\n")
        case .startTLS: buffer.writeString("STARTTLS\r\n")
        case .auth(let mechanism, let response):
            buffer.writeString("AUTH \(mechanism)" + (response.map { " \($0)" } ?? "") + "\r\n")
        case .authContinuation(let line): buffer.writeString("\(line)\r\n")
        case .mailFrom(let address, let parameters):
            buffer.writeString("MAIL FROM:<\(address)>" + parameters.map { " \($0)" }.joined() + "\r\n")
        case .rcptTo(let address): buffer.writeString("RCPT TO:<\(address)>\r\n")
        case .data: buffer.writeString("DATA\r\n")
        case .message(let bytes): buffer.writeBytes(bytes)
        case .reset: buffer.writeString("RSET\r\n")
        case .quit: buffer.writeString("QUIT\r\n")
        }
    }

    /// The message body for the DATA phase: lines end in CRLF, a line starting with "." gets a
    /// second one (RFC 5321 §4.5.2), and `CRLF.CRLF` ends it.
    static func dotStuffed(_ data: [UInt8]) -> [UInt8] {
        let cr: UInt8 = 13, lf: UInt8 = 10, dot = UInt8(ascii: ".")
        // Through pointers into one buffer of the worst case's size (a byte becomes at most two,
        // plus the terminator): appending byte by byte cost about 5 µs a confirmation.
        return [UInt8](unsafeUninitializedCapacity: data.count * 2 + 5) { output, count in
            var end = 0
            func put(_ byte: UInt8) {
                output[end] = byte
                end += 1
            }
            var atLineStart = true
            var previous: UInt8 = 0
            data.withUnsafeBufferPointer { input in
                for byte in input {
                    if byte == lf, previous != cr { put(cr) }
                    if atLineStart, byte == dot { put(dot) }
                    put(byte)
                    atLineStart = byte == lf
                    previous = byte
                }
            }
            if !atLineStart {
                put(cr)
                put(lf)
            }
            put(dot)
            put(cr)
            put(lf)
            count = end
        }
    }
}

/// Writes ``SMTPCommand`` values as bytes.
struct SMTPCommandEncoder: MessageToByteEncoder {
    typealias OutboundIn = SMTPCommand

    func encode(data: SMTPCommand, out: inout ByteBuffer) throws {
        data.write(into: &out)
    }
}
