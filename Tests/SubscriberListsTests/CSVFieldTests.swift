import Foundation
import SubscriberLists
import TestSupport
import Testing

/// CSV cells staff open in a spreadsheet: a formula typed by a reader stays text, and our own
/// import reads it back as it was (hardening, item 4).
@Suite struct CSVFieldTests {
    @Test(arguments: [
        (#"=HYPERLINK("http://evil.example","x")"#, #""'=HYPERLINK(""http://evil.example"",""x"")""#),
        ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "\"'\tx\""), ("\rx", "\"'\rx\""),
        ("Anna", "Anna"), ("a,b", "\"a,b\""), ("", ""), ("5-2", "5-2"), ("'=x", "''=x"), ("'plain", "'plain"),
    ])
    func formulasAreWrittenAsText(value: String, written: String) {
        #expect(CSVField.escape(value) == written)
    }

    @Test(arguments: [#"=HYPERLINK("x")"#, "+1", "-2", "@x", "\tx", "'plain", "Anna", "'=kept", "''+twice"])
    func whatWasNeutralisedIsRestored(value: String) throws {
        let cell = CSVField.escape(value)
        let directory = try TemporaryDirectory()
        try ("v\r\n" + cell + "\r\n").write(toFile: directory.file("one.csv"), atomically: true, encoding: .utf8)
        var reader = try CSVReader(path: directory.file("one.csv"))
        _ = reader.next()
        guard case .success(let record)? = reader.next() else {
            Issue.record("unreadable: \(cell)")
            return
        }
        #expect(CSVField.restored(record.fields[0]) == value)
    }
}
