import Foundation
import Hummingbird
import Logging
import Mail
import MastheadHTTP
import MastheadRuntime
import SubscriberLists

/// A runtime over a fresh SQLite file, keys file and outbox directory in a temporary directory,
/// with a clock the test moves.
struct TestRuntime {
    let directory: TemporaryDirectory
    let runtime: Runtime
    let log: CapturedLog
    let clock: TestClock

    init(clock: TestClock = TestClock(), _ adjust: (inout MastheadConfiguration) -> Void = { _ in }) async throws {
        directory = try TemporaryDirectory()
        log = CapturedLog()
        self.clock = clock
        var configuration = MastheadConfiguration()
        configuration.database = .sqlite(path: directory.file("masthead.sqlite"))
        configuration.keysPath = directory.file("masthead.keys")
        configuration.mailer = .file(directory: directory.file("outbox"))
        configuration.port = 0
        configuration.publicURL = "https://news.example.org/masthead"
        adjust(&configuration)
        runtime = try await Runtime.start(configuration: configuration, logger: log.logger, now: clock.function)
    }

    var databasePath: String { directory.file("masthead.sqlite") }
    var outboxDirectory: String { directory.file("outbox") }

    /// The application over the real router, for `app.test(.router)` or `.live`.
    var application: some ApplicationProtocol { get throws { try buildApplication(runtime: runtime) } }

    /// Creates a newsletter through the real catalogue.
    @discardableResult
    func newsletter(_ slug: String, name: String? = nil, visibility: Newsletter.Visibility = .public, optIn: Newsletter.OptIn = .double) async throws -> Newsletter {
        try await NewsletterCatalog(store: runtime.store, now: clock.function).create(
            NewsletterDraft(slug: slug, name: name ?? slug.capitalized, description: "About \(slug)", visibility: visibility, optIn: optIn),
            actor: "test")
    }

    /// Runs the delivery worker once, as the daemon would.
    @discardableResult
    func deliver() async throws -> Int { try await runtime.deliveryWorker.deliverDueMessages() }

    /// The `.eml` files written so far, sorted.
    func emails() throws -> [String] {
        guard FileManager.default.fileExists(atPath: outboxDirectory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: outboxDirectory).filter { $0.hasSuffix(".eml") }.sorted()
            .map { outboxDirectory + "/" + $0 }
    }

    func shutdown() { runtime.shutdown() }
}
