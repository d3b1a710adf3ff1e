import DNSLookup
import Foundation
import Logging
import MastheadRuntime
import MastheadSettings
import TestSupport
import Testing

/// Flags beat the environment, which beats the file; bad values name their setting.
@Suite struct ConfigurationTests {
    func load(_ arguments: [String] = [], _ environment: [String: String] = [:]) async throws -> MastheadConfiguration {
        try await ConfigurationLoader(arguments: arguments, environment: environment).load()
    }

    func problem(_ arguments: [String] = [], _ environment: [String: String] = [:]) async -> ConfigurationError? {
        do {
            _ = try await load(arguments, environment)
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func defaultsNeedNoConfiguration() async throws {
        let configuration = try await load()
        #expect(configuration == MastheadConfiguration())
        #expect(configuration.publicURL == "http://127.0.0.1:8080")
        #expect(configuration.database == .sqlite(path: "masthead.sqlite"))
        #expect(configuration.mailer == .file(directory: "outbox"))
    }

    @Test func flagsBeatEnvironmentWhichBeatsTheFile() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("masthead.json")
        try #"{"port": 7001, "host": "0.0.0.0", "log": {"level": "debug"}, "public.url": "http://file.example"}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try await load([], ["MASTHEAD_CONFIG": file])
        #expect(fromFile.port == 7001)
        #expect(fromFile.host == "0.0.0.0")
        #expect(fromFile.logLevel == .debug)
        #expect(fromFile.publicURL == "http://file.example")

        let fromEnvironment = try await load([], ["MASTHEAD_CONFIG": file, "MASTHEAD_PORT": "7002"])
        #expect(fromEnvironment.port == 7002)
        #expect(fromEnvironment.host == "0.0.0.0")

        let fromFlags = try await load(["--port", "7003"], ["MASTHEAD_CONFIG": file, "MASTHEAD_PORT": "7002"])
        #expect(fromFlags.port == 7003)
        let equalsForm = try await load(["--port=7004", "--config", file], [:])
        #expect(equalsForm.port == 7004)
        #expect(equalsForm.logLevel == .debug)
    }

    @Test func yamlFileIsRead() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("masthead.yaml")
        try "port: 7010\ntrusted:\n  proxies: [\"10.0.0.0/8\", \"::1\"]\nlog:\n  format: json\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let configuration = try await load(["--config", file])
        #expect(configuration.port == 7010)
        #expect(configuration.trustedProxies.map(\.description) == ["10.0.0.0/8", "::1/128"])
        #expect(configuration.logFormat == .json)
    }

    @Test func publicURLDefaultsToTheListenAddress() async throws {
        let configuration = try await load(["--host", "192.0.2.10", "--port", "9090"])
        #expect(configuration.publicURL == "http://192.0.2.10:9090")
        let explicit = try await load([], ["MASTHEAD_PUBLIC_URL": "https://news.example.org/masthead/"])
        #expect(explicit.publicURL == "https://news.example.org/masthead")
    }

    @Test func trustedProxiesFromTheEnvironment() async throws {
        let configuration = try await load([], ["MASTHEAD_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"])
        #expect(configuration.trustedProxies.map(\.description) == ["127.0.0.1/32", "10.0.0.0/8"])
    }

    @Test(arguments: [
        (["--port", "abc"], [:], "MASTHEAD_PORT (--port, file key port): the value is not a whole number"),
        ([], ["MASTHEAD_PORT": "70000"], "MASTHEAD_PORT (--port, file key port): 70000 is outside 0-65535"),
        ([], ["MASTHEAD_LOG_LEVEL": "loud"], "MASTHEAD_LOG_LEVEL"),
        ([], ["MASTHEAD_LOG_FORMAT": "xml"], "MASTHEAD_LOG_FORMAT"),
        ([], ["MASTHEAD_DATABASE": "mysql://x"], "MASTHEAD_DATABASE"),
        ([], ["MASTHEAD_MAILER": "carrier-pigeon"], "MASTHEAD_MAILER"),
        ([], ["MASTHEAD_PUBLIC_URL": "ftp://x"], "MASTHEAD_PUBLIC_URL"),
        ([], ["MASTHEAD_TRUSTED_PROXIES": "10.0.0.0/99"], "MASTHEAD_TRUSTED_PROXIES"),
        ([], ["MASTHEAD_ENVIRONMENT": "staging"], "MASTHEAD_ENVIRONMENT"),
        ([], ["MASTHEAD_HTTP_BODY_LIMIT": "10"], "MASTHEAD_HTTP_BODY_LIMIT"),
        ([], ["MASTHEAD_SHUTDOWN_GRACE": "-1"], "MASTHEAD_SHUTDOWN_GRACE"),
        (["--prot", "9000"], [:], "unknown option --prot"),
        (["--config", "/nonexistent/masthead.json"], [:], "does not exist"),
    ] as [([String], [String: String], String)])
    func badValueNamesItsSetting(arguments: [String], environment: [String: String], expected: String) async throws {
        let error = try #require(await problem(arguments, environment))
        #expect(error.description.contains(expected), "\(error)")
    }

