public import ArgumentParser
import Foundation
import Logging
import Mail
import MastheadRuntime

/// `masthead outbox …`: what waits to be sent, what was, and what was given up on.
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "List, inspect, retry and purge outgoing email.",
        discussion: """
            Messages are queued in the same transaction as the change that causes them and sent \
            by mastheadd's delivery worker. A message that failed for good (a 5xx reply, or too \
            many attempts) is "dead" until retried.
            """,
        subcommands: [ListOutbox.self, ShowOutbox.self, RetryOutbox.self, PurgeOutbox.self])
}

extension OutboxState: ExpressibleByArgument {}

/// Table and CSV columns of an outbox entry.
var outboxListing: Listing<OutboxEntry> {
    Listing(columns: [
        ("ID", { String($0.id) }), ("STATE", \.state.rawValue), ("KIND", \.kind), ("RECIPIENT", \.recipient),
        ("ATTEMPTS", { String($0.attempts) }), ("CREATED", { $0.createdAt.formatted(.iso8601) }),
        ("LAST ERROR", { $0.lastError ?? "" }),
    ])
}

struct ListOutbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List outgoing messages, newest first.",
        discussion: """
            Example:
              masthead outbox list --state dead --format csv
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only messages in this state (queued, sending, sent, dead).") var state: OutboxState?
    @Option(help: "Most rows to show.") var limit = 100
    @OptionGroup var output: FormatOption

    func run() async throws {
        let entries = try await global.withRuntime { try await $0.store.outboxEntries(state: state, limit: limit) }
        print(try outboxListing.render(entries, as: output.resolved), terminator: "")
    }
}

struct ShowOutbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one message: its state, last error and the headers it is sent with.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The message id (from `masthead outbox list`).") var id: Int64
    @Flag(help: "Print only the message's links, one per line, decoded (the confirm link first in a confirmation).")
    var links = false

    func run() async throws {
        try await global.withRuntime { runtime in
            guard let (entry, item) = try await runtime.store.outboxEntry(id) else {
                throw ValidationError("no outbox message has id \(id)")
            }
            guard let composer = runtime.services.composers.first(where: { $0.kinds.contains(item.kind) }) else {
                throw ValidationError("no composer knows kind \(item.kind) of message \(id)")
            }
            let message = try composer.compose(item)
            if links {
                for link in message.links { print(link) }
                return
            }
            print("""
                id:           \(entry.id)
                state:        \(entry.state.rawValue)
                kind:         \(entry.kind)
                recipient:    \(entry.recipient)
                attempts:     \(entry.attempts)
                created:      \(entry.createdAt.formatted(.iso8601))
                next attempt: \(entry.nextAttemptAt.formatted(.iso8601))
                sent:         \(entry.sentAt?.formatted(.iso8601) ?? "-")
                last error:   \(entry.lastError ?? "-")
                """)
            let bytes = MIMERenderer.render(message)
            let text = String(decoding: bytes, as: UTF8.self)
            let headers = text.components(separatedBy: "\r\n\r\n").first ?? text
            print("headers:\n" + headers.replacingOccurrences(of: "\r\n", with: "\n"))
        }
    }
}

struct RetryOutbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Queue a dead message (or every dead one) again, due now.",
        discussion: """
            The message gets a fresh budget of attempts. Use it after fixing what made delivery \
            fail (a mailer setting, a full mailbox).

            Examples:
              masthead outbox retry 42
              masthead outbox retry --dead
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The message id.") var id: Int64?
    @Flag(help: "Retry every dead message.") var dead = false

    func validate() throws {
        guard (id == nil) != !dead else { throw ValidationError("give a message id or --dead, not both") }
    }

    func run() async throws {
        try await global.withRuntime { runtime in
            let store = runtime.store
            if let id {
                guard try await store.retryOutboxEntry(id, at: Date(), actor: AdminActor.current) else {
                    throw ValidationError("message \(id) does not exist or is not dead or queued")
                }
                print("queued \(id) again")
            } else {
                print("queued \(try await store.retryDeadOutboxEntries(at: Date(), actor: AdminActor.current)) dead messages again")
            }
        }
    }
}

struct PurgeOutbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete sent messages older than a date.",
        discussion: """
            Only sent messages go; queued and dead ones stay. DATE is YYYY-MM-DD (midnight UTC) \
            or an ISO 8601 time.

            Example:
              masthead outbox purge --sent-before 2026-10-01
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Delete messages sent before this date.") var sentBefore: String

    func run() async throws {
        guard let date = Self.parse(sentBefore) else {
            throw ValidationError("--sent-before \(sentBefore) is not YYYY-MM-DD or an ISO 8601 time")
        }
        let purged = try await global.withRuntime { try await $0.store.purgeSentOutboxEntries(before: date) }
        print("purged \(purged) sent messages")
    }

    static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text + "T00:00:00Z", strategy: .iso8601)
    }
}
