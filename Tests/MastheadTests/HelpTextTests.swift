import Foundation
import Testing

/// The full `--help` of every command, compared with `Tests/MastheadTests/Help/*.txt`, so help
/// never rots. After changing a command on purpose, regenerate with
/// `MASTHEAD_UPDATE_HELP=1 swift test --filter HelpTextTests` and review the diff.
/// Serialized: its 45 cases each wait for a process, and in parallel they would hold every thread
/// the other tests share.
@Suite(.serialized) struct HelpTextTests {
    static let commands: [[String]] = [
        ["mastheadd"],
        ["masthead"],
        ["masthead", "db"], ["masthead", "db", "migrate"], ["masthead", "db", "status"], ["masthead", "db", "backup"], ["masthead", "db", "copy"],
        ["masthead", "newsletters"], ["masthead", "newsletters", "add"], ["masthead", "newsletters", "list"],
        ["masthead", "newsletters", "update"], ["masthead", "newsletters", "archive"], ["masthead", "newsletters", "stats"],
        ["masthead", "subscribers"], ["masthead", "subscribers", "add"], ["masthead", "subscribers", "show"],
        ["masthead", "subscribers", "find"], ["masthead", "subscribers", "unsubscribe"], ["masthead", "subscribers", "count"],
        ["masthead", "subscribers", "import"], ["masthead", "subscribers", "export"], ["masthead", "subscribers", "erase"],
        ["masthead", "subscribers", "access"], ["masthead", "subscribers", "suppress"], ["masthead", "subscribers", "unsuppress"],
        ["masthead", "subscribers", "expire"],
        ["masthead", "keys"], ["masthead", "keys", "list"], ["masthead", "keys", "generate"],
        ["masthead", "keys", "rotate"], ["masthead", "keys", "retire"], ["masthead", "keys", "remove"],
        ["masthead", "outbox"], ["masthead", "outbox", "list"], ["masthead", "outbox", "show"],
        ["masthead", "outbox", "retry"], ["masthead", "outbox", "purge"],
        ["masthead", "pledges"], ["masthead", "pledges", "list"], ["masthead", "pledges", "show"],
        ["masthead", "pledges", "summary"], ["masthead", "pledges", "sync"],
        ["masthead", "tiers"], ["masthead", "tiers", "list"], ["masthead", "tiers", "set"], ["masthead", "tiers", "remove"],
        ["masthead", "tiers", "currency"],
        ["masthead", "webhooks"], ["masthead", "webhooks", "add"], ["masthead", "webhooks", "list"], ["masthead", "webhooks", "remove"],
        ["masthead", "webhooks", "pause"], ["masthead", "webhooks", "resume"], ["masthead", "webhooks", "rotate-secret"],
        ["masthead", "webhooks", "test"], ["masthead", "webhooks", "deliveries"], ["masthead", "webhooks", "replay"],
        ["masthead", "tokens"], ["masthead", "tokens", "create"], ["masthead", "tokens", "list"], ["masthead", "tokens", "revoke"],
        ["masthead", "dkim"], ["masthead", "dkim", "generate"], ["masthead", "dkim", "list"], ["masthead", "dkim", "retire"], ["masthead", "bounces"], ["masthead", "bounces", "ingest"],
        ["masthead", "doctor"], ["masthead", "domains"], ["masthead", "domains", "block"], ["masthead", "domains", "allow"],
        ["masthead", "domains", "remove"], ["masthead", "domains", "list"], ["masthead", "domains", "import"],
        ["masthead", "alerts"], ["masthead", "alerts", "list"],
        ["masthead", "consent"], ["masthead", "consent", "set-text"], ["masthead", "consent", "list"], ["masthead", "consent", "show"],
    ]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Help")

    @Test(arguments: commands)
    func helpMatchesTheRecordedText(command: [String]) async throws {
        let outcome = try await Executables.run(
            command[0], Array(command.dropFirst()) + ["--help"], in: "/", environment: ["COLUMNS": "80"])
        #expect(outcome.status == 0)
        let file = Self.directory.appendingPathComponent(command.joined(separator: "-") + ".txt")
        if ProcessInfo.processInfo.environment["MASTHEAD_UPDATE_HELP"] == "1" {
            try outcome.stdout.write(to: file, atomically: true, encoding: .utf8)
        }
        let recorded = try String(contentsOf: file, encoding: .utf8)
        #expect(outcome.stdout == recorded, "help of `\(command.joined(separator: " "))` changed; see HelpTextTests")
    }
}
