public import AbuseDefence
public import DNSLookup
import Foundation
public import Logging
public import Mail
public import NewsletterSignup

/// Everything the daemon and the CLI are configured with, validated and typed.
///
/// Read it with ``ConfigurationLoader``; the defaults are safe for development and
/// ``validateForProduction()`` refuses what is unsafe in production.
public struct MastheadConfiguration: Sendable, Equatable {
    /// Address the HTTP server binds.
    public var host: String = "127.0.0.1"
    /// Port the HTTP server binds (0 picks a free one, useful in tests).
    public var port: Int = 8080
    /// Where data lives.
    public var database: DatabaseLocation = .sqlite(path: "masthead.sqlite")
    /// File holding the PostgreSQL password (when the URL has none).
    public var databasePasswordFile: String?
    /// PostgreSQL connections this process may hold.
    public var databasePool: Int = 10
    /// How email leaves.
    public var mailer: MailerLocation = .file(directory: "outbox")
    /// Base of every link in an email, without a trailing slash.
    public var publicURL: String = "http://127.0.0.1:8080"
    /// Path of the signing keys file.
    public var keysPath: String = "masthead.keys"
    /// Development or production.
    public var environment: DeploymentEnvironment = .development
    /// Proxies whose forwarding headers are believed.
    public var trustedProxies: [IPNetwork] = []
    /// Minimum level logged.
    public var logLevel: Logger.Level = .info
    /// Text or JSON lines.
    public var logFormat: LogFormat = .text
    /// Largest request body accepted, in bytes.
    public var bodyLimit: Int = 64 * 1024
    /// Time a connection may take to send a request's head (slow or idle clients are closed).
    public var headerTimeout: Duration = .seconds(15)
    /// Time a request may take to send its body after its head.
    public var bodyTimeout: Duration = .seconds(30)
    /// Time in-flight requests get to finish after a stop signal.
    public var shutdownGrace: Duration = .seconds(10)
    /// How long a delivery worker's claim on a message lasts (a crashed daemon's claims expire).
    public var outboxLease: Duration = .seconds(300)
    /// The publication's name, in emails and pages.
    public var newsroom: String = "Masthead"
    /// The From of transactional mail; nil means `newsroom <newsletters@host of the public URL>`.
    public var mailFrom: String?
    /// The `mailto:` address of `List-Unsubscribe`, if any.
    public var unsubscribeMailto: String?
    /// Directory of template overrides.
    public var templatesDirectory: String?
    /// The sign-up rules.
    public var signup = SignupPolicy()
    /// Sign-ups one domain may make per hour in one daemon; 0 for no cap.
    public var signupDomainHourly = 0
    /// Whether a sign-up's domain must receive mail according to DNS.
    public var signupMXCheck = false
    /// The DNS server the MX check asks; nil for the system's.
    public var dnsServer: DNSServer?
    /// Where a plain HTML sign-up form is sent back to.
    public var signupReturnURL: String?
    /// Where a confirmation lands.
    public var confirmRedirectURL: String?
    /// Site origins allowed to call the API from browsers.
    public var corsOrigins: [String] = []
    /// Sign-up requests per minute per client address.
    public var rateLimitPerMinute: Int = 30
    /// Requests a client may make at once before the rate applies.
    public var rateBurst: Int = 10
    /// Links in the footer of reader pages (the newsroom's home, privacy policy, …).
    public var siteLinks: [SiteLink] = []
    /// The payment provider; nil means simulated in development, off in production.
    public var payments: PaymentsMode?
    /// Pledges one reader address, and one client address, may make in 24 hours (0: no limit).
    public var pledgesPerDay: Int = 10
    /// Declined payments from one source before its new pledges are refused (0: no limit).
    public var pledgeDeclines: Int = 5
    /// How long a declined payment counts against its source.
    public var pledgeCooldown: Duration = .seconds(21_600)
    /// Where the simulated provider posts webhooks; nil means this daemon's own address.
    public var paymentsWebhookURL: String?
    /// Stripe's keys and addresses, used when `payments` is `stripe`.
    public var stripe = StripeSettings()
    /// Where operator alerts are mailed; nil sends none (they are logged either way).
    public var operatorEmail: String?
    /// When sign-ups and pledges need a proof of work.
    public var challenge: ChallengeMode = .adaptive
    /// Its difficulty, in leading zero bits.
    public var challengeDifficulty = 16
    /// The spike detector's settings; nil turns detection off.
    public var alerts: SpikeSettings? = SpikeSettings()
    /// Confirmation emails per hour per daemon.
    public var confirmationBudget: ConfirmationBudget = .auto
    /// How long a webhook delivery is retried, and how long an endpoint may fail before it is paused.
    public var webhookRetryWindow: Duration = .seconds(259_200)
    /// How long a never-confirmed sign-up is kept after its confirmation link expires; nil: kept.
    public var pendingRetentionGrace: Duration? = .seconds(7 * 86_400)
    /// How long the webhook delivery log keeps a delivery.
    public var webhookRetention: Duration = .seconds(30 * 86_400)
    /// Admin API requests per minute per token; 0 for no limit.
    public var adminRateLimitPerMinute: Int = 600
    /// The DKIM signing domain; nil for the From address's domain.
    public var dkimDomain: String?
    /// The DKIM keys that sign outgoing mail; none leaves it unsigned.
    public var dkimKeys: [DKIMKeyFile] = []
    /// The domain of VERP return paths; nil for the From domain.
    public var bounceDomain: String?
    /// Soft bounces within `softBounceDays` that count as a hard bounce.
    public var softBounceLimit: Int = 5
    public var softBounceDays: Int = 7
    /// The file holding Mailgun's webhook signing key; nil leaves Mailgun's webhook off.
    public var mailgunSigningKeyFile: String?
    /// SendGrid's Event Webhook verification key (base64 DER); nil leaves SendGrid's webhook off.
    public var sendGridVerificationKey: String?
    /// Amazon SNS's pinned signing certificates (a PEM file); nil leaves SES's webhook off.
    public var sesCertificateFile: String?
    /// The SNS topics SES publishes to; messages from any other are refused.
    public var sesTopics: [String] = []
    /// Whether an SNS subscription confirmation is confirmed by fetching its URL.
    public var sesConfirmSubscriptions = false

