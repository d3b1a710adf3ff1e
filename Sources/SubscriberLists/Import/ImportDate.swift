public import Foundation
import SideEffects

/// The `created_at` column of an import: the ISO 8601 forms other tools export.
///
/// Accepted: `2025-03-14`, `2025-03-14T09:26`, `2025-03-14T09:26:53`, with an optional
/// fraction (`.123456`), an optional zone (`Z`, `+02:00`, `-0500`), and a space in place of
/// the `T` (what spreadsheets and SQL dumps write). A time without a zone is UTC.
public enum ImportDate {
    /// The instant, or nil when the text is not one of the accepted forms.
    public static func parse(_ text: String) -> Date? {
        var scanner = Scanner(bytes: Array(text.utf8))
        guard let year = scanner.digits(4), scanner.skip("-"), let month = scanner.digits(2), scanner.skip("-"),
            let day = scanner.digits(2), (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year)
        else { return nil }
        var seconds = CivilDate.days(year: year, month: month, day: day) * 86_400
        var fraction = 0.0
        if scanner.skip("T") || scanner.skip(" ") {
            guard let hour = scanner.digits(2), scanner.skip(":"), let minute = scanner.digits(2), hour < 24, minute < 60
            else { return nil }
            seconds += hour * 3600 + minute * 60
            if scanner.skip(":") {
                guard let second = scanner.digits(2), second < 61 else { return nil }
                seconds += second
                if scanner.skip(".") || scanner.skip(",") {
                    guard let (value, count) = scanner.fraction() else { return nil }
                    fraction = Double(value) / pow(10, Double(count))
                }
            }
            if scanner.skip("Z") || scanner.skip("z") {
            } else if let sign = scanner.sign() {
                guard let hours = scanner.digits(2) else { return nil }
                _ = scanner.skip(":")
                guard let minutes = scanner.digits(2), hours < 24, minutes < 60 else { return nil }
                seconds -= sign * (hours * 3600 + minutes * 60)
            }
        }
        guard scanner.atEnd else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        mutating func digits(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += count
            return value
        }

        /// Up to nine digits of a fraction (more are read and ignored).
        mutating func fraction() -> (Int64, Int)? {
            var value: Int64 = 0
            var count = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if count < 9 {
                    value = value * 10 + Int64(bytes[index] - 48)
                    count += 1
                }
                index += 1
            }
            return count == 0 ? nil : (value, count)
        }

        mutating func sign() -> Int64? {
            if skip("+") { return 1 }
            if skip("-") { return -1 }
            return nil
        }
    }
}
