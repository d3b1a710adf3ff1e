public import DNSLookup
public import Foundation
import Synchronization

/// Whether a domain receives mail, as an MTA would find out (RFC 5321 §5.1): its MX records,
/// else its address records; a null MX (RFC 7505, `0 .`) says it takes none. Answers are kept an
/// hour, so a flood from one domain costs one lookup; a lookup that failed is kept a minute, so
/// while DNS is down only one sign-up a minute per domain waits for the timeout.
public final class MailDomainCheck: Sendable {
    let dns: DNSResolver
    let now: @Sendable () -> Date
    private let answers = Mutex<[String: (verdict: DomainGate.MailDomain, until: Date)]>([:])

    public init(dns: DNSResolver, now: @escaping @Sendable () -> Date) {
        self.dns = dns
        self.now = now
    }

    public func check(_ domain: String) async -> DomainGate.MailDomain {
        let time = now()
        if let kept = answers.withLock({ $0[domain] }), kept.until > time { return kept.verdict }
        // The resolver blocks: on a thread of Dispatch's, never one of the concurrency pool's.
        let verdict = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.lookUp(domain)) }
        }
        answers.withLock { kept in
            if kept.count >= 10_000 { kept = kept.filter { $0.value.until > time } }
            kept[domain] = (verdict, time.addingTimeInterval(verdict == .unknown ? 60 : 3600))
        }
        return verdict
    }

    private func lookUp(_ domain: String) -> DomainGate.MailDomain {
        do {
            let exchanges = try dns.records(domain, .mx).compactMap { $0.split(separator: " ", maxSplits: 1).last.map(String.init) }
            if !exchanges.isEmpty { return exchanges.contains { !$0.isEmpty && $0 != "." } ? .receivesMail : .noMail }
            return try dns.records(domain, .a).isEmpty && dns.records(domain, .aaaa).isEmpty ? .noMail : .receivesMail
        } catch {
            return .unknown
        }
    }
}
