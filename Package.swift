// swift-tools-version: 6.1
// Masthead: newsletter sign-up, donation pledges and subscriber lists for a newsroom.
// The module map is Docs/architecture.md: dependencies point down its table, nothing points up.

import PackageDescription

/// Every module's settings: the upcoming features Hummingbird turns on (we keep the same
/// strictness) and, on Linux, each function in a section of its own, so the link can place
/// the functions start-up runs side by side (`executableLinking`).
let moduleSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .unsafeFlags(["-Xfrontend", "-function-sections"], .when(platforms: [.linux])),
]

/// This file's directory: the linker runs elsewhere and needs the order file's whole path.
let packageDirectory = String(#filePath.dropLast("/Package.swift".count))

/// How the two executables are linked on Linux, for the daemon's idle memory (Ops/bench/README.md,
/// "Idle memory"); a server then needs no Swift toolchain to run them.
/// - The Swift runtime and Foundation go into the binary (`-static-stdlib`, with the archives the
///   driver leaves out): the dynamic loader no longer reads and applies the relocations of their
///   shared libraries at every start, which left about 6 MB of them resident.
/// - lld, for `pack-relative-relocs` (RELR, glibc 2.36+): the binary's relative relocations take
///   30 KB instead of 2 MB, all of which the loader read at start.
/// - `--no-export-dynamic` takes back the `-export-dynamic` of the static runtime's link
///   arguments: nothing loads these binaries' symbols, and exporting them kept 5 MB of symbol
///   tables and every exported function (`--gc-sections` may drop unused ones).
/// - The functions the daemon's start-up runs come first, side by side
///   (`Ops/link/mastheadd.order`, written by `Ops/link/record-startup-order`): the kernel maps code
///   64 KB around each page touched, and scattered they kept 19 MB of text resident.
let executableLinking: [LinkerSetting] = [
    .unsafeFlags([
        "-use-ld=lld", "-static-stdlib",
        "-Xlinker", "-l_FoundationICU", "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-l_FoundationCShims",
        "-Xlinker", "-lCoreFoundation", "-Xlinker", "-lstdc++",
        "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic",
        "-Xlinker", "--symbol-ordering-file=\(packageDirectory)/Ops/link/mastheadd.order", "-Xlinker", "--no-warn-symbol-ordering",
    ], .when(platforms: [.linux])),
]

let package = Package(
    name: "masthead",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mastheadd", targets: ["mastheadd"]),
        .executable(name: "masthead", targets: ["masthead"]),
        // Libraries other packages (Benchmarks/, Ops/fuzz/) build against.
        .library(name: "EmailAddress", targets: ["EmailAddress"]),
        .library(name: "Signing", targets: ["Signing"]),
        .library(name: "SideEffects", targets: ["SideEffects"]),
        .library(name: "SubscriberLists", targets: ["SubscriberLists"]),
        .library(name: "DonationPledges", targets: ["DonationPledges"]),
        .library(name: "PaymentProviders", targets: ["PaymentProviders"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(
            url: "https://github.com/apple/swift-configuration.git", exact: "1.4.0",
            traits: ["JSON", "YAML", "CommandLineArguments"]),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", exact: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", exact: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", exact: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", exact: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", exact: "1.8.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
    ],
    targets: [
        // MARK: executables
        .executableTarget(
            name: "mastheadd",
            dependencies: [
                "MastheadRuntime", "MastheadSettings",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: moduleSettings,
            linkerSettings: executableLinking),
        .executableTarget(
            name: "masthead",
            dependencies: [
                "MastheadRuntime", "MastheadSettings", "DatabaseCopy", "SubscriberLists", "DonationPledges", "Migrations", "Mail",
                "Signing", "Webhooks", "SideEffects", "AdminAccess", "DNSLookup", "SenderChecks", "AbuseDefence",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: moduleSettings,
            linkerSettings: executableLinking),

        // MARK: libraries
        .target(
            name: "MastheadHTTP",
            dependencies: [
                "MastheadSettings", "DatabaseHealth", "NewsletterSignup", "DonationPledges", "PaymentProviders", "Mail",
                "SubscriberLists", "EmailAddress", "Signing", "Webhooks", "AdminAccess", "DNSLookup", "AbuseDefence",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.embedInCode("Resources/openapi.yaml"), .embedInCode("Resources/Pages"), .embedInCode("Resources/Locales")],
            swiftSettings: moduleSettings),
        .target(
            name: "MastheadRuntime",
            dependencies: [
                "MastheadSettings", "MastheadHTTP", "SQLiteStorage", "PostgresStorage", "DatabaseHealth", "DatabaseCopy",
                "Migrations", "PostgresMigrations", "SubscriberLists", "Signing", "Mail", "NewsletterSignup", "DonationPledges",
                "PaymentProviders", "EmailAddress", "Webhooks", "AdminAccess", "AbuseDefence",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: moduleSettings),
        .target(name: "DNSLookup", swiftSettings: moduleSettings),
        .target(name: "SenderChecks", dependencies: ["DNSLookup"], swiftSettings: moduleSettings),
        .target(
            name: "MastheadSettings",
            dependencies: [
                "Mail", "NewsletterSignup", "EmailAddress", "DNSLookup", "AbuseDefence",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: moduleSettings),
        .target(
            name: "SQLiteStorage",
            dependencies: [
                "Migrations", "DatabaseHealth", "DatabaseCopy", "StoredRows", "SideEffects", "SubscriberLists",
                "NewsletterSignup", "DonationPledges", "Mail", "Webhooks", "AdminAccess", "AbuseDefence",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: moduleSettings),
        .target(
            name: "PostgresStorage",
            dependencies: [
                "Migrations", "PostgresMigrations", "DatabaseHealth", "DatabaseCopy", "StoredRows", "SideEffects",
                "SubscriberLists", "NewsletterSignup", "DonationPledges", "Mail", "Webhooks", "AdminAccess", "AbuseDefence",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // Only for its error type: a pool with no connection to give is a 503, not a 500.
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: moduleSettings),
        .target(
            name: "NewsletterSignup",
            dependencies: ["SideEffects", "SubscriberLists", "EmailAddress", "Signing", "Mail", "DNSLookup"],
            swiftSettings: moduleSettings),
        .target(
            name: "DonationPledges",
            dependencies: [
                "SideEffects", "SubscriberLists", "NewsletterSignup", "EmailAddress", "Signing", "Mail",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: moduleSettings),
        .target(
            name: "PaymentProviders",
            dependencies: [
                "DonationPledges", "Signing",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: moduleSettings),
        .target(
            name: "Webhooks",
            dependencies: [
                "SideEffects", "Signing", "Mail",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: moduleSettings),
        .target(
            name: "Mail",
            dependencies: [
                "SideEffects", "Signing",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            resources: [.embedInCode("Resources/Templates")],
            swiftSettings: moduleSettings),
        .target(
            name: "AbuseDefence",
            dependencies: [
                "SideEffects", "Signing", "Mail", "DNSLookup",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: moduleSettings),
        .target(name: "SubscriberLists", dependencies: ["SideEffects", "EmailAddress"], swiftSettings: moduleSettings),
        .target(name: "AdminAccess", dependencies: ["SideEffects", "Signing"], swiftSettings: moduleSettings),
        .target(name: "SideEffects", swiftSettings: moduleSettings),
        .target(name: "Signing", dependencies: ["COpenSSL"], swiftSettings: moduleSettings),
        .target(name: "EmailAddress", dependencies: ["CIDN2"], swiftSettings: moduleSettings),
        // The SQL of every schema step, embedded so an installed binary needs no source tree.
        .target(
            name: "Migrations",
            path: "Migrations",
            exclude: ["README.md", "postgres"],
            resources: [.embedInCode("sqlite")],
            swiftSettings: moduleSettings),
        // The PostgreSQL steps: their own target because SwiftPM names embedded files by file
        // name alone, and each step has the same name as its SQLite twin.
        .target(
            name: "PostgresMigrations",
            dependencies: ["Migrations"],
            path: "Migrations/postgres",
            resources: [
                .embedInCode("0001_init.sql"), .embedInCode("0002_signup.sql"), .embedInCode("0003_lists.sql"),
                .embedInCode("0004_pledges.sql"), .embedInCode("0005_refunds.sql"),
                .embedInCode("0006_annual.sql"), .embedInCode("0007_webhooks.sql"), .embedInCode("0008_admin_tokens.sql"),
                .embedInCode("0009_bounces.sql"), .embedInCode("0010_outbox_sent.sql"),
                .embedInCode("0011_domain_rules.sql"), .embedInCode("0012_abuse.sql"),
                .embedInCode("0013_consent_texts.sql"),
            ],
            swiftSettings: moduleSettings),
        // What both stores share: reading rows into domain values, and the SQL text they both run.
        .target(
            name: "StoredRows",
            dependencies: [
                "SideEffects", "SubscriberLists", "NewsletterSignup", "DonationPledges", "Mail", "Webhooks", "AdminAccess", "AbuseDefence",
            ],
            swiftSettings: moduleSettings),
        // What a store reports to operations (readiness, pool gauges), and what `db copy` moves.
        .target(name: "DatabaseHealth", dependencies: ["Migrations"], swiftSettings: moduleSettings),
        .target(name: "DatabaseCopy", dependencies: ["Migrations"], swiftSettings: moduleSettings),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CIDN2",
            pkgConfig: "libidn2",
            providers: [.apt(["libidn2-dev"])]),

        // MARK: tests
        // One target per library for its own rules (a change to EmailAddress rebuilds only what
        // depends on it), and MastheadTests for the daemon, the CLI and both stores end to end.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: moduleSettings),
        .testTarget(
            name: "EmailAddressTests",
            dependencies: ["EmailAddress", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: moduleSettings),
        .testTarget(name: "SigningTests", dependencies: ["Signing", "TestSupport"], swiftSettings: moduleSettings),
        .testTarget(
            name: "PaymentProvidersTests",
            dependencies: [
                "PaymentProviders", "DonationPledges", "SideEffects", "Signing", "SubscriberLists", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: moduleSettings),
        .testTarget(
            name: "MailTests",
            dependencies: [
                "Mail", "Signing", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: moduleSettings),
        .testTarget(name: "SideEffectsTests", dependencies: ["SideEffects"], swiftSettings: moduleSettings),
        .testTarget(name: "WebhooksTests", dependencies: ["Webhooks", "SideEffects"], swiftSettings: moduleSettings),
        .testTarget(name: "AdminAccessTests", dependencies: ["AdminAccess"], swiftSettings: moduleSettings),
        .testTarget(name: "AbuseDefenceTests", dependencies: ["AbuseDefence", "Signing", "SideEffects", "Mail"], swiftSettings: moduleSettings),
        .testTarget(
            name: "SubscriberListsTests",
            dependencies: [
                "SubscriberLists", "SideEffects", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: moduleSettings),
        .testTarget(
            name: "NewsletterSignupTests", dependencies: ["NewsletterSignup", "SubscriberLists", "SideEffects"],
            swiftSettings: moduleSettings),
        .testTarget(
            name: "DonationPledgesTests", dependencies: ["DonationPledges", "SubscriberLists", "SideEffects", "Mail", "Signing", "TestSupport"],
            swiftSettings: moduleSettings),
        .testTarget(
            name: "MastheadTests",
            dependencies: [
                "MastheadRuntime", "MastheadHTTP", "MastheadSettings", "SQLiteStorage", "PostgresStorage", "DatabaseHealth",
                "DatabaseCopy", "Migrations", "PostgresMigrations", "SideEffects", "SubscriberLists", "Signing", "EmailAddress",
                "Mail", "NewsletterSignup", "DonationPledges", "PaymentProviders", "Webhooks", "AdminAccess", "DNSLookup", "SenderChecks",
                "AbuseDefence",
                "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Help", "Support/parse_eml.py", "Support/smtp_server.py", "Support/smtp_faults.py", "Support/spec_documents.py"],
            swiftSettings: moduleSettings),
    ]
)
