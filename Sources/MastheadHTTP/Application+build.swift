import Foundation
public import Hummingbird
import Mail
public import MastheadRuntime
public import NIOCore

/// Builds the HTTP application from a started runtime: the router with its middleware and
/// every route. Tests call ``buildRouter(runtime:)`` and drive it with `app.test(.router)`.
///
/// `onServerRunning` receives the bound address once the socket listens (port 0 binds a free port).
public func buildApplication(
    runtime: Runtime, onServerRunning: @escaping @Sendable (SocketAddress?) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let configuration = runtime.configuration
    return Application(
        router: try buildRouter(runtime: runtime),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "masthead"),
        onServerRunning: { channel in
            if let address = channel.localAddress, let host = address.ipAddress, let port = address.port {
                runtime.listening.set(host: host, port: port)
            }
            await onServerRunning(channel.localAddress)
        },
        logger: runtime.logger)
}

/// The router: observation → CORS → problems → body limit → rate limit, then the routes.
///
/// Throws when the page templates or messages in the templates directory do not load.
public func buildRouter(runtime: Runtime, rateClock: (@Sendable () -> Double)? = nil) throws -> Router<MastheadRequestContext> {
    let configuration = runtime.configuration
    let router = Router(context: MastheadRequestContext.self)
    let routeIndex = RouteIndex()
    let metrics = HTTPMetrics(registry: runtime.metrics)
    let messages = try ReaderMessages(overrides: configuration.templatesDirectory)
    let pages = PageRenderer(
        templates: try TemplateLibrary(defaults: PageTemplates.defaults, overrides: configuration.templatesDirectory),
        newsroom: configuration.newsroom, base: configuration.publicURL, messages: messages, links: configuration.siteLinks)
    let limiter =
        if let rateClock {
            RateLimiter(perMinute: configuration.rateLimitPerMinute, burst: configuration.rateBurst, clock: rateClock)
        } else {
            RateLimiter(perMinute: configuration.rateLimitPerMinute, burst: configuration.rateBurst)
        }

    router.add(
        middleware: RequestObservationMiddleware(
            metrics: metrics, clientAddresses: ClientAddressResolver(trustedProxies: configuration.trustedProxies)))
    router.add(middleware: CORSMiddleware(origins: configuration.corsOrigins))
    router.add(middleware: ProblemMiddleware(routes: routeIndex, bodyLimit: configuration.bodyLimit))
    router.add(middleware: BodyLimitMiddleware(limit: configuration.bodyLimit))
    if configuration.rateLimitPerMinute > 0 {
        router.add(
            middleware: RateLimitMiddleware(
                limiter: limiter, paths: ["/v1/subscriptions", "/v1/subscriptions/resend", "/v1/confirm", "/v1/pledges"],
                message: messages["rate.limited"]))
    }

    router.addRoutes(OperationsController(store: runtime.store, metrics: metrics).endpoints)
    router.addRoutes(NewslettersController(store: runtime.store).endpoints)
    router.addRoutes(
        SubscriptionsController(
            signup: runtime.signup, pages: pages, messages: messages, bodyLimit: configuration.bodyLimit,
            returnURL: configuration.signupReturnURL,
            trustedOrigins: configuration.corsOrigins + [origin(of: configuration.publicURL)], base: configuration.publicURL
        ).endpoints)
    router.addRoutes(
        LinksController(
            signup: runtime.signup, pages: pages, messages: messages, bodyLimit: configuration.bodyLimit,
            confirmRedirect: configuration.confirmRedirectURL
        ).endpoints)

    router.addRoutes(
        PledgesController(
            pledges: runtime.pledges, pages: pages, messages: messages, bodyLimit: configuration.bodyLimit,
            base: configuration.publicURL
        ).endpoints)
    router.addRoutes(
        PaymentsController(
            pledges: runtime.pledges, simulated: runtime.simulatedPayments, pages: pages, messages: messages,
            bodyLimit: configuration.bodyLimit,
            now: runtime.now
        ).endpoints)

    router.addRoutes(
        ReaderPagesController(
            store: runtime.store, pledges: runtime.pledges, pages: pages, messages: messages, siteOrigins: configuration.corsOrigins,
            base: configuration.publicURL
        ).endpoints)

    routeIndex.load(router.routes)
    return router
}
