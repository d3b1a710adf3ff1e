import Foundation

/// One configuration setting: its key, how to spell it in each source, and its default.
///
/// The same key reads from a command-line flag (`--public-url`), an environment variable
/// (`MASTHEAD_PUBLIC_URL`) or the configuration file (`public.url`, or nested
/// `{"public": {"url": …}}`), in that order of precedence.
public struct Setting: Sendable, Equatable {
    /// Dotted lower-case key, as in the configuration file.
    public let key: String
    /// What the setting does, for `--help` and the README.
    public let summary: String
    /// The development default, in words.
    public let defaultValue: String

    /// The environment variable: `MASTHEAD_` + the key upper-cased with dots as underscores.
    public var environmentName: String {
        "MASTHEAD_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// The command-line flag: `--` + the key with dots as hyphens.
    public var flag: String {
        "--" + key.replacingOccurrences(of: ".", with: "-")
    }

    /// How an error message names the setting: all three spellings.
    public var label: String { "\(environmentName) (\(flag), file key \(key))" }
}

extension Setting {
    public static let host = Setting(key: "host", summary: "address to listen on", defaultValue: "127.0.0.1")
    public static let port = Setting(key: "port", summary: "TCP port to listen on", defaultValue: "8080")
    public static let database = Setting(
        key: "database",
        summary: "where data lives: sqlite:PATH (relative to the working directory) or postgres://user@host[:port]/db[?sslmode=…]",
        defaultValue: "sqlite:masthead.sqlite")
    public static let databasePasswordFile = Setting(
        key: "database.password.file", summary: "file holding the PostgreSQL password (else PGPASSWORD, else none)",
        defaultValue: "none")
    public static let databasePool = Setting(
        key: "database.pool", summary: "PostgreSQL connections per process", defaultValue: "10")
    public static let mailer = Setting(
        key: "mailer", summary: "how email leaves: file:DIR (one .eml per message), smtp://… or sendmail:PATH",
        defaultValue: "file:outbox")
    public static let publicURL = Setting(
        key: "public.url", summary: "base URL of every link in an email", defaultValue: "http://HOST:PORT")
    public static let keys = Setting(
        key: "keys", summary: "signing keys file (JSON, mode 0600); created on first start in development",
        defaultValue: "masthead.keys")
    public static let environment = Setting(
        key: "environment",
        summary: "development or production; production refuses unsafe settings",
        defaultValue: "development")
    public static let trustedProxies = Setting(
        key: "trusted.proxies",
        summary: "comma-separated CIDRs whose X-Forwarded-For header is believed (Forwarded never is)",
        defaultValue: "none")
    public static let logLevel = Setting(
        key: "log.level", summary: "trace, debug, info, notice, warning, error or critical", defaultValue: "info")
    public static let logFormat = Setting(
        key: "log.format", summary: "text, or json for one JSON object per line", defaultValue: "text")
    public static let bodyLimit = Setting(
        key: "http.body.limit", summary: "largest request body accepted, in bytes", defaultValue: "65536")
    public static let headerTimeout = Setting(
        key: "http.header.timeout",
        summary: "seconds a connection may take to send a request's head, counted from its opening or the last answer",
        defaultValue: "15")
    public static let bodyTimeout = Setting(
        key: "http.body.timeout", summary: "seconds a request may take to send its body after its head", defaultValue: "30")
    public static let shutdownGrace = Setting(
        key: "shutdown.grace",
        summary: "seconds in-flight requests get to finish after SIGTERM/SIGINT", defaultValue: "10")
    public static let outboxLease = Setting(
        key: "outbox.lease",
        summary: "seconds a delivery worker holds a claimed message before another daemon may send it",
        defaultValue: "300")
    public static let config = Setting(
        key: "config", summary: "optional JSON or YAML configuration file", defaultValue: "none")
    public static let newsroom = Setting(
        key: "newsroom", summary: "the publication's name, in emails and pages", defaultValue: "Masthead")
    public static let mailFrom = Setting(
        key: "mail.from", summary: "From of confirmations and notices, e.g. \"Ukraine Daily <news@example.org>\"",
        defaultValue: "NEWSROOM <newsletters@PUBLIC_URL host>; required in production")
    public static let unsubscribeMailto = Setting(
        key: "mail.unsubscribe.mailto", summary: "address for the mailto: part of List-Unsubscribe", defaultValue: "none")
    public static let templates = Setting(
        key: "templates", summary: "directory whose NAME.mustache files replace built-in templates", defaultValue: "none")
    public static let signupNewsletters = Setting(
        key: "signup.newsletters",
        summary: "comma-separated slugs a sign-up naming none is for", defaultValue: "the only public newsletter")
    public static let signupEmailsPerDay = Setting(
        key: "signup.emails.per.day", summary: "confirmation/notice emails per address per 24 h", defaultValue: "3")
    public static let signupCooldown = Setting(
        key: "signup.cooldown", summary: "seconds during which a repeated sign-up sends nothing new", defaultValue: "120")
    public static let signupDomainHourly = Setting(
        key: "signup.domain.hourly",
        summary: "sign-ups one address domain may make per hour, per daemon (allowed domains are exempt); 0: no cap", defaultValue: "0")
    public static let signupMXCheck = Setting(
        key: "signup.mx.check", summary: "true: refuse a sign-up whose domain has no MX and no address in DNS (a DNS failure refuses nothing)",
        defaultValue: "false")
    public static let dnsServer = Setting(
        key: "dns.server", summary: "the DNS server the MX check asks, ADDRESS[:PORT]", defaultValue: "the first nameserver in /etc/resolv.conf")
    public static let signupNotice = Setting(
        key: "signup.notice", summary: "true: a sign-up for newsletters already confirmed sends a short notice",
        defaultValue: "true")
    public static let signupReturnURL = Setting(
        key: "signup.return.url", summary: "where a plain HTML form post is sent back to (else the Referer, else a page)",
        defaultValue: "none")
    public static let confirmRedirectURL = Setting(
        key: "confirm.redirect.url", summary: "landing page after a confirmation (else a built-in page)",
        defaultValue: "none")
    public static let consentVersion = Setting(
        key: "consent.version", summary: "version of the consent text readers agree to", defaultValue: "1")
    public static let confirmDays = Setting(
        key: "confirm.days", summary: "days a confirmation link works", defaultValue: "7")
    public static let pendingRetentionDays = Setting(
        key: "retention.pending.days",
        summary: "days a sign-up nobody confirmed is kept after its confirmation link expires; then the daemon erases it. off: kept",
        defaultValue: "7")
    public static let corsOrigins = Setting(
        key: "cors.origins", summary: "comma-separated site origins allowed to post from browsers (CORS)",
        defaultValue: "none")
    public static let rateLimit = Setting(
        key: "rate.limit",
        summary: "sign-up, confirm and pledge posts per minute per client address; 0: no per-client limit (nginx's limit_req is the limit)",
        defaultValue: "30")
    public static let rateBurst = Setting(
        key: "rate.burst", summary: "requests a client address may make at once before the limit applies",
        defaultValue: "10")

