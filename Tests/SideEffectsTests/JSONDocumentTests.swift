import Foundation
import SideEffects
import Testing

/// The JSON reader against Foundation's: what JSONSerialization writes, it reads the same; what
/// is not JSON (RFC 8259: Foundation takes a trailing comma, this does not), it refuses with the
/// offset where that showed.
@Suite struct JSONDocumentTests {
    @Test func readsEveryKindOfValue() throws {
        let text = #" { "s" : "a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00" , "n" : [0, -12, 3.25, 1e3, -4.5E-2], "t": true, "f": false, "z": null, "o": {}, "a": [] } "#
        let document = try JSONDocument.parse(Array(text.utf8))
        #expect(
            document
                == .object([
                    "s": .string("a\"b\\c/d\u{08}\u{0C}\n\r\té😀"),
                    "n": .array([.number("0"), .number("-12"), .number("3.25"), .number("1e3"), .number("-4.5E-2")]),
                    "t": .bool(true), "f": .bool(false), "z": .null, "o": .object([:]), "a": .array([]),
                ]))
    }

    /// Every string JSONText writes (ASCII with its escapes, multi-byte UTF-8, controls) reads back as itself.
    @Test func readsBackWhatJSONTextWrites() throws {
        let ascii = String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self)
        for text in [ascii, "Київ\u{0}\u{1F}\"😀\\é", "", "🇺🇦 Мар'яна"] {
            #expect(try JSONDocument.parse(Array(JSONText.string(text).utf8)) == .string(text))
        }
    }

    /// Foundation's own output, pretty-printed, reads as JSONSerialization reads it.
    @Test func agreesWithFoundation() throws {
        let value: [String: Any] = ["list": [1, 2.5, "x", ["nested": true]], "text": "line\nbreak/slash", "none": NSNull()]
        let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys])
        let document = try JSONDocument.parse(Array(data))
        guard case .object(let fields) = document, case .array(let list)? = fields["list"] else {
            Issue.record("not the object written: \(document)")
            return
        }
        #expect(list.count == 4)
        #expect(list[0] == .number("1"))
        #expect(list[2] == .string("x"))
        #expect(list[3] == .object(["nested": .bool(true)]))
        #expect(fields["text"] == .string("line\nbreak/slash"))
        #expect(fields["none"] == .null)
    }

    @Test(arguments: [
        ("", 0), ("{", 1), ("[1,]", 3), (#"{"a":1,}"#, 7), (#"{"a" 1}"#, 5), ("01", 2), ("-", 1), ("1.", 2), ("1e", 2),
        ("tru", 0), (#""a"#, 2), (#""\x""#, 3), (#""\ud83d""#, 7), (#""\udc00""#, 7), ("\"a\u{01}\"", 2), ("{} x", 3),
        ("nul", 0), (#"{"a":"b"}}"#, 9),
    ])
    func refusesWhatIsNotJSON(text: String, offset: Int) {
        let error = #expect(throws: JSONDocument.SyntaxError.self) { try JSONDocument.parse(Array(text.utf8)) }
        #expect(error?.offset == offset)
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONDocument.SyntaxError.self) { try JSONDocument.parse(Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect((try? JSONDocument.parse(Array(fine.utf8))) != nil)
    }
}
