import Foundation
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps webhook requests off the daemon's own network in production (SSRF): a receiver whose
/// host resolves to a loopback, private, link-local, carrier-grade NAT, multicast or reserved
/// address is refused. Development and tests allow them (a receiver on 127.0.0.1).
///
/// The host is resolved here and then again by the HTTP client, so a DNS server that answers
/// differently between the two (rebinding) could still steer one request; redirects, the other
/// way round the check, are never followed.
enum ReceiverAddressGuard {
    /// The host's addresses that are not public; throws when the host does not resolve.
    static func nonPublicAddresses(of host: String) async throws -> [String] {
        let addresses = try await NIOThreadPool.singleton.runIfActive { try resolve(host) }
        return addresses.filter { !isPublic($0) }.map(\.description)
    }

    enum Address: CustomStringConvertible {
        case v4([UInt8])
        case v6([UInt8])

        var description: String {
            switch self {
            case .v4(let bytes): bytes.map(String.init).joined(separator: ".")
            case .v6(let bytes):
                stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
                    .joined(separator: ":")
            }
        }
    }

    struct ResolutionFailed: Error, CustomStringConvertible {
        let host: String
        var description: String { "\(host) does not resolve" }
    }

    static func resolve(_ host: String) throws -> [Address] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { throw ResolutionFailed(host: host) }
        defer { freeaddrinfo(list) }
        var addresses: [Address] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let socketAddress = entry.pointee.ai_addr {
                switch entry.pointee.ai_family {
                case AF_INET:
                    socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var address = pointer.pointee.sin_addr
                        addresses.append(.v4(withUnsafeBytes(of: &address) { Array($0) }))
                    }
                case AF_INET6:
                    socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var address = pointer.pointee.sin6_addr
                        addresses.append(.v6(withUnsafeBytes(of: &address) { Array($0) }))
                    }
                default: break
                }
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }

    /// Whether an address is on the public internet.
    static func isPublic(_ address: Address) -> Bool {
        switch address {
        case .v4(let b):
            let reserved =
                b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224  // this network, private, loopback, multicast and reserved
                || (b[0] == 100 && b[1] & 0xC0 == 64)  // carrier-grade NAT 100.64/10
                || (b[0] == 169 && b[1] == 254)  // link-local
                || (b[0] == 172 && b[1] & 0xF0 == 16)  // private 172.16/12
                || (b[0] == 192 && b[1] == 168)  // private
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)  // IETF protocol assignments
                || (b[0] == 198 && b[1] & 0xFE == 18)  // benchmarking 198.18/15
            return !reserved
        case .v6(let b):
            if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF { return isPublic(.v4(Array(b[12..<16]))) }
            let unspecifiedOrLoopback = b[0..<15].allSatisfy { $0 == 0 } && b[15] <= 1
            let uniqueLocal = b[0] & 0xFE == 0xFC  // fc00::/7
            let linkLocal = b[0] == 0xFE && b[1] & 0xC0 == 0x80  // fe80::/10
            let multicast = b[0] == 0xFF
            return !(unspecifiedOrLoopback || uniqueLocal || linkLocal || multicast)
        }
    }
}
