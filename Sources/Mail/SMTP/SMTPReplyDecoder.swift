import NIOCore

/// Frames the server's bytes into ``SMTPReply`` values: lines end in CRLF; a reply's lines
/// share its code, with `-` after the code on every line but the last (RFC 5321 §4.2.1).
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    /// Longest reply line accepted (RFC 5321 allows 512; some servers send more text).
    static let maximumLineLength = 4096
    /// Most lines in one reply (EHLO answers run to a few dozen).
    static let maximumLines = 200

    private var pending: [String] = []
    private var pendingCode: Int?

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maximumLineLength { throw SMTPProtocolError("reply line too long") }
            return .needMoreData
        }
        let length = newline - view.startIndex + 1
        // Bytes, not a String: "\r\n" is one Character, which hides both from character tests.
        guard var bytes = buffer.readBytes(length: length) else { throw SMTPProtocolError("reply line vanished") }
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)), (200...599).contains(code)
        else { throw SMTPProtocolError("malformed reply line '\(String(decoding: bytes.prefix(80), as: UTF8.self))'") }
        let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: " ")
        let text = bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : ""
        if let pendingCode, pendingCode != code { throw SMTPProtocolError("reply lines with different codes") }
        pending.append(text)
        guard pending.count <= Self.maximumLines else { throw SMTPProtocolError("reply has too many lines") }
        if separator == UInt8(ascii: "-") {
            pendingCode = code
        } else {
            context.fireChannelRead(Self.wrapInboundOut(SMTPReply(code: code, lines: pending)))
            pending = []
            pendingCode = nil
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// The server broke the protocol (not an SMTP reply, but bytes we cannot read as one).
struct SMTPProtocolError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = "SMTP protocol error: \(description)" }
}
