import AbuseDefence
import Foundation
import Mail
import MastheadSettings
import NewsletterSignup
import SubscriberLists

extension Runtime {
    /// The least `auto` allows an hour, and how many times the hourly sign-up baseline it allows
    /// when that is more.
    static let autoBudgetFloor = 600
    static let autoBudgetFactor = 10.0

    /// The hourly cap on mail to addresses that did not confirm yet (confirmations and
    /// already-subscribed notices, the kinds a stranger's sign-up sends), held past the
    /// confirmation link's lifetime: dropped.
    static func confirmationBudget(_ configuration: MastheadConfiguration, detector: SpikeDetector?) -> SendingBudget? {
        let limit: @Sendable () -> Int?
        switch configuration.confirmationBudget {
        case .off: return nil
        case .perHour(let count): limit = { count }
        case .auto:
            limit = {
                max(autoBudgetFloor, Int((detector?.baseline(of: .signups) ?? 0) * 60 * autoBudgetFactor))
            }
        }
        return SendingBudget(
            kinds: Set(SignupEmail.cappedKinds.map(\.rawValue)),
            lifetime: TimeInterval(configuration.signup.confirmationLifetime.components.seconds), limit: limit)
    }
}
