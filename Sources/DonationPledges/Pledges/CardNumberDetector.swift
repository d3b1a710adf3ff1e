/// Finds what looks like a payment card number (PAN) in free text, so it can be refused before
/// anything is stored or logged: 13 to 19 digits passing the Luhn check, written as one run or
/// in groups of three to six digits (the last may be shorter) as people copy them from a card,
/// alone or among other digits.
/// Masthead never handles card numbers; a reader who types one into the name field must be
/// stopped, and the number must go nowhere.
///
/// The text is read the way a person would: any decimal digit counts (full-width `４２４２`,
/// Arabic-Indic `٤٢٤٢`, as NFKC and the Unicode digit values say), invisible format characters
/// (zero-width space, joiners) are not there at all, and between groups any run of spaces
/// (NBSP, tabs, double spaces), dashes, dots, underscores or slashes is one separator.
///
/// Numbers grouped as cards never are (`2026-11-25 1234`, `+380 44 123 4567`, groups of one
/// or two digits, or of seven and more) are left alone.
public enum CardNumberDetector {
    /// True when `text` holds a card-number-like run of digits.
    public static func containsCardNumber(_ text: String) -> Bool {
        var run = DigitRun()
        for scalar in text.unicodeScalars {
            if let digit = decimalValue(scalar) {
                run.add(digit)
            } else if !scalar.isASCII, scalar.properties.generalCategory == .format {  // no ASCII character is a format one
                continue
            } else if isSeparator(scalar), run.hasDigits {
                run.separate()
            } else {
                if run.isCardNumber { return true }
                run = DigitRun()
            }
        }
        return run.isCardNumber
    }

    /// The digits read so far and how they were grouped.
    struct DigitRun {
        var digits: [UInt8] = []
        /// Sizes of the finished groups.
        var groups: [Int] = []
        /// Digits in the group being read.
        var current = 0
        var separated = false

        var hasDigits: Bool { !digits.isEmpty }

        mutating func add(_ digit: UInt8) {
            if separated {
                groups.append(current)
                current = 0
                separated = false
            }
            digits.append(digit)
            current += 1
        }

        mutating func separate() { separated = true }

        /// Whether the run, or any stretch of its whole groups, is a card number: a number typed
        /// between other digits (`ref 12 4242 4242 4242 4242`) is found too.
        var isCardNumber: Bool {
            // Most runs end here: a field's every other character ends one.
            guard digits.count >= 13 else { return false }
            let all = groups + [current]
            var starts: [Int] = [0]
            for size in all { starts.append(starts[starts.count - 1] + size) }
            for first in all.indices {
                for last in first..<all.count {
                    let count = starts[last + 1] - starts[first]
                    guard count <= 19 else { break }
                    guard count >= 13, CardNumberDetector.isCardGrouping(Array(all[first...last])) else { continue }
                    if CardNumberDetector.passesLuhn(digits[starts[first]..<starts[last + 1]]) { return true }
                }
            }
            return false
        }
    }

    /// One run, or groups of three to six digits where the last may be shorter.
    static func isCardGrouping(_ groups: [Int]) -> Bool {
        guard groups.count > 1 else { return true }
        return groups.dropLast().allSatisfy { (3...6).contains($0) } && (1...6).contains(groups.last ?? 0)
    }

    static func passesLuhn(_ digits: ArraySlice<UInt8>) -> Bool {
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            var value = Int(digit)
            if index % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }

    /// The value of a decimal digit of any script (`7`, `７`, `٧`), or nil.
    static func decimalValue(_ scalar: Unicode.Scalar) -> UInt8? {
        if scalar.isASCII {
            return (48...57).contains(scalar.value) ? UInt8(scalar.value - 48) : nil
        }
        guard scalar.properties.numericType == .decimal, let value = scalar.properties.numericValue else { return nil }
        return UInt8(value)
    }

    /// What people put between the groups of a card number.
    static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "-", ".", "_", "/": return true
        // The ASCII space separator and dash are the two above: the property lookup is for the rest.
        case _ where scalar.isASCII: return false
        default:
            let category = scalar.properties.generalCategory
            return category == .spaceSeparator || category == .dashPunctuation
        }
    }
}
