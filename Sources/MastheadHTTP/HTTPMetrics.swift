import AbuseDefence
import Foundation
import Signing
import DatabaseHealth
import Mail
import SubscriberLists
public import Prometheus
import Synchronization


/// The HTTP and database series `/metrics` exposes (Prometheus text format).
///
/// Routes are labelled by their template (`/v1/confirm`), never by the raw path, so a
/// scanner requesting random URLs cannot grow the number of series.
public struct HTTPMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    /// Each route's request counter and latency histogram, found once: the registry's
    /// lookup by name and labels cost about 3 µs a request.
    private let requestSeries = RequestSeries()

    // A computed property: the descriptor type is not Sendable.
    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "http", metricName: "requests", unitName: "total",
            helpText: "Answered HTTP requests by route template, method and status.")
    }
    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "http", metricName: "request_duration", unitName: "seconds",
            helpText: "Time from the request head to the response, by route template and method.")
    }
    static var readersMax: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "db_pool", metricName: "readers_max", unitName: "",
            helpText: "Reader connections the database pool may open.")
    }
    static var readsInFlight: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "db_pool", metricName: "reads_in_flight", unitName: "",
            helpText: "Read transactions running or waiting for a reader connection.")
    }
    static var writesInFlight: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "db_pool", metricName: "writes_in_flight", unitName: "",
            helpText: "Write transactions running or waiting for the writer connection.")
    }

    static var outboxDepth: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "outbox", metricName: "queue_depth", unitName: "",
            helpText: "Messages queued or being sent.")
    }
    static var outboxDead: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "outbox", metricName: "dead", unitName: "",
            helpText: "Messages given up on (dead letters).")
    }
    static var outboxOldest: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "outbox", metricName: "oldest_waiting_age", unitName: "seconds",
            helpText: "Age of the oldest message still waiting (0 when none is).")
    }

    static var feedbackReports: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "mail", metricName: "feedback_reports", unitName: "",
            helpText: "Bounce, complaint and unsubscribe reports kept, by kind (hard, soft, complaint, unsubscribe); counted in the database, so reports masthead bounces ingest took in count too.")
    }
    static var sentRecent: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "mail", metricName: "sent_7d", unitName: "",
            helpText: "Messages sent in the last 7 days to readers on the newsletter.")
    }
    static var complaintsRecent: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "mail", metricName: "complaints_7d", unitName: "",
            helpText: "The newsletter's memberships ended by a spam complaint in the last 7 days.")
    }
    static var complaintRate: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "mail", metricName: "complaint_rate", unitName: "",
            helpText: "complaints_7d / sent_7d per newsletter (Gmail and Yahoo want it under 0.003; Ops/prometheus alerts at 0.001 and 0.003).")
    }

    static var alertActive: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "abuse", metricName: "alerts_active", unitName: "",
            helpText: "Alerts this daemon's spike detector holds open, by kind (signup_rate, signup_network, signup_domain, confirmation_rate, payment_failures).")
    }
    static var challengeRequired: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "abuse", metricName: "challenge_required", unitName: "",
            helpText: "1 while a proof of work is required for the purpose (signup, pledge), else 0.")
    }
    static var lastMinute: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "abuse", metricName: "last_minute", unitName: "",
            helpText: "Events in the last minute, by signal (signups, confirmations, failed_payments).")
    }
    static var distinctSources: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "abuse", metricName: "distinct_sources", unitName: "",
            helpText: "Client networks (/24, IPv6 /48) and address domains (big mailbox providers aside) the last minute's sign-ups came from.")
    }
    static var baseline: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "abuse", metricName: "baseline_per_minute", unitName: "",
            helpText: "The detector's slow baseline, events a minute, by signal.")
    }
    static var budgetSpent: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "mail", metricName: "confirmation_budget_spent", unitName: "",
            helpText: "Confirmation and already-subscribed emails sent this clock hour (the budget holds the rest).")
    }
    static var budgetLimit: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "mail", metricName: "confirmation_budget", unitName: "",
            helpText: "The confirmation budget per hour now (MASTHEAD_CONFIRMATION_BUDGET).")
    }

    static var pledgesRefused: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "masthead", subsystem: "pledges", metricName: "refused", unitName: "total",
            helpText: "Pledges refused by the card-testing limits, by the limit reached.")
    }

    /// Latency buckets from 1 ms to 10 s: sign-ups are expected in single milliseconds.
    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .seconds(2.5), .seconds(10),
    ]

    /// Creates the metrics over a registry.
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Counts one answered request and records its latency.
    func record(route: String, method: String, status: Int, duration: Duration) {
        let series = requestSeries.series(route: route, method: method, status: status) {
            (
                registry.makeCounter(
                    descriptor: Self.requests, labels: [("route", route), ("method", method), ("status", String(status))]),
                registry.makeDurationHistogram(
                    descriptor: Self.duration, labels: [("route", route), ("method", method)], buckets: Self.latencyBuckets)
            )
        }
        series.requests.increment()
        series.duration.recordNanoseconds(duration.nanoseconds)
    }

    /// Counts one pledge refused by a card-testing limit (`declines_from_client`, …).
    func countRefusedPledge(reason: String) {
        registry.makeCounter(descriptor: Self.pledgesRefused, labels: [("reason", reason)]).increment()
    }

    /// Sets the database pool gauges to the store's current activity.
    func observe(pool: PoolStatistics) {
        registry.makeGauge(descriptor: Self.readersMax).set(Double(pool.maximumReaders))
        registry.makeGauge(descriptor: Self.readsInFlight).set(Double(pool.readsInFlight))
        registry.makeGauge(descriptor: Self.writesInFlight).set(Double(pool.writesInFlight))
    }

    /// Sets the outbox gauges.
    func observe(outbox: OutboxQueueStatistics) {
        registry.makeGauge(descriptor: Self.outboxDepth).set(Double(outbox.depth))
        registry.makeGauge(descriptor: Self.outboxDead).set(Double(outbox.dead))
        registry.makeGauge(descriptor: Self.outboxOldest).set(outbox.oldestWaiting ?? 0)
    }

    /// Sets the abuse defence's gauges: open alerts, whether a challenge is required, the
    /// detector's rates, the confirmation budget.
    func observe(abuse: AbuseMonitor, budget: SendingBudget?, at now: Date) {
        let active = abuse.detector?.activeAlerts ?? []
        for kind in AlertKind.allCases {
            registry.makeGauge(descriptor: Self.alertActive, labels: [("kind", kind.rawValue)])
                .set(Double(active.filter { $0.kind == kind }.count))
        }
        for purpose in ChallengePurpose.allCases {
            registry.makeGauge(descriptor: Self.challengeRequired, labels: [("purpose", purpose.description)])
                .set(abuse.challengeRequired(purpose) ? 1.0 : 0.0)
        }
        if let detector = abuse.detector {
            for signal in TrafficSignal.allCases {
                let rate = detector.rate(of: signal, at: now)
                registry.makeGauge(descriptor: Self.lastMinute, labels: [("signal", signal.rawValue)]).set(Double(rate.lastMinute))
                registry.makeGauge(descriptor: Self.baseline, labels: [("signal", signal.rawValue)]).set(rate.baseline)
            }
            let sources = detector.distinctSources(at: now)
            registry.makeGauge(descriptor: Self.distinctSources, labels: [("of", "network")]).set(Double(sources.networks))
            registry.makeGauge(descriptor: Self.distinctSources, labels: [("of", "domain")]).set(Double(sources.domains))
        }
        if let budget {
            registry.makeGauge(descriptor: Self.budgetSpent).set(Double(budget.spent(at: now)))
            registry.makeGauge(descriptor: Self.budgetLimit).set(Double(budget.limit() ?? 0))
        }
    }

    /// Sets the bounce and complaint gauges.
    func observe(feedback: FeedbackStatistics) {
        for kind in ["hard", "soft", "complaint", "unsubscribe"] {
            registry.makeGauge(descriptor: Self.feedbackReports, labels: [("kind", kind)]).set(Double(feedback.reports[kind] ?? 0))
        }
        for newsletter in feedback.newsletters {
            let labels = [("newsletter", newsletter.slug)]
            registry.makeGauge(descriptor: Self.sentRecent, labels: labels).set(Double(newsletter.sent))
            registry.makeGauge(descriptor: Self.complaintsRecent, labels: labels).set(Double(newsletter.complaints))
            registry.makeGauge(descriptor: Self.complaintRate, labels: labels).set(newsletter.complaintRate)
        }
    }

    /// The registry in Prometheus text exposition format.
    func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}

extension Duration {
    /// The whole duration in nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// The request series already made, by route, method and status. It holds no more than the
/// registry itself does: one entry per series.
private final class RequestSeries: Sendable {
    struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }
    typealias Series = (requests: Counter, duration: DurationHistogram)

    private let made = Mutex<[Key: Series]>([:])

    func series(route: String, method: String, status: Int, make: () -> Series) -> Series {
        let key = Key(route: route, method: method, status: status)
        if let series = made.withLock({ $0[key] }) { return series }
        // Made outside the lock: the registry returns the same series to a second caller.
        let series = make()
        made.withLock { $0[key] = series }
        return series
    }
}
