@testable import DonationPledges
import Foundation
import Mail
import Signing
import TestSupport
import Testing

/// The receipt email: its templates are rendered once per shape and filled per receipt, and the
/// result is the email a whole render gives, whatever the receipt holds.
@Suite struct PledgeReceiptEmailTests {
    static let signer = TokenSigner(ring: try! KeyRing(
        keys: [SigningKey(kid: "k1", secret: Array(repeating: 7, count: 32), createdAt: Date(timeIntervalSince1970: 0), state: .active)],
        addressSecret: Array(repeating: 9, count: 32)))

    static func composer(_ templates: TemplateLibrary) -> PledgeMessageComposer {
        PledgeMessageComposer(
            templates: templates, signer: signer, publicURL: "https://news.example.org/masthead",
            from: Mailbox("Kyiv & Co <news@example.org>"), newsroom: "Kyiv <Independent> & Co")
    }

    static func item(_ receipt: PledgeReceipt, id: Int64) -> OutboxItem {
        OutboxItem(
            id: id, kind: PledgeReceipt.kind, recipient: receipt.address, payload: receipt.encoded(), attempts: 1,
            createdAt: Date(timeIntervalSince1970: 1_764_082_900))
    }

    /// Every shape a receipt takes: with and without a name and a card, each interval, in English
    /// and Ukrainian; names that HTML must escape.
    static let receipts: [PledgeReceipt] = {
        var receipts: [PledgeReceipt] = []
        for name in [nil, "Anna", #"Анна "Nan" O'Brien & <Co>"#] {
            for card in [nil, CardSummary(brand: "visa", last4: "4242")] {
                for interval in PledgeInterval.allCases {
                    for locale in [nil, "uk"] {
                        receipts.append(PledgeReceipt(
                            pledgeID: Int64(receipts.count + 1), publicID: "pl_\(receipts.count)", address: "anna@example.org", name: name,
                            amountMinor: 500, currency: "USD", interval: interval, card: card,
                            paidAt: Date(timeIntervalSince1970: 1_764_082_800), locale: locale))
                    }
                }
            }
        }
        return receipts
    }()

    @Test func aPreparedReceiptIsTheWholeRender() throws {
        let prepared = Self.composer(try TemplateLibrary(defaults: MailTemplates.defaults))
        // The same templates, each with a partial that renders nothing: not preparable, so rendered whole.
        let directory = try TemporaryDirectory()
        for part in ["subject", "text", "html"] {
            let name = "receipt.\(part)"
            try (MailTemplates.defaults[name, default: ""] + "{{> nothing}}").write(
                toFile: directory.file("\(name).mustache"), atomically: true, encoding: .utf8)
        }
        let wholeTemplates = try TemplateLibrary(defaults: MailTemplates.defaults, overrides: directory.path)
        #expect(!wholeTemplates.isPreparable("receipt"))
        let whole = Self.composer(wholeTemplates)
        // Twice over: the second pass fills what the first prepared.
        for _ in 0..<2 {
            for (index, receipt) in Self.receipts.enumerated() {
                let item = Self.item(receipt, id: Int64(index + 1))
                let (mine, theirs) = (try prepared.compose(item), try whole.compose(item))
                #expect(mine == theirs, "\(receipt)")
            }
        }
        let named = try prepared.compose(Self.item(Self.receipts.first { $0.name?.hasPrefix("Анна") == true }!, id: 1))
        #expect(named.htmlBody?.contains("Анна &quot;Nan&quot; O&#39;Brien &amp; &lt;Co&gt;") == true)
        #expect(named.textBody.contains(#"Анна "Nan" O'Brien & <Co>"#))
    }

    @Test func anOperatorsTemplateThatTransformsAValueStillDoes() throws {
        let directory = try TemporaryDirectory()
        try "{{% CONTENT_TYPE: TEXT}}Dear {{uppercased(name)}}, thank you.".write(
            toFile: directory.file("receipt.text.mustache"), atomically: true, encoding: .utf8)
        let composer = Self.composer(try TemplateLibrary(defaults: MailTemplates.defaults, overrides: directory.path))
        let receipt = try #require(Self.receipts.first { $0.name == "Anna" })
        #expect(try composer.compose(Self.item(receipt, id: 1)).textBody == "Dear ANNA, thank you.")
    }
}
