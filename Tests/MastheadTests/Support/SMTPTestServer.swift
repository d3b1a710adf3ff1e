import Foundation
import TestSupport

/// An SMTP server on 127.0.0.1 for one test: aiosmtpd (`smtp_server.py`) or the scripted fault
/// responder (`smtp_faults.py`). Stopped when released.
final class SMTPTestServer: Sendable {
    let process: Process
    let port: Int
    let spool: String
    private let input: Pipe

    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// Starts aiosmtpd with these options (see smtp_server.py).
    static func aiosmtpd(spool: String, _ arguments: [String] = []) async throws -> SMTPTestServer {
        try await offThePool { try SMTPTestServer(script: "smtp_server.py", spool: spool, arguments: arguments) }
    }

    /// Starts the fault responder playing `scenario`.
    static func faults(spool: String, scenario: String) async throws -> SMTPTestServer {
        try await offThePool { try SMTPTestServer(script: "smtp_faults.py", spool: spool, arguments: ["--scenario", scenario]) }
    }

    /// Waits for the script's "ready" line: on a thread of its own (`offThePool`), as Python
    /// takes seconds to start on a loaded machine.
    private init(script: String, spool: String, arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.scripts.appendingPathComponent(script).path, "--spool", spool] + arguments
        let output = ChildProcesses.pipe()
        let input = ChildProcesses.pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = input
        try ChildProcesses.run(process)
        let line = ChildProcesses.firstLine(output.fileHandleForReading, until: Date().addingTimeInterval(30)) ?? ""
        guard line.hasPrefix("ready "), let port = Int(line.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw StartFailure(line: line)
        }
        self.process = process
        self.port = port
        self.spool = spool
        self.input = input
    }

    struct StartFailure: Error { let line: String }

    /// The messages received so far, in order.
    func messages() throws -> [(data: [UInt8], envelope: [String: Any])] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []
        return try files.filter { $0.hasSuffix(".eml") }.sorted().map { name in
            let data = try Data(contentsOf: URL(fileURLWithPath: spool + "/" + name))
            let json = spool + "/" + name.replacingOccurrences(of: ".eml", with: ".json")
            let envelope = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json)))) as? [String: Any] ?? [:]
            return ([UInt8](data), envelope)
        }
    }

    /// Waits until `count` messages arrived (or the timeout passes) and returns them.
    func waitForMessages(_ count: Int, timeout: TimeInterval = 20) async throws -> [(data: [UInt8], envelope: [String: Any])] {
        let deadline = Date().addingTimeInterval(timeout)
        while try messages().count < count, Date() < deadline { try await Task.sleep(for: .milliseconds(25)) }
        return try messages()
    }

    deinit {
        // Closing stdin ends the scripts; SIGKILL is the fallback, since a child of the test
        // runner may inherit a mask that blocks SIGTERM (and Process.waitUntilExit would spin).
        // The wait runs on a thread of its own, so releasing a server never blocks a test's
        // cooperative thread.
        try? input.fileHandleForWriting.close()
        let process = self.process
        Thread.detachNewThread { Self.stop(process) }
    }

    /// Waits `grace` for the process to end, then kills it and waits a little more, never
    /// without bound: Foundation notices a child's end only when every copy of its status
    /// socket is closed, and a fresh-clone run once hung here for good (the killed script's
    /// `isRunning` stayed true while other children sat unreaped).
    static func stop(_ process: Process, grace: TimeInterval = 3) {
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        let killed = Date().addingTimeInterval(2)
        while process.isRunning, Date() < killed { Thread.sleep(forTimeInterval: 0.02) }
    }
}
