import DNSLookup
import Foundation
import MastheadSettings
import NewsletterSignup

extension Runtime {
    /// The sign-up domain policy the configuration asks for: staff's rules and the built-in SMS
    /// gateways always; the hourly cap and the MX check when their settings turn them on. A DNS
    /// server that does not answer costs a sign-up at most 2 s (one resend after 1 s).
    static func domainGate(_ configuration: MastheadConfiguration, rules: DomainRuleCache, now: @escaping @Sendable () -> Date) -> DomainGate {
        let hourly = configuration.signupDomainHourly > 0 ? DomainSignupCounter(limit: configuration.signupDomainHourly, now: now) : nil
        var mailDomain: (@Sendable (String) async -> DomainGate.MailDomain)?
        if configuration.signupMXCheck, let server = configuration.dnsServer ?? DNSServer.system() {
            let check = MailDomainCheck(dns: DNSResolver(server: server, timeout: .seconds(1)), now: now)
            mailDomain = { await check.check($0) }
        }
        return DomainGate(rules: rules, hourly: hourly, mailDomain: mailDomain)
    }
}
