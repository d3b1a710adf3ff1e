import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
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
    /// SendGrid's verification key from the setting, SNS's pinned certificates from their file.
    /// Any one wrong stops the start.
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
        if let file = configuration.sesCertificateFile {
            guard let pem = try? String(contentsOfFile: absolute(file), encoding: .utf8) else {
                throw ConfigurationError(.sesCertificateFile, "cannot read \(absolute(file))")
            }
            do {
                keys.amazonSNS = (try SigningCertificate.read(pem: pem), Set(configuration.sesTopics))
            } catch {
                throw ConfigurationError(.sesCertificateFile, "\(absolute(file)): \(error) (save the PEM a message's SigningCertURL names)")
            }
        }
        return keys
    }

    /// Confirms an SNS subscription by a GET of its SubscribeURL, when the setting allows it.
    /// Only SNS's own endpoints (`https://sns.REGION.amazonaws.com/`) are fetched; development
    /// also fetches one on loopback, for tests. No redirect is followed.
    static func snsSubscriptionConfirmer(_ configuration: MastheadConfiguration) -> (@Sendable (String) async throws -> Void)? {
        guard configuration.sesConfirmSubscriptions else { return nil }
        let allowLoopback = configuration.environment == .development
        return { text in
            guard let url = URL(string: text), let host = url.host?.lowercased(),
                (url.scheme == "https" && host.wholeMatch(of: /sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/) != nil)
                    || (allowLoopback && ["127.0.0.1", "localhost", "::1"].contains(host))
            else { throw SNSConfirmationError("\(text) is not an Amazon SNS endpoint") }
            let response = try await snsClient.execute(HTTPClientRequest(url: text), timeout: .seconds(10))
            guard (200..<300).contains(response.status.code) else { throw SNSConfirmationError("SNS answered \(response.status.code)") }
        }
    }

    private static let snsClient = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
}

struct SNSConfirmationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
