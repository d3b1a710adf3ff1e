import Foundation
import TestSupport
import Testing

/// Tracing a daemon's system calls with strace.
enum Strace {
    /// Where strace is installed, if it is.
    static let path: String? = ["/usr/bin/strace", "/bin/strace"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Starts tracing `calls` (strace's `-e trace=` list) in every thread of `daemon` into
    /// `output`, each descriptor named by its file (`-y`); returns once strace is attached.
    static func attach(to daemon: DaemonProcess, calls: String, options: [String] = [], output: String) async throws -> Process {
        let strace = try #require(path, "strace is required in CI")
        let tracer = Process()
        // Through python, which clears the signal mask the test runner's threads block and a
        // spawned child inherits: strace must see the SIGTERM that ends the trace.
        tracer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tracer.arguments = [
            "python3", "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
            strace, "-f", "-y"] + options + ["-e", "trace=\(calls)", "-o", output, "-p", String(daemon.process.processIdentifier),
        ]
        tracer.standardOutput = FileHandle.nullDevice
        tracer.standardError = FileHandle.nullDevice
        try ChildProcesses.run(tracer)
        try await Task.sleep(for: .seconds(1))  // strace attaches to every thread
        return tracer
    }

    /// Ends a trace: strace detaches from the daemon, writes out its trace and exits.
    static func detach(_ tracer: Process) {
        tracer.terminate()
        tracer.waitUntilExit()
    }
}
