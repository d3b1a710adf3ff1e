import Foundation

/// Turns a ``MailMessage`` into the bytes of an RFC 5322 message: CRLF lines, encoded headers,
/// `multipart/alternative` with quoted-printable UTF-8 parts, `Auto-Submitted: auto-generated`.
///
/// Rendering is deterministic: the same message gives the same bytes (the MIME boundary derives
/// from the Message-ID), so a retried delivery sends what the first attempt sent.
public enum MIMERenderer {
    /// The message's bytes.
    public static func render(_ message: MailMessage) -> [UInt8] {
        // Written straight into one byte array: joining strings and converting them at the end
        // copied each message several times (rendering is on every delivery attempt).
        var output: [UInt8] = []
        output.reserveCapacity(1024 + 2 * (message.textBody.utf8.count + (message.htmlBody?.utf8.count ?? 0)))
        func line(_ text: String) {
            output += text.utf8
            output += [13, 10]
        }
        line(HeaderEncoding.field("Date", rfc5322Date(message.date)))
        line(HeaderEncoding.field("From", HeaderEncoding.mailbox(message.from)))
        line(HeaderEncoding.field("To", HeaderEncoding.mailbox(message.to)))
        line(HeaderEncoding.field("Subject", HeaderEncoding.unstructured(message.subject)))
        line(HeaderEncoding.field("Message-ID", "<\(message.messageID)>"))
        line("MIME-Version: 1.0")
        line("Auto-Submitted: auto-generated")
        for header in message.headers {
            line(HeaderEncoding.field(header.name, HeaderEncoding.unstructured(header.value)))
        }
        guard let html = message.htmlBody else {
            line("Content-Type: text/plain; charset=utf-8")
            line("Content-Transfer-Encoding: quoted-printable")
            line("")
            QuotedPrintable.encode(message.textBody, into: &output)
            output += [13, 10]
            return output
        }
        let boundary = "=_masthead_" + boundaryToken(message.messageID)
        line(HeaderEncoding.field("Content-Type", "multipart/alternative; boundary=\"\(boundary)\""))
        line("")
        line("This is a message in MIME format.")
        line("")
        for (type, text) in [("text/plain", message.textBody), ("text/html", html)] {
            line("--\(boundary)")
            line("Content-Type: \(type); charset=utf-8")
            line("Content-Transfer-Encoding: quoted-printable")
            line("")
            QuotedPrintable.encode(text, into: &output)
            output += [13, 10]
        }
        line("--\(boundary)--")
        return output
    }

    /// 24 hex digits from the Message-ID (FNV-1a), so the boundary is stable per message.
    /// Quoted-printable parts can never contain "=_", so the boundary cannot occur in a body.
    private static func boundaryToken(_ seed: String) -> String {
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in seed.utf8 {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            second = (second ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 &+ 1
        }
        return String(first, radix: 16) + String(second, radix: 16).prefix(8)
    }

    /// `Wed, 25 Nov 2026 15:00:00 +0000` (RFC 5322 §3.3), always in UTC. Written by hand: a
    /// `DateFormatter` per message was the single largest cost of rendering.
    static func rfc5322Date(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }
}
