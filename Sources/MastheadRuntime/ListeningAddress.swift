import Synchronization

/// Where the HTTP server listens, learnt when it starts (port 0 picks a free port).
public final class ListeningAddress: Sendable {
    private let value = Mutex<String?>(nil)

    public init() {}

    /// `127.0.0.1:8080`; a wildcard host is given as the loopback address.
    public var hostAndPort: String? { value.withLock { $0 } }

    /// Records the bound host and port.
    public func set(host: String, port: Int) {
        let reachable = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "[::1]" : host.contains(":") ? "[\(host)]" : host
        value.withLock { $0 = "\(reachable):\(port)" }
    }
}
