// swift-tools-version: 6.1
// Micro-benchmarks (ordo-one/benchmark), kept in their own package so the main build and CI
// do not pay for the benchmark tooling. Run from this directory: `swift package benchmark`.

import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its directory, which is whatever the clone is called.
let main = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

let benchmark: Target.Dependency = .product(name: "Benchmark", package: "benchmark")
let plugin: Target.PluginUsage = .plugin(name: "BenchmarkPlugin", package: "benchmark")

let package = Package(
    name: "MastheadBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        // Its default traits need a package that is not on the mirror; the interposer is enough.
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "SigningBenchmarks",
            dependencies: [benchmark, .product(name: "Signing", package: main)],
            path: "Benchmarks/SigningBenchmarks",
            plugins: [plugin]),
        .executableTarget(
            name: "AddressBenchmarks",
            dependencies: [benchmark, .product(name: "EmailAddress", package: main)],
            path: "Benchmarks/AddressBenchmarks",
            plugins: [plugin]),
    ]
)
