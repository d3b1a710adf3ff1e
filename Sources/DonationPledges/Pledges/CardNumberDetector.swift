/// Finds what looks like a payment card number (PAN) in free text, so it can be refused before
/// anything is stored or logged: 13 to 19 digits passing the Luhn check, written as one run or
/// in the groups people copy from a card (4-4-4-4, 4-4-4-4-3, Amex's 4-6-5, Diners' 4-6-4),
/// separated by single spaces or dashes. Masthead never handles card numbers; a reader who
/// types one into the name field must be stopped, and the number must go nowhere.
///
/// Other dash-joined numbers (`2026-11-25-1234567`, an order id) are left alone unless they
/// happen to be one long run of digits: grouping that cards never use is not a card.
public enum CardNumberDetector {
    /// True when `text` holds a card-number-like run of digits.
    public static func containsCardNumber(_ text: String) -> Bool {
        var digits: [UInt8] = []
        var groups: [Int] = []
        var lastWasSeparator = false
        func candidate() -> Bool {
            let all = groups + (lastWasSeparator ? [] : [digits.count - groups.reduce(0, +)])
            return isCardGrouping(all) && isCardNumber(digits)
        }
        for byte in text.utf8 {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits.append(byte - UInt8(ascii: "0"))
                lastWasSeparator = false
            } else if (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-")) && !digits.isEmpty && !lastWasSeparator {
                groups.append(digits.count - groups.reduce(0, +))
                lastWasSeparator = true
            } else {
                if !digits.isEmpty && candidate() { return true }
                digits.removeAll(keepingCapacity: true)
                groups.removeAll(keepingCapacity: true)
                lastWasSeparator = false
            }
        }
        return !digits.isEmpty && candidate()
    }

    /// One run, or groups of four (the last may be shorter), or 4-6-5 / 4-6-4.
    static func isCardGrouping(_ groups: [Int]) -> Bool {
        guard groups.count > 1 else { return true }
        if groups.count == 3, groups[0] == 4, groups[1] == 6, groups[2] == 4 || groups[2] == 5 { return true }
        return groups.dropLast().allSatisfy { $0 == 4 } && (1...4).contains(groups.last ?? 0)
    }

    static func isCardNumber(_ digits: [UInt8]) -> Bool {
        guard (13...19).contains(digits.count) else { return false }
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
}
