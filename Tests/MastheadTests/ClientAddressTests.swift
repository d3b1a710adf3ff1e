import DNSLookup
import MastheadHTTP
import MastheadRuntime
import MastheadSettings
import Testing

/// Who the client is behind proxies, and that a client cannot spoof it.
@Suite struct ClientAddressTests {
    let resolver = ClientAddressResolver(trustedProxies: [IPNetwork("10.0.0.0/8")!, IPNetwork("::1")!])

    func resolve(peer: String, xff: [String] = []) -> String? {
        resolver.resolve(peer: IPAddress(peer), forwardedFor: xff)?.description
    }

    @Test func untrustedPeerIsTheClientWhateverItClaims() {
        #expect(resolve(peer: "198.51.100.7", xff: ["203.0.113.1"]) == "198.51.100.7")
    }

    @Test func trustedPeerForwardsTheRightMostUntrustedAddress() {
        #expect(resolve(peer: "10.0.0.2", xff: ["1.1.1.1, 203.0.113.9, 10.0.0.5"]) == "203.0.113.9")
        #expect(resolve(peer: "10.0.0.2", xff: ["1.1.1.1", "203.0.113.9"]) == "203.0.113.9")
    }

    @Test func trustedPeerWithoutHeadersIsItself() {
        #expect(resolve(peer: "10.0.0.2") == "10.0.0.2")
    }

    @Test func garbageInTheChainStopsTheWalk() {
        #expect(resolve(peer: "10.0.0.2", xff: ["203.0.113.9, not-an-ip"]) == "10.0.0.2")
    }

    @Test func anIPv6ChainIsReadToo() {
        #expect(resolve(peer: "::1", xff: ["192.0.2.60, 2001:db8::17"]) == "2001:db8::17")
    }

    @Test func mappedIPv4MatchesAnIPv4Network() {
        #expect(IPNetwork("10.0.0.0/8")!.contains(IPAddress("::ffff:10.1.2.3")!))
        #expect(!IPNetwork("10.0.0.0/8")!.contains(IPAddress("11.0.0.1")!))
        #expect(IPNetwork("2001:db8::/32")!.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(IPNetwork("192.168.1.0/24")!.contains(IPAddress("192.168.1.200")!))
        #expect(!IPNetwork("192.168.1.0/25")!.contains(IPAddress("192.168.1.200")!))
    }

    @Test func invalidNetworksAreRejected() {
        for text in ["", "10.0.0.0/33", "1.2.3", "::1/129", "10.0.0.0/x", "example.org"] {
            #expect(IPNetwork(text) == nil, "\(text)")
        }
    }
}
