import Benchmark
import EmailAddress

/// Addresses parsed and normalised per second, for a mix like a sign-up form's: mostly plain
/// ASCII, some upper case and tags, a few internationalised domains and typos.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock], warmupIterations: 1000,
        maxDuration: .seconds(3), maxIterations: 1_000_000)

    let mix = [
        "anna.kovalenko@gmail.com", "Oleh.Petrenko@Ukr.Net", "reader+ukraine-daily@proton.me",
        "j.smith@newsroom.example.co.uk", "maria_lopez@yahoo.es", "info@kyiv-post.example",
        "dörte@sörensen.example.com", "news@україна.укр", "user@bücher.example",
        "bad address@example.org", "missing-at.example.org", "trailing.dot.@example.com",
        "someone@localhost", "x@example.com", "firstname.lastname@company.example",
        "UPPER.CASE@EXAMPLE.ORG",
    ]

    // One operation parses the whole mix: addresses per second = throughput × 16.
    Benchmark("address parse+normalise (realistic mix of 16)") { benchmark in
        for _ in benchmark.scaledIterations {
            for text in mix { blackHole(try? EmailAddress(parsing: text).normalized) }
        }
    }

    Benchmark("address parse+normalise (plain ASCII)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? EmailAddress(parsing: "anna.kovalenko@gmail.com").normalized)
        }
    }
}
