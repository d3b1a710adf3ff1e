import Foundation
@testable import Mail
import Signing
import Testing

/// DKIM's relaxed canonicalisation (RFC 6376's own examples) and the shape of what the signer
/// adds. That the signatures verify is for an independent verifier (dkimpy) in MastheadTests.
struct DKIMSignerTests {
    /// RFC 6376 §3.4.5, relaxed header canonicalisation.
    @Test func headersAreCanonicalisedAsTheRFCExampleShows() {
        let message = Array("A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n".utf8)
        let (fields, body) = DKIMCanonicalization.split(message)
        #expect(fields.map { String(decoding: DKIMCanonicalization.header($0), as: UTF8.self) } == ["a:X", "b:Y Z"])
        #expect(String(decoding: DKIMCanonicalization.body(body), as: UTF8.self) == " C\r\nD E\r\n")
    }

    @Test func aColonInTheValueKeepsItsSpaceAndAnEmptyBodyIsEmpty() {
        #expect(String(decoding: DKIMCanonicalization.header(Array("Subject:  Re:  hello \r\n there ".utf8)[...]), as: UTF8.self)
            == "subject:Re: hello there")
        #expect(DKIMCanonicalization.body(Array("\r\n\r\n".utf8)[...]).isEmpty)
        // Empty lines inside the body stay (a blank one too); only those at its end go.
        #expect(DKIMCanonicalization.body(Array("a\r\n\r\n \t\r\nb \r\n\r\n".utf8)[...]) == Array("a\r\n\r\n\r\nb\r\n".utf8))
        #expect(DKIMCanonicalization.body(Array("last line without CRLF".utf8)[...]) == Array("last line without CRLF\r\n".utf8))
    }

    @Test func eachKeyAddsOneSignatureNamingWhatItSigned() throws {
        let signer = DKIMSigner(
            domain: "news.example.org",
            keys: [
                .init(selector: "s2026", key: try PrivateSigningKey.generate(.rsa)),
                .init(selector: "e2026", key: try PrivateSigningKey.generate(.ed25519)),
            ])
        let message = MIMERenderer.render(MailMessage(
            from: Mailbox("news@news.example.org", displayName: "Ukraine Daily"), to: Mailbox("anna@example.org"),
            subject: "Підтвердіть підписку", textBody: "Hello", messageID: "1.2@news.example.org", date: Date(timeIntervalSince1970: 1_800_000_000),
            headers: [.init("List-Unsubscribe", "<https://news.example.org/v1/unsubscribe?token=x>"), .init("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]))
        let signed = String(decoding: signer.sign(message, at: Date(timeIntervalSince1970: 1_800_000_000)), as: UTF8.self)
        let signatures = signed.components(separatedBy: "\r\n").filter { $0.hasPrefix("DKIM-Signature:") }
        #expect(signatures.count == 2)
        #expect(signatures == ["DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;", "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;"])
        #expect(signed.contains("\td=news.example.org; s=s2026; t=1800000000;\r\n"))
        #expect(signed.contains("\td=news.example.org; s=e2026; t=1800000000;\r\n"))
        let h = "h=from:from:to:subject:date:message-id:mime-version:content-type:content-transfer-encoding:list-unsubscribe:"
            + "list-unsubscribe-post:auto-submitted;"
        #expect(signed.replacingOccurrences(of: "\r\n\t", with: "").contains(h))
        #expect(signed.hasSuffix(String(decoding: message, as: UTF8.self)))
        // Every line stays under the 78 characters RFC 5322 recommends (the message's own, too).
        #expect(signed.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
    }
}
