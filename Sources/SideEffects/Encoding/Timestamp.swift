public import Foundation

/// How times are written to and read from the database and exports: ISO 8601 UTC with
/// milliseconds (`2026-11-25T15:00:00.123Z`), the convention of migration 0001.
///
/// Written by hand rather than with a formatter because it runs on every write of the
/// sign-up path and for every row of an export; the civil-date arithmetic is ``CivilDate``.
public enum Timestamp {
    /// Formats a date as `YYYY-MM-DDTHH:MM:SS.mmmZ`. Dates outside the years 0001–9999 are
    /// written as the nearest end of that range: callers check times from outside, and this
    /// must never trap on one that got through.
    public static func format(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        let totalMilliseconds = Int64(min(max(milliseconds.isNaN ? 0 : milliseconds, -62_135_596_800_000), 253_402_300_799_999))
        let (days, millisecondOfDay) = totalMilliseconds.floorDivided(by: 86_400_000)
        let (year, month, day) = CivilDate.date(fromDays: days)
        let seconds = millisecondOfDay / 1000
        // Written into one 24-byte buffer: several of these are formatted per sign-up, and a
        // string per field cost 1% of its CPU.
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var end = 0
            func put(_ value: Int64, width: Int, then separator: UInt8) {
                var rest = value
                for position in stride(from: end + width - 1, through: end, by: -1) {
                    buffer[position] = 0x30 + UInt8(rest % 10)
                    rest /= 10
                }
                buffer[end + width] = separator
                end += width + 1
            }
            put(year, width: 4, then: UInt8(ascii: "-"))
            put(month, width: 2, then: UInt8(ascii: "-"))
            put(day, width: 2, then: UInt8(ascii: "T"))
            put(seconds / 3600, width: 2, then: UInt8(ascii: ":"))
            put(seconds / 60 % 60, width: 2, then: UInt8(ascii: ":"))
            put(seconds % 60, width: 2, then: UInt8(ascii: "."))
            put(millisecondOfDay % 1000, width: 3, then: UInt8(ascii: "Z"))
            return end
        }
    }

    /// Parses the format written by ``format(_:)``; also accepts a missing fraction.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20 || bytes.count == 24, bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var milliseconds: Int64 = 0
        if bytes.count == 24 {
            guard bytes[19] == UInt8(ascii: "."), let fraction = number(20..<23) else { return nil }
            milliseconds = fraction
        }
        let days = CivilDate.days(year: year, month: month, day: day)
        let total = ((days * 86_400 + hour * 3600 + minute * 60 + second) * 1000) + milliseconds
        return Date(timeIntervalSince1970: Double(total) / 1000)
    }
}

extension Int64 {
    /// Division rounding towards negative infinity, with a non-negative remainder.
    fileprivate func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let quotient = self >= 0 ? self / divisor : (self - divisor + 1) / divisor
        return (quotient, self - quotient * divisor)
    }
}
