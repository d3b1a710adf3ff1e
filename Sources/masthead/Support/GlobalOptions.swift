import ArgumentParser
import Foundation
import MastheadRuntime

/// Options every command takes: where the configuration and the database are.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "JSON or YAML configuration file (else MASTHEAD_CONFIG).")
    var config: String?

    @Option(name: .long, help: "Database, e.g. sqlite:masthead.sqlite (else MASTHEAD_DATABASE).")
    var database: String?

    /// The configuration, read exactly as `mastheadd` reads it, with these options as flags.
    func loadConfiguration() async throws -> MastheadConfiguration {
        var arguments: [String] = []
        if let config { arguments += [Setting.config.flag, config] }
        if let database { arguments += [Setting.database.flag, database] }
        let loader = ConfigurationLoader(arguments: arguments, environment: ProcessInfo.processInfo.environment)
        return try await CommandFailure.reporting { try await loader.load() }
    }
}
