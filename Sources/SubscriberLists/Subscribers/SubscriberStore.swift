public import Foundation
public import SideEffects

/// The persistence the list commands need, in their own words. Each call is one short
/// transaction (imports: one per batch). Implementations: `SQLiteStore` and `PostgresStore`.
public protocol SubscriberStore: NewsletterStore, ConsentTextStore {
    /// Adds (or re-activates) a membership decided by staff, with its consent record, in one
    /// transaction; queues a confirmation when the membership is pending and one was asked for.
    func addMembership(_ addition: MembershipAddition) async throws -> MembershipChange

    /// Everything about one normalised address, or nil.
    func subscriberProfile(normalizedEmail: String) async throws -> SubscriberProfile?

    /// Memberships matching the search, newest first.
    func findMemberships(_ search: SubscriberSearch) async throws -> [MembershipRow]

    /// Unsubscribes the address from these newsletters (all when nil); returns the slugs changed.
    func unsubscribe(normalizedEmail: String, newsletters: [String]?, at time: Date, actor: String) async throws -> [String]

    /// How many memberships are in each state (one newsletter, or all).
    func countMemberships(newsletter: String?) async throws -> [SubscriptionStatus: Int]

    /// Rows per import transaction when the operator names none.
    var preferredImportBatchSize: Int { get }

    /// Applies one batch of an import in one transaction and says what happened to each row.
    func importBatch(_ batch: ImportBatch) async throws -> ImportBatchResult

    /// Forgets the import run's record of addresses seen (its duplicate detection).
    func finishImport(run: Int64) async throws

    /// One page of memberships in id order after `cursor`, for streaming exports and the admin
    /// API's list; `updatedSince` keeps only memberships changed at or after it.
    func exportMemberships(
        newsletter: String?, state: SubscriptionStatus?, updatedSince: Date?, withConsent: Bool, after cursor: Int64, limit: Int
    ) async throws -> [MembershipRow]

    /// Deletes the subscriber, memberships, consent records, queued mail and the personal fields
    /// of audit events; anonymises pledges; adds the suppression hash; saves `receipt` (the
    /// reader's confirmation email, when they asked) in the same transaction. Returns false if unknown.
    func erase(normalizedEmail: String, addressHash: String, at time: Date, actor: String, receipt: Effects) async throws -> Bool

    /// Retention: deletes every subscriber who never confirmed anything (each membership pending
    /// or expired, never confirmed) and whose last sign-up began before `cutoff`, with their
    /// consent records and queued mail; their audit events keep only what happened and when.
    /// No suppression: they may sign up again. Returns how many subscribers went.
    func eraseNeverConfirmed(before cutoff: Date, at time: Date, actor: String) async throws -> Int

    /// Everything held about the address, every table, as one document (`access`).
    func accessDocument(normalizedEmail: String, addressHash: String) async throws -> AccessDocument?

    /// Puts a hash on the suppression list (keeps an existing entry's reason).
    func suppress(addressHash: String, reason: SuppressionReason, note: String?, at time: Date, actor: String) async throws
    /// Lifts a suppression; returns whether there was one.
    func unsuppress(addressHash: String, at time: Date, actor: String) async throws -> Bool
    /// The suppression entry for a hash, if any.
    func suppression(addressHash: String) async throws -> Suppression?

    /// Moves memberships pending since before `cutoff` to `expired`; returns how many.
    func expirePending(before cutoff: Date, at time: Date, actor: String) async throws -> Int

    /// Counts, opt-in rate and growth per day of one newsletter.
    func newsletterStats(slug: String, days: Int, at time: Date) async throws -> NewsletterStats
}

/// A membership staff add by hand.
public struct MembershipAddition: Sendable {
    public var email: String
    public var normalizedEmail: String
    public var addressHash: String
    public var newsletter: String
    /// Confirmed at once (requires `basis`), or pending with a confirmation email.
    public var confirmed: Bool
    /// Why consent may be assumed (`confirmed`), kept in the consent record.
    public var basis: String?
    public var time: Date
    public var actor: String

    /// Creates an addition.
    public init(
        email: String, normalizedEmail: String, addressHash: String, newsletter: String, confirmed: Bool, basis: String?,
        time: Date, actor: String
    ) {
        self.email = email
        self.normalizedEmail = normalizedEmail
        self.addressHash = addressHash
        self.newsletter = newsletter
        self.confirmed = confirmed
        self.basis = basis
        self.time = time
        self.actor = actor
    }
}

/// What an addition did.
public enum MembershipChange: Sendable, Equatable {
    /// The membership is now in this state (a confirmation was queued when pending).
    case changed(SubscriptionStatus, confirmationQueued: Bool)
    /// It already was in the wanted state, or a better one.
    case unchanged(SubscriptionStatus)
    /// The address is suppressed; a person must lift it first.
    case suppressed(SuppressionReason)
}

/// Everything held about one address (`masthead subscribers access`), table by table.
public struct AccessDocument: Sendable, Codable {
    public var profile: SubscriberProfile?
    public var outbox: [[String: String]]
    public var pledges: [[String: String]]
    public var suppression: Suppression?

    /// Creates a document.
    public init(profile: SubscriberProfile?, outbox: [[String: String]], pledges: [[String: String]], suppression: Suppression?) {
        self.profile = profile
        self.outbox = outbox
        self.pledges = pledges
        self.suppression = suppression
    }
}
