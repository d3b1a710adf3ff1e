public import ArgumentParser
import Foundation
import MastheadRuntime
import SubscriberLists

extension SubscriberExporter.Format: ExpressibleByArgument {}

struct ExportSubscribers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export memberships as CSV or JSON Lines.",
        discussion: """
            Streams every matching membership in a stable column order: email, name, locale, \
            newsletter, state, created_at, confirmed_at, unsubscribed_at, attributes (JSON); \
            --with-consent adds the latest consent record of each membership (consent_action, \
            consent_basis, consent_source, consent_recorded_at, consent_confirmed_at, \
            consent_client_ip, consent_text_version, consent_text: the words agreed to). The CSV imports back with \
            `masthead subscribers import`.

            Examples:
              masthead subscribers export --newsletter ukraine-daily > daily.csv
              masthead subscribers export --format jsonl --with-consent \\
                --output everything.jsonl
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this newsletter.") var newsletter: String?
    @Option(help: "Only memberships in this state.") var state: SubscriptionStatus?
    @Option(help: "csv or jsonl.") var format: SubscriberExporter.Format = .csv
    @Flag(help: "Add the consent record of each membership.") var withConsent = false
    @Option(help: "Write to this file instead of standard output.") var output: String?

    func run() async throws {
        let written = try await global.withRuntime { runtime in
            let handle: FileHandle
            if let output {
                // Addresses are personal data: the file is its owner's alone.
                guard FileManager.default.createFile(atPath: output, contents: nil, attributes: [.posixPermissions: 0o600]),
                    let file = FileHandle(forWritingAtPath: output)
                else { throw ValidationError("cannot write \(output)") }
                handle = file
            } else {
                handle = FileHandle.standardOutput
            }
            defer { if output != nil { try? handle.close() } }
            return try await SubscriberExporter(store: runtime.store).export(
                newsletter: newsletter, state: state, format: format, withConsent: withConsent, to: handle)
        }
        if output != nil { CommandFailure.printError("exported \(written) memberships to \(output ?? "")") }
    }
}
