import Foundation
import Logging
import Mail
import NewsletterSignup
import MastheadSettings
import Signing

extension Runtime {
    /// The DKIM signer of the configured keys, nil when none is configured. A key file that
    /// cannot be read or is not an RSA or Ed25519 PEM key stops the start (exit 78), naming it;
    /// in production so does one every user may read.
    static func dkimSigner(_ configuration: MastheadConfiguration, from: Mailbox) throws(ConfigurationError) -> DKIMSigner? {
        guard !configuration.dkimKeys.isEmpty else { return nil }
        var keys: [DKIMSigner.Key] = []
        for file in configuration.dkimKeys {
            let path = absolute(file.path)
            if configuration.environment == .production,
                let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int, mode & 0o004 != 0
            {
                throw ConfigurationError(.dkimKeyFile, "\(path) is readable by every user (mode \(String(mode, radix: 8))); chmod 600 it")
            }
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError(.dkimKeyFile, "cannot read \(path) (masthead dkim generate makes one)")
            }
            do {
                keys.append(DKIMSigner.Key(selector: file.selector, key: try PrivateSigningKey(pem: pem)))
            } catch {
                throw ConfigurationError(.dkimKeyFile, "\(path): \(error)")
            }
        }
        return DKIMSigner(domain: configuration.dkimDomain ?? from.domain, keys: keys)
    }

    /// Why mail from `from` will not pass DMARC by DKIM, if it will not: no key, or a signing
    /// domain the From domain is not aligned with (relaxed alignment: the same organisational
    /// domain, approximated as one being the other or a subdomain of it).
    static func dkimGap(_ signer: DKIMSigner?, from: Mailbox) -> String? {
        guard let signer else { return "no DKIM key signs mail from \(from.domain) (MASTHEAD_DKIM_KEY_FILE; masthead dkim generate)" }
        let (sender, signing) = (from.domain.lowercased(), signer.domain.lowercased())
        guard sender == signing || sender.hasSuffix("." + signing) || signing.hasSuffix("." + sender) else {
            return "mail from \(sender) is signed for \(signing), which DMARC does not align with it (MASTHEAD_DKIM_DOMAIN)"
        }
        return nil
    }
}

extension Runtime {
    /// The keys that check email providers' webhooks: Mailgun's signing key from its file,
    /// SendGrid's verification key from the setting. Either one wrong stops the start.
    static func mailProviderKeys(_ configuration: MastheadConfiguration) throws(ConfigurationError) -> MailProviderIntake.Keys {
        var keys = MailProviderIntake.Keys()
        if let file = configuration.mailgunSigningKeyFile {
            guard let text = try? String(contentsOfFile: absolute(file), encoding: .utf8),
                let key = text.split(whereSeparator: \.isNewline).first.map({ $0.trimmingCharacters(in: .whitespaces) }), !key.isEmpty
            else { throw ConfigurationError(.mailgunSigningKeyFile, "cannot read a signing key from \(absolute(file))") }
            keys.mailgunSigningKey = Array(key.utf8)
        }
        if let text = configuration.sendGridVerificationKey {
            do {
                keys.sendGridVerificationKey = try ECDSAPublicKey(base64: text)
            } catch {
                throw ConfigurationError(.sendGridVerificationKey, "\(error) (copy the verification key from SendGrid's Mail Settings)")
            }
        }
        return keys
    }
}
