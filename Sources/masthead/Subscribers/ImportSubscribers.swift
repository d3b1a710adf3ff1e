import ArgumentParser
import Foundation
import MastheadRuntime
import Signing
import SubscriberLists

struct ImportSubscribers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import subscribers from a CSV file.",
        discussion: """
            The file is RFC 4180 CSV in UTF-8 (a byte order mark is skipped; CRLF or LF line \
            ends; quoted fields may hold commas, quotes and line breaks) with a header row. \
            Columns: email (required), name, locale, created_at (ISO 8601), newsletter and state \
            (per-row overrides of --newsletter and --mode), attributes (a JSON object); any other \
            column is kept as an attribute of the subscriber. A file written by \
            `masthead subscribers export` imports back as it was.

            Every row is checked; bad rows (invalid address, wrong number of fields, invalid \
            UTF-8, a line over 64 KiB, a duplicate of an earlier line, a suppressed address) are \
            reported with their line number and the rest still go in, 5000 rows per transaction. \
            Addresses already on the newsletter are left as they are, and readers who \
            unsubscribed are never brought back, so running the same file twice changes nothing. \
            Ctrl-C stops at the end of the current batch; run the same command again to finish.

            Exit status: 0 when every row was imported, 2 when some rows were rejected, \
            130 when interrupted, 1 on failure.

            Examples:
              masthead subscribers import list.csv --newsletter ukraine-daily --dry-run
              masthead subscribers import list.csv --newsletter ukraine-daily \\
                --send-confirmations --errors rejected.csv
              masthead subscribers import old.csv --newsletter ukraine-daily \\
                --mode confirmed --consent-basis "double opt-in at Mailchimp"
            """)

    enum Mode: String, ExpressibleByArgument {
        case pending, confirmed
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The CSV file.") var file: String
    @Option(help: "The newsletter the rows join (unless the file has a newsletter column).") var newsletter: String?
    @Option(help: "pending (they confirm by email) or confirmed (needs --consent-basis).") var mode: Mode = .pending
    @Option(help: "How the people in the file agreed; kept in each consent record.") var consentBasis: String?
    @Flag(help: "Queue a confirmation email for each row that becomes pending.") var sendConfirmations = false
    @Flag(help: "Check every row and report, but write nothing.") var dryRun = false
    @Option(help: "Write rejected rows here as CSV (line,reason,email) instead of listing them all on stderr.")
    var errors: String?
    @Option(help: "Rows per transaction (default: 15000 on SQLite, 5000 on PostgreSQL).") var batchSize: Int?

    func validate() throws {
        if let batchSize, !(1...100_000).contains(batchSize) { throw ValidationError("--batch-size must be between 1 and 100000") }
        if mode == .confirmed, consentBasis?.trimmingCharacters(in: .whitespaces).isEmpty ?? true {
            throw ValidationError(ImportError.confirmedNeedsBasis.description)
        }
    }

    func run() async throws {
        let options = ImportOptions(
            newsletter: newsletter, confirmed: mode == .confirmed, basis: consentBasis, sendConfirmations: sendConfirmations,
            dryRun: dryRun, batchSize: batchSize, source: "import:" + URL(fileURLWithPath: file).lastPathComponent)
        let report = try await global.withServices { services in
            var sink = try RejectionSink(path: errors)
            let progress = ImportProgressDisplay(dryRun: dryRun)
            let interruption = ImportInterruption.install()
            defer { interruption.uninstall() }
            let report = try await services.importer.run(
                path: file, options: options, actor: AdminActor.current,
                reject: { sink.write($0) }, progress: { progress.show($0) }, shouldStop: { interruption.requested })
            progress.finish()
            try sink.close()
            return report
        }
        ImportSummary(report: report, file: file, errorsFile: errors, dryRun: dryRun).print()
        if report.interrupted { throw ExitCode(130) }
        if report.rejected > 0 { throw ExitCode(2) }
    }
}

/// Where rejected rows go: the errors file, or stderr.
struct RejectionSink {
    private var handle: FileHandle?

    init(path: String?) throws {
        guard let path else { return }
        guard FileManager.default.createFile(
                atPath: path, contents: Data(CSVField.record(["line", "reason", "email"]).utf8),
                attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw ValidationError("cannot write the errors file \(path)") }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    mutating func write(_ rejection: ImportRejection) {
        if let handle {
            handle.write(Data(CSVField.record([String(rejection.line), rejection.reason, rejection.email]).utf8))
        } else {
            let email = rejection.email.isEmpty ? "" : " (\(rejection.email))"
            CommandFailure.printError("line \(rejection.line): \(rejection.reason)\(email)")
        }
    }

    func close() throws {
        try handle?.close()
    }
}

/// The closing summary on stderr.
struct ImportSummary {
    let report: ImportReport
    let file: String
    let errorsFile: String?
    let dryRun: Bool

    func print() {
        var lines: [String] = []
        if dryRun { lines.append("dry run: nothing was written; this is what an import would do") }
        lines.append("read \(report.rows) rows of \(file)")
        lines.append("  added      \(report.added)")
        lines.append("  updated    \(report.updated)")
        lines.append("  unchanged  \(report.unchanged)")
        if report.kept > 0 { lines.append("  kept       \(report.kept) (had left the newsletter; an import does not bring them back)") }
        lines.append("  rejected   \(report.rejected)" + (report.rejected > 0 && errorsFile != nil ? " (see \(errorsFile ?? ""))" : ""))
        if report.confirmationsQueued > 0 { lines.append("  confirmation emails queued: \(report.confirmationsQueued)") }
        if report.interrupted {
            lines.append(
                "interrupted after line \(report.lastLine): rows up to there are in; "
                    + "run the same command again to finish (rows already imported are skipped)")
        }
        CommandFailure.printError(lines.joined(separator: "\n"))
    }
}
