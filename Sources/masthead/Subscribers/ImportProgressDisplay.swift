import Foundation
import Synchronization
import SubscriberLists

/// Import progress on stderr: a bar redrawn in place on a terminal, a plain line every few
/// seconds otherwise (logs, CI).
final class ImportProgressDisplay {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastLine = Date.distantPast
    private var drawn = false
    /// The verb of a plain line: a dry run checks rows, it imports none.
    private let verb: String
    /// Seconds between plain lines.
    static let lineInterval: TimeInterval = 5

    init(dryRun: Bool) {
        verb = dryRun ? "checked" : "imported"
    }

    func show(_ progress: ImportProgress) {
        if isTerminal {
            drawn = true
            write("\r" + bar(progress) + "\u{1B}[K")
        } else if Date().timeIntervalSince(lastLine) >= Self.lineInterval {
            lastLine = Date()
            write(line(progress) + "\n")
        }
    }

    func finish() {
        if drawn { write("\n") }
    }

    private func bar(_ progress: ImportProgress) -> String {
        let width = 30
        let filled = Int((progress.fraction ?? 0) * Double(width))
        let percent = progress.fraction.map { String(format: "%3.0f%%", $0 * 100) } ?? "   ?"
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            + "\(percent)  \(progress.report.rows) rows  \(Int(progress.rowsPerSecond)) rows/s  ETA \(eta(progress))"
    }

    private func line(_ progress: ImportProgress) -> String {
        let percent = progress.fraction.map { String(format: " (%.0f%%)", $0 * 100) } ?? ""
        return "\(verb) \(progress.report.rows) rows\(percent), \(Int(progress.rowsPerSecond)) rows/s, ETA \(eta(progress))"
    }

    private func eta(_ progress: ImportProgress) -> String {
        guard let seconds = progress.secondsLeft else { return "?" }
        let whole = Int(seconds.rounded())
        return whole >= 60 ? "\(whole / 60)m\(String(format: "%02d", whole % 60))s" : "\(whole)s"
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Ctrl-C during an import: the first asks the import to stop after the current batch; a
/// second one ends the process at once (the open transaction rolls back, nothing is half-written).
struct ImportInterruption {
    var requested: Bool { stopRequested.load(ordering: .relaxed) }

    static func install() -> ImportInterruption {
        stopRequested.store(false, ordering: .relaxed)
        signal(SIGINT) { _ in
            if stopRequested.exchange(true, ordering: .relaxed) { _exit(130) }
            let message = "\nstopping after this batch (Ctrl-C again to stop at once)\n"
            _ = message.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        }
        return ImportInterruption()
    }

    func uninstall() {
        signal(SIGINT, SIG_DFL)
    }
}

/// Set from the signal handler, which may only touch lock-free state.
private let stopRequested = Atomic<Bool>(false)
