import Foundation

/// Character classes the address rules ask about, from the Unicode properties Swift carries.
extension Unicode.Scalar {
    /// A combining mark (general category Mn, Mc or Me): it belongs to the character before it,
    /// so with nothing before it, it attaches to whatever the reader's screen puts there.
    var isCombiningMark: Bool {
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }

    /// Shows nothing or moves other text: spaces, line breaks, controls, format characters
    /// (zero-width space and joiners, bidi overrides and isolates, soft hyphen, BOM, word
    /// joiner) and every other default-ignorable code point (variation selectors, the combining
    /// grapheme joiner, Hangul fillers). UTS #46 maps some of them to nothing, so an address
    /// that has one looks like, and may be delivered as, one that has not.
    var isInvisible: Bool {
        if isASCII { return value <= 0x20 || value == 0x7F }
        if properties.isDefaultIgnorableCodePoint { return true }
        switch properties.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// Private-use characters (Co), noncharacters (U+FDD0–FDEF and every U+xFFFE/U+xFFFF) and
    /// code points Unicode has not assigned (Cn): they mean nothing agreed between the reader's
    /// system and ours, and each system may render, drop or replace them differently.
    var isUnusable: Bool {
        if isASCII { return false }  // the common case, without a property lookup
        switch properties.generalCategory {
        case .privateUse, .unassigned, .surrogate: return true
        default: return false
        }
    }

    /// The ASCII characters of this scalar's compatibility decomposition (NFKD) that `allowed`
    /// refuses: `≮` hides `<`, `＠` is `@`, `․` is `.`; the first one found, if any.
    func hiddenASCII(allowed: (Unicode.Scalar) -> Bool) -> Unicode.Scalar? {
        guard !isASCII else { return nil }
        return String(self).decomposedStringWithCompatibilityMapping.unicodeScalars.first { $0.isASCII && !allowed($0) }
    }

    /// `U+200D`: how to name a character that cannot be shown.
    var codePointName: String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
