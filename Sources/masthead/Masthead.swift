import ArgumentParser
import MastheadRuntime

#if canImport(Glibc)
import Glibc
#endif

/// `masthead`: the admin command line for a Masthead deployment.
@main
struct Masthead: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "masthead",
        abstract: "Manage a Masthead deployment: database, newsletters, subscribers, pledges and tiers, signing keys, outbox.",
        discussion: """
            Reads the same configuration as mastheadd: flags, then MASTHEAD_* environment \
            variables, then the file given by --config or MASTHEAD_CONFIG. Run it where the \
            daemon runs (same working directory or the same MASTHEAD_DATABASE): a command \
            refuses a database or keys file that does not exist rather than make an empty one \
            (db migrate and --create make the database; keys generate makes the keys). \
            --config, --database and --create may come before or after the subcommand.
            """,
        version: MastheadVersion.current,
        subcommands: [
            DatabaseCommand.self, NewslettersCommand.self, SubscribersCommand.self, PledgesCommand.self, TiersCommand.self,
            KeysCommand.self, OutboxCommand.self, WebhooksCommand.self, TokensCommand.self, DKIMCommand.self, BouncesCommand.self,
            DoctorCommand.self, DomainsCommand.self, AlertsCommand.self, ConsentCommand.self,
        ])

    /// Runs the command line, with global options given before the subcommand moved after it.
    static func main() async {
        oneMallocArena()
        await main(GlobalOptions.movingLeadingOptions(Array(CommandLine.arguments.dropFirst())))
    }
}

/// Keeps the process to one malloc arena. glibc gives each thread that allocates an arena of
/// its own; an import allocates its rows on the reader's thread and frees them on others, and
/// its peak memory ranged from 86 to 109 MiB between identical runs (86 MiB with one arena, as
/// fast: Ops/bench/README.md, "The SQLite import, set-based"). `mallopt` is looked up by name:
/// Swift's Glibc module leaves out `<malloc.h>`. It must run before a second thread allocates.
private func oneMallocArena() {
    #if canImport(Glibc)
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    let arenaMaximum: Int32 = -8  // M_ARENA_MAX
    guard let symbol = dlsym(nil, "mallopt") else { return }
    _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMaximum, 1)
    #endif
}
