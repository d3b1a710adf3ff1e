import Hummingbird
import SubscriberLists

/// `GET /v1/newsletters`: the public catalogue (public, not archived), for sign-up forms.
struct NewslettersController: Sendable {
    let store: any NewsletterStore

    var endpoints: RouteCollection<MastheadRequestContext> {
        let routes = RouteCollection(context: MastheadRequestContext.self)
        routes.get("v1/newsletters") { _, _ in try await catalogue() }
        return routes
    }

    struct Entry: Encodable {
        let slug: String
        let name: String
        let description: String
        let optIn: String

        enum CodingKeys: String, CodingKey {
            case slug, name, description
            case optIn = "opt_in"
        }
    }

    func catalogue() async throws -> Response {
        let open = try await store.newsletters(includingArchived: false).filter { $0.visibility == .public }
        return try JSONBody.response(open.map { Entry(slug: $0.slug, name: $0.name, description: $0.description, optIn: $0.optIn.rawValue) })
    }
}
