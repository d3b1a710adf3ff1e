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
        var output: [UInt8] = []
        output.reserveCapacity(data.count + data.count / 64 + 5)
        var atLineStart = true
        var previous: UInt8 = 0
        for byte in data {
            if byte == UInt8(ascii: "\n"), previous != UInt8(ascii: "\r") { output.append(UInt8(ascii: "\r")) }
            if atLineStart, byte == UInt8(ascii: ".") { output.append(UInt8(ascii: ".")) }
            output.append(byte)
            atLineStart = byte == UInt8(ascii: "\n")
            previous = byte
        }
        if !atLineStart { output += [13, 10] }
        output += [UInt8(ascii: "."), 13, 10]
        return output
    }
}

/// Writes ``SMTPCommand`` values as bytes.
struct SMTPCommandEncoder: MessageToByteEncoder {
    typealias OutboundIn = SMTPCommand

    func encode(data: SMTPCommand, out: inout ByteBuffer) throws {
        data.write(into: &out)
    }
}
