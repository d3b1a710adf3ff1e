import AdminAccess
import Foundation
import Hummingbird
import Webhooks

/// `/admin/v1/webhooks…`: the endpoints and their delivery log through
/// ``WebhookAdministration``, as `masthead webhooks` does. A signing secret is in an answer
/// only when it was just made (add, rotate-secret), as the CLI prints it only then.
struct AdminWebhooksController: Sendable {
    let webhooks: WebhookAdministration
    let bodyLimit: Int

    func add(to routes: RouteCollection<MastheadRequestContext>) {
        routes.get("webhooks") { _, context in try await list(context) }
        routes.post("webhooks") { request, context in try await add(request, context) }
        routes.get("webhooks/:id") { _, context in try await show(context) }
        routes.delete("webhooks/:id") { _, context in try await remove(context) }
        routes.post("webhooks/:id/pause") { _, context in try await change(context) { try await webhooks.pause($0, actor: $1) } }
        routes.post("webhooks/:id/resume") { _, context in try await change(context) { try await webhooks.resume($0, actor: $1) } }
        routes.post("webhooks/:id/rotate-secret") { request, context in try await rotate(request, context) }
        routes.post("webhooks/:id/test") { _, context in try await test(context) }
        routes.get("webhooks/:id/deliveries") { request, context in try await deliveries(request, context) }
        routes.post("webhooks/:id/replay-failed") { _, context in try await replayFailed(context) }
        routes.post("webhooks/deliveries/:id/replay") { _, context in try await replay(context) }
    }

    struct Endpoints: Encodable { let data: [EndpointRow] }

    func list(_ context: MastheadRequestContext) async throws -> Response {
        _ = try AdminRoute.require(.webhooksRead, context)
        return try AdminRoute.json(Endpoints(data: try await webhooks.endpoints().map(EndpointRow.init)))
    }

    func show(_ context: MastheadRequestContext) async throws -> Response {
        _ = try AdminRoute.require(.webhooksRead, context)
        return try AdminRoute.json(EndpointRow(try await webhooks.endpoint(try AdminRoute.id("id", context))))
    }

    struct Addition: Decodable {
        let url: String
        let events: [String]
        let description: String?
        let secret: String?
    }

    /// An endpoint with the secret it signs with, shown this once.
    struct WithSecret: Encodable {
        let endpoint: EndpointRow
        let secret: String
    }

    func add(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let token = try AdminRoute.require(.webhooksWrite, context)
        let body = try await AdminRoute.body(Addition.self, of: request, limit: bodyLimit)
        let endpoint = try await webhooks.add(
            url: body.url, events: body.events, description: body.description, secret: body.secret, actor: token.actor)
        return try AdminRoute.json(status: .created, WithSecret(endpoint: EndpointRow(endpoint), secret: endpoint.secret))
    }

    struct Removed: Encodable { let removed: Int64 }

    func remove(_ context: MastheadRequestContext) async throws -> Response {
        let token = try AdminRoute.require(.webhooksWrite, context)
        let id = try AdminRoute.id("id", context)
        try await webhooks.remove(id, actor: token.actor)
        return try AdminRoute.json(Removed(removed: id))
    }

    func change(
        _ context: MastheadRequestContext, _ operation: (Int64, String) async throws -> WebhookEndpoint
    ) async throws -> Response {
        let token = try AdminRoute.require(.webhooksWrite, context)
        return try AdminRoute.json(EndpointRow(try await operation(try AdminRoute.id("id", context), token.actor)))
    }

    struct Rotation: Decodable {
        let secret: String?
        let overlapHours: Int?
    }

    func rotate(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let token = try AdminRoute.require(.webhooksWrite, context)
        let id = try AdminRoute.id("id", context)
        let body = try await AdminRoute.body(Rotation.self, of: request, limit: bodyLimit)
        let hours = body.overlapHours ?? 24
        guard (0...720).contains(hours) else {
            throw ProblemDetails.validation(field: "overlap_hours", code: "out_of_range", "overlap_hours must be from 0 to 720.")
        }
        let endpoint = try await webhooks.rotateSecret(id, to: body.secret, overlap: .seconds(hours * 3600), actor: token.actor)
        return try AdminRoute.json(WithSecret(endpoint: EndpointRow(endpoint), secret: endpoint.secret))
    }

    struct Tested: Encodable {
        let delivery: Int64
        let delivered: Bool
        let status: Int?
        let error: String?
    }

    /// Sends `webhook.test` now; the answer says what the receiver did (200 either way: the
    /// request to Masthead succeeded).
    func test(_ context: MastheadRequestContext) async throws -> Response {
        _ = try AdminRoute.require(.webhooksWrite, context)
        let (delivery, outcome) = try await webhooks.test(try AdminRoute.id("id", context))
        switch outcome {
        case .delivered(let status): return try AdminRoute.json(Tested(delivery: delivery, delivered: true, status: status, error: nil))
        case .failed(let failure):
            return try AdminRoute.json(Tested(delivery: delivery, delivered: false, status: failure.status, error: failure.error))
        }
    }

    struct Deliveries: Encodable { let data: [DeliveryRow] }

    func deliveries(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        _ = try AdminRoute.require(.webhooksRead, context)
        let query = AdminQuery(request)
        let records = try await webhooks.deliveries(
            endpoint: try AdminRoute.id("id", context), failedOnly: try query.bool("failed"),
            limit: try query.int("limit", default: 100, in: 1...1000))
        return try AdminRoute.json(Deliveries(data: records.map(DeliveryRow.init)))
    }

    struct Replayed: Encodable { let replayed: Int }

    func replay(_ context: MastheadRequestContext) async throws -> Response {
        _ = try AdminRoute.require(.webhooksWrite, context)
        return try AdminRoute.json(Replayed(replayed: try await webhooks.replay([try AdminRoute.id("id", context)])))
    }

    func replayFailed(_ context: MastheadRequestContext) async throws -> Response {
        _ = try AdminRoute.require(.webhooksWrite, context)
        return try AdminRoute.json(Replayed(replayed: try await webhooks.replayFailed(endpoint: try AdminRoute.id("id", context))))
    }
}
