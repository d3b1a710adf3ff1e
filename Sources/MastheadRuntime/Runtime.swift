public import DonationPledges
public import PaymentProviders
public import Foundation
public import Logging
public import Mail
public import NewsletterSignup
public import Prometheus
import PostgresStorage
import SQLiteStorage
public import ServiceLifecycle
public import Signing
import Synchronization
import UnixSignals

/// The composition root both executables share: the validated configuration, the opened
/// and migrated store, the signing keys and the metrics registry.
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
    /// Where every metric is registered; `/metrics` renders it.
    public let metrics: PrometheusCollectorRegistry
    /// The wall clock (tests inject a fixed or movable one).
    public let now: @Sendable () -> Date
    /// Signs and verifies the tokens in links.
    public let signer: TokenSigner
    /// Newsletter sign-up, confirmation and unsubscription.
    public let signup: SignupService
    /// Wakes the delivery worker when a message is queued.
    public let outboxSignal: OutboxSignal
    /// Turns outbox rows into messages (the worker's, also used by `masthead outbox show`).
    public let composers: [any MessageComposer]
    /// Drains the outbox through the configured mailer; run it beside the HTTP server.
    public let deliveryWorker: DeliveryWorker
    /// Donation pledges; nil when payments are off.
    public let pledges: PledgeService?
    /// The development payment provider, when it is the one in use (its checkout page is served).
    public let simulatedPayments: SimulatedProvider?
    /// The address the HTTP server listens on, once it does (the simulated provider posts there).
    public let listening: ListeningAddress

    /// Opens the database, applies pending migrations and loads (or, in development, creates) the keys.
    public static func start(
        configuration: MastheadConfiguration, logger: Logger, now: @escaping @Sendable () -> Date = Date.init
    ) async throws -> Runtime {
        try configuration.validateForProduction()
        let keys = try loadKeys(configuration: configuration, logger: logger, now: now)
        let mailer = makeMailer(configuration.mailer)
        let templates = try TemplateLibrary(defaults: MailTemplates.defaults, overrides: configuration.templatesDirectory)
        let from = try configuration.mailFrom.map { text throws(ConfigurationError) in try MailFrom.parse(text) }
            ?? Mailbox("newsletters@\(URL(string: configuration.publicURL)?.host ?? "localhost")", displayName: configuration.newsroom)
        let store = try openStore(configuration, logger: logger)
        do {
            let applied = try await store.migrate(now: now())
            if !applied.isEmpty { logger.info("applied migrations", metadata: ["migrations": "\(applied.joined(separator: ","))"]) }
        } catch {
            try? store.close()
            throw error
        }
        let signer = TokenSigner(ring: keys)
        let signal = OutboxSignal()
        let composer = SignupMessageComposer(
            templates: templates, signer: signer,
            settings: .init(
                publicURL: configuration.publicURL, from: from, newsroom: configuration.newsroom,
                confirmationLifetime: configuration.signup.confirmationLifetime,
                unsubscribeMailto: configuration.unsubscribeMailto),
            now: now)
        let receipts = PledgeMessageComposer(
            templates: templates, signer: signer, publicURL: configuration.publicURL, from: from,
            newsroom: configuration.newsroom, now: now)
        let listening = ListeningAddress()
        let simulated: SimulatedProvider? =
            configuration.effectivePayments == .simulated
            ? SimulatedProvider(
                secrets: [simulatedWebhookSecret(keys)], publicURL: configuration.publicURL,
                webhookURL: { [webhook = configuration.paymentsWebhookURL, port = configuration.port] in
                    webhook ?? "http://\(listening.hostAndPort ?? "127.0.0.1:\(port)")/v1/webhooks/payments"
                }, now: now, logger: logger)
            : nil
        let signup = SignupService(store: store, signer: signer, policy: configuration.signup, outbox: signal, now: now)
        let pledges = simulated.map { provider in
            PledgeService(
                store: store, provider: provider, signer: signer, signup: signup,
                consentTextVersion: configuration.signup.consentTextVersion,
                trustedOrigins: configuration.corsOrigins + [origin(of: configuration.publicURL)], now: now)
        }
        let registry = PrometheusCollectorRegistry()
        var concurrency = 1
        var rate: Double?
        if case .smtp(let smtp) = configuration.mailer {
            concurrency = smtp.poolSize
            rate = smtp.messagesPerSecond
        }
        return Runtime(
            configuration: configuration, logger: logger, store: store, keys: keys,
            metrics: registry, now: now, signer: signer,
            signup: signup,
            outboxSignal: signal,
            composers: [composer, receipts],
            deliveryWorker: DeliveryWorker(
                store: store, mailer: mailer, composers: [composer, receipts], failureListeners: [SignupBounces(store: store, addressHash: keys.addressHash)],
                signal: signal, concurrency: concurrency, messagesPerSecond: rate, lease: configuration.outboxLease, now: now,
                metrics: PrometheusMetricsFactory(registry: registry), logger: logger),
            pledges: pledges, simulatedPayments: simulated, listening: listening)
    }

    /// The simulated provider's webhook secret, derived from the keys file's address secret
    /// (never rotated), so a development setup needs no extra secret.
    public static func simulatedWebhookSecret(_ keys: KeyRing) -> [UInt8] {
        HMACSHA256.authenticate(Array("masthead/payments/simulated/v1".utf8), key: keys.addressSecret)
    }

    /// The transport for `MASTHEAD_MAILER`.
    static func makeMailer(_ location: MailerLocation) -> any Mailer {
        switch location {
        case .file(let directory): FileMailer(directory: directory)
        case .smtp(let configuration): SMTPMailer(configuration: configuration)
        case .sendmail(let path): SendmailMailer(path: path)
        }
    }

    /// Opens the configured store without migrating (the CLI's `db status` looks before it leaps).
    public static func openStore(_ configuration: MastheadConfiguration, logger: Logger) throws -> any MastheadStore {
        switch configuration.database {
        case .sqlite(let path):
            return try SQLiteStore(path: path)
        case .postgres(let url):
            do {
                let location = try PostgresLocation(
                    url: url, password: try databasePassword(configuration), poolSize: configuration.databasePool)
                return PostgresStore(location, logger: logger)
            } catch let error as PostgresLocationError {
                throw ConfigurationError(.database, "the PostgreSQL URL \(error.description)")
            }
        }
    }

    /// The PostgreSQL password when the URL has none: from the password file, else `PGPASSWORD`
    /// (as libpq does), so it need not sit in a URL that shows up in process lists.
    static func databasePassword(_ configuration: MastheadConfiguration) throws(ConfigurationError) -> String? {
        if let file = configuration.databasePasswordFile {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigurationError(.databasePasswordFile, "cannot read \(file)")
            }
            return text.trimmingCharacters(in: .newlines)
        }
        return ProcessInfo.processInfo.environment["PGPASSWORD"]
    }

    /// Closes the store. Call once, after the server stopped.
    public func shutdown() {
        do {
            try store.close()
        } catch {
            logger.error("closing the database failed", metadata: ["error": "\(error)"])
        }
    }

    /// Loads the keys file. In development a missing file is created (mode 0600) with a warning;
    /// in production it must exist and be private to its owner.
    public static func loadKeys(
        configuration: MastheadConfiguration, logger: Logger, now: () -> Date
    ) throws -> KeyRing {
        let path = configuration.keysPath
        let production = configuration.environment == .production
        do {
            let (ring, added) = try KeyRingFile.loadAddingAddressSecret(path: path, requirePrivate: production)
            if added { logger.warning("added an address secret to an older keys file", metadata: ["keys": "\(path)"]) }
            return ring
        } catch .missing(let path) where !production {
            let ring = try KeyRing.generate(at: now())
            try KeyRingFile.save(ring, path: path)
            logger.warning(
                "generated a development signing key; production needs a managed keys file",
                metadata: ["keys": "\(path)"])
            return ring
        } catch {
            throw ConfigurationError(.keys, error.description)
        }
    }
}

/// `https://news.example.org/masthead` → `https://news.example.org`.
public func origin(of url: String) -> String {
    guard let parsed = URL(string: url), let scheme = parsed.scheme, let host = parsed.host else { return url.lowercased() }
    return "\(scheme)://\(host)\(parsed.port.map { ":\($0)" } ?? "")".lowercased()
}

/// Where the HTTP server listens, learnt when it starts (port 0 picks a free port).
public final class ListeningAddress: Sendable {
    private let value = Mutex<String?>(nil)

    public init() {}

    /// `127.0.0.1:8080`; a wildcard host is given as the loopback address.
    public var hostAndPort: String? { value.withLock { $0 } }

    /// Records the bound host and port.
    public func set(host: String, port: Int) {
        let reachable = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "[::1]" : host.contains(":") ? "[\(host)]" : host
        value.withLock { $0 = "\(reachable):\(port)" }
    }
}

extension Runtime {
    /// Runs `services` (the HTTP server, later the delivery worker) until SIGTERM or SIGINT,
    /// then shuts them down gracefully: the server stops accepting and in-flight requests get
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
