public import AbuseDefence
public import AdminAccess
public import DatabaseHealth
public import DonationPledges
public import Foundation
public import Mail
public import Migrations
public import DatabaseHealth
public import NewsletterSignup
import PostgresMigrations
public import PostgresStorage
public import SQLiteStorage
public import SubscriberLists
public import Webhooks

/// Everything the daemon and the CLI need from a store: every library's store protocol, plus
/// the database's own lifecycle (migrations, readiness, pool gauges, closing).
///
/// Two implementations: `SQLiteStore` (the embedded default) and `PostgresStore` (several
/// daemons on one database). `MastheadStoreContractTests` runs the same expectations on both.
public protocol MastheadStore:
    SignupStore, SubscriberStore, PledgeStore, OutboxStore, OutboxAdministration, WebhookStore, AdminTokenStore, FeedbackStore, DomainRuleStore,
    AlertStore, ChallengeStore, DatabaseProbe
{
    /// The engine, for logs and `db status`: `sqlite 3.40.1`, `postgres`.
    var engine: String { get }
    /// The schema steps this binary ships for this engine.
    var shippedMigrations: [Migration] { get }
    /// Applies every pending step; returns the ids applied.
    func migrate(known: [Migration], now: Date) async throws -> [String]
    /// Compares the database with `known`, changing nothing.
    func migrationPlan(known: [Migration]) async throws -> MigrationPlan
    /// When each applied step was applied.
    func appliedMigrationTimes() async throws -> [String: String]
    /// Whether the database answers and its schema is current.
    func readiness(known: [Migration]) async -> DatabaseReadiness
    /// Writes a consistent copy of the database to `destination` (a new file), while writers
    /// go on; engines backed up by their own tools (PostgreSQL: `pg_dump`) say so instead.
    func backup(to destination: String) async throws
    /// At a daemon's start: the messages an earlier run left `sending` (it died holding their
    /// leases) go back in the queue at once, and how many; nil where other daemons may hold
    /// live leases on the same database (PostgreSQL), which then simply expire.
    func reclaimOutboxLeases(at time: Date) async throws -> Int?
    /// Closes the store; call once, after the server stopped.
    func close() throws
}

extension MastheadStore {
    /// Applies this engine's pending steps.
    @discardableResult
    public func migrate(now: Date = Date()) async throws -> [String] { try await migrate(known: shippedMigrations, now: now) }
    /// This engine's migration plan.
    public func migrationPlan() async throws -> MigrationPlan { try await migrationPlan(known: shippedMigrations) }
    /// Readiness against this engine's steps.
    public func readiness() async -> DatabaseReadiness { await readiness(known: shippedMigrations) }
}

extension SQLiteStore: MastheadStore {
    public var engine: String { "sqlite \(SQLiteStore.sqliteVersion)" }
    public var shippedMigrations: [Migration] { SQLiteMigrations.all }
}

extension PostgresStore: MastheadStore {
    public var engine: String { "postgres" }
    public var shippedMigrations: [Migration] { PostgresMigrations.all }
    /// Other daemons may be delivering from the same outbox: their leases are left to expire.
    public func reclaimOutboxLeases(at time: Date) async throws -> Int? { nil }
}
