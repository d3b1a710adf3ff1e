import ArgumentParser

/// `masthead db …`: schema migrations and backups.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Migrate, inspect, back up and copy the database.",
        subcommands: [MigrateCommand.self, StatusCommand.self, BackupCommand.self, CopyCommand.self])
}
