import DNSLookup
import Foundation
public import Hummingbird
public import Logging
import Mail
public import MastheadSettings
public import NIOCore

/// Builds the HTTP application: the router with its middleware and every route, listening
/// where the configuration says. Tests call ``buildRouter(configuration:services:rateClock:)``
/// and drive it with `app.test(.router)`.
///
/// `onServerRunning` receives the bound address once the socket listens (port 0 binds a free port).
public func buildApplication(
    configuration: MastheadConfiguration, services: HTTPServices, logger: Logger,
    onServerRunning: @escaping @Sendable (SocketAddress?) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let (header, body) = (configuration.headerTimeout, configuration.bodyTimeout)
    return Application(
        responder: HeadResponder(try buildRouter(configuration: configuration, services: services).buildResponder()),
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [
                    MalformedRequestResponder(),
                    RequestDeadlineHandler(headerTimeout: .nanoseconds(header.nanoseconds), bodyTimeout: .nanoseconds(body.nanoseconds)),
                ])),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "masthead"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress) },
        logger: logger)
}

/// The router: observation → CORS → problems → canonical path → body limit → rate limit, then the routes.
///
/// Throws when the page templates or messages in the templates directory do not load.
public func buildRouter(
    configuration: MastheadConfiguration, services: HTTPServices, rateClock: (@Sendable () -> Double)? = nil
) throws -> Router<MastheadRequestContext> {
    let router = Router(context: MastheadRequestContext.self)
    let routeIndex = RouteIndex()
    let metrics = HTTPMetrics(registry: services.metrics)
    let messages = try ReaderMessages(overrides: configuration.templatesDirectory)
    let pages = PageRenderer(
        templates: try TemplateLibrary(defaults: PageTemplates.defaults, overrides: configuration.templatesDirectory),
        newsroom: configuration.newsroom, base: configuration.publicURL, messages: messages, links: configuration.siteLinks)
    let limiter = RateLimiter<IPAddress>(perMinute: configuration.rateLimitPerMinute, burst: configuration.rateBurst, clock: rateClock)

    router.add(
        middleware: RequestObservationMiddleware(
            metrics: metrics, clientAddresses: ClientAddressResolver(trustedProxies: configuration.trustedProxies)))
    router.add(middleware: SiteOriginsMiddleware(origins: configuration.corsOrigins))
    router.add(middleware: ProblemMiddleware(routes: routeIndex, bodyLimit: configuration.bodyLimit, database: services.database))
    router.add(middleware: CanonicalPathMiddleware())
    router.add(middleware: BodyLimitMiddleware(limit: configuration.bodyLimit))
    if configuration.rateLimitPerMinute > 0 {
        router.add(
            middleware: RateLimitMiddleware(
                limiter: limiter, paths: ["/v1/subscriptions", "/v1/subscriptions/resend", "/v1/confirm", "/v1/pledges"],
                message: messages["rate.limited"]))
    }

    router.addRoutes(OperationsController(
        database: services.database, outbox: services.outbox, feedback: services.feedback, abuse: services.abuse,
        budget: services.confirmationBudget, now: services.now, metrics: metrics).endpoints)
    router.addRoutes(NewslettersController(store: services.newsletters).endpoints)
    router.addRoutes(ChallengesController(challenges: services.challenges).endpoints)
    router.addRoutes(
        SubscriptionsController(
            signup: services.signup, abuse: services.abuse, challenges: services.challenges, pages: pages, messages: messages,
            bodyLimit: configuration.bodyLimit, returnURL: configuration.signupReturnURL,
            trustedOrigins: configuration.siteOrigins, base: configuration.publicURL
        ).endpoints)
    router.addRoutes(
        LinksController(
            signup: services.signup, abuse: services.abuse, pages: pages, messages: messages, bodyLimit: configuration.bodyLimit,
            confirmRedirect: configuration.confirmRedirectURL
        ).endpoints)
    router.addRoutes(
        ReaderDataController(
            readerData: services.readerData, pages: pages, messages: messages, bodyLimit: configuration.bodyLimit,
            base: configuration.publicURL
        ).endpoints)

    router.addRoutes(
        PledgesController(
            pledges: services.pledges, challenges: services.challenges, pages: pages, messages: messages,
            bodyLimit: configuration.bodyLimit, base: configuration.publicURL, metrics: metrics
        ).endpoints)
    router.addRoutes(
        PaymentsController(
            pledges: services.pledges, abuse: services.abuse, simulated: services.simulatedPayments, stripe: services.stripePayments, pages: pages, messages: messages,
            bodyLimit: configuration.bodyLimit, now: services.now
        ).endpoints)

    router.addRoutes(
        ReaderPagesController(
            store: services.newsletters, pledges: services.pledges, pages: pages, messages: messages, siteOrigins: configuration.corsOrigins,
            base: configuration.publicURL, challenge: configuration.challenge
        ).endpoints)

    router.addRoutes(MailProvidersController(intake: services.mailProviders, bodyLimit: configuration.bodyLimit).endpoints)
    router.addRoutes(adminRoutes(configuration: configuration, services: services, rateClock: rateClock), atPath: "admin/v1")

    routeIndex.load(router.routes)
    return router
}

/// The admin API under `/admin/v1/`: every route behind the bearer-token check and the token's
/// rate limit; each route checks its own scope.
func adminRoutes(
    configuration: MastheadConfiguration, services: HTTPServices, rateClock: (@Sendable () -> Double)?
) -> RouteCollection<MastheadRequestContext> {
    let perMinute = configuration.adminRateLimitPerMinute
    let limiter = perMinute == 0 ? nil : RateLimiter<Int64>(perMinute: perMinute, burst: max(10, perMinute / 10), clock: rateClock)
    let routes = RouteCollection(context: MastheadRequestContext.self)
    let admin = services.admin
    routes.add(middleware: AdminAuthMiddleware(tokens: admin.tokens, limiter: limiter))
    let limit = configuration.bodyLimit
    AdminSubscribersController(directory: admin.directory, bodyLimit: limit).add(to: routes)
    AdminCatalogController(catalog: admin.catalog, directory: admin.directory, bodyLimit: limit).add(to: routes)
    AdminPledgesController(pledges: admin.pledges, outbox: admin.outbox, now: services.now).add(to: routes)
    AdminWebhooksController(webhooks: admin.webhooks, bodyLimit: limit).add(to: routes)
    return routes
}
