/// What the last label of a mail domain may be: a name some registry could have delegated.
///
/// RFC 3696 §2: a top-level domain is never all digits (so `1.2.3.4` is not a host name).
/// ICANN's gTLD Applicant Guidebook (2012), Module 2, §2.2.1.3.2 "String Requirements": an
/// ASCII top-level label consists entirely of letters a–z, or is a valid A-label whose U-label
/// is letters and combining marks (no digits, no hyphens); two-letter names are the ISO 3166-1
/// country codes, everything else is longer. So a TLD with a digit or a hyphen (`example.c0m`,
/// `example.co-uk`), or a single letter (`a.b`), is a typo or a made-up name, never a mailbox.
enum TopLevelDomain {
    /// Shortest top-level label, in characters (the two-letter country codes).
    static let minimumLength = 2

    /// Checks the last label, in its ASCII form and its Unicode form (the same for ASCII names).
    static func check(ascii: Substring, unicode: Substring) throws(AddressProblem) {
        guard !ascii.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { throw .numericTopLevelDomain }
        if ascii.hasPrefix("xn--") {
            // IDNA has already checked the A-label round-trips; here only its letters count.
            let scalars = unicode.unicodeScalars
            guard let first = scalars.first, isLetter(first), scalars.allSatisfy({ isLetter($0) || $0.isCombiningMark }),
                unicode.count >= minimumLength
            else { throw .invalidTopLevelDomain }
        } else {
            // Already lower-cased: a–z only.
            guard ascii.utf8.count >= minimumLength, ascii.utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A })
            else { throw .invalidTopLevelDomain }
        }
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }
}
