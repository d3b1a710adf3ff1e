import Foundation
import MastheadRuntime
import MastheadSettings
import TestSupport
import Testing

/// `masthead newsletters …` through the real executable.
@Suite(.timeLimit(.minutes(3))) struct NewslettersCommandTests {
    struct Listed: Decodable, Equatable {
        let slug: String
        let name: String
        let description: String
        let visibility: String
        let opt_in: String
        let archived_at: String?
    }

    /// A working directory and a fresh database of either store, named by MASTHEAD_DATABASE.
    struct Place {
        let directory: TemporaryDirectory
        let database: DatabaseLocation

        init(_ store: StoreKind) async throws {
            directory = try TemporaryDirectory()
            switch store {
            case .sqlite: database = .sqlite(path: directory.file("masthead.sqlite"))
            case .postgres: database = .postgres(url: try await PostgresTestServer.freshDatabase())
            }
            let (path, environment) = (directory.path, ["MASTHEAD_DATABASE": setting])
            try await Executables.prepareDeployment(in: path, environment: environment)
        }

        var setting: String {
            switch database {
            case .sqlite(let path): "sqlite:\(path)"
            case .postgres(let url): url
            }
        }

        func sql(_ query: String) async throws -> [String] {
            switch database {
            case .sqlite(let path): return try await offThePool { try Executables.runSQL(query, database: path) }
            case .postgres(let url): return try await PostgresTestServer.rows(url, query)
            }
        }
    }

    func masthead(_ arguments: [String], in place: Place) async throws -> Executables.Outcome {
        try await Executables.run("masthead", arguments, in: place.directory.path, environment: ["MASTHEAD_DATABASE": place.setting])
    }

    func list(_ directory: Place, _ extra: [String] = []) async throws -> [Listed] {
        let outcome = try await masthead(["newsletters", "list", "--format", "json"] + extra, in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return try JSONDecoder().decode([Listed].self, from: Data(outcome.stdout.utf8))
    }

    @Test(arguments: StoreKind.allCases) func addThenListRoundTrips(_ store: StoreKind) async throws {
        let directory = try await Place(store)
        let added = try await masthead(
            [
                "newsletters", "add", "ukraine-daily", "--name", "Ukraine Daily",
                "--description", "News from Ukraine in your inbox", "--format", "json",
            ], in: directory)
        #expect(added.status == 0, "\(added.stderr)")
        let private_ = try await masthead(["newsletters", "add", "staff-notes", "--name", "Staff", "--private", "--single-opt-in"], in: directory)
        #expect(private_.status == 0, "\(private_.stderr)")

        #expect(try await list(directory) == [
            Listed(slug: "staff-notes", name: "Staff", description: "", visibility: "private", opt_in: "single", archived_at: nil),
            Listed(
                slug: "ukraine-daily", name: "Ukraine Daily", description: "News from Ukraine in your inbox",
                visibility: "public", opt_in: "double", archived_at: nil),
        ])
    }

    @Test(arguments: StoreKind.allCases) func duplicateSlugIsAClearErrorWithFailureStatus(_ store: StoreKind) async throws {
        let directory = try await Place(store)
        #expect(try await masthead(["newsletters", "add", "ukraine-daily", "--name", "Ukraine Daily"], in: directory).status == 0)
        let again = try await masthead(["newsletters", "add", "ukraine-daily", "--name", "Again"], in: directory)
        #expect(again.status != 0)
        #expect(again.stdout.isEmpty)
        #expect(again.stderr == "masthead: a newsletter with slug 'ukraine-daily' already exists (slugs are never reused, archived newsletters included)\n")
        #expect(try await list(directory).map(\.name) == ["Ukraine Daily"])
    }

    @Test(arguments: StoreKind.allCases) func invalidSlugIsRefused(_ store: StoreKind) async throws {
        let directory = try await Place(store)
        let outcome = try await masthead(["newsletters", "add", "Ukraine Daily", "--name", "x"], in: directory)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("invalid slug 'Ukraine Daily'"))
    }

    @Test(arguments: StoreKind.allCases) func updateChangesOnlyWhatIsGivenAndArchiveHidesFromTheDefaultList(_ store: StoreKind) async throws {
        let directory = try await Place(store)
        _ = try await masthead(["newsletters", "add", "ukraine-daily", "--name", "Ukraine Daily", "--description", "News"], in: directory)
        let updated = try await masthead(["newsletters", "update", "ukraine-daily", "--private", "--name", "UD"], in: directory)
        #expect(updated.status == 0, "\(updated.stderr)")
        #expect(try await list(directory).first?.visibility == "private")
        #expect(try await list(directory).first?.description == "News")
        #expect(try await list(directory).first?.name == "UD")

        let nothing = try await masthead(["newsletters", "update", "ukraine-daily"], in: directory)
        #expect(nothing.status == 1)
        #expect(nothing.stderr.contains("nothing to change"))

        #expect(try await masthead(["newsletters", "archive", "ukraine-daily"], in: directory).status == 0)
        #expect(try await list(directory).isEmpty)
        #expect(try await list(directory, ["--archived"]).first?.archived_at != nil)
        let twice = try await masthead(["newsletters", "archive", "ukraine-daily"], in: directory)
        #expect(twice.status == 1)
        #expect(twice.stderr.contains("already archived"))
        let unknown = try await masthead(["newsletters", "archive", "no-such"], in: directory)
        #expect(unknown.stderr.contains("no newsletter has slug 'no-such'"))
    }

    @Test(arguments: StoreKind.allCases) func csvAndTableFormats(_ store: StoreKind) async throws {
        let directory = try await Place(store)
        _ = try await masthead(["newsletters", "add", "daily", "--name", "Daily, \"the\" one"], in: directory)
        let csv = try await masthead(["newsletters", "list", "--format", "csv"], in: directory)
        #expect(csv.stdout == "SLUG,NAME,VISIBILITY,OPT-IN,ARCHIVED,DESCRIPTION\r\ndaily,\"Daily, \"\"the\"\" one\",public,double,no,\r\n")
        let table = try await masthead(["newsletters", "list", "--format", "table"], in: directory)
        #expect(table.stdout == """
            SLUG   NAME              VISIBILITY  OPT-IN  ARCHIVED  DESCRIPTION
            daily  Daily, "the" one  public      double  no\n
            """)
    }

    @Test(arguments: StoreKind.allCases) func everyChangeIsAudited(_ store: StoreKind) async throws {
        let directory = try await Place(store)
        _ = try await masthead(["newsletters", "add", "daily", "--name", "Daily"], in: directory)
        _ = try await masthead(["newsletters", "update", "daily", "--name", "Daily 2"], in: directory)
        _ = try await masthead(["newsletters", "archive", "daily"], in: directory)
        let rows = try await directory.sql("SELECT action || ' ' || actor FROM events ORDER BY id")
        #expect(rows.count == 3)
        #expect(rows.map { $0.split(separator: " ").first.map(String.init) ?? "" } == [
            "newsletter.created", "newsletter.updated", "newsletter.archived",
        ])
        #expect(rows.allSatisfy { $0.contains(" admin:") })
    }

    @Test func badConfigurationExitsWithStatus78() async throws {
        let directory = try TemporaryDirectory()
        let outcome = try await Executables.run(
            "masthead", ["newsletters", "list"], in: directory.path, environment: ["MASTHEAD_DATABASE": "oracle://x"])
        #expect(outcome.status == 78)
        #expect(outcome.stderr.hasPrefix("configuration: MASTHEAD_DATABASE"))
    }
}
