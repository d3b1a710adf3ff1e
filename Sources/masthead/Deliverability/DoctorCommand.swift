import ArgumentParser
import AsyncHTTPClient
import DNSLookup
import Foundation
import Mail
import MastheadSettings
import NIOCore
import NIOHTTP1
import NIOSSL
import SenderChecks
import Signing

/// `masthead doctor`: what receivers and readers will meet, checked from here.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check DNS (SPF, DKIM, DMARC, MX), the public URL's certificate, one-click unsubscribe and file permissions.",
        discussion: """
            Prints a checklist: ✔ as it should be, ✘ to fix (with the exact record to publish or \
            the change to make), ! could not be decided or could be better. Exits 1 when \
            anything is ✘.

            SPF is checked at the return path's domain (MASTHEAD_BOUNCE_DOMAIN, default the From \
            domain), for the addresses mail leaves from: --sending-ip, else the SMTP relay's \
            addresses when MASTHEAD_MAILER names one that is not on this machine. DMARC is found \
            as DMARCbis walks up from the From domain. The one-click check POSTs a made-up \
            token to PUBLIC_URL/v1/unsubscribe and expects Masthead's refusal: it changes nothing.

            Examples:
              masthead doctor
              masthead doctor --sending-ip 203.0.113.5 --dns 127.0.0.1:5353
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "The DNS server to ask, ADDRESS[:PORT] (default: the first nameserver in /etc/resolv.conf).") var dns: String?
    @Option(name: .customLong("sending-ip"), help: "An address mail leaves from (repeatable).") var sendingIPs: [String] = []
    @Option(name: .customLong("ca-file"), help: "Trust this CA (PEM) for the public URL's certificate instead of the system's.")
    var caFile: String?

    func validate() throws {
        if let dns { _ = try Self.server(dns) }
        for text in sendingIPs where IPAddress(text) == nil { throw ValidationError("--sending-ip '\(text)' is not an IP address") }
    }

    func run() async throws {
        let configuration = try await global.loadConfiguration()
        let findings = try await CommandFailure.reporting {
            let server = try dns.map(Self.server) ?? DNSServer.system() ?? DNSServer("127.0.0.1")
            let domains = try Self.domainChecks(configuration, dns: DNSResolver(server: server), sendingIPs: sendingIPs.compactMap(IPAddress.init))
            print("masthead doctor: mail from \(domains.fromDomain), return path at \(domains.bounceDomain), DNS server \(server)")
            let dnsFindings = try await Task.detached { domains.run() }.value  // blocking lookups, off the pool
            return dnsFindings + (await Self.webFindings(publicURL: configuration.publicURL, caFile: caFile)) + Self.fileFindings(configuration)
        }
        let width = findings.map(\.check.count).max() ?? 0
        for finding in findings {
            print("\(finding.mark.rawValue) \(finding.check.padding(toLength: width, withPad: " ", startingAt: 0))  \(finding.detail)")
            if let fix = finding.fix { print("  \(String(repeating: " ", count: width))  → \(fix)") }
        }
        let failed = findings.filter { $0.mark == .fail }.count
        print(failed == 0 ? "no problems found" : "\(failed) problem\(failed == 1 ? "" : "s") to fix")
        if failed > 0 { throw ExitCode.failure }
    }

    static func server(_ text: String) throws -> DNSServer {
        do { return try DNSServer(text) } catch { throw ValidationError("--dns: \(error)") }
    }

    /// The DNS checks for the configured domains and keys. (Synchronous and outside `run`'s
    /// closure, as `dkim list`'s: the release compiler crashed on such code inline.)
    static func domainChecks(_ configuration: MastheadConfiguration, dns: DNSResolver, sendingIPs: [IPAddress]) throws -> SenderDomainChecks {
        let from = try configuration.fromMailbox().domain
        var keys: [SenderDomainChecks.DKIMKey] = []
        for file in configuration.dkimKeys {
            let key = try PrivateSigningKey(pem: try String(contentsOfFile: file.path, encoding: .utf8))
            keys.append(SenderDomainChecks.DKIMKey(selector: file.selector, record: DKIMSigner.dnsRecord(for: key)))
        }
        var sending = sendingIPs
        if sending.isEmpty, case .smtp(let relay) = configuration.mailer {
            // A relay elsewhere sends from (one of) its own addresses; a local MTA's public address is not known here.
            let addresses = IPAddress(relay.host).map { [$0] } ?? ((try? dns.records(relay.host, .a)) ?? []).compactMap(IPAddress.init)
            sending = addresses.filter { !$0.isLoopback }
        }
        return SenderDomainChecks(
            fromDomain: from, bounceDomain: configuration.bounceDomain ?? from, dkimDomain: configuration.dkimDomain ?? from,
            dkimKeys: keys, sendingAddresses: sending, dns: dns)
    }

    /// The public URL: https with a certificate this machine trusts, and the one-click
    /// unsubscribe endpoint answering a POST as Masthead does (a made-up token is refused).
    static func webFindings(publicURL: String, caFile: String?) async -> [Finding] {
        var findings: [Finding] = []
        let url = URL(string: publicURL)
        let host = url?.host ?? publicURL
        if url?.scheme != "https" {
            findings.append(Finding(
                .fail, "HTTPS", "MASTHEAD_PUBLIC_URL is \(publicURL): every email's links would travel in the clear",
                fix: "serve it over https (nginx and certbot: Ops/nginx/masthead.conf) and set MASTHEAD_PUBLIC_URL=https://…"))
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile { tls.trustRoots = .file(caFile) }
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10))))
        var request = HTTPClientRequest(url: publicURL + "/v1/unsubscribe?token=masthead-doctor")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "User-Agent", value: "masthead-doctor")
        request.body = .bytes(ByteBuffer(string: "List-Unsubscribe=One-Click"))
        let answer: Result<(status: HTTPResponseStatus, body: String), any Error>
        do {
            let response = try await client.execute(request, timeout: .seconds(15))
            answer = .success((response.status, String(buffer: try await response.body.collect(upTo: 64 * 1024))))
        } catch {
            answer = .failure(error)
        }
        try? await client.shutdown()
        let response: (status: HTTPResponseStatus, body: String)
        switch answer {
        case .success(let answered): response = answered
        case .failure(let error):
            let reason = "\(error)".contains("CERTIFICATE_VERIFY_FAILED")
                ? "certificate verify failed (expired, for another name, or not from a CA this machine trusts)" : "\(error)"
            if error is NIOSSLError || "\(error)".contains("SSL") {
                findings.append(Finding(
                    .fail, "HTTPS", "\(host)'s certificate is not trusted: \(reason)",
                    fix: "install a certificate for \(host) from a public CA (certbot --nginx), with its full chain"))
            }
            findings.append(Finding(.fail, "unsubscribe", "POST \(publicURL)/v1/unsubscribe could not be tried: \(reason)"))
            return findings
        }
        if url?.scheme == "https" { findings.append(Finding(.pass, "HTTPS", "\(host) presents a certificate this machine trusts")) }
        if response.status == .badRequest, response.body.contains("urn:masthead:problem:invalid-link") {
            findings.append(Finding(.pass, "unsubscribe", "POST \(publicURL)/v1/unsubscribe reaches Masthead (it refused the doctor's made-up token)"))
        } else {
            findings.append(Finding(
                .fail, "unsubscribe", "POST \(publicURL)/v1/unsubscribe answered \(response.status.code), not as Masthead does",
                fix: "proxy \(url?.path ?? "")/v1/ to mastheadd for POST as well as GET (Ops/nginx/masthead.conf); RFC 8058's one-click is a POST"))
        }
        return findings
    }

    /// Files that hold secrets or readers' data must not be readable by other users.
    static func fileFindings(_ configuration: MastheadConfiguration) -> [Finding] {
        var files: [(String, String)] = [("keys file", configuration.keysPath)]
        if case .sqlite(let path) = configuration.database { files += [("database", path), ("database journal", path + "-wal")] }
        files += configuration.dkimKeys.map { ("DKIM key \($0.selector)", $0.path) }
        let secrets: [(String, String?)] = [
            ("Mailgun signing key", configuration.mailgunSigningKeyFile), ("Stripe secret key", configuration.stripe.secretKeyFile),
            ("Stripe webhook secret", configuration.stripe.webhookSecretFile), ("database password", configuration.databasePasswordFile),
        ]
        files += secrets.compactMap { label, path in path.map { (label, $0) } }
        var findings: [Finding] = []
        var safe: [String] = []
        for (label, relative) in files {
            let path = URL(fileURLWithPath: relative).standardizedFileURL.path
            guard let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int else { continue }
            if mode & 0o077 != 0 && !(label.hasPrefix("database") && mode & 0o007 == 0) {
                findings.append(Finding(
                    .fail, "permissions", "\(label) \(path) is mode \(String(mode, radix: 8)): readable by \(mode & 0o007 != 0 ? "every user" : "its group")",
                    fix: "chmod 600 \(path)"))
            } else {
                safe.append(label)
            }
        }
        if !safe.isEmpty { findings.insert(Finding(.pass, "permissions", "only their owner can read: \(safe.joined(separator: ", "))"), at: 0) }
        if let file = configuration.sesCertificateFile,
            let certificates = try? SigningCertificate.read(pem: String(contentsOfFile: file, encoding: .utf8)),
            certificates.allSatisfy({ $0.hasExpired(at: Date()) })
        {
            findings.append(Finding(
                .fail, "SNS certificate", "every certificate in \(file) has expired: SES's notifications are refused",
                fix: "save the certificate a current SNS message's SigningCertURL names into \(file)"))
        }
        return findings
    }
}
