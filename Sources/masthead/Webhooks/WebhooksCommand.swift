import ArgumentParser
import Foundation
import MastheadRuntime
import SideEffects
import Webhooks

/// `masthead webhooks …`: the endpoints that hear about subscribers and pledges, and what was sent to them.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Add, list, pause and test webhook endpoints; read their delivery log; replay deliveries.",
        discussion: """
            Every subscriber and pledge change queues its event for each endpoint that asked for \
            it, in the same transaction as the change; mastheadd's webhook worker posts it, signed \
            per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature), and retries \
            with backoff for MASTHEAD_WEBHOOK_RETRY_WINDOW (3 days). An endpoint failing that long \
            is paused: its events are held until `webhooks resume`.

            Event types: \(OutgoingEvent.types.joined(separator: ", ")).
            """,
        subcommands: [
            AddWebhook.self, ListWebhooks.self, RemoveWebhook.self, PauseWebhook.self, ResumeWebhook.self, RotateWebhookSecret.self,
            TestWebhook.self, WebhookDeliveries.self, ReplayWebhookDeliveries.self,
        ])
}

extension EndpointRow {
    static var listing: Listing<EndpointRow> {
        Listing(columns: [
        ("ID", { String($0.id) }), ("URL", \.url), ("EVENTS", \.events), ("STATE", \.state),
        ("FAILING SINCE", { $0.failingSince ?? "" }), ("DESCRIPTION", { $0.description ?? "" }),
        ])
    }
}

struct AddWebhook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add an endpoint and print its signing secret (shown this once).",
        discussion: """
            Production takes https URLs only, and refuses to send to one that resolves to a \
            loopback, private or link-local address; development and tests allow them.

            Examples:
              masthead webhooks add https://crm.example.org/hooks/masthead --events subscriber.confirmed,subscriber.unsubscribed,pledge.succeeded
              masthead webhooks add https://warehouse.example.org/in --events '*' --secret-file /etc/masthead/warehouse.secret
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The receiver's URL.") var url: String
    @Option(help: "Event types, comma-separated, or * for all.") var events: String
    @Option(help: "A file holding the secret (whsec_…); without it one is generated.") var secretFile: String?
    @Option(help: "A note for the list (who owns the receiver).") var description: String?

    func run() async throws {
        let secret = try secretFile.map(readSecretFile)
        let endpoint = try await global.withServices { services in
            try await services.webhooks.add(
                url: url, events: events.split(separator: ",").map(String.init), description: description, secret: secret,
                actor: AdminActor.current)
        }
        print("added webhook endpoint \(endpoint.id): \(endpoint.url) (\(endpoint.eventsText))")
        if secret == nil { print("signing secret (shown once; give it to the receiver): \(endpoint.secret)") }
    }
}

struct ListWebhooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the endpoints.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption

    func run() async throws {
        let endpoints = try await global.withServices { try await $0.webhooks.endpoints() }
        print(try EndpointRow.listing.render(endpoints.map(EndpointRow.init), as: output.resolved), terminator: "")
    }
}

struct RemoveWebhook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove an endpoint, with its queued deliveries and its delivery log.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The endpoint's id.") var id: Int64

    func run() async throws {
        try await global.withServices { try await $0.webhooks.remove(id, actor: AdminActor.current) }
        print("removed webhook endpoint \(id)")
    }
}

struct PauseWebhook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Stop sending to an endpoint; its events are held until it is resumed.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The endpoint's id.") var id: Int64

    func run() async throws {
        _ = try await global.withServices { try await $0.webhooks.pause(id, actor: AdminActor.current) }
        print("paused webhook endpoint \(id); its events are held")
    }
}

struct ResumeWebhook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Send to an endpoint again, starting with the events held while it was paused.",
        discussion: """
            Deliveries that had already failed for good stay failed; send them again with \
            `masthead webhooks replay --endpoint ID --failed`.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The endpoint's id.") var id: Int64

    func run() async throws {
        _ = try await global.withServices { try await $0.webhooks.resume(id, actor: AdminActor.current) }
        print("resumed webhook endpoint \(id)")
    }
}

struct RotateWebhookSecret: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-secret",
        abstract: "Give an endpoint a new secret; the old one keeps signing beside it for the overlap.",
        discussion: """
            During the overlap each message carries two signatures (webhook-signature: \
            "v1,<new> v1,<old>"), so the receiver can switch to the new secret at its own pace.

            Example:
              masthead webhooks rotate-secret 3 --overlap-hours 48
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The endpoint's id.") var id: Int64
    @Option(help: "A file holding the new secret (whsec_…); without it one is generated.") var secretFile: String?
    @Option(help: "Hours the old secret keeps signing.") var overlapHours = 24

    func validate() throws {
        guard (0...720).contains(overlapHours) else { throw ValidationError("--overlap-hours must be 0-720") }
    }

    func run() async throws {
        let secret = try secretFile.map(readSecretFile)
        let endpoint = try await global.withServices { services in
            try await services.webhooks.rotateSecret(
                id, to: secret, overlap: .seconds(overlapHours * 3600), actor: AdminActor.current)
        }
        print("rotated the secret of webhook endpoint \(id); the old one signs too until \(Timestamp.format(endpoint.previousSecretExpiresAt ?? Date()))")
        if secret == nil { print("new signing secret (shown once): \(endpoint.secret)") }
    }
}

struct TestWebhook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Send a webhook.test event to an endpoint now and print what it answered.",
        discussion: """
            Exits 1 when the receiver did not answer 2xx. The attempt is in the delivery log; a \
            failed test is not retried.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The endpoint's id.") var id: Int64

    func run() async throws {
        let (delivery, outcome) = try await global.withServices { try await $0.webhooks.test(id) }
        switch outcome {
        case .delivered(let status):
            print("delivered: the receiver answered \(status) (delivery \(delivery))")
        case .failed(let failure):
            CommandFailure.printError("masthead: not delivered: \(failure.error) (delivery \(delivery))")
            throw ExitCode.failure
        }
    }
}

/// The secret in a file: its first line, trimmed (never echoed in errors).
func readSecretFile(_ path: String) throws -> String {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8),
        let line = text.split(whereSeparator: \.isNewline).first?.trimmingCharacters(in: .whitespaces), !line.isEmpty
    else { throw ValidationError("cannot read a secret from \(path)") }
    return line
}
