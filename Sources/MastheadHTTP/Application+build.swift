public import Hummingbird
public import MastheadRuntime
public import NIOCore

/// Builds the HTTP application from a started runtime: the router with its middleware and
/// every route. Tests call ``buildRouter(runtime:)`` and drive it with `app.test(.router)`.
///
/// `onServerRunning` receives the bound address once the socket listens (port 0 binds a free port).
public func buildApplication(
    runtime: Runtime, onServerRunning: @escaping @Sendable (SocketAddress?) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let configuration = runtime.configuration
    return Application(
        router: buildRouter(runtime: runtime),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "masthead"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress) },
        logger: runtime.logger)
}

/// The router: observation → problems → body limit, then the routes.
public func buildRouter(runtime: Runtime) -> Router<MastheadRequestContext> {
    let router = Router(context: MastheadRequestContext.self)
    let routeIndex = RouteIndex()
    let metrics = HTTPMetrics(registry: runtime.metrics)
    router.add(
        middleware: RequestObservationMiddleware(
            metrics: metrics,
            clientAddresses: ClientAddressResolver(trustedProxies: runtime.configuration.trustedProxies)))
    router.add(middleware: ProblemMiddleware(routes: routeIndex, bodyLimit: runtime.configuration.bodyLimit))
    router.add(middleware: BodyLimitMiddleware(limit: runtime.configuration.bodyLimit))

    router.addRoutes(OperationsController(store: runtime.store, metrics: metrics).endpoints)

    routeIndex.load(router.routes)
    return router
}
