import Foundation
import SubscriberLists

/// `masthead subscribers show` for people: the subscriber, then one section per table.
enum ProfileText {
    static func render(_ profile: SubscriberProfile) -> String {
        let subscriber = profile.subscriber
        var text = "\(subscriber.email)\n"
        text += "  since:  \(subscriber.createdAt.formatted(.iso8601))\n"
        if let name = subscriber.name { text += "  name:   \(name)\n" }
        if let locale = subscriber.locale { text += "  locale: \(locale)\n" }
        for (key, value) in subscriber.attributes.sorted(by: { $0.key < $1.key }) { text += "  \(key): \(value)\n" }
        text += "\nMemberships\n"
        text += indent(Listing<Membership>(columns: [
            ("NEWSLETTER", \.newsletter), ("STATE", \.status.rawValue), ("SUBSCRIBED", { $0.createdAt.formatted(.iso8601) }),
            ("CONFIRMED", { $0.confirmedAt?.formatted(.iso8601) ?? "" }),
            ("UNSUBSCRIBED", { $0.unsubscribedAt?.formatted(.iso8601) ?? "" }),
        ]).table(profile.memberships))
        text += "\nConsent records\n"
        text += indent(Listing<ConsentRecord>(columns: [
            ("RECORDED", { $0.recordedAt.formatted(.iso8601) }), ("ACTION", \.action),
            ("NEWSLETTERS", { $0.newsletters.joined(separator: ",") }), ("SOURCE", { $0.source ?? "" }),
            ("BASIS", { $0.basis ?? "" }), ("IP", { $0.clientIP ?? "" }),
            ("CONFIRMED", { $0.confirmedAt?.formatted(.iso8601) ?? "" }),
        ]).table(profile.consents))
        text += "\nEvents\n"
        text += indent(Listing<AuditEntry>(columns: [
            ("WHEN", { $0.occurredAt.formatted(.iso8601) }), ("ACTOR", \.actor), ("ACTION", \.action),
            ("DETAILS", { $0.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }),
        ]).table(profile.events))
        return text
    }

    private static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "  " + $0 + "\n" }.joined()
    }
}
