import ArgumentParser
import Foundation
import MastheadRuntime
import SideEffects
import Webhooks

extension DeliveryRow {
    static var listing: Listing<DeliveryRow> {
        Listing(columns: [
        ("ID", { String($0.id) }), ("EVENT", \.event), ("STATE", \.state), ("ATTEMPTS", { String($0.attempts) }),
        ("STATUS", { $0.lastStatus.map(String.init) ?? "" }), ("CREATED", \.created),
        ("DELIVERED", { $0.delivered ?? "" }), ("NEXT ATTEMPT", { $0.nextAttempt ?? "" }), ("LAST ERROR", { $0.lastError ?? "" }),
        ])
    }
}

struct WebhookDeliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "An endpoint's delivery log, newest first.",
        discussion: """
            The log keeps each delivery for MASTHEAD_WEBHOOK_RETENTION_DAYS (30). A delivery \
            is pending (waiting for its next attempt, or held while the endpoint is paused), \
            sending, delivered, or failed (retried for the whole window; `replay` sends it again).

            Example:
              masthead webhooks deliveries 3 --failed
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The endpoint's id.") var id: Int64
    @Flag(help: "Only deliveries that failed for good.") var failed = false
    @Option(help: "Most rows to show.") var limit = 100
    @OptionGroup var output: FormatOption

    func run() async throws {
        let records = try await global.withServices { try await $0.webhooks.deliveries(endpoint: id, failedOnly: failed, limit: limit) }
        print(try DeliveryRow.listing.render(records.map(DeliveryRow.init), as: output.resolved), terminator: "")
    }
}

struct ReplayWebhookDeliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Send deliveries again, with the same webhook-id (a receiver that saw one ignores it).",
        discussion: """
            Examples:
              masthead webhooks replay 1041 1042
              masthead webhooks replay --endpoint 3 --failed
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Delivery ids (from `webhooks deliveries`).") var deliveries: [Int64] = []
    @Option(help: "With --failed: the endpoint whose failed deliveries to send again.") var endpoint: Int64?
    @Flag(help: "Every failed delivery of --endpoint.") var failed = false

    func validate() throws {
        guard deliveries.isEmpty != (endpoint == nil) else {
            throw ValidationError("name delivery ids, or --endpoint ID --failed")
        }
        guard (endpoint == nil) == !failed else { throw ValidationError("--endpoint and --failed go together") }
    }

    func run() async throws {
        let count = try await global.withServices { services in
            if let endpoint { try await services.webhooks.replayFailed(endpoint: endpoint) } else {
                try await services.webhooks.replay(deliveries)
            }
        }
        print("queued \(count) deliver\(count == 1 ? "y" : "ies") again; mastheadd sends them now")
    }
}
