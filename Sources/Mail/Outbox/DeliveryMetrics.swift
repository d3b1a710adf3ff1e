import CoreMetrics
import Foundation

/// Delivery counters and the send-latency histogram, through swift-metrics so the daemon's
/// Prometheus registry (or any other backend) receives them.
struct DeliveryMetrics: Sendable {
    let sent: Counter
    let failed: Counter
    let retried: Counter
    let dead: Counter
    /// Messages put back by the sending budget (each time one is held).
    let held: Counter
    let latency: CoreMetrics.Timer

    init(factory: any MetricsFactory) {
        sent = Counter(label: "masthead_mail_sent_total", factory: factory)
        failed = Counter(label: "masthead_mail_failed_total", factory: factory)
        retried = Counter(label: "masthead_mail_retried_total", factory: factory)
        dead = Counter(label: "masthead_mail_dead_total", factory: factory)
        held = Counter(label: "masthead_mail_held_total", factory: factory)
        latency = CoreMetrics.Timer(label: "masthead_mail_send_duration_seconds", factory: factory)
    }
}
