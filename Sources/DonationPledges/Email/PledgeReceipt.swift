public import Foundation
public import Mail
public import SideEffects
public import Signing

/// The outbox payload of a receipt: everything the email says, decided in the transaction
/// that recorded the payment.
public struct PledgeReceipt: Codable, Sendable, Equatable {
    public static let kind = "receipt"

    public var pledgeID: Int64
    public var publicID: String
    /// The normalised address the pledge link is bound to.
    public var address: String
    public var name: String?
    public var amountMinor: Int64
    public var currency: String
    public var interval: PledgeInterval
    public var card: CardSummary?
    public var paidAt: Date
    /// The reader's locale (`uk`): the receipt is in that language when there is a translation.
    public var locale: String?

    public init(
        pledgeID: Int64, publicID: String, address: String, name: String?, amountMinor: Int64, currency: String,
        interval: PledgeInterval, card: CardSummary?, paidAt: Date, locale: String? = nil
    ) {
        self.pledgeID = pledgeID
        self.publicID = publicID
        self.address = address
        self.name = name
        self.amountMinor = amountMinor
        self.currency = currency
        self.interval = interval
        self.card = card
        self.paidAt = paidAt
        self.locale = locale
    }

    /// The payload as stored in the outbox (sorted keys, seconds since 1970), written by hand:
    /// `JSONEncoder` cost about 11 µs a receipt, and as much again to read it back.
    public func encoded() -> [UInt8] {
        var fields: [(String, String)] = [
            ("address", JSONText.string(address)), ("amountMinor", String(amountMinor)), ("currency", JSONText.string(currency)),
            ("interval", JSONText.string(interval.rawValue)), ("paidAt", "\(paidAt.timeIntervalSince1970)"),
            ("pledgeID", String(pledgeID)), ("publicID", JSONText.string(publicID)),
        ]
        if let card {
            fields.append(("card", #"{"brand":"# + JSONText.string(card.brand) + #","last4":"# + JSONText.string(card.last4) + "}"))
        }
        if let locale { fields.append(("locale", JSONText.string(locale))) }
        if let name { fields.append(("name", JSONText.string(name))) }
        let members = fields.sorted { $0.0 < $1.0 }.map { key, value in JSONText.string(key) + ":" + value }
        return Array(("{" + members.joined(separator: ",") + "}").utf8)
    }

    /// The outbox row that sends this receipt to `recipient`, queued when the payment was made.
    /// The receipt queued at `queuedAt`: when Masthead learned of the payment, not when the
    /// provider says it happened (a provider's clock may run minutes ahead, which would hold the
    /// receipt back that long; the payment's own time is `paidAt`, shown in the receipt).
    public func draft(recipient: String, queuedAt: Date) -> OutboxDraft {
        OutboxDraft(kind: Self.kind, recipient: recipient, subscriberID: nil, payload: encoded(), queuedAt: queuedAt)
    }

    /// Reads a stored payload: by hand, as ``encoded()`` writes it; anything the reader does not
    /// take goes to `JSONDecoder`, whose error then says what is wrong with the row.
    public static func decode(_ bytes: [UInt8]) throws -> PledgeReceipt {
        if let document = try? JSONDocument.parse(bytes), let receipt = PledgeReceipt(document) { return receipt }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(PledgeReceipt.self, from: Data(bytes))
    }

    /// The payload from a parsed document; nil unless every field is there with its type.
    init?(_ document: JSONDocument) {
        guard case .object(let fields) = document,
            case .number(let pledgeID)? = fields["pledgeID"], let pledgeID = Int64(pledgeID),
            case .string(let publicID)? = fields["publicID"], case .string(let address)? = fields["address"],
            case .number(let amountMinor)? = fields["amountMinor"], let amountMinor = Int64(amountMinor),
            case .string(let currency)? = fields["currency"],
            case .string(let interval)? = fields["interval"], let interval = PledgeInterval(rawValue: interval),
            case .number(let paidAt)? = fields["paidAt"], let paidAt = Double(paidAt),
            let name = JSONDocument.optionalString(fields["name"]), let locale = JSONDocument.optionalString(fields["locale"])
        else { return nil }
        var card: CardSummary?
        switch fields["card"] {
        case nil, .null?: card = nil
        case .object(let parts)?:
            guard case .string(let brand)? = parts["brand"], case .string(let last4)? = parts["last4"],
                let summary = CardSummary(brand: brand, last4: last4)
            else { return nil }
            card = summary
        default: return nil
        }
        self.init(
            pledgeID: pledgeID, publicID: publicID, address: address, name: name, amountMinor: amountMinor, currency: currency,
            interval: interval, card: card, paidAt: Date(timeIntervalSince1970: paidAt), locale: locale)
    }
}

/// Composes receipts: the amount formatted in its currency, the card's brand and last four
/// digits, and a signed link to the pledge's page (where a monthly pledge can be canceled).
public struct PledgeMessageComposer: MessageComposer {
    let templates: TemplateLibrary
    let signer: TokenSigner
    let publicURL: String
    let from: Mailbox
    let newsroom: String
    /// Receipts' templates rendered once per shape (``TemplateLibrary/parts(_:shape:values:key:cache:)``).
    let prepared = PreparedEmails()

    /// The message's Date is when its row was queued, so a retry and `masthead outbox show`
    /// give the same message as the first attempt.
    public init(templates: TemplateLibrary, signer: TokenSigner, publicURL: String, from: Mailbox, newsroom: String) {
        self.templates = templates
        self.signer = signer
        self.publicURL = publicURL
        self.from = from
        self.newsroom = newsroom
    }

    public var kinds: Set<String> { [PledgeReceipt.kind] }

    public func compose(_ item: OutboxItem) throws -> MailMessage {
        let receipt = try PledgeReceipt.decode(item.payload)
        guard let currency = Currency.named(receipt.currency) else {
            throw CompositionError("outbox row \(item.id): unknown currency \(receipt.currency)")
        }
        let token = signer.sign(.pledge, subject: receipt.pledgeID, address: receipt.address, at: receipt.paidAt, lifetime: nil)
        let (template, language) = templates.variant(of: "receipt", locale: receipt.locale)
        let day = Date.ISO8601FormatStyle().year().month().day()
        // What differs from one receipt to the next, as strings; a value a receipt lacks is false
        // in its shape (a section over it is skipped), and each combination is prepared once.
        let values: [String: String?] = [
            "name": receipt.name,
            "amount": Money(minorUnits: receipt.amountMinor, currency: currency).formatted(language: language ?? "en"),
            // Whole for the English text (and templates written before the parts existed);
            // in parts for a translation to phrase.
            "card": receipt.card?.display ?? "card",
            "card_brand": receipt.card.map { CardSummary.brandNames[$0.brand] ?? $0.brand },
            "card_last4": receipt.card?.last4,
            "paid_on": receipt.paidAt.formatted(day),
            "pledge": receipt.publicID,
            "manage_url": "\(publicURL)/v1/pledges/manage?token=\(token)" + (language.map { "&lang=\($0)" } ?? ""),
        ]
        var shape: [String: Any] = [
            "newsroom": newsroom,
            "recurring": receipt.interval.isRecurring,
            "monthly": receipt.interval == .monthly,
            "annual": receipt.interval == .annual,
        ]
        for (name, value) in values where value == nil { shape[name] = false }
        let host = URL(string: publicURL)?.host ?? from.domain
        return try templates.message(
            template, shape: shape, values: values.compactMapValues { $0 }, key: receipt.interval.rawValue, cache: prepared,
            item: item, from: from, host: host, language: language)
    }
}
