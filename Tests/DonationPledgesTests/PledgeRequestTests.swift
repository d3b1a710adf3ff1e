@testable import DonationPledges
import Foundation
import Testing

/// A pledge request's idempotency fingerprint, its card-number scan, and the stored answer.
@Suite struct PledgeRequestTests {
    func request(note: String? = nil, amount: String = "5") -> PledgeRequest {
        PledgeRequest(
            email: "anna@example.org", amount: amount, currency: "USD", otherFields: note.map { ["note": [$0]] } ?? [:],
            idempotencyKey: "key", clientIP: nil, userAgent: nil)
    }

    @Test func theFingerprintCoversEveryFieldAndOnlyThem() {
        #expect(request().fingerprint == request().fingerprint)
        #expect(request().fingerprint != request(amount: "6").fingerprint)
        #expect(request().fingerprint != request(note: "hello").fingerprint)
    }

    @Test func aCardNumberInAnyFieldIsFoundAndNamed() {
        #expect(request().fieldWithCardNumber == nil)
        #expect(request(note: "4242 4242 4242 4242").fieldWithCardNumber == "note")
        var named = request()
        named.name = "5555-5555-5555-4444"
        #expect(named.fieldWithCardNumber == "name")
    }

    @Test func theStoredAnswerReadsBackAndKeepsTheAPIsShape() throws {
        let usd = try #require(Currency.named("USD"))
        let answer = PledgeAnswer(
            pledge: "pl_abc", status: .pending, amount: Money(minorUnits: 500, currency: usd), interval: .monthly, tier: "supporter",
            checkoutURL: "https://pay.example/x")
        #expect(try PledgeAnswer(storedText: answer.storedText) == answer)
        #expect(answer.storedText == #"{"amount_minor":500,"checkout_url":"https://pay.example/x","currency":"USD","#
            + #""display":"$5.00 a month","interval":"monthly","pledge":"pl_abc","status":"pending","tier":"supporter"}"#)

        // The API's answer carries the card form; the kept one does not, and reads back without it.
        var withCard = answer
        withCard.tier = nil
        withCard.cardForm = CardForm(clientSecret: "pi_1_secret_\"2\"", publishableKey: "pk_test_1")
        #expect(withCard.json == #"{"amount_minor":500,"checkout_url":"https://pay.example/x","client_secret":"pi_1_secret_\"2\"","#
            + #""currency":"USD","display":"$5.00 a month","interval":"monthly","pledge":"pl_abc","publishable_key":"pk_test_1","#
            + #""status":"pending"}"#)
        #expect(!withCard.storedText.contains("secret"))
        var kept = withCard
        kept.cardForm = nil
        #expect(try PledgeAnswer(storedText: withCard.storedText) == kept)
        for unreadable in ["", "{}", #"{"amount_minor":"500"}"#, answer.storedText.replacingOccurrences(of: "USD", with: "XXX")] {
            #expect(throws: UnreadableStoredAnswer.self) { try PledgeAnswer(storedText: unreadable) }
        }
    }

    @Test func tierNamesAreShortWordsOfLettersDigitsAndHyphens() {
        #expect(PledgeOffers.isTierName("supporter"))
        #expect(PledgeOffers.isTierName("gold-2026"))
        #expect(!PledgeOffers.isTierName(""))
        #expect(!PledgeOffers.isTierName("two words"))
        #expect(!PledgeOffers.isTierName(String(repeating: "a", count: 41)))
        #expect(OfferError.currencyNotTaken("EUR").description.hasPrefix("EUR takes no pledges yet"))
    }
}

extension PledgeRequestTests {
    /// A UUID key is never taken for a card number, however its digits fall; a key that is one is.
    @Test func uuidKeysAreNotScannedButOtherKeysAre() {
        var request = request()
        // Its digit groups 424242-4242-4242-4242 pass the Luhn check: a key in any other form would be refused.
        request.idempotencyKey = "AB424242-4242-4242-4242-ABCDEFABCDEF"
        #expect(CardNumberDetector.containsCardNumber("AB424242-4242-4242-4242-ABCDEFABCDEF"))
        #expect(request.fieldWithCardNumber == nil)
        request.idempotencyKey = "4242-4242-4242-4242"
        #expect(request.fieldWithCardNumber == "Idempotency-Key")
    }
}
