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

    @Flag(name: .long, help: "Create the SQLite database if it does not exist (else a missing one is an error).")
    var create = false

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

extension GlobalOptions {
    /// The options above that take a value, by flag.
    static let valued: Set<String> = ["--config", "--database"]
    /// The options above that take none.
    static let bare: Set<String> = ["--create"]

    /// `arguments` with the global options that come before the subcommand moved after it, so
    /// that `masthead --database X subscribers count` means what it says: ArgumentParser only
    /// looks for a command's options after the command's name. Stops at the first word that is
    /// not one of them; anything after a `--` stays where it was.
    static func movingLeadingOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            let name = String(first.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0])
            if bare.contains(first) || (valued.contains(name) && first.contains("=")) {
                leading.append(first)
                rest = rest.dropFirst()
            } else if valued.contains(first), rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else {
                break
            }
        }
        var moved = Array(rest)
        moved.insert(contentsOf: leading, at: moved.firstIndex(of: "--") ?? moved.endIndex)
        return moved
    }
}
