import ArgumentParser
import Foundation
import MastheadRuntime
import MastheadSettings

/// Options every command takes: where the configuration and the database are.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "JSON or YAML configuration file (else MASTHEAD_CONFIG).")
    var config: String?

    @Option(name: .long, help: "Database, e.g. sqlite:masthead.sqlite (else MASTHEAD_DATABASE).")
    var database: String?

    /// The configuration, read exactly as `mastheadd` reads it, with these options (and any
    /// command-specific `overrides`) as flags.
    func loadConfiguration(overrides: [(Setting, String?)] = []) async throws -> MastheadConfiguration {
        var arguments: [String] = []
        for (setting, value) in [(Setting.config, config), (Setting.database, database)] + overrides {
            if let value { arguments += [setting.flag, value] }
        }
        let loader = ConfigurationLoader(arguments: arguments, environment: ProcessInfo.processInfo.environment)
        return try await CommandFailure.reporting { try await loader.load() }
    }
}
