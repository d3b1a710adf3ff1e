import ArgumentParser
import Foundation
import MastheadRuntime
import NewsletterSignup
import SideEffects

/// `masthead domains …`: which address domains may sign up.
struct DomainsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domains",
        abstract: "Block or allow the domains of sign-up addresses.",
        discussion: """
            A blocked domain's sign-ups (and its subdomains') are refused with a clear message; an \
            allowed one passes everything else that would refuse it. The most specific domain \
            with a rule decides. Email-to-SMS gateways (vtext.com, txt.att.net, …) are blocked \
            unless allowed; `domains list --built-in` shows them. The rules apply to sign-ups \
            (form and API), not to what staff add or import.
            """,
        subcommands: [BlockDomains.self, AllowDomains.self, RemoveDomainRule.self, ListDomainRules.self, ImportDomainRules.self])
}

struct BlockDomains: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "block", abstract: "Refuse sign-ups from these domains and their subdomains.",
        discussion: "Example:\n  masthead domains block mailinator.com guerrillamail.com")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Domains.") var domains: [String]

    func run() async throws { try await setRule(.block, on: domains, global) }
}

struct AllowDomains: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allow", abstract: "Accept sign-ups from these domains whatever else would refuse them.",
        discussion: "Example:\n  masthead domains allow newsroom.example.org")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Domains.") var domains: [String]

    func run() async throws { try await setRule(.allow, on: domains, global) }
}

/// `block` and `allow`: one rule on the named domains.
private func setRule(_ rule: DomainRule, on domains: [String], _ global: GlobalOptions) async throws {
    let changed = try await global.withServices {
        try await $0.domainRules.set(domains, rule: rule, source: "masthead domains \(rule.rawValue)", actor: AdminActor.current)
    }
    print("\(rule == .block ? "blocked" : "allowed") \(domains.count) domain\(domains.count == 1 ? "" : "s") (\(changed) changed)")
}

struct RemoveDomainRule: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a domain's rule.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The domain.") var domain: String

    func run() async throws {
        try await global.withServices { try await $0.domainRules.remove(domain, actor: AdminActor.current) }
        print("removed the rule for \(domain.lowercased())")
    }
}

struct ListDomainRules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the stored rules (or the built-in blocked gateways).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Flag(name: .customLong("built-in"), help: "List the built-in email-to-SMS gateway domains instead.") var builtIn = false

    struct Entry: Encodable {
        let domain: String
        let rule: String
        let source: String
        let created: String
    }

    func run() async throws {
        let entries: [Entry]
        if builtIn {
            entries = DomainPolicy.smsGateways.sorted().map { Entry(domain: $0, rule: "block", source: "built-in (email-to-SMS gateway)", created: "") }
        } else {
            entries = try await global.withServices { try await $0.domainRules.list() }.map {
                Entry(domain: $0.domain, rule: $0.rule, source: $0.source, created: Timestamp.format($0.createdAt))
            }
        }
        let listing = Listing<Entry>(columns: [("DOMAIN", \.domain), ("RULE", \.rule), ("SOURCE", \.source), ("CREATED", \.created)])
        print(try listing.render(entries, as: output.resolved), terminator: "")
    }
}

struct ImportDomainRules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Block (or allow) every domain in a file: one a line, # comments.",
        discussion: """
            For a disposable-address list such as disposable-email-domains' \
            disposable_email_blocklist.conf. Lines that are not domains are reported with their \
            numbers and the command exits 1; the others are applied.

            Example:
              masthead domains import disposable_email_blocklist.conf
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The file (- for standard input).") var file: String
    @Flag(help: "Allow the file's domains instead of blocking them.") var allow = false

    func run() async throws {
        let text = try await CommandFailure.reporting {
            file == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : try String(contentsOfFile: file, encoding: .utf8)
        }
        let rule: DomainRule = allow ? .allow : .block
        let report = try await global.withServices {
            try await $0.domainRules.importList(text, rule: rule, source: "import:\(URL(fileURLWithPath: file).lastPathComponent)", actor: AdminActor.current)
        }
        for (line, content) in report.rejected {
            CommandFailure.printError("masthead: line \(line): '\(content)' is not a domain; skipped")
        }
        print("\(rule == .block ? "blocked" : "allowed") \(report.read) domains (\(report.changed) changed), \(report.rejected.count) lines rejected")
        if !report.rejected.isEmpty { throw ExitCode.failure }
    }
}
