@testable import DonationPledges
import Foundation
import Testing

/// A receipt's outbox payload: written and read by hand, and the same JSON `JSONEncoder` and
/// `JSONDecoder` agree on, so rows queued by an earlier version still send.
@Suite struct PledgeReceiptPayloadTests {
    static let receipts = [
        PledgeReceipt(
            pledgeID: 42, publicID: "pl_abc", address: "anna@example.org", name: "Анна \"Nan\" O'Brien", amountMinor: 500,
            currency: "USD", interval: .monthly, card: CardSummary(brand: "visa", last4: "4242"),
            paidAt: Date(timeIntervalSince1970: 1_764_082_800), locale: "uk"),
        PledgeReceipt(
            pledgeID: 7, publicID: "pl_x", address: "b@example.org", name: nil, amountMinor: 100_000, currency: "EUR",
            interval: .once, card: nil, paidAt: Date(timeIntervalSince1970: 1_764_082_800.125)),
    ]

    static func encodedByJSONEncoder(_ receipt: PledgeReceipt) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        return [UInt8](try encoder.encode(receipt))
    }

    @Test(arguments: receipts) func readsBackWhatItWrites(_ receipt: PledgeReceipt) throws {
        #expect(try PledgeReceipt.decode(receipt.encoded()) == receipt)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        #expect(try decoder.decode(PledgeReceipt.self, from: Data(receipt.encoded())) == receipt)
    }

    @Test(arguments: receipts) func readsWhatJSONEncoderWrote(_ receipt: PledgeReceipt) throws {
        let old = try Self.encodedByJSONEncoder(receipt)
        #expect(try PledgeReceipt.decode(old) == receipt)
        // The same keys: only a number's spelling may differ.
        let keys = { (bytes: [UInt8]) in
            (try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]).map { Set($0.keys) }
        }
        #expect(try keys(receipt.encoded()) == keys(old))
    }

    @Test func aPayloadOfTheWrongShapeIsNamedByTheDecoder() {
        for payload in [#"{"pledgeID":"42"}"#, "[]", "not json"] {
            #expect(throws: DecodingError.self, "\(payload)") { try PledgeReceipt.decode(Array(payload.utf8)) }
        }
    }
}
