import AdminAccess
import Foundation
import Hummingbird
import SubscriberLists

/// `/admin/v1/subscribers…`: list (cursor pagination), search, look up, add, unsubscribe,
/// erase and the access report, through ``SubscriberDirectory`` as `masthead subscribers` does.
struct AdminSubscribersController: Sendable {
    let directory: SubscriberDirectory
    let bodyLimit: Int

    func add(to routes: RouteCollection<MastheadRequestContext>) {
        routes.get("subscribers") { request, context in try await list(request, context) }
        routes.post("subscribers") { request, context in try await add(request, context) }
        routes.get("subscribers/search") { request, context in try await search(request, context) }
        routes.get("subscribers/:email") { _, context in try await show(context) }
        routes.delete("subscribers/:email") { _, context in try await erase(context) }
        routes.post("subscribers/:email/unsubscribe") { request, context in try await unsubscribe(request, context) }
        routes.get("subscribers/:email/access") { _, context in try await access(context) }
    }

    /// A page of memberships and where the next one starts (absent on the last page).
    struct Page: Encodable {
        let data: [MembershipRow]
        let nextCursor: String?
    }

    func list(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        _ = try AdminRoute.require(.subscribersRead, context)
        let query = AdminQuery(request)
        let limit = try query.int("limit", default: 100, in: 1...1000)
        var cursor: Int64 = 0
        if let text = query.string("cursor") {
            guard let value = Int64(text), value > 0 else {
                throw ProblemDetails.validation(field: "cursor", code: "invalid", "cursor must be a next_cursor this API returned.")
            }
            cursor = value
        }
        let rows = try await directory.page(
            newsletter: query.string("newsletter"), state: try query.value("state", as: SubscriptionStatus.self),
            updatedSince: try query.date("updated_since"), after: cursor, limit: limit)
        let next = rows.count == limit ? rows.last.map { String($0.subscriptionID) } : nil
        return try AdminRoute.json(Page(data: rows, nextCursor: next))
    }

    struct Rows: Encodable { let data: [MembershipRow] }

    func search(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        _ = try AdminRoute.require(.subscribersRead, context)
        let query = AdminQuery(request)
        let rows = try await directory.find(SubscriberSearch(
            emailContains: query.string("q"), domain: query.string("domain"), newsletter: query.string("newsletter"),
            state: try query.value("state", as: SubscriptionStatus.self), since: try query.date("since"),
            limit: try query.int("limit", default: 100, in: 1...1000)))
        return try AdminRoute.json(Rows(data: rows))
    }

    func show(_ context: MastheadRequestContext) async throws -> Response {
        _ = try AdminRoute.require(.subscribersRead, context)
        return try AdminRoute.json(try await directory.show(try AdminRoute.parameter("email", context)))
    }

    struct Addition: Decodable {
        let email: String
        let newsletter: String
        let confirmed: Bool?
        let basis: String?
    }

    struct Added: Encodable {
        let email: String
        let newsletter: String
        let status: String
        let changed: Bool
        let confirmationQueued: Bool
    }

    /// Adds an address to a newsletter: confirmed at once only with a stated basis for consent,
    /// else pending with a confirmation email. 201 when something changed, 200 when not.
    func add(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let token = try AdminRoute.require(.subscribersWrite, context)
        let addition = try await AdminRoute.body(Addition.self, of: request, limit: bodyLimit)
        let change = try await directory.add(
            addition.email, newsletter: addition.newsletter, confirmed: addition.confirmed ?? false, basis: addition.basis,
            actor: token.actor)
        switch change {
        case .changed(let status, let queued):
            return try AdminRoute.json(
                status: .created,
                Added(email: addition.email, newsletter: addition.newsletter, status: status.rawValue, changed: true, confirmationQueued: queued))
        case .unchanged(let status):
            return try AdminRoute.json(
                Added(email: addition.email, newsletter: addition.newsletter, status: status.rawValue, changed: false, confirmationQueued: false))
        case .suppressed(let reason):
            throw SubscriberError.suppressed(reason)
        }
    }

    struct Unsubscription: Decodable { let newsletters: [String]? }
    struct Unsubscribed: Encodable { let unsubscribed: [String] }

    /// Unsubscribes from the newsletters named (every one when none is).
    func unsubscribe(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let token = try AdminRoute.require(.subscribersWrite, context)
        let email = try AdminRoute.parameter("email", context)
        let body = try await AdminRoute.body(Unsubscription.self, of: request, limit: bodyLimit)
        let changed = try await directory.unsubscribe(email, newsletters: body.newsletters ?? [], actor: token.actor)
        return try AdminRoute.json(Unsubscribed(unsubscribed: changed))
    }

    struct Erased: Encodable { let erased: Bool }

    /// The right to erasure, as `masthead subscribers erase`: 404 when the address is unknown.
    func erase(_ context: MastheadRequestContext) async throws -> Response {
        let token = try AdminRoute.require(.subscribersWrite, context)
        guard try await directory.erase(try AdminRoute.parameter("email", context), actor: token.actor) else {
            throw SubscriberError.unknownSubscriber("")
        }
        return try AdminRoute.json(Erased(erased: true))
    }

    func access(_ context: MastheadRequestContext) async throws -> Response {
        _ = try AdminRoute.require(.subscribersRead, context)
        return try AdminRoute.json(try await directory.access(try AdminRoute.parameter("email", context)))
    }
}
