public import DNSLookup
import Foundation

/// What a receiver's SPF check (RFC 7208) would say of mail from `ip` with a return path at
/// `domain`: the mechanisms `all`, `include`, `a`, `mx`, `ip4`, `ip6`, `exists` and the
/// `redirect` modifier, with the limit of ten DNS-querying terms. Macros (`%{i}`) are not
/// expanded: a term that uses one does not match, and the verdict says so.
public struct SPFEvaluation {
    public enum Result: String, Sendable {
        case pass, fail, softfail, neutral, none, permerror, temperror
    }

    public struct Verdict: Sendable, Equatable {
        public var result: Result
        /// The record at the domain asked about (nil when it has none).
        public var record: String?
        /// Why, when it is not a plain match (`no SPF record`, `more than 10 DNS lookups`, …).
        public var reason: String?
    }

    let dns: DNSResolver
    private var lookups = 0

    public init(dns: DNSResolver) { self.dns = dns }

    /// The verdict for mail from `ip` whose MAIL FROM is at `domain`.
    public static func check(_ ip: IPAddress, domain: String, dns: DNSResolver) -> Verdict {
        var evaluation = SPFEvaluation(dns: dns)
        return evaluation.evaluate(ip, domain: domain, depth: 0)
    }

    /// The SPF records at `domain` (a receiver wants exactly one).
    public static func records(at domain: String, dns: DNSResolver) throws(DNSLookupError) -> [String] {
        try dns.records(domain, .txt).filter { record in
            let lower = record.lowercased()
            return lower == "v=spf1" || lower.hasPrefix("v=spf1 ")
        }
    }

    private mutating func evaluate(_ ip: IPAddress, domain: String, depth: Int) -> Verdict {
        let records: [String]
        do {
            records = try Self.records(at: domain, dns: dns)
        } catch {
            return Verdict(result: .temperror, record: nil, reason: "\(error)")
        }
        guard let record = records.first else { return Verdict(result: .none, record: nil, reason: "\(domain) has no SPF record") }
        guard records.count == 1 else { return Verdict(result: .permerror, record: record, reason: "\(domain) has \(records.count) SPF records; receivers want one") }
        var redirect: String?
        for term in record.split(separator: " ").dropFirst() where !term.isEmpty {
            let lower = term.lowercased()
            if lower.hasPrefix("redirect=") {
                redirect = String(term.dropFirst("redirect=".count))
                continue
            }
            if lower.contains("=") { continue }  // exp= and unknown modifiers
            var mechanism = Substring(lower)
            var qualifier: Result = .pass
            if let first = mechanism.first, let named = ["+": Result.pass, "-": .fail, "~": .softfail, "?": .neutral][first] {
                qualifier = named
                mechanism = mechanism.dropFirst()
            }
            let matched: Bool
            do {
                matched = try matches(String(mechanism), ip: ip, domain: domain, depth: depth)
            } catch let stop as Stop {
                return Verdict(result: stop.result, record: record, reason: stop.reason)
            } catch {
                return Verdict(result: .temperror, record: record, reason: "\(error)")
            }
            if matched { return Verdict(result: qualifier, record: record, reason: nil) }
        }
        if let redirect {
            guard count() else { return Verdict(result: .permerror, record: record, reason: "more than 10 DNS lookups") }
            var verdict = evaluate(ip, domain: redirect, depth: depth + 1)
            if verdict.result == .none { verdict.result = .permerror }
            verdict.record = record
            return verdict
        }
        return Verdict(result: .neutral, record: record, reason: "no term of \(domain)'s record names \(ip)")
    }

    /// An outcome that ends the evaluation (RFC 7208 §5.2: an include's errors are the record's).
    struct Stop: Error {
        let result: Result
        let reason: String
    }

    private mutating func count() -> Bool {
        lookups += 1
        return lookups <= 10
    }

    private mutating func matches(_ mechanism: String, ip: IPAddress, domain: String, depth: Int) throws -> Bool {
        let (name, argument, cidr4, cidr6) = Self.split(mechanism)
        switch name {
        case "all":
            return true
        case "ip4", "ip6":
            guard let argument, let network = IPNetwork(argument) else { throw Stop(result: .permerror, reason: "'\(mechanism)' is not an address range") }
            return network.contains(ip)
        case "include", "a", "mx", "exists", "ptr":
            guard count() else { throw Stop(result: .permerror, reason: "more than 10 DNS lookups") }
            let target = argument ?? domain
            if target.contains("%") { return false }  // a macro: not expanded here
            switch name {
            case "include":
                guard argument != nil, depth < 10 else { throw Stop(result: .permerror, reason: "'\(mechanism)' names no domain") }
                let inner = evaluate(ip, domain: target, depth: depth + 1)
                switch inner.result {
                case .pass: return true
                case .fail, .softfail, .neutral: return false
                case .none: throw Stop(result: .permerror, reason: "include:\(target) has no SPF record")
                case .permerror, .temperror: throw Stop(result: inner.result, reason: inner.reason ?? "include:\(target)")
                }
            case "a":
                return try addresses(of: target).contains { network($0, cidr4, cidr6).contains(ip) }
            case "mx":
                let hosts = try dns.records(target, .mx).prefix(10).compactMap { $0.split(separator: " ").last.map(String.init) }
                for host in hosts where try addresses(of: host).contains(where: { network($0, cidr4, cidr6).contains(ip) }) { return true }
                return false
            case "exists":
                return try !dns.records(target, .a).isEmpty
            default:
                return false  // ptr: deprecated (RFC 7208 §5.5), and receivers may skip it
            }
        default:
            throw Stop(result: .permerror, reason: "'\(mechanism)' is not an SPF mechanism")
        }
    }

    private func addresses(of host: String) throws -> [IPAddress] {
        (try dns.records(host, .a) + dns.records(host, .aaaa)).compactMap { IPAddress($0) }
    }

    private func network(_ address: IPAddress, _ cidr4: Int?, _ cidr6: Int?) -> IPNetwork {
        IPNetwork("\(address)/\((address.isIPv4 ? cidr4 : cidr6) ?? address.bytes.count * 8)") ?? IPNetwork("\(address)")!
    }

    /// `name[:argument][/cidr4][//cidr6]`; for ip4/ip6 the prefix stays in the argument.
    static func split(_ mechanism: String) -> (String, String?, Int?, Int?) {
        var rest = Substring(mechanism)
        let name = String(rest.prefix { $0 != ":" && $0 != "/" })
        rest = rest.dropFirst(name.count)
        if name == "ip4" || name == "ip6" { return (name, rest.hasPrefix(":") ? String(rest.dropFirst()) : nil, nil, nil) }
        var cidr4: Int?
        var cidr6: Int?
        if let range = rest.range(of: "//") {
            cidr6 = Int(rest[range.upperBound...])
            rest = rest[..<range.lowerBound]
        }
        if let slash = rest.lastIndex(of: "/") {
            cidr4 = Int(rest[rest.index(after: slash)...])
            rest = rest[..<slash]
        }
        let argument = rest.hasPrefix(":") ? String(rest.dropFirst()) : nil
        return (name, argument, cidr4, cidr6)
    }
}
