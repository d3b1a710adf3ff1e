import Foundation
import Hummingbird
import Logging
import MastheadHTTP
import MastheadRuntime

/// A runtime over a fresh SQLite file and keys file in a temporary directory.
struct TestRuntime {
    let directory: TemporaryDirectory
    let runtime: Runtime
    let log: CapturedLog

    init(_ adjust: (inout MastheadConfiguration) -> Void = { _ in }) async throws {
        directory = try TemporaryDirectory()
        log = CapturedLog()
        var configuration = MastheadConfiguration()
        configuration.database = .sqlite(path: directory.file("masthead.sqlite"))
        configuration.keysPath = directory.file("masthead.keys")
        configuration.mailer = .file(directory: directory.file("outbox"))
        configuration.port = 0
        adjust(&configuration)
        runtime = try await Runtime.start(configuration: configuration, logger: log.logger)
    }

    var databasePath: String { directory.file("masthead.sqlite") }

    /// The application over the real router, for `app.test(.router)` or `.live`.
    var application: some ApplicationProtocol { buildApplication(runtime: runtime) }

    func shutdown() { runtime.shutdown() }
}
