import Foundation

/// Which rule decides a domain: the most specific name with a rule wins (a rule for
/// `sms.example.net` before one for `example.net`), staff's stored rule before the built-in list.
public enum DomainPolicy {
    /// Email-to-SMS gateways: an address there turns every confirmation into a text message to
    /// a phone number someone typed in (the flood Ghost sites met, Ghost #20767, #22027). Refused
    /// unless staff allow one (`masthead domains allow`). The carriers' published gateways.
    public static let smsGateways: Set<String> = [
        "txt.att.net", "mms.att.net", "vtext.com", "vzwpix.com", "mypixmessages.com", "tmomail.net",
        "messaging.sprintpcs.com", "pm.sprint.com", "sms.myboostmobile.com", "myboostmobile.com",
        "sms.cricketwireless.net", "mms.cricketwireless.net", "mms.mycricket.com", "mymetropcs.com",
        "email.uscc.net", "mms.uscc.net", "vmobl.com", "vmpix.com", "msg.fi.google.com",
        "text.republicwireless.com", "mailmymobile.net", "smtext.com", "mmst5.tracfone.com",
        "cingularme.com", "mobile.mycingular.com", "messaging.nextel.com", "page.nextel.com",
        "txt.bell.ca", "txt.bellmobility.ca", "msg.telus.com", "pcs.rogers.com", "vmobile.ca",
        "txt.freedommobile.ca", "text.mtsmobility.com", "sms.sasktel.com", "mms.ee.co.uk",
        "vodafone.net", "sms.orange.pl", "text.plusgsm.pl", "sms.t-mobile.at", "sms.rogers.com",
    ]

    /// `domain` and each parent down to two labels: the names a rule for it may be set on.
    public static func names(for domain: String) -> [String] {
        var labels = domain.lowercased().split(separator: ".").map(String.init)
        var names: [String] = []
        while labels.count >= 2 {
            names.append(labels.joined(separator: "."))
            labels.removeFirst()
        }
        return names
    }

    /// The rule that applies to `domain`, given the stored rules among its names; nil when
    /// none does.
    public static func rule(for domain: String, stored: [String: DomainRule]) -> DomainRule? {
        for name in names(for: domain) {
            if let rule = stored[name] { return rule }
            if smsGateways.contains(name) { return .block }
        }
        return nil
    }

    /// `text` as a domain a rule can be set on (lower-case, no trailing dot), or nil.
    public static func domain(_ text: String) -> String? {
        let domain = text.trimmingCharacters(in: .whitespaces).lowercased().trimmingSuffix(".")
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, domain.count <= 253,
            labels.allSatisfy({ label in
                (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            })
        else { return nil }
        return domain
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
