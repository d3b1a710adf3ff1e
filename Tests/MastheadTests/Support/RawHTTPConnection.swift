import Foundation
import TestSupport

/// A plain TCP connection for sending an HTTP request in pieces (a slow client).
final class RawHTTPConnection: Sendable {
    private let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        // No close here: the object is whole, so a throw runs `deinit`, which closes it. A close
        // here as well closed the number twice, the second time another test's pipe by then (a
        // CI run lost two commands' output that way while nginx's port was polled).
        guard connected else { throw POSIXError(.ECONNREFUSED) }
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Foundation.send(descriptor, $0.baseAddress, $0.count, 0) }
    }

    /// Reads until the peer closes the connection or the answer's head and body have arrived,
    /// waiting on a thread of its own (`offThePool`), not on one the other tests share.
    func readResponse(timeout: TimeInterval = 20) async -> String {
        (try? await offThePool { self.readResponseOnThisThread(timeout: timeout).text }) ?? ""
    }

    /// Whether the server closed the connection (an end of file) before this end's `timeout`,
    /// and what it sent first. It asks who closed, not how fast: a loaded machine may be slow.
    func serverCloses(within timeout: TimeInterval) async -> (closed: Bool, answer: String) {
        (try? await offThePool {
            let read = self.readResponseOnThisThread(timeout: timeout, untilClosed: true)
            return (read.endOfFile, read.text)
        }) ?? (false, "")
    }

    /// Sends each request and reads its answer before the next, all on one thread of its own:
    /// the next request follows its answer at once, within any idle timeout the server keeps.
    func exchange(_ requests: [String], timeout: TimeInterval = 20) async -> [String] {
        (try? await offThePool {
            requests.map { request in
                self.send(request)
                return self.readResponseOnThisThread(timeout: timeout).text
            }
        }) ?? []
    }

    /// Reads until the answer is whole, or with `untilClosed` until the server closes.
    private func readResponseOnThisThread(timeout: TimeInterval, untilClosed: Bool = false) -> (text: String, endOfFile: Bool) {
        var timeoutValue = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeoutValue, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var endOfFile = false
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 || (count < 0 && errno == ECONNRESET) { endOfFile = true }
            if count <= 0 { break }
            received += buffer[0..<count]
            let text = String(decoding: received, as: UTF8.self)
            if !untilClosed, let split = text.range(of: "\r\n\r\n"),
                let length = text[..<split.lowerBound].split(separator: "\r\n")
                    .first(where: { $0.lowercased().hasPrefix("content-length:") })
                    .flatMap({ Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }),
                text.utf8.count - text[..<split.upperBound].utf8.count >= length
            {
                break
            }
        }
        return (String(decoding: received, as: UTF8.self), endOfFile)
    }

    /// This end's port.
    var localPort: Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Waits until the server has read everything the client on `clientPort` sent so far: the
    /// server's end of the connection has nothing left unread in the kernel (the receive queue
    /// of `/proc/net/tcp`). A request whose head was only written may not have reached the
    /// server's HTTP parser yet on a loaded machine.
    static func serverHasRead(clientPort: Int, timeout: TimeInterval = 10) -> Bool {
        // The server's side is the line whose remote port is the client's; ports are hex there.
        let client = String(format: ":%04X", clientPort)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            // Read to the end: procfs files report a size of 0, which String(contentsOfFile:) believes.
            let table = String(decoding: FileHandle(forReadingAtPath: "/proc/net/tcp")?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
            let serverSide = table.split(separator: "\n").map { $0.split(separator: " ") }.first { $0.count > 4 && $0[2].hasSuffix(client) }
            // Columns: slot, local, remote, state, `tx_queue:rx_queue`, …
            if let queues = serverSide?[4], queues.hasSuffix(":00000000") { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    deinit { if descriptor >= 0 { close(descriptor) } }
}
