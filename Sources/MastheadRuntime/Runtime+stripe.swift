import Foundation
import Logging
import MastheadSettings
import PaymentProviders

extension Runtime {
    /// Stripe, built from its settings: the secret key and the webhook secrets come from their
    /// files, checked for their shape (a key pasted into the wrong file is named at start, not
    /// found out at the first reader's payment) and never written anywhere else.
    static func stripePayments(_ configuration: MastheadConfiguration, logger: Logger) throws(ConfigurationError) -> StripePayments {
        let settings = configuration.stripe
        // The loader refuses payments=stripe without these three.
        let keyFile = settings.secretKeyFile ?? ""
        let secretFile = settings.webhookSecretFile ?? ""
        let publishable = settings.publishableKey ?? ""
        let production = configuration.environment == .production
        let key = try secretLines(keyFile, .stripeSecretKeyFile, private: production)
        guard key.count == 1, let secretKey = key.first, secretKey.hasPrefix("sk_") || secretKey.hasPrefix("rk_") else {
            throw ConfigurationError(.stripeSecretKeyFile, "\(keyFile) must hold one secret key (sk_… or rk_…)")
        }
        let webhookSecrets = try secretLines(secretFile, .stripeWebhookSecretFile, private: production)
        guard !webhookSecrets.isEmpty, webhookSecrets.allSatisfy({ $0.hasPrefix("whsec_") }) else {
            throw ConfigurationError(.stripeWebhookSecretFile, "\(secretFile) must hold webhook signing secrets (whsec_…), one per line")
        }
        // A live secret key with a test publishable key (or the reverse) pays nothing.
        guard secretKey.dropFirst(3).hasPrefix("live_") == publishable.hasPrefix("pk_live_") else {
            throw ConfigurationError(.stripePublishableKey, "is a \(publishable.hasPrefix("pk_live_") ? "live" : "test") key, the secret key is not")
        }
        let api = StripeAPI(baseURL: settings.apiURL, secretKey: secretKey, logger: logger)
        return StripePayments(
            provider: StripeProvider(api: api, webhookSecrets: webhookSecrets, publicURL: configuration.publicURL, publishableKey: publishable),
            scriptURL: settings.scriptURL, apiURL: settings.apiURL)
    }

    /// The non-empty lines of a secret file; with `private` (production), a file every user of
    /// the machine may read is refused (`chmod 600` or `640`, owned by the daemon's user).
    private static func secretLines(_ file: String, _ setting: Setting, private: Bool) throws(ConfigurationError) -> [String] {
        if `private`, let mode = (try? FileManager.default.attributesOfItem(atPath: file))?[.posixPermissions] as? Int, mode & 0o004 != 0 {
            throw ConfigurationError(setting, "\(absolute(file)) is readable by every user (mode \(String(mode, radix: 8))); chmod o-r it")
        }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ConfigurationError(setting, "cannot read \(absolute(file))") }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
