import Foundation
import Testing
import TestSupport

/// dnsmasq answering for example.org and example.net from `records` (its `--txt-record`,
/// `--mx-host`, `--host-record` options) and nothing else.
///
/// Started as a daemon and stopped by its pid: in the foreground it closes the descriptors
/// it inherited, Foundation takes that for its exit and waits for it, blocking the wait for
/// every other child of the test process.
final class DNSServerProcess: Sendable {
    static let dnsmasq = "/usr/sbin/dnsmasq"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: dnsmasq) }

    let address: String
    let pid: Int32

    init(_ records: [String], in directory: TemporaryDirectory) async throws {
        let port = try Loopback.freePort()
        let pidFile = directory.file("dnsmasq-\(port).pid")
        let started = try await Executables.runProgram(Self.dnsmasq, [
            "--conf-file=/dev/null", "--port=\(port)", "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv",
            "--no-hosts", "--pid-file=\(pidFile)", "--local=/example.org/", "--local=/example.net/",
        ] + records)
        try #require(started.status == 0, "dnsmasq: \(started.stderr)")
        pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        address = "127.0.0.1:\(port)"
    }

    deinit { kill(pid, SIGTERM) }

    /// A TXT record for dnsmasq: split into the 255-byte strings DNS allows (readers join them).
    static func txt(_ name: String, _ text: String) -> String {
        var chunks: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            chunks.append(String(rest.prefix(255)))
            rest = rest.dropFirst(255)
        }
        return "--txt-record=\(name)," + chunks.joined(separator: ",")
    }
}
