#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Asks one DNS server (a recursive resolver, or in tests a local authoritative one) for the
/// records of a name: UDP with EDNS0 (4,096-byte answers, enough for any DKIM key), and TCP when
/// the answer is truncated anyway.
///
/// Blocking: call it off the concurrency pool (the CLI's checks, a thread of its own).
///
/// ```swift
/// let dns = DNSResolver(server: try DNSServer("127.0.0.1:5353"))
/// let spf = try dns.records("news.example.org", .txt)   // ["v=spf1 ip4:203.0.113.5 -all"]
/// ```
public struct DNSResolver: Sendable {
    public let server: DNSServer
    public let timeout: Duration

    public init(server: DNSServer, timeout: Duration = .seconds(3)) {
        self.server = server
        self.timeout = timeout
    }

    /// The records of `type` at `name`, as text: a TXT record's strings joined, an MX's
    /// `PREFERENCE HOST`, an address's canonical form. Empty when the name or the type does not
    /// exist (NXDOMAIN, NODATA). Throws when the server cannot be asked or will not answer.
    public func records(_ name: String, _ type: DNSRecordType) throws(DNSLookupError) -> [String] {
        let id = UInt16.random(in: 0...UInt16.max)
        let query = DNSMessage.query(id: id, name: name, type: type)
        var answer = try exchange(query, overTCP: false)
        if DNSMessage.isTruncated(answer) { answer = try exchange(query, overTCP: true) }
        return try DNSMessage.answers(answer, id: id, name: name, type: type, server: server)
    }

    private func exchange(_ query: [UInt8], overTCP: Bool) throws(DNSLookupError) -> [UInt8] {
        var address = sockaddr_storage()
        let length = server.socketAddress(&address)
        let descriptor = socket(Int32(address.ss_family), overTCP ? Int32(SOCK_STREAM.rawValue) : Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw .unreachable(server, "cannot open a socket") }
        defer { close(descriptor) }
        let milliseconds = Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        var interval = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
        }
        guard connected == 0 else { throw .unreachable(server, String(cString: strerror(errno))) }
        if overTCP {
            let framed = [UInt8(query.count >> 8), UInt8(query.count & 0xff)] + query
            guard send(descriptor, framed, framed.count, 0) == framed.count else { throw .unreachable(server, "cannot send over TCP") }
            let size = try receive(descriptor, exactly: 2)
            return try receive(descriptor, exactly: Int(size[0]) << 8 | Int(size[1]))
        }
        // UDP: one resend after a silence, as resolvers do.
        for _ in 0..<2 {
            guard send(descriptor, query, query.count, 0) == query.count else { throw .unreachable(server, String(cString: strerror(errno))) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count > 0 { return Array(buffer.prefix(count)) }
            if errno != EAGAIN && errno != EWOULDBLOCK { throw .unreachable(server, String(cString: strerror(errno))) }
        }
        throw .unreachable(server, "no answer within \(timeout)")
    }

    private func receive(_ descriptor: Int32, exactly count: Int) throws(DNSLookupError) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: max(count, 1))
        while bytes.count < count {
            let read = recv(descriptor, &buffer, count - bytes.count, 0)
            guard read > 0 else { throw .unreachable(server, "the TCP answer ended early") }
            bytes += buffer.prefix(read)
        }
        return bytes
    }
}

/// The record types Masthead asks for.
public enum DNSRecordType: UInt16, Sendable {
    case a = 1
    case cname = 5
    case mx = 15
    case txt = 16
    case aaaa = 28
}

/// Why a lookup has no answer (as opposed to an answer that there is no record).
public enum DNSLookupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server could not be reached, or did not answer in time.
    case unreachable(DNSServer, String)
    /// The server answered with an error (SERVFAIL, REFUSED, …).
    case failed(DNSServer, name: String, code: Int)
    /// The answer could not be read.
    case malformed(DNSServer)

    public var description: String {
        switch self {
        case .unreachable(let server, let reason): "the DNS server \(server) cannot be asked: \(reason)"
        case .failed(let server, let name, let code):
            "the DNS server \(server) answered \(DNSMessage.responseCodes[code] ?? "error \(code)") for \(name)"
        case .malformed(let server): "the DNS server \(server) sent an answer that cannot be read"
        }
    }
}

/// The address of a DNS server: `127.0.0.1:5353`, `[::1]:53`, or an address alone (port 53).
public struct DNSServer: Sendable, Equatable, CustomStringConvertible {
    public let address: IPAddress
    public let port: UInt16

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init(_ text: String) throws(Invalid) {
        var host = Substring(text)
        var port: UInt16 = 53
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let number = UInt16(rest.dropFirst()) else { throw Invalid(description: "'\(text)' is not ADDRESS[:PORT]") }
                port = number
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            guard let number = UInt16(text[text.index(after: colon)...]) else { throw Invalid(description: "'\(text)' is not ADDRESS[:PORT]") }
            port = number
        }
        guard let address = IPAddress(host) else { throw Invalid(description: "'\(text)' is not an IP address (and optional :PORT)") }
        self.address = address
        self.port = port
    }

    /// The first `nameserver` of /etc/resolv.conf, as the C library's resolver would ask.
    public static func system(resolvConf: String = "/etc/resolv.conf") -> DNSServer? {
        guard let file = fopen(resolvConf, "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let fields = String(cString: line).split(whereSeparator: \.isWhitespace)
            if fields.count >= 2, fields[0] == "nameserver", let server = try? DNSServer(String(fields[1])) { return server }
        }
        return nil
    }

    public var description: String { address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)" }

    func socketAddress(_ storage: inout sockaddr_storage) -> socklen_t {
        withUnsafeMutablePointer(to: &storage) { pointer in
            if address.isIPv4 {
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in
                    inet.pointee.sin_family = sa_family_t(AF_INET)
                    inet.pointee.sin_port = port.bigEndian
                    withUnsafeMutableBytes(of: &inet.pointee.sin_addr) { $0.copyBytes(from: address.bytes) }
                    return socklen_t(MemoryLayout<sockaddr_in>.size)
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { inet in
                inet.pointee.sin6_family = sa_family_t(AF_INET6)
                inet.pointee.sin6_port = port.bigEndian
                withUnsafeMutableBytes(of: &inet.pointee.sin6_addr) { $0.copyBytes(from: address.bytes) }
                return socklen_t(MemoryLayout<sockaddr_in6>.size)
            }
        }
    }
}
