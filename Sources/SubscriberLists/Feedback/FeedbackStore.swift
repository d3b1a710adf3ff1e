public import Foundation

/// Where bounce and complaint reports are applied. Implementations: `SQLiteStore`,
/// `PostgresStore` (migration 0009, table `bounce_reports`).
public protocol FeedbackStore: Sendable {
    /// In one transaction: reads the address's memberships and the soft bounces counted in the
    /// policy's window, decides with ``FeedbackPlan/deciding(_:subscriber:members:softBounces:policy:)``,
    /// and writes the plan (states, suppression, the report kept, its effects).
    func applyFeedback(_ feedback: AddressFeedback, policy: SoftBouncePolicy) async throws -> FeedbackPlan.Outcome

    /// The reports kept so far by kind, and per newsletter the messages sent to its readers and
    /// the complaints about them since `start` (for `/metrics`).
    func feedbackStatistics(since start: Date) async throws -> FeedbackStatistics
}

/// What `/metrics` shows of bounces and complaints; read from the database at each scrape, so
/// the reports `masthead bounces ingest` took in (another process) count too.
public struct FeedbackStatistics: Sendable, Equatable {
    /// How far back the per-newsletter counts look: a week, long enough that a newsroom's
    /// transactional volume gives a rate worth reading, short enough to show a change.
    public static let window: TimeInterval = 7 * 24 * 3600

    public struct Newsletter: Sendable, Equatable {
        public var slug: String
        /// Messages sent in the window to readers who are (or were) on the newsletter.
        public var sent: Int
        /// Its memberships ended by a complaint in the window.
        public var complaints: Int

        public init(slug: String, sent: Int, complaints: Int) {
            self.slug = slug
            self.sent = sent
            self.complaints = complaints
        }

        /// Complaints per message sent; 0 before anything was sent.
        public var complaintRate: Double { sent == 0 ? 0 : Double(complaints) / Double(sent) }
    }

    /// Every report kept, by kind (`hard`, `soft`, `complaint`, `unsubscribe`).
    public var reports: [String: Int]
    public var newsletters: [Newsletter]

    public init(reports: [String: Int], newsletters: [Newsletter]) {
        self.reports = reports
        self.newsletters = newsletters
    }
}
