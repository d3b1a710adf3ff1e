import Foundation
import SubscriberLists
import Testing

/// The `created_at` forms an import accepts.
@Suite struct ImportDateTests {
    @Test(arguments: [
        ("2025-03-14", 1_741_910_400.0),
        ("2025-03-14T09:26:53Z", 1_741_944_413.0),
        ("2025-03-14 09:26:53", 1_741_944_413.0),
        ("2025-03-14T09:26", 1_741_944_360.0),
        ("2025-03-14T09:26:53.250Z", 1_741_944_413.25),
        ("2025-03-14T11:26:53+02:00", 1_741_944_413.0),
        ("2025-03-14T04:26:53-0500", 1_741_944_413.0),
        ("2024-02-29", 1_709_164_800.0),
    ])
    func acceptedForms(text: String, seconds: Double) {
        #expect(ImportDate.parse(text) == Date(timeIntervalSince1970: seconds))
    }

    @Test(arguments: ["", "2025-3-14", "2025-02-30", "2025-13-01", "2025-03-14T25:00", "14/03/2025", "2025-03-14Tnoon", "2025-03-14Z"])
    func refusedForms(text: String) {
        #expect(ImportDate.parse(text) == nil)
    }
}
