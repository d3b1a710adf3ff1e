import Benchmark
import Foundation
import Signing

/// Token sign + verify against its ceiling: the same number of raw HMAC-SHA256 computations
/// over inputs of the same sizes. A sign+verify computes four HMACs (address binding and MAC
/// when signing, MAC and binding when verifying); the ratio says what the token format costs.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock], warmupIterations: 1000,
        maxDuration: .seconds(3), maxIterations: 1_000_000)

    let now = Date(timeIntervalSince1970: 1_764_082_800)
    let ring = try! KeyRing.generate(at: now)  // benchmark setup: a failure should stop the run
    let signer = TokenSigner(ring: ring)
    let address = "reader.name+news@example.org"
    let secret = ring.activeKey.secret
    let sample = signer.sign(.confirm, subject: 1_234_567, address: address, at: now, lifetime: .seconds(604_800))
    // The inputs the four HMACs see: context + address (binding) and context + record (MAC).
    let bindingInput = [UInt8](repeating: 0x61, count: "masthead/address/v1\u{0}".utf8.count + address.utf8.count)
    let macInput = [UInt8](repeating: 0x62, count: "masthead/token/v1\u{0}".utf8.count + 26)

    Benchmark("token sign+verify") { benchmark in
        for index in benchmark.scaledIterations {
            let token = signer.sign(.confirm, subject: Int64(index), address: address, at: now, lifetime: .seconds(604_800))
            blackHole(try signer.verify(token, purpose: .confirm, address: address, at: now))
        }
    }

    Benchmark("token verify") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try signer.verify(sample, purpose: .confirm, address: address, at: now))
        }
    }

    Benchmark("raw HMAC-SHA256 x4 (ceiling)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(HMACSHA256.authenticate(bindingInput, key: secret))
            blackHole(HMACSHA256.authenticate(macInput, key: secret))
            blackHole(HMACSHA256.authenticate(macInput, key: secret))
            blackHole(HMACSHA256.authenticate(bindingInput, key: secret))
        }
    }
}
