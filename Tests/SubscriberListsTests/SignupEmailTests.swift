import Foundation
import PropertyBased
import SideEffects
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

    /// Any text, as scalars from the whole Unicode range (controls and quotes among them).
    static let text = Gen<UInt32>.value(in: 0...0x10FFFF).array(of: 0...16).map { values in
        String(String.UnicodeScalarView(values.compactMap(Unicode.Scalar.init)))
    }

    /// The hand reader takes every payload `encoded()` writes, and reads it as `JSONDecoder` does.
    @Test func theHandReaderReadsWhatTheDecoderReads() async {
        await propertyCheck(
            count: 500, input: Self.text, Self.text, Gen<Int64>.value(in: 1...Int64.max), Gen<Double>.value(in: 0...4_000_000_000)
        ) { first, second, consentID, seconds in
            let email = SignupEmail(
                kind: first.count % 2 == 0 ? .confirmation : .alreadySubscribed, consentID: consentID, address: first,
                locale: second.isEmpty ? nil : second,
                newsletters: [.init(slug: first, name: second, description: second + first), .init(slug: "b", name: "", description: "")],
                issuedAt: Date(timeIntervalSince1970: seconds))
            let bytes = email.encoded()
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            let read = SignupEmail(try JSONDocument.parse(bytes))
            #expect(read != nil)
            #expect(read == (try decoder.decode(SignupEmail.self, from: Data(bytes))))
        }
    }

    /// Spaces, another key order and the escapes another writer chooses (the bench's Python) read too.
    @Test func otherWritersPayloadsReadToo() throws {
        let text = #"{"kind": "confirmation", "consentID": 7, "address": "\u0430nna@example.org", "locale": null, "issuedAt": 1.5e9, "#
            + #""newsletters": [{"slug": "ukraine-daily", "name": "Ukraine Daily", "description": "News \ud83c\uddfa\ud83c\udde6"}]}"#
        let email = try #require(SignupEmail(try JSONDocument.parse(Array(text.utf8))))
        #expect(email.address == "аnna@example.org")
        #expect(email.locale == nil)
        #expect(email.issuedAt == Date(timeIntervalSince1970: 1_500_000_000))
        #expect(email.newsletters == [.init(slug: "ukraine-daily", name: "Ukraine Daily", description: "News 🇺🇦")])
        #expect(try SignupEmail.decode(Array(text.utf8)) == email)
    }

    /// A row the reader does not take still gets the decoder's error, which names what is wrong.
    @Test(arguments: [#"{"kind":"confirmation"}"#, #"{"kind":"welcome","consentID":1}"#, "not json"])
    func aBrokenPayloadIsRefusedWithTheDecodersError(text: String) {
        #expect(SignupEmail((try? JSONDocument.parse(Array(text.utf8))) ?? .null) == nil)
        #expect(throws: DecodingError.self) { try SignupEmail.decode(Array(text.utf8)) }
    }
}
