// The CSV fuzzer's property, and the test that replays its seed corpus and every input it ever
// crashed on. Ops/fuzz's target FuzzCSV compiles this same file (a symlink, built with FUZZING
// defined, which hides the suite), so the property is written once.
import Foundation
#if !FUZZING
import Testing
import TestSupport
#endif

@testable import SubscriberLists

/// What must hold for any file handed to an import, beyond not crashing: the reader reads every
/// byte and ends; its line numbers rise and stay within the file; a file without quotes reads
/// exactly as its lines and commas say; what it reads, exported again, reads back the same;
/// and each row the validator judges keeps its line.
enum CSVFuzzProperty {
    /// One scratch file per process, rewritten for every input (the reader only reads files).
    static let scratch = FileManager.default.temporaryDirectory
        .appendingPathComponent("masthead-fuzz-csv-\(ProcessInfo.processInfo.processIdentifier).csv")

    typealias Outcome = Result<CSVReader.Record, CSVReader.Problem>

    /// Nil when the property holds for `input`; otherwise what broke.
    static func check(_ input: [UInt8]) -> String? {
        let lines = physicalLines(input)
        guard let (outcomes, bytesRead) = read(input, atMost: lines) else { return "the reader does not end" }
        guard bytesRead == input.count else { return "read \(bytesRead) of \(input.count) bytes" }
        let starts = outcomes.map(line)
        guard starts.first.map({ $0 >= 1 }) ?? true, zip(starts, starts.dropFirst()).allSatisfy({ $0 < $1 }),
            starts.last.map({ $0 <= lines }) ?? true
        else { return "line numbers \(starts) do not rise within the file's \(lines) lines" }
        if !input.contains(UInt8(ascii: "\"")), input.count < CSVReader.maximumRecordLength {
            let expected = unquoted(input)
            guard outcomes.count == expected.count, zip(outcomes, expected).allSatisfy(sameOutcome) else {
                return "an unquoted file reads as \(outcomes), not as its lines and commas say: \(expected)"
            }
        }
        let records = outcomes.compactMap { try? $0.get() }
        return checkExportReadsBack(records) ?? checkRows(records)
    }

    /// What the exporter writes of these records (after a header, as an export has) reads back
    /// as the same fields.
    private static func checkExportReadsBack(_ records: [CSVReader.Record]) -> String? {
        guard !records.isEmpty else { return nil }
        let exported = "email\r\n" + records.map { CSVField.record($0.fields) }.joined()
        guard let (again, _) = read(Array(exported.utf8), atMost: exported.utf8.count + 1) else {
            return "the reader does not end on an export"
        }
        let fields = again.map { (try? $0.get())?.fields.map(CSVField.restored) }
        guard fields == [["email"]] + records.map(\.fields) else { return "the export of \(records) reads back as \(again)" }
        return nil
    }

    /// The validator, with the file's own header when it names an email column (else the
    /// export's columns), judges each later record and keeps its line.
    private static func checkRows(_ records: [CSVReader.Record]) -> String? {
        guard let header = records.first else { return nil }
        let columns = (try? ImportColumns(header: header.fields)) ?? exportColumns
        let validator = RowValidator(
            columns: columns, options: ImportOptions(newsletter: "daily", basis: "fuzz"), newsletters: newsletters,
            addressHash: { "hash:" + $0 })
        for record in records.dropFirst() {
            switch validator.validate(record) {
            case .success(let row):
                guard row.line == record.line else { return "row of line \(record.line) says line \(row.line)" }
                guard newsletters[row.newsletter] != nil, row.normalizedEmail.contains("@"),
                    row.addressHash == "hash:" + row.normalizedEmail,
                    (row.name?.count ?? 0) <= SubscriberImporter.maximumNameLength,
                    row.locale.map(RowValidator.isLocale) ?? true
                else { return "line \(record.line) was accepted as \(row)" }
            case .failure(let rejection):
                guard rejection.line == record.line else { return "rejection of line \(record.line) says line \(rejection.line)" }
            }
        }
        return nil
    }

    // MARK: the model

