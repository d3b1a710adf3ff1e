public import Foundation

/// What `masthead pledges sync` did: the recurring pledges it started and the provider events
/// it applied, each with its outcome.
public struct PledgeSyncReport: Sendable {
    /// Recurring pledges whose card was saved but whose page was closed before it posted back.
    public var started: [Pledge] = []
    /// Every event the provider listed, oldest first, with what applying it did (`replayed`
    /// for one whose webhook had arrived).
    public var events: [(event: PaymentEvent, outcome: PaymentEventOutcome)] = []

    /// The events that changed something: a move or a payment recorded.
    public var changes: [(event: PaymentEvent, outcome: PaymentEventOutcome)] {
        events.filter {
            switch $0.outcome {
            case .moved, .recorded: true
            default: false
            }
        }
    }
}

extension PledgeService {
    /// How far back the provider keeps its events (Stripe: 30 days), so how far back a sync reaches.
    public static let syncWindow: TimeInterval = PaymentEvent.oldestAccepted

    /// Repairs what lost webhooks left behind: starts the recurring pledges made since `since`
    /// whose card was saved but never posted back, then applies every provider event since
    /// `since` exactly as its webhook would have been applied. Events already applied are
    /// replays and change nothing, so a sync can run as often as wanted (from cron, say).
    public func sync(since: Date) async throws -> PledgeSyncReport {
        var report = PledgeSyncReport()
        for pledge in try await store.pledges(status: .pending, since: since, limit: 100_000) where pledge.interval.isRecurring {
            if let result = try await startRecurring(publicID: pledge.publicID), result.started { report.started.append(result.pledge) }
        }
        let events: [PaymentEvent]
        do {
            events = try await provider.events(since: since)
        } catch {
            throw PaymentProviderUnavailable(reason: "\(error)")
        }
        for event in events {
            // Dated as the provider dated it: an event older than the window is one a webhook would not take either.
            guard let checked = try? event.checked(at: now()) else { continue }
            report.events.append((checked, try await apply(checked)))
        }
        return report
    }
}
