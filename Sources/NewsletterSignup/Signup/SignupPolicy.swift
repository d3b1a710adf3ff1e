/// The rules a deployment chooses for sign-up (configuration, with these defaults).
public struct SignupPolicy: Sendable, Equatable {
    /// Newsletters a request that names none is for; empty means "the only public newsletter".
    public var defaultNewsletters: [String] = []
    /// The version of the consent text readers agree to, kept with each consent record.
    public var consentTextVersion: String = "1"
    /// How long a confirmation link works.
    public var confirmationLifetime: Duration = .seconds(7 * 86_400)
    /// Confirmation (and already-subscribed) emails per address per 24 hours, whatever the
    /// number of requests: the defence against subscription bombing.
    public var maximumEmailsPerDay: Int = 3
    /// A repeated request within this time sends nothing new (double clicks, scripted floods).
    public var repeatCooldown: Duration = .seconds(120)
    /// How long a preferences (`manage`) link may join newsletters without a fresh confirmation.
    /// The link itself never expires, so leaving always works; past this, a newsletter chosen
    /// on the page is signed up for with a confirmation email, like a new sign-up.
    public var preferencesLinkConfirmsFor: Duration = .seconds(90 * 86_400)
    /// Whether a sign-up for a newsletter the address already has sends a short notice.
    public var noticeWhenAlreadySubscribed: Bool = true

    /// The defaults.
    public init() {}
}
