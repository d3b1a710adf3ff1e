import Foundation

/// TCP on 127.0.0.1 for tests that start servers: a free port, and whether one is listened on.
public enum Loopback {
    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func accepts(_ port: Int) -> Bool {
        withSocket(port) { descriptor, address, length in connect(descriptor, address, length) == 0 } ?? false
    }

    /// A port nobody listened on a moment ago (the kernel's pick).
    public static func freePort() throws -> Int {
        let found: Int? = withSocket(0) { descriptor, address, length in
            var length = length
            guard bind(descriptor, address, length) == 0, getsockname(descriptor, address, &length) == 0 else { return nil }
            return Int(UInt16(bigEndian: address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }))
        } ?? nil
        guard let found else { throw POSIXError(.EADDRINUSE) }
        return found
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
