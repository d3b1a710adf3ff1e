import AdminAccess
import Foundation
import Hummingbird
import SubscriberLists

/// `/admin/v1/newsletters…` (list, create, update, archive) through ``NewsletterCatalog``, and
/// `/admin/v1/stats` (counts per state, opt-in rate, growth) through ``SubscriberDirectory``,
/// as `masthead newsletters` does.
struct AdminCatalogController: Sendable {
    let catalog: NewsletterCatalog
    let directory: SubscriberDirectory
    let bodyLimit: Int

    func add(to routes: RouteCollection<MastheadRequestContext>) {
        routes.get("newsletters") { request, context in try await list(request, context) }
        routes.post("newsletters") { request, context in try await create(request, context) }
        routes.patch("newsletters/:slug") { request, context in try await update(request, context) }
        routes.post("newsletters/:slug/archive") { _, context in try await archive(context) }
        routes.get("stats") { request, context in try await stats(request, context) }
    }

    struct Newsletters: Encodable { let data: [Newsletter] }

    /// Every newsletter, archived ones too unless `include_archived=false`.
    func list(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        _ = try AdminRoute.require(.newslettersRead, context)
        let archived = AdminQuery(request).string("include_archived") != "false"
        return try AdminRoute.json(Newsletters(data: try await catalog.list(includingArchived: archived)))
    }

    struct Creation: Decodable {
        let slug: String
        let name: String
        let description: String?
        let visibility: Newsletter.Visibility?
        let optIn: Newsletter.OptIn?
    }

    func create(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let token = try AdminRoute.require(.newslettersWrite, context)
        let body = try await AdminRoute.body(Creation.self, of: request, limit: bodyLimit)
        let newsletter = try await catalog.create(
            NewsletterDraft(
                slug: body.slug, name: body.name, description: body.description ?? "", visibility: body.visibility ?? .public,
                optIn: body.optIn ?? .double),
            actor: token.actor)
        return try AdminRoute.json(status: .created, newsletter)
    }

    struct Changes: Decodable {
        let name: String?
        let description: String?
        let visibility: Newsletter.Visibility?
        let optIn: Newsletter.OptIn?
    }

    func update(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        let token = try AdminRoute.require(.newslettersWrite, context)
        let slug = try AdminRoute.parameter("slug", context)
        let body = try await AdminRoute.body(Changes.self, of: request, limit: bodyLimit)
        let newsletter = try await catalog.update(
            slug: slug, changes: NewsletterChanges(name: body.name, description: body.description, visibility: body.visibility, optIn: body.optIn),
            actor: token.actor)
        return try AdminRoute.json(newsletter)
    }

    func archive(_ context: MastheadRequestContext) async throws -> Response {
        let token = try AdminRoute.require(.newslettersWrite, context)
        return try AdminRoute.json(try await catalog.archive(slug: try AdminRoute.parameter("slug", context), actor: token.actor))
    }

    struct Stats: Encodable {
        /// Memberships per state (of the newsletter asked for, or of all).
        let counts: [String: Int]
        let newsletters: [NewsletterStats]
    }

    func stats(_ request: Request, _ context: MastheadRequestContext) async throws -> Response {
        _ = try AdminRoute.require(.statsRead, context)
        let query = AdminQuery(request)
        let newsletter = query.string("newsletter")
        let days = try query.int("days", default: 30, in: 1...3650)
        let counts = try await directory.count(newsletter: newsletter)
        return try AdminRoute.json(Stats(
            counts: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
            newsletters: try await directory.stats(newsletter: newsletter, days: days)))
    }
}
