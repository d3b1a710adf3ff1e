import Foundation
import SideEffects
import Testing

/// The flat JSON objects of attributes and audit details: written and read without an encoder.
@Suite struct JSONTextTests {
    @Test(arguments: [
        [:], ["city": "Kyiv"], ["a": "1", "b": "x\"y\\z"], ["line": "one\ntwo\r\tthree"], ["control": "\u{01}\u{1F}"],
        ["emoji": "Мар'яна 🇺🇦", "ключ": "значення"],
    ])
    func writtenObjectsReadBackAndMatchFoundation(values: [String: String]) throws {
        let text = JSONText.object(values)
        #expect(JSONText.parseObject(text) == values)
        #expect(try JSONDecoder().decode([String: String].self, from: Data(text.utf8)) == values)
    }

    /// Every ASCII character (the ones JSON escapes among them) and multi-byte UTF-8 beside them.
    @Test func everyCharacterIsWrittenAsFoundationReadsIt() throws {
        let ascii = String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self)
        for text in [ascii, "Київ\u{0}\u{1F}\"😀\\é", ""] {
            let literal = JSONText.string(text)
            #expect(try JSONDecoder().decode(String.self, from: Data(literal.utf8)) == text)
        }
        #expect(JSONText.string("a\u{1}\u{1F}\n\"") == #""a\u0001\u001f\n\"""#)
    }

    @Test func foundationsOutputIsReadToo() throws {
        let values = ["path": "a/b", "quote": "\"", "emoji": "😀"]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted]
        let text = String(decoding: try encoder.encode(values), as: UTF8.self)
        #expect(JSONText.parseObject(text) == values)
        #expect(JSONText.parseObject(#"{"e":"\ud83d\ude00","s":"\/"}"#) == ["e": "😀", "s": "/"])
    }

    @Test(arguments: ["", "[]", "{", #"{"a":1}"#, #"{"a":"b",}"#, #"{"a":"b"} x"#, #"{"a":"\x"}"#, #"{"a":"\ud83d"}"#, "{\"a\":\"\u{01}\"}"])
    func anythingElseIsRefused(text: String) {
        #expect(JSONText.parseObject(text) == nil)
    }
}
