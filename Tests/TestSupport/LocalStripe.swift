import Foundation
import Synchronization

/// localstripe (PyPI), the stateful fake Stripe server, started on a free port of 127.0.0.1 by
/// `Tests/stripe/localstripe_loopback.py` (`LocalStripe.start()`) and stopped when the value is
/// released. `Ops/test` installs localstripe; without it (and outside CI) the Stripe tests are skipped.
public final class LocalStripe: Sendable {
    public let port: Int
    private let process: Process

    /// Whether `python3 -c "import localstripe"` works here.
    public static let available: Bool = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import localstripe"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? ChildProcesses.run(probe)) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    /// One server that a suite's tests share (a Python server takes a second of CPU to start, on
    /// a machine the whole suite shares), killed when the test process exits. Its tests must
    /// keep apart by their own pledges.
    public static let shared = Task<LocalStripe, any Error> {
        let server = try await LocalStripe.start()
        sharedProcess.withLock { $0 = server.process.processIdentifier }
        atexit {
            if let pid = LocalStripe.sharedProcess.withLock({ $0 }) { kill(pid, SIGKILL) }
        }
        return server
    }

    private static let sharedProcess = Mutex<pid_t?>(nil)

    /// Starts a server and waits, on a thread of its own, until it accepts connections: Python
    /// and aiohttp take seconds to start on a loaded machine, seconds no shared thread can give.
    public static func start() async throws -> LocalStripe {
        try await offThePool { try LocalStripe() }
    }

    private init() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("stripe/localstripe_loopback.py").path
        var lastError: (any Error)?
        // A port found free can be taken before localstripe binds it: try a few.
        for _ in 0..<5 {
            let port = try Loopback.freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script, String(port)]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try ChildProcesses.run(process)
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning, Date() < deadline, !Loopback.accepts(port) { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning, Loopback.accepts(port) {
                self.port = port
                self.process = process
                return
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            lastError = StartFailure(port: port)
        }
        throw lastError ?? StartFailure(port: 0)
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    deinit {
        // SIGKILL: a child of the test runner may inherit a signal mask that blocks SIGTERM,
        // and this server has nothing to save.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    struct StartFailure: Error, CustomStringConvertible {
        let port: Int
        var description: String { "localstripe did not start on 127.0.0.1:\(port)" }
    }
}
