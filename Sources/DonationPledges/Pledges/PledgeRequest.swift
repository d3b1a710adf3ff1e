import Foundation
import Signing

/// A request to pledge, as a reader submitted it (the HTTP layer fills it from JSON or a form),
/// with the client it came from. Values are as typed: ``PledgeService/prepare(_:)`` checks them.
public struct PledgeRequest: Sendable {
    public var email: String?
    public var name: String?
    /// A custom amount as people write it (`5`, `5.00`).
    public var amount: String?
    /// A custom amount in minor units, digits only (`500`), as scripts send it.
    public var amountMinor: String?
    public var currency: String?
    /// `once` (the default), `monthly` or `annual`.
    public var interval: String?
    public var tier: String?
    /// Where the checkout sends the reader back (one of the site's own pages).
    public var returnURL: String?
    /// Newsletters the reader also asked to join.
    public var newsletters: [String]
    public var source: String?
    public var locale: String?
    /// Every other submitted field, by name: never read, only scanned for card numbers and made
    /// part of the request's fingerprint (a retry must send the same fields).
    public var otherFields: [String: [String]]
    public var idempotencyKey: String?
    public var clientIP: String?
    public var userAgent: String?

    /// Creates a request.
    public init(
        email: String? = nil, name: String? = nil, amount: String? = nil, amountMinor: String? = nil, currency: String? = nil,
        interval: String? = nil, tier: String? = nil, returnURL: String? = nil, newsletters: [String] = [], source: String? = nil,
        locale: String? = nil, otherFields: [String: [String]] = [:], idempotencyKey: String?, clientIP: String?, userAgent: String?
    ) {
        self.email = email
        self.name = name
        self.amount = amount
        self.amountMinor = amountMinor
        self.currency = currency
        self.interval = interval
        self.tier = tier
        self.returnURL = returnURL
        self.newsletters = newsletters
        self.source = source
        self.locale = locale
        self.otherFields = otherFields
        self.idempotencyKey = idempotencyKey
        self.clientIP = clientIP
        self.userAgent = userAgent
    }

    /// The names of the typed fields, as errors name them (and as the API spells them).
    public static let fieldNames: Set<String> = [
        "email", "name", "amount", "amount_minor", "currency", "interval", "tier", "return_url", "newsletter_opt_in", "source",
        "locale",
    ]

    /// Every submitted value with its field's name, sorted by name.
    var namedValues: [(name: String, value: String)] {
        var fields = otherFields
        let single: [(String, String?)] = [
            ("email", email), ("name", name), ("amount", amount), ("amount_minor", amountMinor), ("currency", currency),
            ("interval", interval), ("tier", tier), ("return_url", returnURL), ("source", source), ("locale", locale),
        ]
        for (name, value) in single { if let value { fields[name] = [value] } }
        if !newsletters.isEmpty { fields["newsletter_opt_in"] = newsletters }
        return fields.sorted { $0.key < $1.key }.flatMap { field in field.value.map { (field.key, $0) } }
    }

    /// The first field, or stored header, holding something that looks like a card number: every
    /// string a pledge keeps or logs is scanned, the `Idempotency-Key` and `User-Agent` too. A key
    /// that is a UUID (what scripts send) is not: its hex groups can line up as digits that pass
    /// the check, and no one types a card number in UUID form.
    var fieldWithCardNumber: String? {
        let key = idempotencyKey.flatMap { UUID(uuidString: $0) == nil ? $0 : nil }
        let headers = [("Idempotency-Key", key), ("User-Agent", userAgent)].compactMap { name, value in
            value.map { (name: name, value: $0) }
        }
        return (namedValues + headers).first { CardNumberDetector.containsCardNumber($0.value) }?.name
    }

    func checkedIdempotencyKey() throws(IdempotencyError) -> String {
        guard let key = idempotencyKey, !key.isEmpty else { throw .missingKey }
        guard key.utf8.count <= 255, key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .invalidKey }
        return key
    }

    /// A hash of the request's fields in a canonical order: "the same body" whatever the field
    /// order or encoding (JSON or form).
    var fingerprint: String {
        var canonical = ""
        for (name, value) in namedValues { canonical += "\(name.utf8.count):\(name)=\(value.utf8.count):\(value)\n" }
        return HMACSHA256.hexDigest(Array(canonical.utf8), key: Array("masthead/idempotency/v1".utf8))
    }
}

/// The `Idempotency-Key` header is missing, malformed, or was used for another request.
public enum IdempotencyError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingKey, invalidKey, keyReused

    public var description: String {
        switch self {
        case .missingKey: "An Idempotency-Key header is required (a random value per pledge, reused when retrying)."
        case .invalidKey: "The Idempotency-Key must be 1-255 printable ASCII characters."
        case .keyReused: "This Idempotency-Key was used for a different request; use a new key for a new pledge."
        }
    }
}
