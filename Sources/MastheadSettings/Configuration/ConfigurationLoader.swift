import AbuseDefence
import Configuration
import DNSLookup
import EmailAddress
import NewsletterSignup
import Foundation
import Logging
import SystemPackage

/// Reads ``MastheadConfiguration`` from command-line flags, then the environment, then an
/// optional JSON or YAML file (`--config` / `MASTHEAD_CONFIG`), in that order of precedence.
///
/// Both executables use it: `mastheadd` passes its arguments, `masthead` passes the global
/// options it parsed. A value that cannot be used is an error naming the setting; nothing
/// falls back to a default silently.
public struct ConfigurationLoader: Sendable {
    /// Command-line arguments in `--key value` / `--key=value` form (without the program name).
    public var arguments: [String]
    /// The environment, normally `ProcessInfo.processInfo.environment`.
    public var environment: [String: String]

    /// Creates a loader over explicit arguments and environment (tests pass their own).
    public init(arguments: [String], environment: [String: String]) {
        self.arguments = arguments
        self.environment = environment
    }

    /// Environment variables that look like ours but name no setting (likely typos).
    public var unknownEnvironmentNames: [String] {
        // MASTHEAD_SMTP_PASSWORD is read by the SMTP mailer itself, so it need not sit in a URL.
        let known = Set(Setting.all.map(\.environmentName) + ["MASTHEAD_SMTP_PASSWORD"])
        return environment.keys.filter { $0.hasPrefix("MASTHEAD_") && !known.contains($0) }.sorted()
    }

