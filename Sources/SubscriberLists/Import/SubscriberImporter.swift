public import Foundation
import EmailAddress

/// Imports a CSV file of subscribers into one or more newsletters, streaming: one batch of rows
/// in memory whatever the file's size.
///
/// Rows are validated here (address, fields, newsletter, state) and applied by the store one
/// transaction per batch. While the store writes a batch, the next one is read and validated,
/// so the two cores work at once. A bad row never stops the import: it is reported, with its
/// line number, through `reject`, and the valid rows go in.
///
/// ```swift
/// let importer = SubscriberImporter(store: store, addressHash: keys.addressHash, now: Date.init)
/// let report = try await importer.run(path: "list.csv", options: ImportOptions(newsletter: "ukraine-daily"),
///                                     actor: "admin:alice", reject: { print($0) })
/// ```
public struct SubscriberImporter: Sendable {
    let store: any SubscriberStore
    let addressHash: @Sendable (String) -> String
    let now: @Sendable () -> Date

    /// The longest name kept.
    public static let maximumNameLength = 200
    /// The longest locale tag kept.
    public static let maximumLocaleLength = 35

    /// Creates an importer; `addressHash` is the keyed hash the suppression list uses.
    public init(store: any SubscriberStore, addressHash: @escaping @Sendable (String) -> String, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.addressHash = addressHash
        self.now = now
    }

    /// Imports the file. `reject` is called for every row left out, in line order; `progress`
    /// after every batch; `shouldStop` is asked between batches (Ctrl-C): when it says yes, the
    /// import stops with everything before that point applied, and a re-run finishes the job.
    public func run(
        path: String, options: ImportOptions, actor: String,
        reject: (ImportRejection) -> Void,
        progress: (ImportProgress) -> Void = { _ in },
        shouldStop: () -> Bool = { false }
    ) async throws -> ImportReport {
        if options.confirmed, options.basis == nil { throw ImportError.confirmedNeedsBasis }
        var reader: CSVReader
        do {
            reader = try CSVReader(path: path)
        } catch {
            throw ImportError.unreadable(path: path)
        }
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        let columns: ImportColumns
        switch reader.next() {
        case nil: throw ImportError.emptyFile
        case .failure(let problem): throw ImportError.unreadableHeader(reason: problem.reason)
        case .success(let header): columns = try ImportColumns(header: header.fields)
        }
        let newsletters = try await store.newsletters(includingArchived: true)
        let validator = RowValidator(
            columns: columns, options: options, newsletters: Dictionary(uniqueKeysWithValues: newsletters.map { ($0.slug, $0) }),
            addressHash: addressHash)
        if let slug = options.newsletter, validator.newsletters[slug] == nil { throw ImportError.unknownNewsletter(slug) }
        if options.newsletter == nil, columns.newsletter == nil { throw ImportError.noNewsletter }

        let batchSize = options.batchSize ?? store.preferredImportBatchSize
        let run = Int64.random(in: 1...Int64.max)
        let started = Date()
        var report = ImportReport()
        var inFlight: (batch: ParsedBatch, result: Task<ImportBatchResult, any Error>)?
        defer { inFlight?.result.cancel() }
        do {
            while true {
                let batch = Self.readBatch(&reader, validator: validator, size: batchSize)
                if let (applied, result) = inFlight {
                    inFlight = nil
                    Self.settle(applied, try await result.value, into: &report, reject: reject)
                    progress(ImportProgress(report: report, bytesRead: applied.bytesRead, fileSize: fileSize, elapsed: Date().timeIntervalSince(started)))
                }
                if batch.records == 0 { break }
                if shouldStop() {
                    report.interrupted = true
                    break
                }
                let store = self.store
                let submitted = ImportBatch(run: run, rows: batch.rows, options: options, time: now(), actor: actor)
                inFlight = (batch, Task { try await store.importBatch(submitted) })
            }
        } catch {
            try? await store.finishImport(run: run)
            throw error
        }
        try await store.finishImport(run: run)
        return report
    }

    /// Rows read for one transaction, with the rejections found while reading them (reported
    /// only once the batch is applied, so an interrupted run reports exactly what it did).
    struct ParsedBatch {
        var rows: [ImportRow] = []
        var rejections: [ImportRejection] = []
        var records = 0
        var lastLine = 0
        var bytesRead = 0
    }

    static func readBatch(_ reader: inout CSVReader, validator: RowValidator, size: Int) -> ParsedBatch {
        var batch = ParsedBatch()
        batch.rows.reserveCapacity(size)
        while batch.records < size, let next = reader.next() {
            batch.records += 1
            switch next {
            case .failure(let problem):
                batch.rejections.append(ImportRejection(line: problem.line, reason: problem.reason, email: ""))
                batch.lastLine = problem.line
            case .success(let record):
                batch.lastLine = record.line
                switch validator.validate(record) {
                case .success(let row): batch.rows.append(row)
                case .failure(let rejection): batch.rejections.append(rejection)
                }
            }
        }
        batch.bytesRead = reader.bytesRead
        return batch
    }

    /// Counts a batch's outcomes and reports its rejections in line order.
    static func settle(_ batch: ParsedBatch, _ result: ImportBatchResult, into report: inout ImportReport, reject: (ImportRejection) -> Void) {
        var rejections = batch.rejections
        for (row, outcome) in zip(batch.rows, result.outcomes) {
            switch outcome {
            case .added: report.added += 1
            case .updated: report.updated += 1
            case .unchanged: report.unchanged += 1
            case .kept: report.kept += 1
            case .duplicate(let line):
                rejections.append(ImportRejection(line: row.line, reason: "duplicate of line \(line)", email: row.email))
            case .suppressed(let reason):
                rejections.append(ImportRejection(
                    line: row.line,
                    reason: "the address is on the suppression list (\(reason.rawValue)); "
                        + "`masthead subscribers unsuppress` lifts it if the person asks to come back",
                    email: row.email))
            }
        }
        rejections.sort { $0.line < $1.line }
        rejections.forEach(reject)
        report.rows += batch.records
        report.rejected += rejections.count
        report.confirmationsQueued += result.confirmationsQueued
        report.lastLine = batch.lastLine
    }
}

/// How far an import has got, for a progress bar.
public struct ImportProgress: Sendable, Equatable {
    public var report: ImportReport
    public var bytesRead: Int
    /// The file's size, when known.
    public var fileSize: Int?
    /// Seconds since the import started.
    public var elapsed: TimeInterval

    /// Rows per second so far.
    public var rowsPerSecond: Double { elapsed > 0 ? Double(report.rows) / elapsed : 0 }
    /// The share of the file read, 0...1, when the size is known.
    public var fraction: Double? { fileSize.map { $0 > 0 ? min(1, Double(bytesRead) / Double($0)) : 1 } }
    /// Seconds left at the current pace, when it can be estimated.
    public var secondsLeft: Double? {
        guard let fraction, fraction > 0, elapsed > 0 else { return nil }
        return elapsed * (1 - fraction) / fraction
    }
}

/// What the store did with one batch.
public struct ImportBatchResult: Sendable, Equatable {
    /// One outcome per row, in the batch's order.
    public var outcomes: [ImportRowOutcome]
    /// Confirmation emails queued (`--send-confirmations`).
    public var confirmationsQueued: Int

    /// Creates a result.
    public init(outcomes: [ImportRowOutcome], confirmationsQueued: Int) {
        self.outcomes = outcomes
        self.confirmationsQueued = confirmationsQueued
    }
}
