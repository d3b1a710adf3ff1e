public import DNSLookup
import Foundation
public import MastheadSettings

/// Finds the reader's address behind trusted proxies.
///
/// The socket peer is the client unless it is a trusted proxy; then `X-Forwarded-For` is read
/// right to left and the first address that is not itself a trusted proxy is the client.
/// Addresses a client wrote further left are never believed, so a reader cannot spoof their
/// address by sending their own `X-Forwarded-For`.
///
/// One header, on purpose: `X-Forwarded-For` is what nginx, HAProxy, Caddy and cloud load
/// balancers set. RFC 7239's `Forwarded` is ignored, because a proxy that sets only the one
/// passes a client's own copy of the other through, and a daemon that believed it would let
/// that client choose its consent address and its rate-limit bucket.
public struct ClientAddressResolver: Sendable {
    let trustedProxies: [IPNetwork]

    /// Creates a resolver trusting these networks.
    public init(trustedProxies: [IPNetwork]) {
        self.trustedProxies = trustedProxies
    }

    /// The client address given the peer and the raw `X-Forwarded-For` values.
    public func resolve(peer: IPAddress?, forwardedFor: [String]) -> IPAddress? {
        guard let peer, isTrusted(peer) else { return peer }
        let chain = Self.addresses(xForwardedFor: forwardedFor)
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
}
