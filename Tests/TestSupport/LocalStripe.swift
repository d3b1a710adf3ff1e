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
        // Port 0: the script binds a port of the kernel's choosing and prints it once it listens.
        // A port found free here and handed over could be taken by another test's server while
        // Python starts, and the tests would then talk to that server (a CI run saw its 404s).
        let output = ChildProcesses.pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "0"]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try ChildProcesses.run(process)
        try? output.fileHandleForWriting.close()
        let line = ChildProcesses.firstLine(output.fileHandleForReading, until: Date().addingTimeInterval(30))
        try? output.fileHandleForReading.close()
        guard let port = line.flatMap({ Int($0) }), process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw StartFailure()
        }
        self.port = port
        self.process = process
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    deinit {
        // SIGKILL: a child of the test runner may inherit a signal mask that blocks SIGTERM,
        // and this server has nothing to save.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    struct StartFailure: Error, CustomStringConvertible {
        var description: String { "localstripe did not start (Tests/stripe/localstripe_loopback.py)" }
    }
}
