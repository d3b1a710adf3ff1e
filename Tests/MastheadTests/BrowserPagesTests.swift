import Foundation
import Testing
import TestSupport

/// The reader pages in a real browser: `Tests/browser/pages.py` starts the built daemon and drives
/// headless Chromium through sign-up, confirmation, preferences, both embeds, support and
/// checkout, with axe-core accessibility checks and screenshots in `artifacts/`;
/// `Tests/browser/stripe_pay.py` does the same for Stripe's payment page against localstripe.
/// One at a time: two Chromiums beside the rest of the suite starve a two-core machine (the
/// PostgreSQL tests' time limits ran out while both browsers ran).
///
/// Needs Debian's `chromium` and `chromium-driver` and PyPI's `selenium` and
/// `axe-selenium-python` (Ops/test installs them). Without them the suite is skipped on a
/// developer's machine, but in CI (`CI=true`) it runs and fails instead of hiding the gap.
@Suite(.serialized, .timeLimit(.minutes(5)), .enabled(if: BrowserTools.available || ProcessInfo.processInfo.environment["CI"] != nil, "chromium, chromedriver or selenium is not installed; Ops/test installs them"))
struct BrowserPagesTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func readerPagesWorkInChromium() async throws {
        let script = Self.repository.appendingPathComponent("Tests/browser/pages.py").path
        let artifacts = Self.repository.appendingPathComponent("artifacts").path
        let repository = Self.repository.path
        // Through sh so stderr joins stdout: `runProgram` drains the two pipes one after the
        // other, and a chatty stderr could otherwise fill its pipe and stall the script. Off the
        // pool: the minute it runs must not hold one of the two threads every other test needs.
        let outcome = try await Executables.runProgram(
            "/bin/sh",
            ["-c", #"exec python3 "$0" --bin "$1" --artifacts "$2" 2>&1"#, script, Executables.directory, artifacts],
            in: repository)
        #expect(outcome.status == 0, "pages.py exited with \(outcome.status):\n\(outcome.stdout)\(outcome.stderr)")
    }

    /// `Tests/browser/stripe_pay.py`: Stripe's payment page with localstripe's Stripe.js, from
    /// the support page to the thank-you page (monthly in en and uk, a refused card, a one-time
    /// payment through 3D Secure), screenshots in `artifacts/stripe-screenshots/`.
    @Test(.enabled(if: LocalStripe.available || ProcessInfo.processInfo.environment["CI"] != nil, "localstripe is not installed"))
    func stripePaymentPageWorksInChromium() async throws {
        let script = Self.repository.appendingPathComponent("Tests/browser/stripe_pay.py").path
        let artifacts = Self.repository.appendingPathComponent("artifacts").path
        let outcome = try await Executables.runProgram(
            "/bin/sh", ["-c", #"exec python3 "$0" --bin "$1" --artifacts "$2" 2>&1"#, script, Executables.directory, artifacts],
            in: Self.repository.path)
        #expect(outcome.status == 0, "stripe_pay.py exited with \(outcome.status):\n\(outcome.stdout)\(outcome.stderr)")
    }
}

/// Whether the browser tests can run here: Chromium, its driver, and the Python packages.
enum BrowserTools {
    static let available: Bool =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
        && (try? Executables.runProgramOnThisThread("/usr/bin/env", ["python3", "-c", "import selenium, axe_selenium_python"]).status) == 0
}
