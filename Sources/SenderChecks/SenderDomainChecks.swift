public import DNSLookup
import Foundation

/// The DNS side of `masthead doctor`: what receivers will find when they check mail from the
/// newsroom (SPF of the return path's domain, each DKIM key's record, DMARC of the From domain
/// and whether SPF or DKIM aligns with it), and whether bounces can come back (MX of the bounce
/// domain). Each finding that is wrong says exactly what to publish.
public struct SenderDomainChecks {
    /// A DKIM key the daemon signs with, and the record that publishes it.
    public struct DKIMKey: Sendable {
        public var selector: String
        /// The `v=DKIM1; k=…; p=…` text `masthead dkim generate` printed.
        public var record: String

        public init(selector: String, record: String) {
            self.selector = selector
            self.record = record
        }
    }

    public var fromDomain: String
    public var bounceDomain: String
    /// The DKIM signing domain (`d=`).
    public var dkimDomain: String
    public var dkimKeys: [DKIMKey]
    /// The addresses mail leaves from; empty when they are not known.
    public var sendingAddresses: [IPAddress]
    public var dns: DNSResolver

    public init(
        fromDomain: String, bounceDomain: String, dkimDomain: String, dkimKeys: [DKIMKey], sendingAddresses: [IPAddress], dns: DNSResolver
    ) {
        self.fromDomain = fromDomain.lowercased()
        self.bounceDomain = bounceDomain.lowercased()
        self.dkimDomain = dkimDomain.lowercased()
        self.dkimKeys = dkimKeys
        self.sendingAddresses = sendingAddresses
        self.dns = dns
    }

    /// Every check, in the checklist's order.
    public func run() -> [Finding] {
        spf() + dkim() + dmarc() + mx()
    }

    /// SPF is checked at the MAIL FROM's domain: the VERP return path's, the bounce domain.
    func spf() -> [Finding] {
        let records: [String]
        do {
            records = try SPFEvaluation.records(at: bounceDomain, dns: dns)
        } catch {
            return [Finding(.fail, "SPF", "\(error)")]
        }
        let allowing = sendingAddresses.map { Self.mechanism(for: $0) }.joined(separator: " ")
        guard let record = records.first else {
            return [Finding(
                .fail, "SPF", "\(bounceDomain) (the return path's domain) has no SPF record",
                fix: "publish: \(bounceDomain) TXT \"v=spf1 \(allowing.isEmpty ? "ip4:YOUR.SENDING.ADDRESS" : allowing) ~all\"")]
        }
        guard records.count == 1 else {
            return [Finding(.fail, "SPF", "\(bounceDomain) has \(records.count) SPF records; receivers treat that as an error",
                fix: "merge them into one TXT record that starts with v=spf1")]
        }
        guard !sendingAddresses.isEmpty else {
            return [Finding(.warn, "SPF", "\(bounceDomain): \(record); which address mail leaves from is not known",
                fix: "run again with --sending-ip ADDRESS (the relay's outgoing address) to check it is allowed")]
        }
        return sendingAddresses.map { address in
            let verdict = SPFEvaluation.check(address, domain: bounceDomain, dns: dns)
            if verdict.result == .pass { return Finding(.pass, "SPF", "\(bounceDomain) allows \(address): \(record)") }
            let why = verdict.reason.map { " (\($0))" } ?? ""
            return Finding(
                .fail, "SPF", "\(bounceDomain) gives \(verdict.result.rawValue) for \(address)\(why): \(record)",
                fix: "publish: \(bounceDomain) TXT \"\(Self.adding(Self.mechanism(for: address), to: record))\"")
        }
    }

    func dkim() -> [Finding] {
        guard !dkimKeys.isEmpty else {
            return [Finding(.fail, "DKIM", "no DKIM key signs mail",
                fix: "masthead dkim generate --selector s\(Self.year) --domain \(fromDomain), then set MASTHEAD_DKIM_KEY_FILE")]
        }
        return dkimKeys.map { key in
            let name = "\(key.selector)._domainkey.\(dkimDomain)"
            let publish = "publish: \(name) TXT \"\(key.record)\""
            let published: [String]
            do {
                published = try dns.records(name, .txt)
            } catch {
                return Finding(.fail, "DKIM \(key.selector)", "\(error)")
            }
            let wanted = Self.publicKey(of: key.record)
            if published.contains(where: { Self.publicKey(of: $0) == wanted }) {
                return Finding(.pass, "DKIM \(key.selector)", "\(name) publishes the key mail is signed with")
            }
            if published.isEmpty { return Finding(.fail, "DKIM \(key.selector)", "\(name) has no record", fix: publish) }
            return Finding(.fail, "DKIM \(key.selector)", "\(name) publishes another key than the one mail is signed with", fix: publish)
        }
    }

