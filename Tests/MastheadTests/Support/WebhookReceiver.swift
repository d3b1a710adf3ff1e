import Foundation
import TestSupport

/// `Tests/webhooks/receiver.py` run by a test: a real HTTP receiver on 127.0.0.1 that checks
/// each request's signature with the `standardwebhooks` package (PyPI) and logs what it got.
final class WebhookReceiver: Sendable {
    let directory: String
    let secret: String
    let port: Int
    private let process: Process

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("webhooks/receiver.py").path

    /// Starts a receiver that logs into `directory` (on `port`, else a free one).
    init(in directory: String, secret: String, port: Int? = nil) async throws {
        self.directory = directory
        self.secret = secret
        let portFile = directory + "/receiver.port"
        // A port just given up by a killed receiver may take a moment to bind again: a few tries.
        for _ in 0..<5 {
            try? FileManager.default.removeItem(atPath: portFile)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "python3", Self.script, "--secret", secret, "--log", directory + "/received.jsonl", "--port-file", portFile,
                "--fail-file", directory + "/receiver.fail", "--port", String(port ?? 0),
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try ChildProcesses.run(process)
            let found: Int? = try await offThePool {
                let deadline = Date().addingTimeInterval(20)
                while Date() < deadline, process.isRunning {
                    if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) { return port }
                    Thread.sleep(forTimeInterval: 0.05)
                }
                return nil
            }
            if let found {
                self.process = process
                self.port = found
                return
            }
            if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ReceiverFailed()
    }

    struct ReceiverFailed: Error {}

    var url: String { "http://127.0.0.1:\(port)/hooks/masthead" }

    /// One request the receiver got.
    struct Received {
        let id: String
        let verified: Bool
        let answered: Int
        let receivedAt: Date
        let type: String
        let timestamp: String
        let data: [String: Any]
        /// How many `v1` signatures the request carried.
        let signatures: Int
    }

    /// Everything received so far, in order of arrival.
    func received() -> [Received] {
        guard let text = try? String(contentsOfFile: directory + "/received.jsonl", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let body = object["body"] as? [String: Any]
            else { return nil }
            return Received(
                id: object["id"] as? String ?? "", verified: object["verified"] as? Bool ?? false,
                answered: object["answered"] as? Int ?? 0,
                receivedAt: Date(timeIntervalSince1970: object["received_at"] as? Double ?? 0), type: body["type"] as? String ?? "",
                timestamp: body["timestamp"] as? String ?? "", data: body["data"] as? [String: Any] ?? [:],
                signatures: (object["signature"] as? String ?? "").split(separator: " ").count)
        }
    }

    /// While failing, the receiver answers 500.
    func setFailing(_ failing: Bool) {
        let path = directory + "/receiver.fail"
        if failing { _ = FileManager.default.createFile(atPath: path, contents: Data()) } else { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Kills the receiver and waits until its port is closed. (Not `waitUntilExit`: the tests'
    /// child processes are reaped elsewhere, and a blocked thread is one of the two the tests share.)
    func stop() async {
        kill()
        for _ in 0..<50 where Loopback.accepts(port) { try? await Task.sleep(for: .milliseconds(20)) }
    }

    private func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    deinit { kill() }
}
