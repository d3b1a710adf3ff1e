import AbuseDefence
import DatabaseHealth
import Foundation
import Hummingbird
import Logging
import Mail
import SubscriberLists

/// The endpoints operators and their tools call: liveness, readiness, metrics and the API description.
struct OperationsController: Sendable {
    let database: any DatabaseProbe
    let outbox: any OutboxAdministration
    let feedback: any FeedbackStore
    let abuse: AbuseMonitor
    let budget: SendingBudget?
    let now: @Sendable () -> Date
    let metrics: HTTPMetrics

    /// `GET /healthz`, `GET /readyz`, `GET /metrics`, `GET /openapi.yaml`.
    var endpoints: RouteCollection<MastheadRequestContext> {
        let routes = RouteCollection(context: MastheadRequestContext.self)
        routes.get("healthz") { _, _ in Self.plainText("ok\n") }
        routes.get("readyz") { _, context in try await readiness(context: context) }
        routes.get("metrics") { _, _ in try await renderMetrics() }
        routes.get("openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_yaml)))
        }
        return routes
    }

    /// 200 when a fresh connection reads the database and its schema is current, else 503.
    /// The reason goes to the log only: probes are often reachable from outside.
    func readiness(context: MastheadRequestContext) async throws -> Response {
        switch await database.readiness() {
        case .ready:
            return Self.plainText("ready\n")
        case .notReady(let reason):
            context.logger.warning("not ready", metadata: ["reason": "\(reason)"])
            throw ProblemDetails(status: .serviceUnavailable, detail: "The service is not ready to take requests.")
        }
    }

    func renderMetrics() async throws -> Response {
        metrics.observe(pool: database.poolStatistics)
        metrics.observe(outbox: try await outbox.outboxQueueStatistics(at: Date()))
        metrics.observe(feedback: try await feedback.feedbackStatistics(since: now().addingTimeInterval(-FeedbackStatistics.window)))
        metrics.observe(abuse: abuse, budget: budget, at: now())
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
    }

    static func plainText(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
