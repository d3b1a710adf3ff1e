import ArgumentParser
import Foundation
import MastheadRuntime
import SubscriberLists

struct EraseSubscriber: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase everything held about an address (right to erasure).",
        discussion: """
            Deletes the subscriber, every membership and consent record, queued mail and the \
            personal details of the audit trail; pledges keep their amounts but lose the name \
            and address. A keyed hash of the address stays on the suppression list, so the \
            address is not mailed or re-imported by accident. Links already sent stop working. \
            The erasure itself is logged without the address.

            Example:
              masthead subscribers erase anna@example.org
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The address to erase.") var email: String

    func run() async throws {
        let found = try await global.withServices { try await $0.directory.erase(email, actor: AdminActor.current) }
        print(found ? "erased; the address stays suppressed" : "nothing was held about it; the address is now suppressed")
    }
}

struct AccessSubscriber: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access",
        abstract: "Print everything held about an address as one JSON document (right of access).",
        discussion: """
            The document has the subscriber, memberships, consent records, audit events, \
            outgoing mail, pledges and any suppression entry.

            Example:
              masthead subscribers access anna@example.org > anna.json
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The address.") var email: String

    func run() async throws {
        let document = try await global.withServices { try await $0.directory.access(email) }
        print(try JSONOutput.encode(document), terminator: "")
    }
}

struct SuppressAddress: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suppress",
        abstract: "Put an address on the suppression list: it is never mailed again.",
        discussion: """
            Only a keyed hash of the address is stored.

            Example:
              masthead subscribers suppress spamtrap@example.org --note "known spam trap"
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The address.") var email: String
    @Option(help: "Why, for the record (do not put personal data here).") var note: String?

    func run() async throws {
        try await global.withServices { try await $0.directory.suppress(email, note: note, actor: AdminActor.current) }
        print("suppressed")
    }
}

struct UnsuppressAddress: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unsuppress",
        abstract: "Lift an address's suppression (the person asked to come back).",
        discussion: """
            Example:
              masthead subscribers unsuppress anna@example.org
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The address.") var email: String

    func run() async throws {
        try await global.withServices { try await $0.directory.unsuppress(email, actor: AdminActor.current) }
        print("suppression lifted")
    }
}