    @Test func wrongTypeInTheFileIsAnErrorNotTheDefault() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("masthead.json")
        try #"{"port": "eighty"}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let error = try #require(await problem(["--config", file]))
        #expect(error.setting == .port)
    }

    @Test func productionRefusesPlainHTTPLinks() async throws {
        let error = try #require(
            await problem([], ["MASTHEAD_ENVIRONMENT": "production", "MASTHEAD_MAILER": "sendmail:/usr/sbin/sendmail"]))
        #expect(error.setting == .publicURL)
    }

    @Test func productionRefusesAnImplicitFromAddress() async throws {
        let error = try #require(
            await problem([], [
                "MASTHEAD_ENVIRONMENT": "production", "MASTHEAD_PUBLIC_URL": "https://news.example.org",
                "MASTHEAD_MAILER": "smtp://mail.example.org",
            ]))
        #expect(error.setting == .mailFrom)
    }

    @Test func productionRefusesTheFileMailer() async throws {
        let error = try #require(
            await problem([], ["MASTHEAD_ENVIRONMENT": "production", "MASTHEAD_PUBLIC_URL": "https://news.example.org"]))
        #expect(error.setting == .mailer)
    }

    @Test func productionWithSafeSettingsLoads() async throws {
        let configuration = try await load(
            [], [
                "MASTHEAD_ENVIRONMENT": "production", "MASTHEAD_PUBLIC_URL": "https://news.example.org",
                "MASTHEAD_MAILER": "smtp://mail.example.org:587", "MASTHEAD_MAIL_FROM": "Ukraine Daily <news@example.org>",
            ])
        #expect(configuration.environment == .production)
        #expect(configuration.effectivePayments == .off)
    }

    @Test func productionRefusesTheSimulatedPaymentProvider() async throws {
        let error = try #require(
            await problem([], [
                "MASTHEAD_ENVIRONMENT": "production", "MASTHEAD_PUBLIC_URL": "https://news.example.org",
                "MASTHEAD_MAILER": "smtp://mail.example.org:587", "MASTHEAD_MAIL_FROM": "Ukraine Daily <news@example.org>",
                "MASTHEAD_PAYMENTS": "simulated",
            ]))
        #expect(error.setting == .payments)
        #expect(try #require(await problem(["--payments", "paypal"])).setting == .payments)
        #expect(try await load([], [:]).effectivePayments == .simulated)
    }

    /// Stripe needs its secret key file, webhook secret file and publishable key; production
    /// needs its addresses over https.
    @Test func stripeNamesWhatItIsMissing() async throws {
        #expect(try #require(await problem(["--payments", "stripe"])).setting == .stripeSecretKeyFile)
        #expect(try #require(await problem(["--payments", "stripe", "--stripe-secret-key-file", "/k"])).setting == .stripeWebhookSecretFile)
        let files = ["MASTHEAD_PAYMENTS": "stripe", "MASTHEAD_STRIPE_SECRET_KEY_FILE": "/k", "MASTHEAD_STRIPE_WEBHOOK_SECRET_FILE": "/w"]
        #expect(try #require(await problem([], files)).setting == .stripePublishableKey)
        #expect(try #require(await problem(["--stripe-publishable-key", "sk_live_oops"], files)).setting == .stripePublishableKey)
        let configuration = try await load(["--stripe-publishable-key", "pk_test_abc", "--stripe-api-url", "http://127.0.0.1:12111/"], files)
        #expect(configuration.effectivePayments == .stripe)
        #expect(configuration.stripe.apiURL == "http://127.0.0.1:12111")
        #expect(configuration.stripe.scriptURL == "https://js.stripe.com/v3/")
        let production = files.merging([
            "MASTHEAD_ENVIRONMENT": "production", "MASTHEAD_PUBLIC_URL": "https://news.example.org",
            "MASTHEAD_MAILER": "smtp://mail.example.org:587", "MASTHEAD_MAIL_FROM": "Ukraine Daily <news@example.org>",
            "MASTHEAD_STRIPE_PUBLISHABLE_KEY": "pk_live_abc",
        ]) { $1 }
        #expect(try await load([], production).effectivePayments == .stripe)
        #expect(try #require(await problem(["--stripe-api-url", "http://127.0.0.1:12111"], production)).setting == .stripeAPIURL)
    }

    @Test func unknownEnvironmentNamesAreReported() {
        let loader = ConfigurationLoader(arguments: [], environment: ["MASTHEAD_PROT": "1", "MASTHEAD_PORT": "2", "HOME": "/"])
        #expect(loader.unknownEnvironmentNames == ["MASTHEAD_PROT"])
    }

    @Test func errorNeverEchoesAMailerPassword() async throws {
        let error = try #require(await problem([], ["MASTHEAD_MAILER": "smtps:user:hunter2@host"]))
        #expect(!error.description.contains("hunter2"))
    }
}
