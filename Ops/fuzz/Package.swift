// swift-tools-version: 6.1
// libFuzzer targets for the parsers that read what strangers send (Ops/fuzz/README.md), in their
// own package so the main build and its tests never link libFuzzer. Each target's property is
// written once, in its library's test target (Tests/<Library>Tests/FuzzCorpusTests.swift), and
// linked here: the main suite replays the committed corpus through the same check.
//
// Build (`Ops/fuzz/run build` does it, and says why each flag): swift build -c release \
//     --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing -Xswiftc -use-ld=lld

import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its directory, which is whatever the clone is called.
let main = URL(fileURLWithPath: Context.packageDirectory)
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

/// The main package's strictness, so the property files compile here exactly as in its tests;
/// FUZZING hides their `@Test` suites, which only the main package's test targets run.
let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .define("FUZZING"),
]

func library(_ name: String) -> Target.Dependency { .product(name: name, package: main) }

let package = Package(
    name: "MastheadFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
    ],
    targets: [
        // libFuzzer's driver, called from each target's main.swift (FuzzDriver says why).
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], swiftSettings: settings),
        .executableTarget(
            name: "FuzzAddress", dependencies: ["FuzzSupport", library("EmailAddress")], swiftSettings: settings),
        .executableTarget(
            name: "FuzzToken", dependencies: ["FuzzSupport", library("Signing")], swiftSettings: settings),
        .executableTarget(
            name: "FuzzCSV", dependencies: ["FuzzSupport", library("SubscriberLists"), library("SideEffects")],
            swiftSettings: settings),
        .executableTarget(
            name: "FuzzWebhookBody",
            dependencies: [
                "FuzzSupport", library("PaymentProviders"), library("DonationPledges"), library("SideEffects"),
                library("Signing"), library("SubscriberLists"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings),
    ]
)
