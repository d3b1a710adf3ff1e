/// The rules for the part before the `@` (RFC 5321 §4.1.2, RFC 5322 §3.2.3, RFC 6531 §3.3),
/// checked scalar by scalar.
enum LocalPart {
    /// `atext` of RFC 5322 in ASCII, as a lookup table by code point; RFC 6531 adds every
    /// non-ASCII character.
    private static let atext: [Bool] = (0..<128).map { value in
        (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
            || "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains { $0.value == value }
    }

    /// Checks a Dot-string: atoms of `atext` joined by single dots. Returns whether it needs SMTPUTF8.
    static func checkDotAtom(_ local: String) throws(AddressProblem) -> Bool {
        let scalars = local.unicodeScalars
        guard scalars.first != ".", scalars.last != "." else { throw .dotAtEdge(.localPart) }
        var nonASCII = false
        var previous: Unicode.Scalar?
        for scalar in scalars {
            defer { previous = scalar }
            if scalar == "." {
                guard previous != "." else { throw .consecutiveDots(.localPart) }
                continue
            }
            guard scalar.isASCII else {
                nonASCII = true
                continue
            }
            guard atext[Int(scalar.value)] else { throw .invalidCharacter(Character(scalar), .localPart) }
        }
        return nonASCII
    }

    /// The index just after the closing quote of a Quoted-string at the start of `scalars`.
    static func endOfQuotedString(in scalars: String.UnicodeScalarView) -> String.UnicodeScalarView.Index? {
        var index = scalars.index(after: scalars.startIndex)
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if scalar == "\\" {
                index = scalars.index(after: index)
                guard index < scalars.endIndex else { return nil }
            } else if scalar == "\"" {
                return scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        return nil
    }

    /// Inside quotes a space is legal, but no other whitespace or control character.
    static func refuseControlInQuotes(_ quoted: String.UnicodeScalarView) throws(AddressProblem) {
        for scalar in quoted where scalar != " " && EmailAddress.isWhitespaceOrControl(scalar) {
            throw .whitespaceOrControl
        }
    }

    /// Checks a Quoted-string (`qtextSMTP` or `\\`-pairs of printable ASCII, plus non-ASCII).
    static func checkQuoted(_ quoted: String) throws(AddressProblem) -> Bool {
        let inner = quoted.unicodeScalars.dropFirst().dropLast()
        guard !inner.isEmpty else { throw .emptyLocalPart }
        var nonASCII = false
        var escaped = false
        for scalar in inner {
            if escaped {
                guard scalar.value >= 32, scalar.value <= 126 else { throw .malformedQuotedLocalPart }
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else if scalar.value >= 0x80 {
                nonASCII = true
            } else {
                guard scalar.value >= 32, scalar.value <= 126, scalar != "\"" else { throw .malformedQuotedLocalPart }
            }
        }
        return nonASCII
    }
}
