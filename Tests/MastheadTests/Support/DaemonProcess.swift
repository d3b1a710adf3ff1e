import Foundation
import Synchronization
import TestSupport

/// A running `mastheadd` started by a test, with its log captured.
final class DaemonProcess: Sendable {
    let process: Process
    private let output = OutputBuffer()
    let port: Int

    /// Starts the daemon in `directory` on `port` (by default a free one the daemon picks, so
    /// its links carry port 0) and waits for its start line.
    init(in directory: String, port: Int = 0, arguments: [String] = [], environment: [String: String] = [:]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Executables.path("mastheadd"))
        process.arguments = ["--port", String(port)] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = Executables.cleanEnvironment.merging(environment) { $1 }
        let pipe = ChildProcesses.pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        self.process = process
        let output = self.output
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { output.append(data) }
        }
        try ChildProcesses.run(process)
        // Watched from a thread of its own: it does not hold one of the two threads the tests
        // share, and its deadline is honest even while they are all busy.
        let found: Int? = try await offThePool {
            var found: Int?
            let deadline = Date().addingTimeInterval(20)
            while found == nil, Date() < deadline, process.isRunning {
                found = DaemonProcess.port(in: output.text)
                if found == nil { Thread.sleep(forTimeInterval: 0.05) }
            }
            return found
        }
        guard let found else {
            process.terminate()
            throw StartFailure(log: output.text)
        }
        self.port = found
    }

    struct StartFailure: Error, CustomStringConvertible {
        let log: String
        var description: String { "mastheadd did not start:\n\(log)" }
    }

    /// Everything the daemon wrote so far.
    var log: String { output.text }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Sends a signal (SIGTERM, SIGKILL…).
    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to end and returns its exit status.
    func waitForExit(timeout: TimeInterval = 30) async -> Int32? {
        let process = self.process
        return (try? await offThePool {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            return process.isRunning ? nil : process.terminationStatus
        }) ?? nil
    }

    deinit {
        if process.isRunning {
            process.terminate()
            SMTPTestServer.stop(process)
        }
    }

    private static func port(in log: String) -> Int? {
        // Text logs say `listen=127.0.0.1:PORT`, JSON logs `"listen":"127.0.0.1:PORT"`.
        for marker in ["listen=127.0.0.1:", #""listen":"127.0.0.1:"#] {
            if let range = log.range(of: marker) { return Int(log[range.upperBound...].prefix { $0.isNumber }) }
        }
        return nil
    }
}

/// Text a child process wrote, appended from the pipe's reader thread.
final class OutputBuffer: Sendable {
    private let storage = Mutex<String>("")
    var text: String { storage.withLock { $0 } }
    func append(_ data: Data) { storage.withLock { $0 += String(decoding: data, as: UTF8.self) } }
}

