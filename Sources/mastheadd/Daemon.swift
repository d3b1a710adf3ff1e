import Foundation
import Logging
import MastheadRuntime
import MastheadSettings
import NIOCore
import ServiceLifecycle

/// `mastheadd`: reads the configuration, opens and migrates the store, serves HTTP until
/// SIGTERM or SIGINT, lets in-flight requests finish within the grace period, closes the
/// database and exits 0.
@main
enum Daemon {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.contains("--help") || arguments.contains("-h") {
            print(DaemonHelp.text)
            return
        }
        if arguments.contains("--version") {
            print("mastheadd \(MastheadVersion.current)")
            return
        }
        let loader = ConfigurationLoader(arguments: arguments, environment: ProcessInfo.processInfo.environment)
        do {
            let configuration = try await loader.load()
            LoggingSystem.bootstrap(configuration.logFormat.makeHandler(level: configuration.logLevel))
            let logger = Logger(label: "mastheadd")
            for name in loader.unknownEnvironmentNames {
                logger.warning("ignoring unknown environment variable", metadata: ["name": "\(name)"])
            }
            try await run(configuration: configuration, logger: logger)
        } catch let error as ConfigurationError {
            fail(error.description, status: ConfigurationError.exitStatus)
        } catch let error as MissingConsentText {
            fail("mastheadd: \(error)", status: ConfigurationError.exitStatus)
        } catch {
            // A database this binary must not touch is for a person to fix (78: systemd does not
            // restart); a server that cannot be reached may be back in a moment (1: restarted).
            fail(
                "mastheadd: \(StoreFailure.describe(error))",
                status: StoreFailure.needsAPerson(error) ? ConfigurationError.exitStatus : 1)
        }
    }

    static func run(configuration: MastheadConfiguration, logger: Logger) async throws {
        let runtime = try await Runtime.start(configuration: configuration, logger: logger)
        let app = try runtime.application { address in
            logger.info(
                "mastheadd started",
                metadata: [
                    "version": "\(MastheadVersion.current)",
                    "listen": "\(address.map(describe) ?? "?")",
                    "database": "\(configuration.database)",
                    "mailer": "\(configuration.mailer.kind)",
                    "store": "\(runtime.store.engine)",
                    "environment": "\(configuration.environment.rawValue)",
                    "payments": "\(configuration.effectivePayments.rawValue)",
                ])
        }
        defer { runtime.shutdown() }
        try await runtime.createFirstNewsletterInDevelopment()
        try await runtime.checkConsentTexts()
        if let reclaimed = try await runtime.store.reclaimOutboxLeases(at: runtime.now()), reclaimed > 0 {
            logger.notice("reclaimed the outbox leases an earlier run left unfinished", metadata: ["messages": "\(reclaimed)"])
        }
        try await runtime.serviceGroup(running: [app, runtime.deliveryWorker, runtime.webhookWorker, runtime.services.abuse, runtime.retentionSweeper]).run()
        logger.info("mastheadd stopped")
    }

    static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    static func fail(_ message: String, status: Int32) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(status)
    }
}
