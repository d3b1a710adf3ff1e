import MastheadRuntime
import ArgumentParser
import Foundation
import SubscriberLists

/// `masthead newsletters …`: the catalogue of newsletters.
struct NewslettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newsletters",
        abstract: "Add, list, change, archive newsletters and see how they grow.",
        subcommands: [
            AddNewsletter.self, ListNewsletters.self, UpdateNewsletter.self, ArchiveNewsletter.self, NewsletterStatsCommand.self,
        ])
}

/// Table and CSV columns of a newsletter.
var newsletterListing: Listing<Newsletter> {
    Listing(columns: [
    ("SLUG", \.slug), ("NAME", \.name), ("VISIBILITY", \.visibility.rawValue), ("OPT-IN", \.optIn.rawValue),
        ("ARCHIVED", { $0.isArchived ? "yes" : "no" }), ("DESCRIPTION", \.description),
    ])
}

/// `--public` / `--private`.
enum VisibilityFlag: String, EnumerableFlag {
    case `public`, `private`

    var visibility: Newsletter.Visibility { self == .public ? .public : .private }

    static func help(for value: VisibilityFlag) -> ArgumentHelp? {
        value == .public ? "Listed in the catalogue; anyone may sign up." : "Hidden; public forms refuse it."
    }
}

/// `--double-opt-in` / `--single-opt-in`.
enum OptInFlag: String, EnumerableFlag {
    case doubleOptIn, singleOptIn

    var optIn: Newsletter.OptIn { self == .doubleOptIn ? .double : .single }

    static func help(for value: OptInFlag) -> ArgumentHelp? {
        value == .doubleOptIn ? "Readers confirm by email first." : "Sign-ups are confirmed at once."
    }
}

struct AddNewsletter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Create a newsletter.",
        discussion: """
            Slugs are lower-case letters, digits and hyphens, and are never reused. \
            Newsletters are public and double opt-in unless told otherwise.

            Example:
              masthead newsletters add ukraine-daily --name "Ukraine Daily" \\
                --description "News from Ukraine in your inbox"
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Stable public name used in forms and URLs, e.g. ukraine-daily.") var slug: String
    @Option(help: "Display name, e.g. \"Ukraine Daily\".") var name: String
    @Option(help: "One or two sentences for sign-up pages.") var description: String = ""
    @Flag(help: "Hide it from the public catalogue and forms.") var `private` = false
    @Flag(help: "Confirm sign-ups at once, without a confirmation email.") var singleOptIn = false
    @OptionGroup var output: FormatOption

    func run() async throws {
        let draft = NewsletterDraft(
            slug: slug, name: name, description: description,
            visibility: `private` ? .private : .public, optIn: singleOptIn ? .single : .double)
        let created = try await global.withServices { try await $0.catalog.create(draft, actor: AdminActor.current) }
        print(try newsletterListing.render([created], as: output.resolved), terminator: "")
    }
}

struct ListNewsletters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List newsletters.",
        discussion: """
            Example:
              masthead newsletters list --archived --format csv > newsletters.csv
            """)

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Include archived newsletters.") var archived = false
    @OptionGroup var output: FormatOption

    func run() async throws {
        let newsletters = try await global.withServices { try await $0.catalog.list(includingArchived: archived) }
        print(try newsletterListing.render(newsletters, as: output.resolved), terminator: "")
    }
}

struct UpdateNewsletter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a newsletter's name, description, visibility or opt-in mode.",
        discussion: """
            Only the options given change. The slug cannot change: it is in every form and link.

            Example:
              masthead newsletters update ukraine-daily --private
              masthead newsletters update ukraine-daily --name "Ukraine Daily Brief"
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The newsletter to change.") var slug: String
    @Option(help: "New display name.") var name: String?
    @Option(help: "New description.") var description: String?
    @Flag var visibility: VisibilityFlag?
    @Flag var optIn: OptInFlag?
    @OptionGroup var output: FormatOption

    func run() async throws {
        let changes = NewsletterChanges(
            name: name, description: description, visibility: visibility?.visibility, optIn: optIn?.optIn)
        let updated = try await global.withServices {
            try await $0.catalog.update(slug: slug, changes: changes, actor: AdminActor.current)
        }
        print(try newsletterListing.render([updated], as: output.resolved), terminator: "")
    }
}

struct ArchiveNewsletter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Stop a newsletter taking sign-ups; its members and history stay.",
        discussion: """
            Example:
              masthead newsletters archive election-2024
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The newsletter to archive.") var slug: String

    func run() async throws {
        let archived = try await global.withServices { try await $0.catalog.archive(slug: slug, actor: AdminActor.current) }
        print("archived \(archived.slug)")
    }
}
