import Logging
import MastheadSettings
import Testing

/// While a disk is full every request fails the same way: the log says so once per interval,
/// with how many it left out, instead of once per request.
@Suite struct RepeatLimitingLogTests {
    @Test func identicalWarningsAreThinnedOutAndOtherLinesPass() {
        let captured = CapturedLog()
        let repeats = LogRepeats(interval: .seconds(60))
        let logger = Logger(label: "test") { _ in RepeatLimitingLogHandler(CapturedLog.Handler(log: captured), repeats: repeats) }
        for _ in 0..<100 {
            logger.error("request failed: the database cannot write", metadata: ["reason": "the disk is full"])
            logger.info("subscription requested")
        }
        logger.error("request failed: the database cannot write", metadata: ["reason": "an I/O error"])
        logger.warning("outbox claim failed", metadata: ["error": "disk I/O error"])
        let lines = captured.text.split(separator: "\n")
        #expect(lines.filter { $0.contains("the disk is full") }.count == 1)
        #expect(lines.filter { $0.contains("subscription requested") }.count == 100, "info lines are never thinned")
        #expect(lines.filter { $0.contains("an I/O error") }.count == 1, "another reason is another line")
        #expect(lines.filter { $0.contains("outbox claim failed") }.count == 1)
    }
}
