import Foundation
import PropertyBased
import Testing

@testable import Mail

/// Quoted-printable bodies: short lines of printable ASCII that decode back to the text, with
/// every line break as CRLF.
@Suite struct QuotedPrintableTests {
    static func encoded(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        QuotedPrintable.encode(text, into: &output)
        return output
    }

    @Test func encodesWhatMustBeEncoded() {
        #expect(String(decoding: Self.encoded("a=b é\n tab\t\r\nend "), as: UTF8.self) == "a=3Db =C3=A9\r\n tab=09\r\nend=20")
        let long = String(repeating: "x", count: 80)
        #expect(String(decoding: Self.encoded(long), as: UTF8.self) == String(repeating: "x", count: 75) + "=\r\n" + "xxxxx")
        #expect(Self.encoded("").isEmpty)
    }

    /// Text from pieces that stress the rules: breaks of every kind, spaces before them, `=`,
    /// multi-byte characters at the line limit.
    static let pieces = ["a", " ", "\t", "=", "\r\n", "\n", "\r", "é", "😀", "Київ", String(repeating: "y", count: 70), "."]
    static let text = Gen<String?>.element(of: pieces).array(of: 0...60).map { $0.compactMap { $0 }.joined() }

    @Test func linesAreShortAndPrintableAndDecodeBack() async {
        await propertyCheck(count: 1000, input: Self.text) { text in
            let output = Self.encoded(text)
            let lines = String(decoding: output, as: UTF8.self).components(separatedBy: "\r\n")
            #expect(lines.allSatisfy { $0.utf8.count <= QuotedPrintable.maximumLineLength })
            #expect(output.allSatisfy { ($0 >= 33 && $0 <= 126) || $0 == 32 || $0 == 9 || $0 == 13 || $0 == 10 })
            // No space or tab ends a line: transports may strip it.
            #expect(lines.allSatisfy { $0.last != " " && $0.last != "\t" })
            let decoded = String(decoding: QuotedPrintable.decode(output), as: UTF8.self)
            let normalized = text.replacingLineBreaks().replacingOccurrences(of: "\n", with: "\r\n")
            #expect(decoded == normalized)
        }
    }
}