    /// Lines as an editor counts them: LF, CRLF and a lone CR each end one.
    static func physicalLines(_ bytes: [UInt8]) -> Int {
        var count = 1
        for (index, byte) in bytes.enumerated() where byte == 10 || (byte == 13 && bytes[safe: index + 1] != 10) {
            count += 1
        }
        return count
    }

    /// A file without quotes, as RFC 4180 reads it: records end at LF, CRLF or a lone CR, fields
    /// at commas; a leading byte order mark is skipped; a record that is not UTF-8 is refused.
    static func unquoted(_ bytes: [UInt8]) -> [Outcome] {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        var outcomes: [Outcome] = []
        var line = 1
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var started = false
        func finish() {
            fields.append(field)
            let strings = fields.map { String(validating: $0, as: UTF8.self) }
            outcomes.append(strings.contains(nil)
                ? .failure(CSVReader.Problem(line: line, reason: "not UTF-8"))
                : .success(CSVReader.Record(line: line, fields: strings.compactMap { $0 })))
            (fields, field, started) = ([], [], false)
        }
        var index = body.startIndex
        while index < body.endIndex {
            let byte = body[index]
            index += 1
            switch byte {
            case UInt8(ascii: ","):
                fields.append(field)
                field = []
                started = true
            case 10, 13:
                if byte == 13, index < body.endIndex, body[index] == 10 { index += 1 }
                finish()
                line += 1
            default:
                field.append(byte)
                started = true
            }
        }
        if started { finish() }
        return outcomes
    }

    // MARK: helpers

    static let newsletters: [String: Newsletter] = Dictionary(uniqueKeysWithValues: ["daily", "weekly"].enumerated().map { index, slug in
        let created = Date(timeIntervalSince1970: 1_767_225_600)
        return (slug, Newsletter(
            id: Int64(index + 1), slug: slug, name: slug, description: "", visibility: .public, optIn: .double,
            archivedAt: nil, createdAt: created, updatedAt: created))
    })

    /// The columns of our own export (every known column, and one extra).
    static let exportColumns: ImportColumns = {
        let names = ["email", "name", "locale", "created_at", "newsletter", "state", "attributes", "source"]
        // A fixed header with an email column and no repeats: a failure is a mistake here, not a finding.
        guard let columns = try? ImportColumns(header: names) else { fatalError("the export header is not importable") }
        return columns
    }()

    /// Reads a file of `bytes`; nil if the reader gives more outcomes than the file has lines.
    static func read(_ bytes: [UInt8], atMost limit: Int) -> (outcomes: [Outcome], bytesRead: Int)? {
        do {
            try Data(bytes).write(to: scratch)
            var reader = try CSVReader(path: scratch.path)
            var outcomes: [Outcome] = []
            while let next = reader.next() {
                outcomes.append(next)
                if outcomes.count > limit { return nil }
            }
            return (outcomes, reader.bytesRead)
        } catch {
            fatalError("cannot use the scratch file \(scratch.path): \(error)")
        }
    }

    static func line(_ outcome: Outcome) -> Int {
        switch outcome {
        case .success(let record): record.line
        case .failure(let problem): problem.line
        }
    }

    /// Records alike, or problems on the same line (their wording is the reader's business).
    static func sameOutcome(_ pair: (Outcome, Outcome)) -> Bool {
        switch pair {
        case (.success(let a), .success(let b)): a == b
        case (.failure(let a), .failure(let b)): a.line == b.line
        default: false
        }
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

#if !FUZZING
/// Every seed and every saved crash input of the CSV fuzzer, without the fuzzer.
@Suite struct FuzzCorpusTests {
    @Test func everySeedAndRegressionKeepsTheCSVProperty() throws {
        let (count, failures) = try FuzzInputs.replay("FuzzCSV", through: CSVFuzzProperty.check)
        #expect(count > 0, "no corpus found under Ops/fuzz/corpus/FuzzCSV")
        #expect(failures.isEmpty, "\(failures)")
        try? FileManager.default.removeItem(at: CSVFuzzProperty.scratch)
    }
}

#endif
