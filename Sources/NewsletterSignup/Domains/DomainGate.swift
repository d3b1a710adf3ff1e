public import Foundation
import Synchronization

/// What a sign-up's domain must pass before anything is recorded: staff's rules and the
/// built-in list of SMS gateways, the per-domain hourly cap, and (when enabled) a DNS check that
/// the domain receives mail at all. An allowed domain passes the cap and the DNS check.
public struct DomainGate: Sendable {
    /// What DNS says of a domain's mail.
    public enum MailDomain: Sendable, Equatable {
        /// It has an MX, or an address that takes mail in its place (RFC 5321 §5.1).
        case receivesMail
        /// No MX and no address, or a null MX (RFC 7505): mail to it cannot be delivered.
        case noMail
        /// DNS did not answer: the sign-up goes ahead (a DNS outage must not refuse readers).
        case unknown
    }

    let rules: DomainRuleCache
    let hourly: DomainSignupCounter?
    let mailDomain: (@Sendable (String) async -> MailDomain)?

    /// `hourly`: sign-ups one domain may make per hour (nil: no cap); `mailDomain`: the DNS
    /// check (nil: off).
    public init(rules: DomainRuleCache, hourly: DomainSignupCounter?, mailDomain: (@Sendable (String) async -> MailDomain)?) {
        self.rules = rules
        self.hourly = hourly
        self.mailDomain = mailDomain
    }

    /// Passes, or throws the ``SignupError`` that says why not.
    public func admit(_ domain: String) async throws {
        switch DomainPolicy.rule(for: domain, stored: try await rules.rules()) {
        case .allow: return
        case .block: throw SignupError.refusedDomain(domain)
        case nil: break
        }
        if let mailDomain, await mailDomain(domain) == .noMail { throw SignupError.noMailServer(domain) }
        if let hourly, !hourly.take(domain) { throw SignupError.domainBusy(domain) }
    }
}

/// Sign-ups per domain in the current clock hour, in this process (each daemon counts its own).
public final class DomainSignupCounter: Sendable {
    let limit: Int
    let now: @Sendable () -> Date
    private let counts = Mutex<(hour: Int, byDomain: [String: Int])>((0, [:]))

    public init(limit: Int, now: @escaping @Sendable () -> Date) {
        self.limit = limit
        self.now = now
    }

    /// Counts one sign-up for `domain`; false (and not counted) when the hour's limit is reached.
    func take(_ domain: String) -> Bool {
        let hour = Int(now().timeIntervalSince1970 / 3600)
        return counts.withLock { state in
            if state.hour != hour { state = (hour, [:]) }  // a new hour starts every count afresh
            let taken = state.byDomain[domain, default: 0]
            guard taken < limit else { return false }
            state.byDomain[domain] = taken + 1
            return true
        }
    }
}
