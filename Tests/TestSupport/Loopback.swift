import Foundation

/// TCP on 127.0.0.1 for tests that start servers: a free port, and whether one is listened on.
public enum Loopback {
    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func accepts(_ port: Int) -> Bool {
        withSocket(port) { descriptor, address, length in connect(descriptor, address, length) == 0 } ?? false
    }

    /// A port nobody listens on, for a server a test must name its port to. Picked at random
    /// below the kernel's ephemeral range, and free when picked: the kernel's own pick (port 0)
    /// comes from that range, where any test's outgoing connection may take it before the
    /// server binds it (a CI run's daemon failed so, "Address already in use").
    public static func freePort() throws -> Int {
        let ephemeral = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
            .flatMap { $0.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } } ?? 32_768
        for _ in 0..<200 {
            let port = Int.random(in: 10_000..<max(ephemeral, 10_001))
            let bound = withSocket(port) { descriptor, address, length in bind(descriptor, address, length) == 0 } ?? false
            if bound { return port }
        }
        throw POSIXError(.EADDRINUSE)
    }

    private static func withSocket<T>(
        _ port: Int, _ body: (Int32, UnsafeMutablePointer<sockaddr>, socklen_t) -> T
    ) -> T? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
