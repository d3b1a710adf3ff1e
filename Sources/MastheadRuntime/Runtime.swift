public import Foundation
public import Hummingbird
public import Logging
public import Mail
public import MastheadHTTP
public import MastheadSettings
public import NIOCore
public import Prometheus
public import ServiceLifecycle
public import Signing
public import Webhooks
import SideEffects
import NewsletterSignup
import SubscriberLists
import UnixSignals

/// The composition root both executables share: the validated configuration, the opened
/// and migrated store, the signing keys, the services built over them, the delivery worker
/// and the metrics registry. The only module that knows which store engine is in use.
///
/// ```swift
/// let runtime = try await Runtime.start(configuration: configuration, logger: logger)
/// defer { runtime.shutdown() }
/// ```
public struct Runtime: Sendable {
    /// The configuration the runtime was built from.
    public let configuration: MastheadConfiguration
    /// The root logger.
    public let logger: Logger
    /// The configured store: SQLite or PostgreSQL.
    public let store: any MastheadStore
    /// The signing keys.
    public let keys: KeyRing
    /// The library services, as the daemon's routes and the CLI's commands use them.
    public let services: Services
    /// Where every metric is registered; `/metrics` renders it.
    public let metrics: PrometheusCollectorRegistry
    /// The wall clock (tests inject a fixed or movable one).
    public let now: @Sendable () -> Date
    /// Drains the outbox through the configured mailer; run it beside the HTTP server.
    public let deliveryWorker: DeliveryWorker
    /// Sends webhook deliveries; run it beside the HTTP server.
    public let webhookWorker: WebhookWorker
    /// Erases sign-ups nobody confirmed once past retention; run it beside the HTTP server.
    public let retentionSweeper: PendingRetentionSweeper
    /// The address the HTTP server listens on, once it does (the simulated provider posts there).
    public let listening: ListeningAddress

    /// Opens the database, applies pending migrations, loads (or, in development, creates) the
    /// keys, and builds the services and the delivery worker. `creating` says which missing
    /// files may be made (the daemon's by default).
    public static func start(
        configuration: MastheadConfiguration, logger: Logger, now: @escaping @Sendable () -> Date = Date.init,
        creating: MayCreate = .daemon
    ) async throws -> Runtime {
        try configuration.validateForProduction()
        // The database first: run in the wrong directory, its path is the error worth reading.
        let store = try openStore(configuration, logger: logger, creating: creating.database)
        let keys: KeyRing
        do {
            keys = try loadKeys(configuration: configuration, logger: logger, now: now, creating: creating.keys)
            let applied = try await store.migrate(now: now())
            if !applied.isEmpty { logger.info("applied migrations", metadata: ["migrations": "\(applied.joined(separator: ","))"]) }
        } catch {
            try? store.close()
            throw error
        }
        let listening = ListeningAddress()
        let registry = PrometheusCollectorRegistry()
        let services: Services
        do {
            services = try Services(
                configuration: configuration, store: store, keys: keys, listening: listening, now: now,
                metrics: PrometheusMetricsFactory(registry: registry), logger: logger)
        } catch {
            try? store.close()
            throw error
        }
        var concurrency = 1
        var rate: Double?
        if case .smtp(let smtp) = configuration.mailer {
            // Twice the connections: a message is composed and rendered while the connection
            // it will take is still busy with the one before (the pool holds it back until then).
            concurrency = smtp.poolSize * 2
            rate = smtp.messagesPerSecond
        }
        let worker = DeliveryWorker(
            store: store, mailer: makeMailer(configuration.mailer), composers: services.composers,
            failureListeners: [services.bounces], signal: services.outboxSignal, concurrency: concurrency,
            messagesPerSecond: rate, lease: configuration.outboxLease, now: now,
            metrics: PrometheusMetricsFactory(registry: registry), logger: logger,
            delivered: logsConfirmLinks(configuration) ? Self.logConfirmLink : nil, dkim: services.dkim, returnPath: services.returnPath,
            budget: services.confirmationBudget)
        if configuration.environment == .production, let gap = dkimGap(services.dkim, from: services.mailFrom) {
            logger.warning("mail will not pass DMARC by DKIM: receivers such as Gmail and Yahoo may file it as spam", metadata: ["why": "\(gap)"])
        }
        let webhookWorker = WebhookWorker(
            deliverer: services.webhookDeliverer, retention: configuration.webhookRetention,
            metrics: PrometheusMetricsFactory(registry: registry))
        let sweeper = PendingRetentionSweeper(
            directory: services.directory,
            retention: configuration.pendingRetentionGrace.map {
                PendingRetention(confirmationLifetime: configuration.signup.confirmationLifetime, grace: $0)
            },
            metrics: PrometheusMetricsFactory(registry: registry), logger: logger)
        return Runtime(
            configuration: configuration, logger: logger, store: store, keys: keys, services: services, metrics: registry,
            now: now, deliveryWorker: worker, webhookWorker: webhookWorker, retentionSweeper: sweeper, listening: listening)
    }

