import Foundation
import Mail
import TestSupport
import Testing

/// Rendered messages, read back by Python's `email` package (an independent parser).
@Suite struct MIMERendererTests {
    func roundTrip(_ message: MailMessage) async throws -> ParsedEmail {
        let directory = try TemporaryDirectory()
        let path = directory.file("message.eml")
        try Data(MIMERenderer.render(message)).write(to: URL(fileURLWithPath: path))
        return try await ParsedEmail.parse(path)
    }

    let date = Date(timeIntervalSince1970: 1_795_618_800)

    @Test func unicodeHeadersAndBodiesSurviveTheRoundTrip() async throws {
        let subject = "Підтвердіть підписку на «Українська правда» — щоденний огляд новин з України та світу, ще довше"
        let text = "Вітаємо!\nПерейдіть за посиланням: https://news.example.org/masthead/v1/confirm?token=v1.AAAA\n.\nDot line above.\r\nTrailing space here \n" + String(repeating: "довгий рядок ", count: 20)
        let message = MailMessage(
            from: Mailbox("news@example.org", displayName: "Українська правда"), to: Mailbox("читач@example.org"),
            subject: subject, textBody: text, htmlBody: "<p>Вітаємо, <b>читачу</b>!</p>",
            messageID: "1.2@news.example.org", date: date,
            headers: [MailMessage.Header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")])
        let parsed = try await roundTrip(message)
        #expect(parsed.defects.isEmpty)
        #expect(parsed.crlf_only)
        #expect(parsed.header("Subject") == subject)
        #expect(parsed.header("From") == "Українська правда <news@example.org>")
        #expect(parsed.header("To") == "читач@example.org")
        #expect(parsed.header("Date") == "Wed, 25 Nov 2026 15:00:00 +0000")
        #expect(parsed.header("Message-ID") == "<1.2@news.example.org>")
        #expect(parsed.header("MIME-Version") == "1.0")
        #expect(parsed.text == text.replacingOccurrences(of: "\r\n", with: "\n"))
        #expect(parsed.html == "<p>Вітаємо, <b>читачу</b>!</p>")
        // Quoted-printable keeps body lines within 76, folding keeps headers short.
        #expect(parsed.longest_line <= 78)
        #expect(message.requiresSMTPUTF8)
    }

    @Test func asciiDisplayNamesWithSpecialsAreQuoted() async throws {
        let message = MailMessage(
            from: Mailbox("desk@example.org", displayName: "News, \"Daily\" Desk"), to: Mailbox("a@example.org"),
            subject: "Plain subject", textBody: "Hello", messageID: "x@example.org", date: date)
        let parsed = try await roundTrip(message)
        #expect(parsed.header("From") == "\"News, \\\"Daily\\\" Desk\" <desk@example.org>")
        #expect(parsed.content_type == "text/plain")
        #expect(parsed.text == "Hello\n")
        #expect(!message.requiresSMTPUTF8)
    }

    @Test func renderingIsDeterministic() {
        let message = MailMessage(
            from: Mailbox("a@example.org"), to: Mailbox("b@example.org"), subject: "S", textBody: "T", htmlBody: "<p>H</p>",
            messageID: "m@example.org", date: date)
        #expect(MIMERenderer.render(message) == MIMERenderer.render(message))
    }

    @Test func headerInjectionIsImpossible() async throws {
        let message = MailMessage(
            from: Mailbox("a@example.org"), to: Mailbox("b@example.org"), subject: "Hi\r\nBcc: victim@example.org",
            textBody: "T", messageID: "m@example.org", date: date)
        let parsed = try await roundTrip(message)
        #expect(parsed.header("Bcc") == nil)
        #expect(parsed.header("Subject") == "Hi Bcc: victim@example.org")
    }
}
