public import Foundation
import EmailAddress
public import Mail
public import Signing
public import SubscriberLists

/// Takes in one report that came back to a VERP return path (`masthead bounces ingest`, fed by
/// the MTA): finds the message it is about from the signed token in the envelope recipient —
/// never from what the report claims — reads what the report says, and applies it to the
/// address. Anything that is not ours, forged, too old or about a message no longer known is
/// ignored, so the MTA never bounces a bounce back.
public struct BounceIntake: Sendable {
    let verp: BounceAddress
    let outbox: any OutboxAdministration
    let store: any FeedbackStore
    let addressHash: @Sendable (String) -> String
    let policy: SoftBouncePolicy
    let now: @Sendable () -> Date

    public init(
        verp: BounceAddress, outbox: any OutboxAdministration, store: any FeedbackStore, addressHash: @escaping @Sendable (String) -> String,
        policy: SoftBouncePolicy, now: @escaping @Sendable () -> Date
    ) {
        self.verp = verp
        self.outbox = outbox
        self.store = store
        self.addressHash = addressHash
        self.policy = policy
        self.now = now
    }

    /// What became of a report.
    public enum Result: Sendable, Equatable {
        case ignored(String)
        case applied(AddressFeedback.Kind, status: String, FeedbackPlan.Outcome)
    }

    /// Reads `message`; `recipient` is the envelope recipient the MTA delivered it to (else the
    /// `Delivered-To` or `To` field that holds a return path).
    public func ingest(_ message: [UInt8], recipient: String?) async throws -> Result {
        guard let returnPath = recipient ?? Self.returnPathField(message) else { return .ignored("no return path among its recipients") }
        guard let opened = verp.open(returnPath, at: now()) else { return .ignored("not a valid, current return path: \(returnPath)") }
        guard let (entry, _) = try await outbox.outboxEntry(opened.outboxID) else {
            return .ignored("outbox message \(opened.outboxID) is no longer kept")
        }
        guard verp.isBound(opened, to: entry.recipient) else { return .ignored("outbox message \(opened.outboxID) went to someone else") }
        let kind: AddressFeedback.Kind
        let status: String
        let detail: String?
        switch DeliveryFeedback.read(message) {
        case .hardBounce(let code, let diagnostic): (kind, status, detail) = (.hardBounce, code, diagnostic)
        case .softBounce(let code, let diagnostic): (kind, status, detail) = (.softBounce, code, diagnostic)
        case .complaint(let type): (kind, status, detail) = (.complaint, type, nil)
        case .ignored(let reason): return .ignored(reason)
        }
        let address = Self.normalized(entry.recipient)
        let outcome = try await store.applyFeedback(
            AddressFeedback(
                kind: kind, address: address, addressHash: addressHash(address), outboxID: opened.outboxID, status: status, detail: detail,
                receivedAt: now()),
            policy: policy)
        return .applied(kind, status: status, outcome)
    }

    /// The address as the lists keep it; as typed, lower-cased, if it does not parse (a report
    /// is about an address that received mail, so it is one; this is only a fallback).
    static func normalized(_ address: String) -> String {
        (try? EmailAddress(parsing: address))?.normalized ?? address.lowercased()
    }

    /// The return path (`bounces+…@…`) in the report's own `Delivered-To`, `X-Original-To` or
    /// `To` field (not in the returned message it quotes), in that order.
    static func returnPathField(_ message: [UInt8]) -> String? {
        let text = String(decoding: message.prefix(64 * 1024), as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        let head = text.components(separatedBy: "\n\n").first?.replacingOccurrences(of: "\n ", with: " ").replacingOccurrences(of: "\n\t", with: " ")
        let lines = (head ?? "").split(separator: "\n")
        for name in ["delivered-to:", "x-original-to:", "to:"] {
            for line in lines where line.lowercased().hasPrefix(name) {
                if let found = line.firstMatch(of: /(?i)bounces\+[a-z2-7]+@[A-Za-z0-9.-]+/) { return String(found.output) }
            }
        }
        return nil
    }
}
