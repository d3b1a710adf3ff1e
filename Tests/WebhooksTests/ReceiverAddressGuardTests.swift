import Testing

@testable import Webhooks

/// Which receiver addresses production refuses (SSRF): the daemon's own network.
@Suite struct ReceiverAddressGuardTests {
    @Test(arguments: [
        [127, 0, 0, 1], [10, 1, 2, 3], [172, 16, 0, 1], [172, 31, 255, 255], [192, 168, 1, 1], [169, 254, 169, 254],
        [100, 64, 0, 1], [0, 0, 0, 0], [224, 0, 0, 1], [255, 255, 255, 255], [198, 18, 0, 1],
    ] as [[UInt8]])
    func privateIPv4IsRefused(bytes: [UInt8]) {
        #expect(!ReceiverAddressGuard.isPublic(.v4(bytes)))
    }

    @Test(arguments: [[93, 184, 215, 14], [8, 8, 8, 8], [172, 32, 0, 1], [100, 128, 0, 1], [192, 169, 0, 1]] as [[UInt8]])
    func publicIPv4IsAllowed(bytes: [UInt8]) {
        #expect(ReceiverAddressGuard.isPublic(.v4(bytes)))
    }

    @Test func ipv6LoopbackLinkLocalUniqueLocalAndMappedPrivateAreRefused() {
        func v6(_ head: [UInt8], tail: [UInt8] = []) -> ReceiverAddressGuard.Address {
            .v6(head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail)
        }
        #expect(!ReceiverAddressGuard.isPublic(v6([], tail: [1])))
        #expect(!ReceiverAddressGuard.isPublic(v6([0xFE, 0x80])))
        #expect(!ReceiverAddressGuard.isPublic(v6([0xFD, 0x12])))
        #expect(!ReceiverAddressGuard.isPublic(v6([0xFF, 0x02])))
        #expect(!ReceiverAddressGuard.isPublic(v6([], tail: [0xFF, 0xFF, 10, 0, 0, 1])), "an IPv4-mapped private address")
        #expect(ReceiverAddressGuard.isPublic(v6([0x26, 0x06, 0x28, 0x00])))
    }

    @Test func localhostResolvesToLoopbackAndIsRefused() async throws {
        #expect(try await ReceiverAddressGuard.nonPublicAddresses(of: "localhost").isEmpty == false)
    }
}
