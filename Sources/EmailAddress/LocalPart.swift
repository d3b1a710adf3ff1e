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
    ///
    /// A non-ASCII character is allowed (RFC 6531) unless it starts an atom as a combining mark,
    /// or its compatibility decomposition holds an ASCII character `atext` refuses: a mail
    /// system that normalises (NFD, NFKC) would see a `<`, `@` or `.` the reader never typed.
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
                if previous == nil || previous == ".", scalar.isCombiningMark { throw .leadingCombiningMark }
                if let hidden = scalar.hiddenASCII(allowed: isAtext) {
                    throw .decomposesToSpecial(Character(scalar), .localPart, special: Character(hidden))
                }
                continue
            }
            guard atext[Int(scalar.value)] else { throw .invalidCharacter(Character(scalar), .localPart) }
        }
        return nonASCII
    }

    private static func isAtext(_ scalar: Unicode.Scalar) -> Bool { scalar.isASCII && atext[Int(scalar.value)] }

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

    /// Inside quotes a space is legal, but no other whitespace, control or invisible character,
    /// nor an unusable one (private-use, noncharacter, unassigned).
    static func refuseControlInQuotes(_ quoted: String.UnicodeScalarView) throws(AddressProblem) {
        for scalar in quoted {
            if scalar != " ", scalar.isInvisible { throw .whitespaceOrControl }
            if scalar.isUnusable { throw .unusableCharacter(scalar) }
        }
    }

    /// Checks a Quoted-string (`qtextSMTP` or `\\`-pairs of printable ASCII, plus non-ASCII).
    static func checkQuoted(_ quoted: String) throws(AddressProblem) -> Bool {
        let inner = quoted.unicodeScalars.dropFirst().dropLast()
        guard !inner.isEmpty else { throw .emptyLocalPart }
        if let first = inner.first, first.isCombiningMark { throw .leadingCombiningMark }
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
                // Inside quotes only a hidden quote, backslash or control would change the meaning.
                if let hidden = scalar.hiddenASCII(allowed: { $0.value >= 32 && $0.value <= 126 && $0 != "\"" && $0 != "\\" }) {
                    throw .decomposesToSpecial(Character(scalar), .localPart, special: Character(hidden))
                }
            } else {
                guard scalar.value >= 32, scalar.value <= 126, scalar != "\"" else { throw .malformedQuotedLocalPart }
            }
        }
        return nonASCII
    }
}
