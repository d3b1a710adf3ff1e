/// The bidirectional character types (Unicode's `Bidi_Class`) as RFC 5893's Bidi rule tells
/// them apart. Swift's standard library does not expose `Bidi_Class`, and libidn2 keeps its
/// table private, so the few distinctions the rule needs are kept here.
enum BidiClass: Sendable, Equatable {
    /// `L`: Latin, Cyrillic, Han, Devanagari, … (the default for every code point not listed).
    case leftToRight
    /// `R` or `AL`: Hebrew, Arabic, Syriac, Thaana, N'Ko, …; the rule treats them alike.
    case rightToLeft
    /// `AN`: Arabic-Indic digits.
    case arabicNumber
    /// `EN`: ASCII digits, Extended Arabic-Indic digits, superscript digits, ….
    case europeanNumber
    /// `NSM`: combining marks, which take the direction of the character they follow.
    case nonspacingMark
    /// `ES`, `CS`, `ET`, `ON` or `BN`: allowed inside a label of either direction.
    case neutral
    /// `B`, `S`, `WS` and the explicit embedding and isolate controls: allowed in no label.
    case other

    /// The class of `scalar`.
    init(_ scalar: Unicode.Scalar) {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark:
            // Every Mn/Me character is NSM except five vowel signs and a virama that are L.
            self = Self.marksThatAreLeftToRight.contains(scalar.value) ? .leftToRight : .nonspacingMark
            return
        default: break
        }
        let value = scalar.value
        var low = 0
        var high = Self.ranges.count
        while low < high {
            let middle = (low + high) / 2
            let range = Self.ranges[middle]
            if value < range.first {
                high = middle
            } else if value > range.last {
                low = middle + 1
            } else {
                self = range.bidiClass
                return
            }
        }
        self = .leftToRight
    }

    /// Mn characters whose `Bidi_Class` is `L` (Unicode 14).
    private static let marksThatAreLeftToRight: Set<UInt32> = [0x0CBF, 0x0CC6, 0x11A07, 0x11A08, 0x11C3F]
}