    /// Reads and validates the configuration.
    public func load() async throws(ConfigurationError) -> MastheadConfiguration {
        try checkFlags()
        let problems = ConversionProblems()
        let reader = try await makeReader(reporter: problems)
        var values = SettingValues(reader: reader, problems: problems)
        var configuration = MastheadConfiguration()

        if let host = try values.string(.host) {
            guard !host.isEmpty else { throw ConfigurationError(.host, "is empty") }
            configuration.host = host
        }
        if let port = try values.int(.port) {
            guard (0...65535).contains(port) else { throw ConfigurationError(.port, "\(port) is outside 0-65535") }
            configuration.port = port
        }
        if let database = try values.string(.database) { configuration.database = try DatabaseLocation(parsing: database) }
        if let file = try values.string(.databasePasswordFile) {
            guard !file.isEmpty else { throw ConfigurationError(.databasePasswordFile, "is empty") }
            configuration.databasePasswordFile = file
        }
        if let pool = try values.int(.databasePool) {
            guard (1...1000).contains(pool) else { throw ConfigurationError(.databasePool, "\(pool) is outside 1-1000") }
            configuration.databasePool = pool
        }
        if let mailer = try values.string(.mailer) {
            configuration.mailer = try MailerLocation(parsing: mailer, environment: environment)
        }
        configuration.publicURL = "http://\(configuration.host):\(configuration.port)"
        if let publicURL = try values.string(.publicURL) { configuration.publicURL = try Self.checkPublicURL(publicURL) }
        if let keys = try values.string(.keys) {
            guard !keys.isEmpty else { throw ConfigurationError(.keys, "is empty") }
            configuration.keysPath = keys
        }
        if let environment = try values.string(.environment) {
            guard let parsed = DeploymentEnvironment(rawValue: environment.lowercased()) else {
                throw ConfigurationError(.environment, "'\(environment)' is neither development nor production")
            }
            configuration.environment = parsed
        }
        if let proxies = try values.strings(.trustedProxies) {
            configuration.trustedProxies = try proxies.filter { !$0.isEmpty }.map { text throws(ConfigurationError) in
                guard let network = IPNetwork(text.trimmingCharacters(in: .whitespaces)) else {
                    throw ConfigurationError(.trustedProxies, "'\(text)' is not an address or CIDR range")
                }
                return network
            }
        }
        if let level = try values.string(.logLevel) {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError(.logLevel, "'\(level)' is not one of trace, debug, info, notice, warning, error, critical")
            }
            configuration.logLevel = parsed
        }
        if let format = try values.string(.logFormat) {
            guard let parsed = LogFormat(rawValue: format.lowercased()) else {
                throw ConfigurationError(.logFormat, "'\(format)' is neither text nor json")
            }
            configuration.logFormat = parsed
        }
        if let limit = try values.int(.bodyLimit) {
            guard (1024...(16 * 1024 * 1024)).contains(limit) else {
                throw ConfigurationError(.bodyLimit, "\(limit) is outside 1024-16777216 bytes")
            }
            configuration.bodyLimit = limit
        }
        if let lease = try values.int(.outboxLease) {
            guard (1...86_400).contains(lease) else { throw ConfigurationError(.outboxLease, "\(lease) is outside 1-86400 seconds") }
            configuration.outboxLease = .seconds(lease)
        }
        for (setting, path) in [(Setting.headerTimeout, \MastheadConfiguration.headerTimeout), (.bodyTimeout, \.bodyTimeout)] {
            if let seconds = try values.int(setting) {
                guard (1...3600).contains(seconds) else { throw ConfigurationError(setting, "\(seconds) is outside 1-3600 seconds") }
                configuration[keyPath: path] = .seconds(seconds)
            }
        }
        if let grace = try values.int(.shutdownGrace) {
            guard (0...600).contains(grace) else { throw ConfigurationError(.shutdownGrace, "\(grace) is outside 0-600 seconds") }
            configuration.shutdownGrace = .seconds(grace)
        }
        try readSignupSettings(&values, into: &configuration)
        try configuration.validateForProduction()
        return configuration
    }

    /// The settings of newsletter sign-up, its emails and its abuse limits.
    private func readSignupSettings(
        _ values: inout SettingValues, into configuration: inout MastheadConfiguration
    ) throws(ConfigurationError) {
        if let newsroom = try values.string(.newsroom) {
            guard !newsroom.trimmingCharacters(in: .whitespaces).isEmpty, newsroom.count <= 100 else {
                throw ConfigurationError(.newsroom, "must be 1-100 characters")
            }
            configuration.newsroom = newsroom
        }
        if let from = try values.string(.mailFrom) {
            _ = try MailFrom.parse(from)
            configuration.mailFrom = from
        }
        if let mailto = try values.string(.unsubscribeMailto) {
            guard (try? EmailAddress(parsing: mailto)) != nil else {
                throw ConfigurationError(.unsubscribeMailto, "'\(mailto)' is not an email address")
            }
            configuration.unsubscribeMailto = mailto
        }
        if let directory = try values.string(.templates) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ConfigurationError(.templates, "\(directory) is not a directory")
            }
            configuration.templatesDirectory = directory
        }
        if let slugs = try values.strings(.signupNewsletters) {
            configuration.signup.defaultNewsletters = slugs.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let count = try values.int(.signupEmailsPerDay) {
            guard (1...50).contains(count) else { throw ConfigurationError(.signupEmailsPerDay, "\(count) is outside 1-50") }
            configuration.signup.maximumEmailsPerDay = count
        }
        if let seconds = try values.int(.signupCooldown) {
            guard (0...86_400).contains(seconds) else { throw ConfigurationError(.signupCooldown, "\(seconds) is outside 0-86400") }
            configuration.signup.repeatCooldown = .seconds(seconds)
        }
        if let count = try values.int(.signupDomainHourly) {
            guard (0...1_000_000).contains(count) else { throw ConfigurationError(.signupDomainHourly, "\(count) is outside 0-1000000") }
            configuration.signupDomainHourly = count
        }
        if let check = try values.bool(.signupMXCheck) { configuration.signupMXCheck = check }
        if let text = try values.string(.dnsServer) {
            do { configuration.dnsServer = try DNSServer(text) } catch { throw ConfigurationError(.dnsServer, error.description) }
        }
        if let notice = try values.bool(.signupNotice) { configuration.signup.noticeWhenAlreadySubscribed = notice }
        if let url = try values.string(.signupReturnURL) { configuration.signupReturnURL = try Self.checkAbsoluteURL(url, .signupReturnURL) }
        if let url = try values.string(.confirmRedirectURL) {
            configuration.confirmRedirectURL = try Self.checkAbsoluteURL(url, .confirmRedirectURL)
        }
        if let version = try values.string(.consentVersion) {
            guard !version.isEmpty, version.count <= 50 else { throw ConfigurationError(.consentVersion, "must be 1-50 characters") }
            configuration.signup.consentTextVersion = version
        }
        if let days = try values.int(.confirmDays) {
            guard (1...90).contains(days) else { throw ConfigurationError(.confirmDays, "\(days) is outside 1-90") }
            configuration.signup.confirmationLifetime = .seconds(days * 86_400)
        }
        if let links = try values.strings(.siteLinks) {
            configuration.siteLinks = try links.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                .map { item throws(ConfigurationError) in
                    let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard parts.count == 2, !parts[0].isEmpty else {
                        throw ConfigurationError(.siteLinks, "'\(item)' is not Label=https://…")
                    }
                    return SiteLink(label: parts[0], url: try Self.checkAbsoluteURL(parts[1], .siteLinks))
                }
        }
        if let mode = try values.string(.payments) {
            guard let parsed = PaymentsMode(rawValue: mode) else { throw ConfigurationError(.payments, "'\(mode)' is not stripe, simulated or off") }
            configuration.payments = parsed
        }
        try Self.loadStripe(&values, into: &configuration)
        for (setting, path) in [(Setting.pledgesPerDay, \MastheadConfiguration.pledgesPerDay), (.pledgeDeclines, \.pledgeDeclines)] {
            if let count = try values.int(setting) {
                guard (0...100_000).contains(count) else { throw ConfigurationError(setting, "\(count) is outside 0-100000 (0: no limit)") }
                configuration[keyPath: path] = count
            }
        }
        if let seconds = try values.int(.pledgeCooldown) {
            guard (60...2_592_000).contains(seconds) else { throw ConfigurationError(.pledgeCooldown, "\(seconds) is outside 60-2592000 seconds") }
            configuration.pledgeCooldown = .seconds(seconds)
        }
        if let address = try values.string(.operatorEmail) {
            guard (try? EmailAddress(parsing: address)) != nil else {
                throw ConfigurationError(.operatorEmail, "'\(address)' is not an email address")
            }
            configuration.operatorEmail = address
        }
        try Self.loadAbuseDefence(&values, into: &configuration)
        if let seconds = try values.int(.webhookRetryWindow) {
            guard (1...2_592_000).contains(seconds) else {
                throw ConfigurationError(.webhookRetryWindow, "\(seconds) is outside 1-2592000 seconds")
            }
            configuration.webhookRetryWindow = .seconds(seconds)
        }
        if let days = try values.int(.webhookRetentionDays) {
            guard (1...3650).contains(days) else { throw ConfigurationError(.webhookRetentionDays, "\(days) is outside 1-3650 days") }
            configuration.webhookRetention = .seconds(days * 86_400)
        }
        if let url = try values.string(.paymentsWebhookURL) {
            configuration.paymentsWebhookURL = try Self.checkAbsoluteURL(url, .paymentsWebhookURL)
        }
        if let origins = try values.strings(.corsOrigins) {
            configuration.corsOrigins = try origins.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                .map { origin throws(ConfigurationError) in
                    guard let url = URL(string: origin), let scheme = url.scheme, ["http", "https"].contains(scheme.lowercased()),
                        url.host != nil, url.path.isEmpty || url.path == "/", url.query == nil
                    else {
                        throw ConfigurationError(.corsOrigins, "'\(origin)' is not an origin like https://news.example.org")
                    }
                    return (origin.hasSuffix("/") ? String(origin.dropLast()) : origin).lowercased()
                }
        }
        try Self.loadDeliverability(&values, into: &configuration)
        if let rate = try values.int(.adminRateLimit) {
            guard (0...1_000_000).contains(rate) else {
                throw ConfigurationError(.adminRateLimit, "\(rate) is outside 0-1000000 (0: no limit)")
            }
            configuration.adminRateLimitPerMinute = rate
        }
        if let rate = try values.int(.rateLimit) {
            guard (0...100_000).contains(rate) else { throw ConfigurationError(.rateLimit, "\(rate) is outside 0-100000 (0: no limit)") }
            configuration.rateLimitPerMinute = rate
        }
        if let burst = try values.int(.rateBurst) {
            guard (1...100_000).contains(burst) else { throw ConfigurationError(.rateBurst, "\(burst) is outside 1-100000") }
            configuration.rateBurst = burst
        }
    }

    /// The proof-of-work challenge, the spike detector and the confirmation budget.
    private static func loadAbuseDefence(_ values: inout SettingValues, into configuration: inout MastheadConfiguration) throws(ConfigurationError) {
        if let text = try values.string(.challenge) {
            guard let mode = ChallengeMode(rawValue: text) else { throw ConfigurationError(.challenge, "'\(text)' is not off, adaptive or always") }
            configuration.challenge = mode
        }
        if let bits = try values.int(.challengeDifficulty) {
            guard (1...32).contains(bits) else { throw ConfigurationError(.challengeDifficulty, "\(bits) is outside 1-32") }
            configuration.challengeDifficulty = bits
        }
        if let on = try values.bool(.alerts), !on { configuration.alerts = nil }
        if var alerts = configuration.alerts {
            if let factor = try values.int(.alertFactor) {
                guard (2...1000).contains(factor) else { throw ConfigurationError(.alertFactor, "\(factor) is outside 2-1000") }
                alerts.factor = Double(factor)
            }
            if let floor = try values.int(.alertFloor) {
                guard (6...1_000_000).contains(floor) else { throw ConfigurationError(.alertFloor, "\(floor) is outside 6-1000000") }
                alerts.floor = floor
                alerts.paymentFloor = floor / 6
            }
            if let minutes = try values.int(.alertCooldown) {
                guard (1...1440).contains(minutes) else { throw ConfigurationError(.alertCooldown, "\(minutes) is outside 1-1440 minutes") }
                alerts.cooldown = Int64(minutes * 60)
            }
            configuration.alerts = alerts
        }
        if let text = try values.string(.pendingRetentionDays) {
            if text == "off" {
                configuration.pendingRetentionGrace = nil
            } else {
                guard let days = Int(text), (0...3650).contains(days) else {
                    throw ConfigurationError(.pendingRetentionDays, "'\(text)' is not a number of days (0-3650) or off")
                }
                configuration.pendingRetentionGrace = .seconds(days * 86_400)
            }
        }
        if let text = try values.string(.confirmationBudget) {
            switch text {
            case "auto": configuration.confirmationBudget = .auto
            case "off": configuration.confirmationBudget = .off
            default:
                guard let count = Int(text), (1...10_000_000).contains(count) else {
                    throw ConfigurationError(.confirmationBudget, "'\(text)' is not a number of emails per hour (1-10000000), auto or off")
                }
                configuration.confirmationBudget = .perHour(count)
            }
        }
    }

    /// Stripe's settings; the three it cannot work without are required once it is chosen.
    private static func loadStripe(_ values: inout SettingValues, into configuration: inout MastheadConfiguration) throws(ConfigurationError) {
        configuration.stripe.secretKeyFile = try values.string(.stripeSecretKeyFile)
        configuration.stripe.webhookSecretFile = try values.string(.stripeWebhookSecretFile)
        if let key = try values.string(.stripePublishableKey) {
            guard key.hasPrefix("pk_"), key.count <= 255, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw ConfigurationError(.stripePublishableKey, "is not a publishable key (pk_…)")
            }
            configuration.stripe.publishableKey = key
        }
        if let url = try values.string(.stripeAPIURL) {
            configuration.stripe.apiURL = try checkAbsoluteURL(url.hasSuffix("/") ? String(url.dropLast()) : url, .stripeAPIURL)
        }
        if let url = try values.string(.stripeJSURL) { configuration.stripe.scriptURL = try checkAbsoluteURL(url, .stripeJSURL) }
        if let allow = try values.bool(.stripeTestKeys) { configuration.stripe.allowTestKeys = allow }
        guard configuration.effectivePayments == .stripe else { return }
        let required: [(String?, Setting)] = [
            (configuration.stripe.secretKeyFile, .stripeSecretKeyFile), (configuration.stripe.webhookSecretFile, .stripeWebhookSecretFile),
            (configuration.stripe.publishableKey, .stripePublishableKey),
        ]
        for (value, setting) in required where value?.isEmpty ?? true {
            throw ConfigurationError(setting, "is required when payments is stripe")
        }
    }

    /// DKIM and bounces: the signing and bounce domains, the soft-bounce policy, and the DKIM
    /// keys (`FILE` with `dkim.selector`, or `SELECTOR:FILE` pairs; the files are read when the
    /// runtime starts).
    private static func loadDeliverability(_ values: inout SettingValues, into configuration: inout MastheadConfiguration) throws(ConfigurationError) {
        for (setting, path) in [(Setting.dkimDomain, \MastheadConfiguration.dkimDomain), (.bounceDomain, \.bounceDomain)] {
            guard let domain = try values.string(setting) else { continue }
            guard let host = URL(string: "https://\(domain)/")?.host, host == domain.lowercased(), domain.contains(".") else {
                throw ConfigurationError(setting, "'\(domain)' is not a domain name")
            }
            configuration[keyPath: path] = host
        }
        for (setting, path, range) in [(Setting.softBounceLimit, \MastheadConfiguration.softBounceLimit, 1...1000), (.softBounceDays, \.softBounceDays, 1...365)] {
            guard let value = try values.int(setting) else { continue }
            guard range.contains(value) else { throw ConfigurationError(setting, "\(value) is outside \(range.lowerBound)-\(range.upperBound)") }
            configuration[keyPath: path] = value
        }
        configuration.mailgunSigningKeyFile = try values.string(.mailgunSigningKeyFile)
        configuration.sendGridVerificationKey = try values.string(.sendGridVerificationKey)
        configuration.sesCertificateFile = try values.string(.sesCertificateFile)
        configuration.sesTopics = (try values.strings(.sesTopics) ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for topic in configuration.sesTopics where !topic.hasPrefix("arn:") {
            throw ConfigurationError(.sesTopics, "'\(topic)' is not a topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)")
        }
        if configuration.sesCertificateFile != nil, configuration.sesTopics.isEmpty {
            throw ConfigurationError(.sesTopics, "is required with ses.certificate.file: SNS signs every AWS customer's messages with one certificate")
        }
        if let confirm = try values.bool(.sesConfirmSubscriptions) { configuration.sesConfirmSubscriptions = confirm }
        let selector = try values.string(.dkimSelector)
        for entry in try values.strings(.dkimKeyFile) ?? [] {
            let entry = entry.trimmingCharacters(in: .whitespaces)
            guard !entry.isEmpty else { continue }
            let named = entry.firstMatch(of: /^([A-Za-z0-9][A-Za-z0-9._-]*):(.+)$/)
            guard let name = named.map({ String($0.output.1) }) ?? selector else {
                throw ConfigurationError(.dkimKeyFile, "'\(entry)' names no selector: write SELECTOR:FILE, or set dkim.selector")
            }
            configuration.dkimKeys.append(DKIMKeyFile(selector: name, path: named.map { String($0.output.2) } ?? entry))
        }
    }

    private static func checkAbsoluteURL(_ text: String, _ setting: Setting) throws(ConfigurationError) -> String {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host != nil
        else { throw ConfigurationError(setting, "'\(text)' is not an absolute http(s) URL") }
        return text
    }

    /// Refuses flags that name no setting, so `--prot 9000` is not silently ignored.
    private func checkFlags() throws(ConfigurationError) {
        let known = Set(Setting.all.map(\.flag))
        for argument in arguments where argument.hasPrefix("--") {
            let flag = String(argument.prefix { $0 != "=" })
            guard known.contains(flag) else { throw ConfigurationError(nil, "unknown option \(flag); see --help") }
        }
    }

    private func makeReader(reporter: ConversionProblems) async throws(ConfigurationError) -> ConfigReader {
        let flags = CommandLineArgumentsProvider(arguments: ["masthead"] + arguments)
        let secrets = SecretsSpecifier<String, String>.specific([Setting.database.environmentName, Setting.mailer.environmentName])
        let environmentProvider = EnvironmentVariablesProvider(environmentVariables: environment, secretsSpecifier: secrets)
            .prefixKeys(with: "masthead")
        var providers: [any ConfigProvider] = [flags, environmentProvider]
        let preliminary = ConfigReader(providers: providers)
        if let path = preliminary.string(forKey: "config") {
            providers.append(try await Self.fileProvider(path: path))
        }
        return ConfigReader(providers: providers, accessReporter: reporter)
    }

    private static func fileProvider(path: String) async throws(ConfigurationError) -> any ConfigProvider {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigurationError(.config, "file \(path) does not exist")
        }
        let lowered = path.lowercased()
        do {
            if lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") {
                return try await FileProvider<YAMLSnapshot>(filePath: FilePath(path))
            }
            if lowered.hasSuffix(".json") {
                return try await FileProvider<JSONSnapshot>(filePath: FilePath(path))
            }
        } catch {
            throw ConfigurationError(.config, "cannot parse \(path): \(error)")
        }
        throw ConfigurationError(.config, "\(path) must end in .json, .yaml or .yml")
    }

    private static func checkPublicURL(_ text: String) throws(ConfigurationError) -> String {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host != nil, url.query == nil, url.fragment == nil
        else {
            throw ConfigurationError(.publicURL, "'\(text)' is not an http(s) URL like https://news.example.org/masthead")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }
}
