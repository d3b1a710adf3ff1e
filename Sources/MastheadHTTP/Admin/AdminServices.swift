public import AdminAccess
public import DonationPledges
public import Mail
public import SubscriberLists
public import Webhooks

/// What the admin API (`/admin/v1/…`) works through: the same services the CLI's commands
/// use, so no rule is implemented twice, and the tokens that authenticate it.
public struct AdminServices: Sendable {
    public var tokens: AdminTokens
    public var directory: SubscriberDirectory
    public var catalog: NewsletterCatalog
    /// Pledges are read from the store, as `masthead pledges` reads them (payments may be off).
    public var pledges: any PledgeStore
    public var outbox: any OutboxAdministration
    public var webhooks: WebhookAdministration

    public init(
        tokens: AdminTokens, directory: SubscriberDirectory, catalog: NewsletterCatalog, pledges: any PledgeStore,
        outbox: any OutboxAdministration, webhooks: WebhookAdministration
    ) {
        self.tokens = tokens
        self.directory = directory
        self.catalog = catalog
        self.pledges = pledges
        self.outbox = outbox
        self.webhooks = webhooks
    }
}
