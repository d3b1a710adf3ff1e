import Foundation
import TestSupport
import Testing

/// `masthead subscribers …` and `masthead newsletters stats` through the real executable.
@Suite(.timeLimit(.minutes(3))) struct SubscribersCommandTests {
    /// A working directory (keys file, CSV files) and a fresh store for the commands to use.
    struct Workspace {
        let directory: TemporaryDirectory
        /// The store as `--database` takes it.
        let database: String

        init(_ store: StoreKind) async throws {
            directory = try TemporaryDirectory()
            switch store {
            case .sqlite: database = "sqlite:" + directory.file("masthead.sqlite")
            case .postgres: database = try await PostgresTestServer.freshDatabase()
            }
            try await Executables.prepareDeployment(in: directory.path, environment: ["MASTHEAD_DATABASE": database])
        }

        func file(_ name: String) -> String { directory.file(name) }
    }

    func masthead(_ arguments: [String], in workspace: Workspace) async throws -> Executables.Outcome {
        try await Executables.run("masthead", arguments + ["--database", workspace.database], in: workspace.directory.path)
    }

    func prepared(_ store: StoreKind) async throws -> Workspace {
        let workspace = try await Workspace(store)
        for slug in ["ukraine-daily", "weekend-reads"] {
            let added = try await masthead(["newsletters", "add", slug, "--name", slug], in: workspace)
            #expect(added.status == 0, "\(added.stderr)")
        }
        return workspace
    }

    @Test(arguments: StoreKind.allCases) func addShowFindCountAndUnsubscribe(_ store: StoreKind) async throws {
        let directory = try await prepared(store)
        var outcome = try await masthead(["subscribers", "add", "anna@example.org", "--newsletter", "ukraine-daily"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == "ukraine-daily: pending (confirmation email queued)\n")
        outcome = try await masthead(["subscribers", "add", "anna@example.org", "--newsletter", "weekend-reads", "--confirmed"], in: directory)
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("--consent-basis"))
        outcome = try await masthead(
            ["subscribers", "add", "anna@example.org", "--newsletter", "weekend-reads", "--confirmed", "--consent-basis", "paper form"],
            in: directory)
        #expect(outcome.stdout == "weekend-reads: confirmed\n")

        outcome = try await masthead(["subscribers", "show", "anna@example.org", "--format", "table"], in: directory)
        #expect(outcome.status == 0)
        #expect(outcome.stdout.hasPrefix("anna@example.org\n"))
        #expect(outcome.stdout.contains("ukraine-daily  pending"))
        #expect(outcome.stdout.contains("paper form"))
        #expect(outcome.stdout.contains("subscription.added"))

        outcome = try await masthead(["subscribers", "find", "--domain", "EXAMPLE.org", "--state", "confirmed", "--format", "csv"], in: directory)
        #expect(outcome.stdout.split(separator: "\r\n").count == 2)
        #expect(outcome.stdout.contains("anna@example.org,weekend-reads,confirmed"))

        outcome = try await masthead(["subscribers", "unsubscribe", "anna@example.org", "--newsletter", "weekend-reads"], in: directory)
        #expect(outcome.stdout == "unsubscribed from weekend-reads\n")
        outcome = try await masthead(["subscribers", "count", "--format", "csv"], in: directory)
        #expect(outcome.stdout.contains("pending,1\r\n"))
        #expect(outcome.stdout.contains("unsubscribed,1\r\n"))
        #expect(outcome.stdout.contains("total,2\r\n"))

        outcome = try await masthead(["subscribers", "show", "nobody@example.org"], in: directory)
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "masthead: no subscriber has the address nobody@example.org\n")
        outcome = try await masthead(["subscribers", "add", "not an address", "--newsletter", "ukraine-daily"], in: directory)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.hasPrefix("masthead: 'not an address' is not a valid address:"))
    }

    @Test(arguments: StoreKind.allCases) func importReportsRejectedRowsByLineAndExitsTwo(_ store: StoreKind) async throws {
        let directory = try await prepared(store)
        try "email,name\nanna@example.org,Anna\nbroken,B\nanna@example.org,Again\n".write(
            toFile: directory.file("list.csv"), atomically: true, encoding: .utf8)
        let dry = try await masthead(["subscribers", "import", "list.csv", "--newsletter", "ukraine-daily", "--dry-run"], in: directory)
        #expect(dry.status == 2)
        #expect(dry.stderr.contains("dry run: nothing was written"))
        #expect(try await masthead(["subscribers", "count", "--format", "csv"], in: directory).stdout.contains("total,0"))

        let run = try await masthead(
            ["subscribers", "import", "list.csv", "--newsletter", "ukraine-daily", "--errors", "rejected.csv"], in: directory)
        #expect(run.status == 2)
        #expect(run.stderr.contains("  added      1\n"))
        #expect(run.stderr.contains("  rejected   2 (see rejected.csv)"))
        let errors = try String(contentsOfFile: directory.file("rejected.csv"), encoding: .utf8)
        #expect(errors == "line,reason,email\r\n3,invalid address: the address has no @,broken\r\n4,duplicate of line 2,anna@example.org\r\n")

        let clean = try await masthead(["subscribers", "import", "list.csv", "--newsletter", "ukraine-daily"], in: directory)
        #expect(clean.stderr.contains("line 3: invalid address: the address has no @ (broken)"))
        #expect(clean.stderr.contains("  unchanged  1\n"))

        let missing = try await masthead(["subscribers", "import", "nope.csv", "--newsletter", "ukraine-daily"], in: directory)
        #expect(missing.status == 1)
        #expect(missing.stderr == "masthead: cannot read nope.csv\n")
    }

    /// Cells a spreadsheet would run as formulas are written as text in every CSV the command
    /// writes, the export file is its owner's alone, and our own import reads the values back
    /// as they were (hardening, item 4).
    @Test func csvCellsThatLookLikeFormulasAreNeutralised() async throws {
        let workspace = try await prepared(.sqlite)
        let file = #"""
            email,name,newsletter,state,plan
            anna@example.org,"=HYPERLINK(""http://evil.example"",""x"")",ukraine-daily,confirmed,+1
            bo@example.org,@SUM(A1),ukraine-daily,confirmed,-2

            """#
        try file.write(toFile: workspace.file("seed.csv"), atomically: true, encoding: .utf8)
        let seeded = try await masthead(["subscribers", "import", "seed.csv", "--consent-basis", "paper forms"], in: workspace)
        #expect(seeded.status == 0, "\(seeded.stderr)")

        let exported = try await masthead(["subscribers", "export", "--output", "export.csv"], in: workspace)
        #expect(exported.status == 0, "\(exported.stderr)")
        let text = try String(contentsOfFile: workspace.file("export.csv"), encoding: .utf8)
        #expect(text.contains(#""'=HYPERLINK(""http://evil.example"",""x"")""#))
        #expect(text.contains("'@SUM(A1)"))
        #expect(text.contains(#""{""plan"":""+1""}""#), "a JSON cell begins with { and stays as it is")
        let mode = try FileManager.default.attributesOfItem(atPath: workspace.file("export.csv"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let found = try await masthead(["subscribers", "find", "--format", "csv"], in: workspace)
        #expect(found.stdout.contains("'@SUM(A1)") && !found.stdout.contains(",@SUM"))

        let target = try await prepared(.sqlite)
        try FileManager.default.copyItem(atPath: workspace.file("export.csv"), toPath: target.file("export.csv"))
        #expect(try await masthead(["subscribers", "import", "export.csv", "--consent-basis", "moved"], in: target).status == 0)
        let shown = try await masthead(["subscribers", "show", "bo@example.org", "--format", "json"], in: target)
        #expect(shown.stdout.contains(#""name" : "@SUM(A1)""#), "\(shown.stdout)")
    }

    @Test(arguments: StoreKind.allCases) func exportThenImportIntoAFreshDatabaseGivesTheSameMemberships(_ store: StoreKind) async throws {
        let source = try await prepared(store)
        let file = """
            email,name,locale,created_at,newsletter,state,city
            anna@example.org,"Kowalska, Anna",pl,2025-01-02T03:04:05Z,ukraine-daily,confirmed,Kraków
            anna@example.org,"Kowalska, Anna",pl,2025-02-02T03:04:05Z,weekend-reads,unsubscribed,Kraków
            bohdan@ukr.net,Богдан,uk,2025-03-04T05:06:07Z,ukraine-daily,pending,
            "o'brien+news@example.org",,,2025-04-05,weekend-reads,confirmed,"multi
            line"

            """
        try file.write(toFile: source.file("seed.csv"), atomically: true, encoding: .utf8)
        let seeded = try await masthead(["subscribers", "import", "seed.csv", "--consent-basis", "migrated from the old CRM"], in: source)
        #expect(seeded.status == 0, "\(seeded.stderr)")

        let exported = try await masthead(["subscribers", "export", "--output", "export.csv"], in: source)
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stderr == "exported 4 memberships to export.csv\n")
        let text = try String(contentsOfFile: source.file("export.csv"), encoding: .utf8)
        #expect(text.hasPrefix("email,name,locale,newsletter,state,created_at,confirmed_at,unsubscribed_at,attributes\r\n"))

        let target = try await prepared(store)
        try FileManager.default.copyItem(atPath: source.file("export.csv"), toPath: target.file("export.csv"))
        let imported = try await masthead(["subscribers", "import", "export.csv", "--consent-basis", "moved servers"], in: target)
        #expect(imported.status == 0, "\(imported.stderr)")

        func memberships(_ directory: Workspace) async throws -> [[String: String?]] {
            let jsonl = try await masthead(["subscribers", "export", "--format", "jsonl"], in: directory)
            #expect(jsonl.status == 0)
            return try jsonl.stdout.split(separator: "\n").map { line in
                var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                object["confirmed_at"] = nil  // when the membership was confirmed in *this* database
                object["unsubscribed_at"] = nil
                return object.mapValues { value in value is NSNull ? nil : (value as? String) ?? "\(value)" }
            }.sorted { key($0) < key($1) }
        }
        func key(_ membership: [String: String?]) -> String {
            (membership["email"].flatMap { $0 } ?? "") + " " + (membership["newsletter"].flatMap { $0 } ?? "")
        }
        let before = try await memberships(source)
        #expect(before.count == 4)
        await #expect(try memberships(target) == before)
    }

    @Test(arguments: StoreKind.allCases) func eraseAccessAndSuppressionFromTheCommandLine(_ store: StoreKind) async throws {
        let directory = try await prepared(store)
        _ = try await masthead(["subscribers", "add", "anna@example.org", "--newsletter", "ukraine-daily"], in: directory)
        let access = try await masthead(["subscribers", "access", "anna@example.org"], in: directory)
        #expect(access.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(access.stdout.utf8)) as? [String: Any])
        #expect(Set(document.keys) == ["profile", "outbox", "pledges"])
        #expect((document["outbox"] as? [Any])?.count == 1)

        let erase = try await masthead(["subscribers", "erase", "anna@example.org"], in: directory)
        #expect(erase.stdout == "erased; the address stays suppressed\n")
        #expect(try await masthead(["subscribers", "show", "anna@example.org"], in: directory).status == 1)
        let readd = try await masthead(["subscribers", "add", "anna@example.org", "--newsletter", "ukraine-daily"], in: directory)
        #expect(readd.status == 1)
        #expect(readd.stderr.contains("suppression list (erased)"))
        #expect(try await masthead(["subscribers", "unsuppress", "anna@example.org"], in: directory).stdout == "suppression lifted\n")
        let again = try await masthead(["subscribers", "unsuppress", "anna@example.org"], in: directory)
        #expect(again.status == 1)
        #expect(again.stderr == "masthead: the address is not on the suppression list\n")
    }

    @Test(arguments: StoreKind.allCases) func newsletterStatsCountStatesAndOptInRate(_ store: StoreKind) async throws {
        let directory = try await prepared(store)
        _ = try await masthead(["subscribers", "add", "a@example.org", "--newsletter", "ukraine-daily"], in: directory)
        _ = try await masthead(
            ["subscribers", "add", "b@example.org", "--newsletter", "ukraine-daily", "--confirmed", "--consent-basis", "form"],
            in: directory)
        let stats = try await masthead(["newsletters", "stats", "ukraine-daily", "--format", "csv"], in: directory)
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(stats.stdout == """
            NEWSLETTER,PENDING,CONFIRMED,UNSUBSCRIBED,EXPIRED,BOUNCED,COMPLAINED,SIGN-UPS,CONFIRMATIONS,OPT-IN\r
            ukraine-daily,1,1,0,0,0,0,2,1,50.0%\r

            """)
        let byDay = try await masthead(["newsletters", "stats", "ukraine-daily", "--by", "day", "--days", "3", "--format", "json"], in: directory)
        let days = try #require(try JSONSerialization.jsonObject(with: Data(byDay.stdout.utf8)) as? [[String: Any]])
        #expect(days.count == 3)
        #expect(days.last?["sign_ups"] as? Int == 2)
        #expect(days.last?["confirmations"] as? Int == 1)
    }
}
