public import Foundation
public import Signing

/// The envelope sender (SMTP `MAIL FROM`) each message leaves with: a VERP address naming the
/// message (`bounces+<token>@DOMAIN`), so a bounce or complaint that comes back says which
/// message, and so which address, it is about (`masthead bounces ingest`).
public struct ReturnPath: Sendable {
    public let verp: BounceAddress
    /// Where bounces go: the From domain unless `MASTHEAD_BOUNCE_DOMAIN` names another.
    public let domain: String

    public init(verp: BounceAddress, domain: String) {
        self.verp = verp
        self.domain = domain
    }

    /// The return path of outbox row `item`.
    public func address(for item: OutboxItem, at time: Date) -> String {
        verp.returnPath(outboxID: item.id, recipient: item.recipient, domain: domain, at: time)
    }
}