    public static let siteLinks = Setting(
        key: "site.links",
        summary: "links in the footer of reader pages: Label=https://…, comma-separated (e.g. Home=https://news.example.org)",
        defaultValue: "none")
    public static let payments = Setting(
        key: "payments",
        summary: "payment provider for pledges: stripe, simulated (a checkout page served by the daemon) or off",
        defaultValue: "simulated; off in production")
    public static let paymentsWebhookURL = Setting(
        key: "payments.webhook.url", summary: "where the simulated provider posts its webhooks",
        defaultValue: "http://HOST:PORT/v1/webhooks/payments")
    public static let pledgesPerDay = Setting(
        key: "pledges.per.day", summary: "pledges one reader address, and one client address, may make in 24 h; 0: no limit",
        defaultValue: "10")
    public static let pledgeDeclines = Setting(
        key: "pledge.declines",
        summary: "declined payments from one reader or client address before its new pledges are refused (card testing); 0: no limit",
        defaultValue: "5")
    public static let pledgeCooldown = Setting(
        key: "pledge.cooldown", summary: "seconds a declined payment counts against its reader and client address", defaultValue: "21600")
    public static let stripeSecretKeyFile = Setting(
        key: "stripe.secret.key.file", summary: "file holding the Stripe secret key (sk_… or a restricted rk_…); required with payments=stripe",
        defaultValue: "none")
    public static let stripeWebhookSecretFile = Setting(
        key: "stripe.webhook.secret.file",
        summary: "file holding the webhook endpoint's signing secret (whsec_…), one per line while one is rolled; required with payments=stripe",
        defaultValue: "none")
    public static let stripePublishableKey = Setting(
        key: "stripe.publishable.key", summary: "Stripe publishable key (pk_…) for the payment page; required with payments=stripe",
        defaultValue: "none")
    public static let stripeAPIURL = Setting(
        key: "stripe.api.url", summary: "Stripe's API (another only to test against a stand-in such as localstripe)",
        defaultValue: "https://api.stripe.com")
    public static let stripeJSURL = Setting(
        key: "stripe.js.url", summary: "where the payment page loads Stripe.js from", defaultValue: "https://js.stripe.com/v3/")
    public static let stripeTestKeys = Setting(
        key: "stripe.test.keys", summary: "true lets production run on Stripe's test keys (a staging site); production refuses them otherwise",
        defaultValue: "false")
    public static let operatorEmail = Setting(
        key: "operator.email", summary: "where operator alerts go (a sign-up flood, card testing, a webhook endpoint paused for failing)",
        defaultValue: "none")
    public static let challenge = Setting(
        key: "challenge",
        summary: "proof of work on sign-up and pledge posts: off, adaptive (required while an alert lasts) or always (every form needs JavaScript)",
        defaultValue: "adaptive")
    public static let challengeDifficulty = Setting(
        key: "challenge.difficulty", summary: "leading zero bits a proof of work needs (each one doubles the browser's work; 16: a few hundred ms on a phone)",
        defaultValue: "16")
    public static let alerts = Setting(
        key: "alerts", summary: "true: watch sign-up, confirmation and failed-payment rates and raise alerts on spikes", defaultValue: "true")
    public static let alertFactor = Setting(
        key: "alert.factor", summary: "a last-minute rate alerts above this multiple of its baseline (and above alert.floor)", defaultValue: "5")
    public static let alertFloor = Setting(
        key: "alert.floor",
        summary: "sign-ups or confirmations a minute below which no rate alerts (failed payments: a sixth of it); also the least sign-ups a minute for the network and domain share alerts",
        defaultValue: "60")
    public static let alertCooldown = Setting(
        key: "alert.cooldown", summary: "minutes without its condition before an alert ends (and adaptive challenges stop)", defaultValue: "15")
    public static let confirmationBudget = Setting(
        key: "confirmation.budget",
        summary: "confirmation (and already-subscribed) emails per hour per daemon, the rest wait for the next hour: a number, auto (600, or ten times the hourly sign-up baseline when more) or off",
        defaultValue: "auto")
    public static let webhookRetryWindow = Setting(
        key: "webhook.retry.window",
        summary: "seconds a webhook delivery is retried; an endpoint failing this long is paused (86400 = 1 day)",
        defaultValue: "259200")
    public static let webhookRetentionDays = Setting(
        key: "webhook.retention.days", summary: "days the webhook delivery log keeps each delivery", defaultValue: "30")
    public static let dkimDomain = Setting(
        key: "dkim.domain", summary: "the domain DKIM signatures name (d=); align it with the From address's domain for DMARC",
        defaultValue: "the From domain")
    public static let dkimSelector = Setting(
        key: "dkim.selector", summary: "the selector of a key file given without one (SELECTOR._domainkey.DOMAIN)", defaultValue: "none")
    public static let dkimKeyFile = Setting(
        key: "dkim.key.file",
        summary: "DKIM private keys (PEM, from masthead dkim generate): FILE with dkim.selector, or SELECTOR:FILE pairs, comma-separated (an RSA and an Ed25519 key both sign)",
        defaultValue: "none (mail is not signed)")
    public static let bounceDomain = Setting(
        key: "bounce.domain",
        summary: "the domain of each message's VERP return path (bounces+TOKEN@DOMAIN), whose MX hands bounces to masthead bounces ingest",
        defaultValue: "the From domain")
    public static let softBounceLimit = Setting(
        key: "soft.bounce.limit", summary: "soft bounces (4.x.x, delayed) within soft.bounce.days that end an address's mail as a hard bounce does",
        defaultValue: "5")
    public static let softBounceDays = Setting(key: "soft.bounce.days", summary: "the window soft bounces are counted in, in days", defaultValue: "7")
    public static let mailgunSigningKeyFile = Setting(
        key: "mailgun.signing.key.file",
        summary: "a file holding Mailgun's webhook signing key: POST /v1/webhooks/mail/mailgun takes its bounce, complaint and unsubscribe events",
        defaultValue: "none")
    public static let sendGridVerificationKey = Setting(
        key: "sendgrid.verification.key",
        summary: "SendGrid's Event Webhook verification key (base64): POST /v1/webhooks/mail/sendgrid takes its signed events",
        defaultValue: "none")
    public static let sesCertificateFile = Setting(
        key: "ses.certificate.file",
        summary: "Amazon SNS's signing certificate (PEM, downloaded once from a message's SigningCertURL; several for a rotation): POST /v1/webhooks/mail/ses takes SES's bounces and complaints",
        defaultValue: "none")
    public static let sesTopics = Setting(
        key: "ses.topics", summary: "the SNS topic ARNs SES publishes to, comma-separated (required with ses.certificate.file)", defaultValue: "none")
    public static let sesConfirmSubscriptions = Setting(
        key: "ses.confirm.subscriptions",
        summary: "true: confirm an SNS subscription to a configured topic by fetching its SubscribeURL; false: log the URL for the operator",
        defaultValue: "false")
    public static let adminRateLimit = Setting(
        key: "admin.rate.limit",
        summary: "admin API requests per minute per token (a burst of a tenth of it, at least 10, may come at once); 0: no limit",
        defaultValue: "600")

