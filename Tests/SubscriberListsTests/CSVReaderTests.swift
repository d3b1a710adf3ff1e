import Foundation
import SubscriberLists
import TestSupport
import Testing

/// The CSV dialect of imports, read from real files.
@Suite struct CSVReaderTests {
    func records(_ bytes: [UInt8]) throws -> [Result<CSVReader.Record, CSVReader.Problem>] {
        let directory = try TemporaryDirectory()
        let path = directory.file("input.csv")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var reader = try CSVReader(path: path)
        var all: [Result<CSVReader.Record, CSVReader.Problem>] = []
        while let next = reader.next() { all.append(next) }
        return all
    }

    func records(_ text: String) throws -> [Result<CSVReader.Record, CSVReader.Problem>] {
        try records(Array(text.utf8))
    }

    func ok(_ line: Int, _ fields: [String]) -> Result<CSVReader.Record, CSVReader.Problem> {
        .success(CSVReader.Record(line: line, fields: fields))
    }

    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let text = "email,name\r\n\"a@x.org\",\"Kowalski, \"\"Jan\"\"\"\r\nb@x.org,\"two\r\nlines\"\nc@x.org,plain\n"
        #expect(try records(text) == [
            ok(1, ["email", "name"]), ok(2, ["a@x.org", "Kowalski, \"Jan\""]), ok(3, ["b@x.org", "two\r\nlines"]),
            ok(5, ["c@x.org", "plain"]),
        ])
    }

    @Test func byteOrderMarkIsSkippedAndLastLineNeedNoBreak() throws {
        #expect(try records([0xEF, 0xBB, 0xBF] + Array("email\na@x.org".utf8)) == [ok(1, ["email"]), ok(2, ["a@x.org"])])
    }

    @Test func emptyLinesAndEmptyFieldsAreRecordsOfEmptyStrings() throws {
        #expect(try records("a,b\n\n,\n") == [ok(1, ["a", "b"]), ok(2, [""]), ok(3, ["", ""])])
    }

    @Test func invalidUTF8IsReportedAndReadingGoesOn() throws {
        let bytes = Array("email\n".utf8) + [0x61, 0xFF, 0xFE, 0x0A] + Array("b@x.org\n".utf8)
        #expect(try records(bytes) == [
            ok(1, ["email"]), .failure(CSVReader.Problem(line: 2, reason: "the record is not valid UTF-8")), ok(3, ["b@x.org"]),
        ])
    }

    @Test func anOverlongRecordIsSkippedToTheNextLine() throws {
        let long = String(repeating: "x", count: CSVReader.maximumRecordLength + 10)
        #expect(try records("email\n\(long)\nb@x.org\n") == [
            ok(1, ["email"]),
            .failure(CSVReader.Problem(line: 2, reason: "the record is longer than \(CSVReader.maximumRecordLength) bytes")),
            ok(3, ["b@x.org"]),
        ])
    }

    @Test func anUnclosedQuoteAtTheEndIsReported() throws {
        #expect(try records("email\n\"a@x.org\n") == [
            ok(1, ["email"]), .failure(CSVReader.Problem(line: 2, reason: "a quoted field is not closed")),
        ])
    }

    @Test func recordsLargerThanTheReadBufferSurviveItsRefills() throws {
        // 256 KiB buffer; 5000 rows of ~100 bytes cross it several times.
        let rows = (0..<5000).map { "user\($0)@example.org,\"Name, \($0)\",\(String(repeating: "z", count: 60))\n" }
        let read = try records("email,name,x\n" + rows.joined())
        #expect(read.count == 5001)
        #expect(read.last == ok(5001, ["user4999@example.org", "Name, 4999", String(repeating: "z", count: 60)]))
    }
}
