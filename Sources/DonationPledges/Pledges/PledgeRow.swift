import Foundation

/// A pledge as `masthead pledges` and the admin API show it: its public id, amount (formatted
/// and in minor units), who, and the card's brand and last four digits.
public struct PledgeRow: Encodable, Sendable {
    public let pledge: String
    public let status: String
    public let amount: String
    public let amountMinor: Int64
    public let currency: String
    public let interval: String
    public let tier: String
    public let email: String
    public let name: String
    public let card: String
    public let created: String

    public init(_ pledge: Pledge) {
        self.pledge = pledge.publicID
        status = pledge.status.rawValue
        amount = pledge.amount.formatted
        amountMinor = pledge.amount.minorUnits
        currency = pledge.amount.currency.code
        interval = pledge.interval.rawValue
        tier = pledge.tier ?? ""
        email = pledge.email
        name = pledge.name ?? ""
        card = pledge.card?.display ?? ""
        created = pledge.createdAt.formatted(.iso8601)
    }
}
