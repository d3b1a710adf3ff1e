import ArgumentParser
import MastheadRuntime

/// `masthead`: the admin command line for a Masthead deployment.
@main
struct Masthead: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "masthead",
        abstract: "Manage a Masthead deployment: database, newsletters, subscribers, signing keys, outbox.",
        discussion: """
            Reads the same configuration as mastheadd: flags, then MASTHEAD_* environment \
            variables, then the file given by --config or MASTHEAD_CONFIG. Run it where the \
            daemon runs (same working directory or the same MASTHEAD_DATABASE).
            """,
        version: MastheadVersion.current,
        subcommands: [
            DatabaseCommand.self, NewslettersCommand.self, SubscribersCommand.self, PledgesCommand.self, TiersCommand.self,
            KeysCommand.self, OutboxCommand.self,
        ])
}