    /// Every setting, in the order the README's table lists them.
    public static let all: [Setting] = [
        .host, .port, .database, .databasePasswordFile, .databasePool, .mailer, .publicURL, .keys, .environment, .trustedProxies,
        .logLevel, .logFormat, .bodyLimit, .headerTimeout, .bodyTimeout, .shutdownGrace, .outboxLease, .config,
        .newsroom, .mailFrom, .unsubscribeMailto, .templates, .signupNewsletters, .signupEmailsPerDay, .signupDomainHourly, .signupMXCheck, .dnsServer,
        .signupCooldown, .signupNotice, .signupReturnURL, .confirmRedirectURL, .consentVersion, .confirmDays, .pendingRetentionDays,
        .corsOrigins, .rateLimit, .rateBurst, .siteLinks, .payments, .paymentsWebhookURL, .pledgesPerDay, .pledgeDeclines,
        .pledgeCooldown, .stripeSecretKeyFile, .stripeWebhookSecretFile, .stripePublishableKey, .stripeAPIURL, .stripeJSURL,
        .stripeTestKeys, .operatorEmail, .challenge, .challengeDifficulty, .alerts, .alertFactor, .alertFloor, .alertCooldown,
        .confirmationBudget, .webhookRetryWindow, .webhookRetentionDays, .adminRateLimit,
        .dkimDomain, .dkimSelector, .dkimKeyFile, .bounceDomain, .softBounceLimit, .softBounceDays,
        .mailgunSigningKeyFile, .sendGridVerificationKey, .sesCertificateFile, .sesTopics, .sesConfirmSubscriptions,
    ]
}
