import Foundation
import Testing

import SideEffects

/// The stored time format round-trips and sorts as text.
@Suite struct TimestampTests {
    @Test(arguments: [0.0, 1_764_082_800.123, 951_782_400.999, -86_400.5, 4_102_444_799.0])
    func roundTrips(seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let text = Timestamp.format(date)
        let parsed = try #require(Timestamp.parse(text))
        #expect(abs(parsed.timeIntervalSince1970 - (seconds * 1000).rounded(.down) / 1000) < 0.0005)
    }

    @Test func formatIsISO8601WithMilliseconds() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_764_082_800.123)) == "2025-11-25T15:00:00.123Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_000_000_000.007)) == "2001-09-09T01:46:40.007Z")
    }

    @Test func datesOutsideTheYears1To9999AreWrittenAsTheNearestEnd() {
        #expect(Timestamp.format(.distantPast) == "0001-01-01T00:00:00.000Z")
        #expect(Timestamp.format(.distantFuture) == "4001-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1e15)) == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: .nan)) == "1970-01-01T00:00:00.000Z")
    }

    @Test func agreesWithFoundation() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for seconds in stride(from: 0.0, to: 4_000_000_000, by: 97_654_321.25) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(Timestamp.format(date) == formatter.string(from: date))
        }
    }

    @Test func rejectsOtherShapes() {
        for text in ["", "2026-11-25", "2026-11-25 15:00:00", "2026-13-01T00:00:00Z", "2026-11-25T15:00:00.12Z"] {
            #expect(Timestamp.parse(text) == nil, "\(text)")
        }
    }
}
