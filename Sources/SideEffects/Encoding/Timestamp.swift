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
        var text = ""
        text.reserveCapacity(24)
        text += pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        text += "T" + pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2)
        text += "." + pad(millisecondOfDay % 1000, 3) + "Z"
        return text
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

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

extension Int64 {
    /// Division rounding towards negative infinity, with a non-negative remainder.
    fileprivate func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let quotient = self >= 0 ? self / divisor : (self - divisor + 1) / divisor
        return (quotient, self - quotient * divisor)
    }
}