    /// The payment provider in effect.
    public var effectivePayments: PaymentsMode { payments ?? (environment == .production ? .off : .simulated) }

    /// The development defaults.
    public init() {}

    /// Checks the rules of `MASTHEAD_ENVIRONMENT=production` that need no file system.
    ///
    /// The keys file must also exist in production; the runtime checks that when it loads it.
    public func validateForProduction() throws(ConfigurationError) {
        guard environment == .production else { return }
        guard publicURL.lowercased().hasPrefix("https://") else {
            throw ConfigurationError(.publicURL, "production needs an https:// public URL, got \(publicURL)")
        }
        if case .file = mailer {
            throw ConfigurationError(.mailer, "production cannot use the file mailer; configure smtp://… or sendmail:PATH")
        }
        if effectivePayments == .simulated {
            throw ConfigurationError(.payments, "production cannot take pledges through the simulated provider; set it to stripe or off")
        }
        if effectivePayments == .stripe {
            for (url, setting) in [(stripe.apiURL, Setting.stripeAPIURL), (stripe.scriptURL, .stripeJSURL)]
            where !url.lowercased().hasPrefix("https://") {
                throw ConfigurationError(setting, "production needs an https:// URL, got \(url)")
            }
            // The runtime checks that the secret key is of the same mode as the publishable one.
            if stripe.publishableKey?.hasPrefix("pk_test_") == true, !stripe.allowTestKeys {
                throw ConfigurationError(
                    .stripePublishableKey, "is a test key: production takes real money with live keys (a staging site sets \(Setting.stripeTestKeys.environmentName)=true)")
            }
        }
        guard mailFrom != nil else {
            throw ConfigurationError(.mailFrom, "production needs an explicit From address, e.g. \"Ukraine Daily <news@example.org>\"")
        }
    }
}

extension MastheadConfiguration {
    /// The From mailbox: `mail.from`, else `newsletters@` the public URL's host under the newsroom's name.
    public func fromMailbox() throws(ConfigurationError) -> Mailbox {
        try mailFrom.map { text throws(ConfigurationError) in try MailFrom.parse(text) }
            ?? Mailbox("newsletters@\(URL(string: publicURL)?.host ?? "localhost")", displayName: newsroom)
    }
}

/// A link in the footer of reader pages.
public struct SiteLink: Sendable, Equatable {
    public var label: String
    public var url: String

    public init(label: String, url: String) {
        self.label = label
        self.url = url
    }
}

/// Stripe's settings. The secret key and the webhook secret stay in files (read by the runtime),
/// so they never sit in a process list, a configuration file or the environment.
public struct StripeSettings: Sendable, Equatable {
    public var secretKeyFile: String?
    public var webhookSecretFile: String?
    /// The publishable key (`pk_…`), public by design: the payment page hands it to Stripe.js.
    public var publishableKey: String?
    public var apiURL = "https://api.stripe.com"
    /// Where the payment page loads Stripe.js from.
    public var scriptURL = "https://js.stripe.com/v3/"
    /// Whether production may run on test keys (a staging site that takes no real money).
    public var allowTestKeys = false

    public init() {}
}

/// Which payment provider takes pledges.
public enum PaymentsMode: String, Sendable, Equatable {
    /// Stripe: a PaymentIntent per pledge, paid on Masthead's payment page with Stripe.js.
    case stripe
    /// The development provider: a checkout page served by the daemon, signed webhooks over HTTP.
    case simulated
    /// No pledges: the pledge routes answer 503.
    case off
}

/// Whether the deployment is a developer's machine or serves readers.
public enum DeploymentEnvironment: String, Sendable, Equatable {
    /// Safe defaults, generated secrets, files instead of email.
    case development
    /// Refuses generated secrets, plain-http links and the file mailer.
    case production
}

/// How log lines are written to standard error.
public enum LogFormat: String, Sendable, Equatable {
    /// Human-readable lines.
    case text
    /// One JSON object per line, for log collectors.
    case json
}

extension MastheadConfiguration {
    /// The origins a reader's browser may come from: the site origins allowed by CORS, and the
    /// public URL's own. Forms posted back and `return_url`s must point to one of them.
    public var siteOrigins: [String] { corsOrigins + [Self.origin(of: publicURL)] }

    /// `https://news.example.org/masthead` → `https://news.example.org`.
    static func origin(of url: String) -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, let host = parsed.host else { return url.lowercased() }
        return "\(scheme)://\(host)\(parsed.port.map { ":\($0)" } ?? "")".lowercased()
    }
}

/// A DKIM private key file and the selector its public key is published under.
public struct DKIMKeyFile: Sendable, Equatable {
    public var selector: String
    public var path: String

    public init(selector: String, path: String) {
        self.selector = selector
        self.path = path
    }
}

/// The hourly cap on confirmation emails (`MASTHEAD_CONFIRMATION_BUDGET`).
public enum ConfirmationBudget: Sendable, Equatable {
    /// 600 an hour, or ten times the detector's hourly sign-up baseline when that is more.
    case auto
    case perHour(Int)
    case off
}
