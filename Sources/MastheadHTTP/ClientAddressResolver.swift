import Foundation
public import MastheadSettings

/// Finds the reader's address behind trusted proxies.
///
/// The socket peer is the client unless it is a trusted proxy; then the forwarding headers
/// are read right to left and the first address that is not itself a trusted proxy is the
/// client. Addresses a client wrote further left are never believed, so a reader cannot
/// spoof their address by sending their own `X-Forwarded-For`.
public struct ClientAddressResolver: Sendable {
    let trustedProxies: [IPNetwork]

    /// Creates a resolver trusting these networks.
    public init(trustedProxies: [IPNetwork]) {
        self.trustedProxies = trustedProxies
    }

    /// The client address given the peer and the raw `X-Forwarded-For` / `Forwarded` values.
    public func resolve(peer: IPAddress?, forwardedFor: [String], forwarded: [String]) -> IPAddress? {
        guard let peer, isTrusted(peer) else { return peer }
        // RFC 7239 `Forwarded` is the standard; `X-Forwarded-For` what nginx sends by default.
        let chain = forwarded.isEmpty ? Self.addresses(xForwardedFor: forwardedFor) : Self.addresses(forwarded: forwarded)
        var client = peer
        for hop in chain.reversed() {
            guard let address = hop else { return client }  // an unreadable hop ends what we can believe
            client = address
            if !isTrusted(address) { return address }
        }
        return client
    }

    private func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }

    /// `X-Forwarded-For: client, proxy1, proxy2` (several header lines join in order).
    static func addresses(xForwardedFor values: [String]) -> [IPAddress?] {
        values.flatMap { $0.split(separator: ",") }.map { IPAddress($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// `Forwarded: for=192.0.2.60;proto=http, for="[2001:db8::1]:4711"`.
    static func addresses(forwarded values: [String]) -> [IPAddress?] {
        values.flatMap { $0.split(separator: ",") }.map { element in
            for pair in element.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "for" else { continue }
                var value = parts[1].trimmingCharacters(in: .whitespaces)
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                if value.hasPrefix("["), let close = value.firstIndex(of: "]") {
                    return IPAddress(value[value.index(after: value.startIndex)..<close])
                }
                if value.filter({ $0 == ":" }).count == 1, let colon = value.firstIndex(of: ":") {
                    return IPAddress(value[..<colon])  // IPv4 with a port
                }
                return IPAddress(value)
            }
            return nil
        }
    }
}