    /// In development with the file mailer, a confirmation's link is logged as it is written,
    /// so the first sign-up can be confirmed without digging it out of a quoted-printable
    /// `.eml`. Never in production (links are secrets) and never for SMTP (the mail is real).
    static func logsConfirmLinks(_ configuration: MastheadConfiguration) -> Bool {
        guard configuration.environment == .development, case .file = configuration.mailer else { return false }
        return true
    }

    static let logConfirmLink: @Sendable (MailMessage, Logger) -> Void = { message, logger in
        guard let link = message.links.first(where: { $0.contains("/v1/confirm?") }) else { return }
        logger.notice("confirmation written (development only: follow its link to confirm)", metadata: ["confirm": "\(link)"])
    }

    /// The transport for `MASTHEAD_MAILER`.
    static func makeMailer(_ location: MailerLocation) -> any Mailer {
        switch location {
        case .file(let directory): FileMailer(directory: directory)
        case .smtp(let configuration): SMTPMailer(configuration: configuration)
        case .sendmail(let path): SendmailMailer(path: path)
        }
    }

    /// Closes the store. Call once, after the server stopped.
    public func shutdown() {
        do {
            try store.close()
        } catch {
            logger.error("closing the database failed", metadata: ["error": "\(error)"])
        }
    }
}

extension Runtime {
    /// What the HTTP routes work through, over this runtime's store.
    public var http: HTTPServices {
        HTTPServices(
            signup: services.signup, readerData: services.readerData, pledges: services.pledges, simulatedPayments: services.simulatedPayments,
            stripePayments: services.stripePayments,
            newsletters: store, database: store, outbox: store, metrics: metrics, now: now,
            admin: AdminServices(
                tokens: services.adminTokens, directory: services.directory, catalog: services.catalog, pledges: store, outbox: store,
                webhooks: services.webhooks),
            mailProviders: services.mailProviders, feedback: store, abuse: services.abuse, challenges: services.challenges,
            confirmationBudget: services.confirmationBudget)
    }

    /// The HTTP router over this runtime's services (tests drive it with `app.test(.router)`).
    public func router(rateClock: (@Sendable () -> Double)? = nil) throws -> Router<MastheadRequestContext> {
        try buildRouter(configuration: configuration, services: http, rateClock: rateClock)
    }

    /// The HTTP application; once it listens, the bound address is recorded in ``listening``
    /// and passed to `onServerRunning`.
    public func application(
        onServerRunning: @escaping @Sendable (SocketAddress?) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let listening = self.listening
        return try buildApplication(configuration: configuration, services: http, logger: logger) { address in
            if let address, let host = address.ipAddress, let port = address.port { listening.set(host: host, port: port) }
            await onServerRunning(address)
        }
    }

    /// Runs `services` (the HTTP server, the delivery worker) until SIGTERM or SIGINT, then
    /// shuts them down gracefully: the server stops accepting and in-flight requests get
    /// `shutdown.grace` to finish before they are cancelled.
    public func serviceGroup(running services: [any Service]) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = self.configuration.shutdownGrace
        return ServiceGroup(configuration: configuration)
    }
}