    /// DMARC's policy, found as DMARCbis's tree walk finds it (the From domain, then each parent),
    /// and whether mail aligns with it through DKIM's `d=` or SPF's return path domain.
    func dmarc() -> [Finding] {
        var policy: (domain: String, tags: [String: String])?
        var domain = fromDomain
        do {
            while policy == nil, domain.contains(".") {
                if let record = try dns.records("_dmarc.\(domain)", .txt).first(where: { $0.lowercased().hasPrefix("v=dmarc1") }) {
                    policy = (domain, TagList.parse(record))
                } else {
                    domain = String(domain.drop { $0 != "." }.dropFirst())
                }
            }
        } catch {
            return [Finding(.fail, "DMARC", "\(error)")]
        }
        guard let policy, let mode = policy.tags["p"] else {
            return [Finding(
                .fail, "DMARC", "\(fromDomain) has no DMARC policy (Gmail and Yahoo require one of bulk senders)",
                fix: "publish: _dmarc.\(fromDomain) TXT \"v=DMARC1; p=none; rua=mailto:dmarc-reports@\(fromDomain)\"")]
        }
        var findings = [Finding(
            mode == "none" ? .warn : .pass, "DMARC", "_dmarc.\(policy.domain): p=\(mode)",
            fix: mode == "none" ? "p=none only reports; once the reports show only your mail passing, publish p=quarantine" : nil)]
        let dkimAligned = Self.aligned(dkimDomain, fromDomain, strict: policy.tags["adkim"] == "s", organisation: policy.domain)
        let spfAligned = Self.aligned(bounceDomain, fromDomain, strict: policy.tags["aspf"] == "s", organisation: policy.domain)
        let how = [dkimAligned && !dkimKeys.isEmpty ? "DKIM (d=\(dkimDomain))" : nil, spfAligned ? "SPF (return path at \(bounceDomain))" : nil]
            .compactMap { $0 }
        findings.append(
            how.isEmpty
                ? Finding(.fail, "alignment", "neither DKIM's d=\(dkimDomain) nor the return path's \(bounceDomain) aligns with From's \(fromDomain)",
                    fix: "set MASTHEAD_DKIM_DOMAIN=\(fromDomain) (and publish its key there)")
                : Finding(.pass, "alignment", "From's \(fromDomain) aligns through \(how.joined(separator: " and "))"))
        return findings
    }

    func mx() -> [Finding] {
        let exchanges: [String]
        do {
            exchanges = try dns.records(bounceDomain, .mx)
        } catch {
            return [Finding(.fail, "MX", "\(error)")]
        }
        let hosts = exchanges.compactMap { $0.split(separator: " ").last.map(String.init) }.filter { !$0.isEmpty && $0 != "." }
        guard !hosts.isEmpty else {
            return [Finding(
                .fail, "MX", exchanges.isEmpty ? "\(bounceDomain) has no MX: bounces cannot come back" : "\(bounceDomain) has a null MX: it accepts no mail, bounces included",
                fix: "publish: \(bounceDomain) MX 10 mail.\(bounceDomain) (the host whose MTA pipes bounces+… into masthead bounces ingest; Ops/postfix/README.md)")]
        }
        return [Finding(.pass, "MX", "\(bounceDomain) receives bounces at \(hosts.joined(separator: ", "))")]
    }

    /// Relaxed alignment: both under the organisational domain (where the DMARC policy was
    /// found); strict: the same name.
    static func aligned(_ domain: String, _ from: String, strict: Bool, organisation: String) -> Bool {
        if strict { return domain == from }
        func under(_ name: String) -> Bool { name == organisation || name.hasSuffix("." + organisation) }
        return domain == from || (under(domain) && under(from))
    }

    static func mechanism(for address: IPAddress) -> String { address.isIPv4 ? "ip4:\(address)" : "ip6:\(address)" }

    /// `record` with `mechanism` added right after `v=spf1`, before whatever decides the rest.
    static func adding(_ mechanism: String, to record: String) -> String {
        "v=spf1 \(mechanism)" + record.dropFirst("v=spf1".count)
    }

    static func publicKey(of record: String) -> String? {
        TagList.parse(record)["p"].map { $0.filter { !$0.isWhitespace } }
    }

    /// This year, for the suggested selector (`s2026`).
    static var year: Int { Calendar(identifier: .gregorian).component(.year, from: Date()) }
}
