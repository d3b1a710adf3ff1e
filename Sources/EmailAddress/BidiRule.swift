/// RFC 5893 §2, the Bidi rule, applied across a whole domain.
///
/// libidn2 checks the rule only inside labels that contain right-to-left characters. The RFC
/// asks more: once any label is right-to-left, the domain is a "Bidi domain name" and *every*
/// label must satisfy the rule, because a neighbouring left-to-right label that starts with a
/// digit (`123.שלום.example`) is displayed reordered, so the name shown is not the name used.
enum BidiRule {
    /// Checks the Unicode form of a domain (U-labels), refusing the first label that breaks the rule.
    static func check(_ unicodeDomain: String) throws(AddressProblem) {
        // No ASCII character is right-to-left, so an ASCII name (most sign-ups) is not a Bidi
        // domain name: skip classifying every character.
        guard unicodeDomain.utf8.contains(where: { $0 >= 0x80 }) else { return }
        let labels = unicodeDomain.split(separator: ".")
        let classes = labels.map { $0.unicodeScalars.map(BidiClass.init) }
        // RFC 5893 §1.4: a Bidi domain name has at least one RTL label.
        guard classes.contains(where: isRightToLeft) else { return }
        for (label, labelClasses) in zip(labels, classes) where !satisfiesRule(labelClasses) {
            throw .bidiRuleViolation(label: String(label))
        }
    }

    /// An RTL label contains at least one character of class R, AL or AN (RFC 5893 §1.4).
    private static func isRightToLeft(_ classes: [BidiClass]) -> Bool {
        classes.contains { $0 == .rightToLeft || $0 == .arabicNumber }
    }

    /// The six numbered conditions of RFC 5893 §2 for one label.
    private static func satisfiesRule(_ classes: [BidiClass]) -> Bool {
        guard let first = classes.first else { return false }
        let lastBeforeMarks = classes.last { $0 != .nonspacingMark }
        if isRightToLeft(classes) {
            // 1: an RTL label starts with R or AL (an L start would break condition 2 anyway).
            guard first == .rightToLeft else { return false }
            // 2: only R, AL, AN, EN, ES, CS, ET, ON, BN and NSM.
            guard !classes.contains(where: { $0 == .leftToRight || $0 == .other }) else { return false }
            // 3: it ends with R, AL, EN or AN, then any number of NSM.
            guard let last = lastBeforeMarks, last == .rightToLeft || last == .europeanNumber || last == .arabicNumber
            else { return false }
            // 4: EN and AN never together.
            return !(classes.contains(.europeanNumber) && classes.contains(.arabicNumber))
        }
        // 1: an LTR label starts with L.
        guard first == .leftToRight else { return false }
        // 5: only L, EN, ES, CS, ET, ON, BN and NSM (R, AL and AN would have made it RTL).
        guard !classes.contains(.other) else { return false }
        // 6: it ends with L or EN, then any number of NSM.
        return lastBeforeMarks == .leftToRight || lastBeforeMarks == .europeanNumber
    }
}
