import Foundation
import SubscriberLists
import Testing

/// The outbox payload is hand-written JSON: it must read back as the value it was made from,
/// and carry what `JSONEncoder` would (so older rows and newer code agree).
struct SignupEmailTests {
    @Test(arguments: [nil, "uk"] as [String?])
    func theHandWrittenPayloadReadsBackAsWritten(locale: String?) throws {
        let email = SignupEmail(
            kind: .alreadySubscribed, consentID: 42, address: "anna+\"quote\"@example.org", locale: locale,
            newsletters: [
                .init(slug: "ukraine-daily", name: "Ukraine \"Daily\"", description: "News\nfrom Ukraine \\ in your inbox — щодня"),
                .init(slug: "weekend", name: "Weekend", description: "\u{1}control"),
            ],
            issuedAt: Date(timeIntervalSince1970: 1_795_618_800.125))
        let bytes = email.encoded()
        #expect(try SignupEmail.decode(bytes) == email)

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        let expected = try JSONSerialization.jsonObject(with: encoder.encode(email)) as? NSDictionary
        let written = try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary
        #expect(written == expected)
    }
}
