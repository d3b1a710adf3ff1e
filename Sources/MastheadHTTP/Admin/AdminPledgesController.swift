import AdminAccess
import DonationPledges
import Foundation
import Hummingbird
import Mail

/// `/admin/v1/pledges…` (list, summary, one with its history) and `/admin/v1/outbox…` (list,
/// retry), read and changed as `masthead pledges` and `masthead outbox` do.
struct AdminPledgesController: Sendable {
    let pledges: any PledgeStore
    let outbox: any OutboxAdministration
    let now: @Sendable () -> Date

    func add(to routes: RouteCollection<MastheadRequestContext>) {
        routes.get("pledges") { request, context in try await list(request, context) }
        routes.get("pledges/summary") { request, context in try await summary(request, context) }
        routes.get("pledges/:pledge") { _, context in try await show(context) }
        routes.get("outbox") { request, context in try await outboxList(request, context) }
        routes.post("outbox/:id/retry") { _, context in try await retry(context) }
        routes.post("outbox/retry-dead") { _, context in try await retryDead(context) }
    }

    struct Pledges: Encodable { let data: [PledgeRow] }

    /// Newest first, narrowed by `status` and `since`.
    func list(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        _ = try AdminRoute.require(.pledgesRead, context)
        let query = AdminQuery(request)
        let rows = try await pledges.pledges(
            status: try query.value("status", as: PledgeStatus.self), since: try query.date("since"),
            limit: try query.int("limit", default: 100, in: 1...1000))
        return try AdminRoute.json(Pledges(data: rows.map(PledgeRow.init)))
    }

    struct Summary: Encodable { let data: [PledgeSummaryRow] }

    func summary(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        _ = try AdminRoute.require(.pledgesRead, context)
        let query = AdminQuery(request)
        let rows = try await pledges.pledgeSummary(
            by: try query.value("by", as: PledgeSummaryGrouping.self) ?? .currency, since: try query.date("since"))
        return try AdminRoute.json(Summary(data: rows))
    }

    struct Shown: Encodable {
        let pledge: PledgeRow
        let history: [PledgeHistoryEntry]
    }

    func show(_ context: MastheadRequestContext) async throws -> Response {
        _ = try AdminRoute.require(.pledgesRead, context)
        guard let pledge = try await pledges.pledge(publicID: try AdminRoute.parameter("pledge", context)) else {
            throw ProblemDetails(status: .notFound, detail: "No pledge has this id.")
        }
        return try AdminRoute.json(Shown(pledge: PledgeRow(pledge), history: try await pledges.pledgeHistory(id: pledge.id)))
    }

    struct Entries: Encodable { let data: [OutboxEntry] }

    func outboxList(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        _ = try AdminRoute.require(.outboxRead, context)
        let query = AdminQuery(request)
        let entries = try await outbox.outboxEntries(
            state: try query.value("state", as: OutboxState.self), limit: try query.int("limit", default: 100, in: 1...1000))
        return try AdminRoute.json(Entries(data: entries))
    }

    struct Queued: Encodable { let queued: Int }

    /// Queues a dead message again (409 when it is not dead, 404 when there is none).
    func retry(_ context: MastheadRequestContext) async throws -> Response {
        let token = try AdminRoute.require(.outboxWrite, context)
        let id = try AdminRoute.id("id", context)
        guard try await outbox.outboxEntry(id) != nil else { throw ProblemDetails(status: .notFound, detail: "No outbox message \(id).") }
        guard try await outbox.retryOutboxEntry(id, at: now(), actor: token.actor) else {
            throw ProblemDetails(status: .conflict, detail: "Outbox message \(id) is sent or being sent; only dead or waiting messages are retried.")
        }
        return try AdminRoute.json(Queued(queued: 1))
    }

    func retryDead(_ context: MastheadRequestContext) async throws -> Response {
        let token = try AdminRoute.require(.outboxWrite, context)
        return try AdminRoute.json(Queued(queued: try await outbox.retryDeadOutboxEntries(at: now(), actor: token.actor)))
    }
}
