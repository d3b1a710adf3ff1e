import Foundation
import MastheadRuntime
import NewsletterSignup
import SubscriberLists
import Testing

/// `SubscriberImporter` on the real store: every kind of bad row, re-runs, dry runs,
/// interruption, suppression and confirmations.
@Suite(.timeLimit(.minutes(3))) struct SubscriberImportTests {
    /// One good row, then one of every kind of bad row, then good rows again.
    static var craftedFile: [UInt8] {
        var bytes = Array("email,name,locale,created_at,city\r\n".utf8)
        func line(_ text: String) { bytes += Array((text + "\r\n").utf8) }
        line("anna@example.org,Anna,uk,2025-03-14T09:26:53Z,Kyiv")  // 2
        line("not-an-address,Nobody,en,,")  // 3
        line("")  // 4
        line("ANNA@example.org,Anna Again,uk,,Lviv")  // 5: same address, other case
        line("long@example.org," + String(repeating: "x", count: CSVReader.maximumRecordLength) + ",,,")  // 6
        line("short@example.org,Short")  // 7
        bytes += Array("bytes@example.org,".utf8) + [0xC3, 0x28] + Array(",pl,,\r\n".utf8)  // 8
        line("\"mar'yana@example.org\",\"Мар'яна\nБондар\",uk,,\"Odesa, UA\"")  // 9-10
        line("when@example.org,When,en,last tuesday,")  // 11
        line("locale@example.org,Loc,en GB,,")  // 12
        line("b@ukr.net,,,,")  // 13
        line(",,,,")  // 14
        return bytes
    }

    static let expectedRejections: [(Int, String)] = [
        (3, "invalid address: "),
        (4, "the row is empty"),
        (5, "duplicate of line 2"),
        (6, "the record is longer than 65536 bytes"),
        (7, "expected 5 fields, found 2"),
        (8, "the record is not valid UTF-8"),
        (11, "created_at 'last tuesday' is not an ISO 8601 date such as 2025-03-14T09:26:53Z"),
        (12, "invalid locale 'en GB' (expected a language tag such as uk or en-GB)"),
        (14, "the row is empty"),
    ]

    func expectRejections(_ rejections: [ImportRejection]) {
        #expect(rejections.map(\.line) == Self.expectedRejections.map(\.0))
        for (rejection, expected) in zip(rejections, Self.expectedRejections) {
            #expect(rejection.reason.hasPrefix(expected.1), "line \(rejection.line): \(rejection.reason)")
        }
        #expect(rejections.first?.email == "not-an-address")
    }

    @Test(arguments: StoreKind.allCases) func everyBadRowIsReportedWithItsLineAndTheValidRowsGoIn(_ store: StoreKind) async throws {
        let lists = try await ListsFixture(store: store)
        defer { lists.test.shutdown() }
        let path = try lists.file("crafted.csv", Self.craftedFile)

        let (report, rejections) = try await lists.importFile(path)
        expectRejections(rejections)
        #expect(report.rows == 12)  // records after the header; lines 9–10 are one record
        #expect(report.added == 3)
        #expect(report.rejected == 9)
        #expect(!report.interrupted)
        #expect(try await lists.sql("SELECT email || '|' || coalesce(name, '-') || '|' || coalesce(locale, '-') || '|' || attributes FROM subscribers ORDER BY id") == [
            "anna@example.org|Anna|uk|{\"city\":\"Kyiv\"}",
            "mar'yana@example.org|Мар'яна\nБондар|uk|{\"city\":\"Odesa, UA\"}",
            "b@ukr.net|-|-|{}",
        ])
        #expect(try await lists.sql("SELECT created_at FROM subscriptions ORDER BY id").first == "2025-03-14T09:26:53.000Z")
        #expect(try await lists.sql("SELECT DISTINCT status FROM subscriptions") == ["pending"])
        #expect(try await lists.sql("SELECT action || '|' || source FROM consent_records") == Array(repeating: "import|import", count: 3))

        // The same file again changes nothing and reports the same rows.
        let before = try await lists.listTables()
        let (again, againRejections) = try await lists.importFile(path)
        expectRejections(againRejections)
        #expect(again.added == 0)
        #expect(again.unchanged == 3)
        #expect(try await lists.listTables() == before)
        // ... and leaves no second audit record: the trail says what changed (hardening, item 12).
        #expect(try await lists.sql("SELECT count(*) FROM events WHERE action = 'subscribers.imported'") == ["1"])
    }

    @Test(arguments: StoreKind.allCases) func aDryRunReportsTheSameAndWritesNothing(_ store: StoreKind) async throws {
        let lists = try await ListsFixture(store: store)
        defer { lists.test.shutdown() }
        let path = try lists.file("crafted.csv", Self.craftedFile)
        let (report, rejections) = try await lists.importFile(path, ImportOptions(newsletter: "ukraine-daily", dryRun: true))
        expectRejections(rejections)
        #expect(report.added == 3)
        #expect(try await lists.listTables() == [])
        #expect(try await lists.sql("SELECT count(*) FROM events WHERE action = 'subscribers.imported'") == ["0"])
    }

    @Test(arguments: StoreKind.allCases) func anInterruptedImportStopsAtABatchBoundaryAndAReRunFinishesIt(_ store: StoreKind) async throws {
        let lists = try await ListsFixture(store: store)
        defer { lists.test.shutdown() }
        let rows = (1...10).map { "reader\($0)@example.org\n" }.joined()
        let path = try lists.file("ten.csv", "email\n" + rows)
        var batches = 0
        let options = ImportOptions(newsletter: "ukraine-daily", batchSize: 3)
        let (first, _) = try await lists.importFile(path, options, shouldStop: { batches >= 2 }, onProgress: { _ in batches += 1 })
        #expect(first.interrupted)
        #expect(first.added == 6)
        #expect(first.lastLine == 7)
        #expect(try await lists.sql("SELECT count(*) FROM subscriptions") == ["6"])

        let (second, rejections) = try await lists.importFile(path, options)
        #expect(!second.interrupted)
        #expect(rejections.isEmpty)
        #expect(second.unchanged == 6)
        #expect(second.added == 4)
        #expect(try await lists.sql("SELECT count(*) FROM subscriptions") == ["10"])
        #expect(try await lists.sql("SELECT count(*) FROM consent_records") == ["10"])
    }

    /// Without `--batch-size` each store takes its own: SQLite's set-based batches are larger.
    @Test(arguments: StoreKind.allCases) func withoutABatchSizeEachStoreNamesItsOwn(_ store: StoreKind) async throws {
        let lists = try await ListsFixture(store: store)
        defer { lists.test.shutdown() }
        let rows = 6_001
        let path = try lists.file("many.csv", "email\n" + (1...rows).map { "reader\($0)@example.org\n" }.joined())
        var batches = 0
        let (report, _) = try await lists.importFile(path, onProgress: { _ in batches += 1 })
        #expect(report.added == rows)
        let size = lists.test.runtime.store.preferredImportBatchSize
        #expect(size == (store == .sqlite ? 15_000 : 5_000))
        #expect(batches == (rows + size - 1) / size)
        #expect(try await lists.sql("SELECT count(*) FROM consent_newsletters") == [String(rows)])
    }

    @Test(arguments: StoreKind.allCases) func suppressedAddressesAreRejectedNotImported(_ store: StoreKind) async throws {
        let lists = try await ListsFixture(store: store)
        defer { lists.test.shutdown() }
        try await lists.directory.suppress("trap@example.org", note: "spam trap", actor: "test")
        let path = try lists.file("list.csv", "email\nok@example.org\nTRAP@example.org\n")
        let (report, rejections) = try await lists.importFile(path)
        #expect(report.added == 1)
        #expect(rejections.map(\.line) == [3])
        #expect(rejections.first?.reason.hasPrefix("the address is on the suppression list (manual)") == true)
        #expect(try await lists.sql("SELECT email FROM subscribers") == ["ok@example.org"])
    }

    @Test(arguments: StoreKind.allCases) func stateColumnsRecordLeaversAndNeverBringThemBack(_ store: StoreKind) async throws {
        let lists = try await ListsFixture(store: store)
        defer { lists.test.shutdown() }
        let basis = ImportOptions(newsletter: "ukraine-daily", basis: "exported from the old CRM")
        let setUp = try lists.file("first.csv", "email,state\nleft@example.org,unsubscribed\nstays@example.org,confirmed\nwas@example.org,confirmed\n")
        let (first, none) = try await lists.importFile(setUp, basis)
        #expect(none.isEmpty)
        #expect(first.added == 3)

        // Another list names them all as pending members: the leaver stays out; the member
        // who left since is recorded as having left.
        let later = try lists.file("later.csv", "email,state\nleft@example.org,pending\nstays@example.org,pending\nwas@example.org,unsubscribed\n")
        let (second, _) = try await lists.importFile(later, basis)
        #expect(second.kept == 1)
        #expect(second.unchanged == 1)
        #expect(second.updated == 1)
        #expect(try await lists.sql("SELECT email || ':' || status FROM subscriptions JOIN subscribers ON subscribers.id = subscriber_id ORDER BY subscriptions.id") == [
            "left@example.org:unsubscribed", "stays@example.org:confirmed", "was@example.org:unsubscribed",
        ])

        let unsupported = try lists.file("basisless.csv", "email,state\nnew@example.org,confirmed\n")
        let (_, rejections) = try await lists.importFile(unsupported)
        #expect(rejections.first?.reason == "a confirmed row needs --consent-basis saying how the person agreed")
    }

    @Test(arguments: StoreKind.allCases) func sendConfirmationsQueuesDoubleOptInEmailsWhoseLinksConfirm(_ store: StoreKind) async throws {
        let lists = try await ListsFixture(store: store)
        defer { lists.test.shutdown() }
        let path = try lists.file("list.csv", "email,locale\nanna@example.org,uk\nbohdan@example.org,en\n")
        let (report, _) = try await lists.importFile(path, ImportOptions(newsletter: "ukraine-daily", sendConfirmations: true))
        #expect(report.confirmationsQueued == 2)
        #expect(try await lists.test.deliver() == 2)
        var emails: [ParsedEmail] = []
        for path in try lists.test.emails() { emails.append(try await ParsedEmail.parse(path)) }
        #expect(emails.count == 2)
        let token = try #require(emails.first?.link("/v1/confirm")).token
        let outcome = try await lists.test.runtime.services.signup.confirm(token: token, client: ClientContext(ipAddress: nil, userAgent: nil))
        guard case .done(_, let changed) = outcome else { Issue.record("confirm did nothing: \(outcome)"); return }
        #expect(changed)
        #expect(try await lists.sql("SELECT status FROM subscriptions ORDER BY id").sorted() == ["confirmed", "pending"])

        // A re-run queues nothing more.
        let (again, _) = try await lists.importFile(path, ImportOptions(newsletter: "ukraine-daily", sendConfirmations: true))
        #expect(again.confirmationsQueued == 0)
    }

    /// Each row is decided on what the rows before it did, within a batch and across batches, as
    /// if written one by one: PostgreSQL decides a whole batch before writing it.
    @Test(arguments: StoreKind.allCases) func eachRowSeesWhatTheRowsBeforeItDid(_ store: StoreKind) async throws {
        let lists = try await ListsFixture(store: store)
        defer { lists.test.shutdown() }
        try await lists.test.newsletter("weekend")
        let options = { (batchSize: Int) in
            ImportOptions(newsletter: nil, basis: "paper form", sendConfirmations: true, batchSize: batchSize)
        }
        let first = try lists.file("first.csv", """
            email,name,locale,newsletter,state
            early@example.org,,,ukraine-daily,pending
            kept@example.org,Kept,en,ukraine-daily,confirmed

            """)
        #expect(try await lists.importFile(first, options(5000)).0.confirmationsQueued == 1)
        let second = try lists.file("second.csv", """
            email,name,locale,newsletter,state,city
            new@example.org,,uk,ukraine-daily,pending,Kyiv
            NEW@example.org,Other,en,weekend,pending,Lviv
            early@example.org,Early,uk,weekend,pending,
            kept@example.org,Changed,uk,ukraine-daily,unsubscribed,
            kept@example.org,,,weekend,confirmed,
            new@example.org,,,ukraine-daily,pending,

            """)
        let (report, rejections) = try await lists.importFile(second, options(3))
        #expect(rejections.map(\.line) == [7])
        #expect(rejections.first?.reason.hasPrefix("duplicate of line 2") == true)
        #expect(report.added == 4)
        #expect(report.updated == 1)
        #expect(report.confirmationsQueued == 1)
        // Blanks filled from the first row that had them, a new subscriber's too; nothing overwritten.
        #expect(try await lists.sql("SELECT email || '|' || coalesce(name, '-') || '|' || coalesce(locale, '-') || '|' || attributes FROM subscribers ORDER BY id") == [
            "early@example.org|Early|uk|{}", "kept@example.org|Kept|en|{}", "new@example.org|Other|uk|{\"city\":\"Kyiv\"}",
        ])
        let members = """
            SELECT s.email || '|' || n.slug || '|' || m.status || '|' || CASE WHEN m.confirmed_at IS NULL THEN '-' ELSE 'c' END
                || CASE WHEN m.unsubscribed_at IS NULL THEN '-' ELSE 'u' END || CASE WHEN m.pending_since IS NULL THEN '-' ELSE 'p' END
            FROM subscriptions m JOIN subscribers s ON s.id = m.subscriber_id JOIN newsletters n ON n.id = m.newsletter_id
            ORDER BY s.email, n.slug
            """
        #expect(try await lists.sql(members) == [
            "early@example.org|ukraine-daily|pending|--p", "early@example.org|weekend|pending|--p",
            "kept@example.org|ukraine-daily|unsubscribed|cu-", "kept@example.org|weekend|confirmed|c--",
            "new@example.org|ukraine-daily|pending|--p", "new@example.org|weekend|pending|--p",
        ])
        let consents = """
            SELECT s.email || '|' || n.slug || '|' || c.action || '|' || coalesce(c.basis, '-') || '|' || coalesce(c.locale, '-') || '|'
                || CASE WHEN c.confirmed_at IS NULL THEN 'asked' ELSE 'given' END
            FROM consent_records c JOIN consent_newsletters cn ON cn.consent_id = c.id JOIN newsletters n ON n.id = cn.newsletter_id
            JOIN subscribers s ON s.id = c.subscriber_id ORDER BY c.id
            """
        #expect(try await lists.sql(consents) == [
            "early@example.org|ukraine-daily|import|paper form|-|asked", "kept@example.org|ukraine-daily|import|paper form|en|given",
            "new@example.org|ukraine-daily|import|paper form|uk|asked", "new@example.org|weekend|import|paper form|en|asked",
            "early@example.org|weekend|import|paper form|uk|asked", "kept@example.org|weekend|import|paper form|-|given",
        ])
        // One confirmation per address in the cap's window: early had one from the first file.
        #expect(try await lists.sql("SELECT recipient FROM outbox WHERE kind = 'confirmation' ORDER BY id") == [
            "early@example.org", "new@example.org",
        ])
        // The confirmation's link is bound to the consent record it completes.
        #expect(try await lists.test.deliver() == 2)
        var confirmed = 0
        for path in try lists.test.emails() {
            let token = try #require(try await ParsedEmail.parse(path).link("/v1/confirm")).token
            if case .done = try await lists.test.runtime.services.signup.confirm(token: token, client: ClientContext(ipAddress: nil, userAgent: nil)) {
                confirmed += 1
            }
        }
        #expect(confirmed == 2)
        #expect(try await lists.sql("SELECT s.email || '|' || n.slug FROM subscriptions m JOIN subscribers s ON s.id = m.subscriber_id JOIN newsletters n ON n.id = m.newsletter_id WHERE m.status = 'confirmed' ORDER BY s.email, n.slug") == [
            "early@example.org|ukraine-daily", "kept@example.org|weekend", "new@example.org|ukraine-daily",
        ])
    }

    @Test(arguments: StoreKind.allCases) func aFileWithoutAnEmailColumnOrANewsletterIsRefusedBeforeAnyRow(_ store: StoreKind) async throws {
        let lists = try await ListsFixture(store: store)
        defer { lists.test.shutdown() }
        let noEmail = try lists.file("a.csv", "mail,name\nx@example.org,X\n")
        await #expect(throws: ImportError.missingEmailColumn(found: ["mail", "name"])) { _ = try await lists.importFile(noEmail) }
        let noNewsletter = try lists.file("b.csv", "email\nx@example.org\n")
        await #expect(throws: ImportError.noNewsletter) { _ = try await lists.importFile(noNewsletter, ImportOptions(newsletter: nil)) }
        await #expect(throws: ImportError.unknownNewsletter("nope")) { _ = try await lists.importFile(noNewsletter, ImportOptions(newsletter: "nope")) }
        let empty = try lists.file("c.csv", "")
        await #expect(throws: ImportError.emptyFile) { _ = try await lists.importFile(empty) }
        #expect(try await lists.listTables() == [])
    }
}
