public import Migrations

/// The PostgreSQL schema steps, embedded from `Migrations/postgres/` at build time: one for
/// each SQLite step, with the same id, so both stores are always at the same schema version.
///
/// Adding a step: write `NNNN_name.sql` here and beside it in `sqlite/`, list the file in
/// Package.swift's `PostgresMigrations` resources and add one line here. `MigrationTests`
/// fails when the two lists or the files on disk drift apart.
public enum PostgresMigrations {
    /// Every step, in order.
    public static let all: [Migration] = [
        Migration(id: "0001_init", bytes: PackageResources._001_init_sql),
        Migration(id: "0002_signup", bytes: PackageResources._002_signup_sql),
        Migration(id: "0003_lists", bytes: PackageResources._003_lists_sql),
        Migration(id: "0004_pledges", bytes: PackageResources._004_pledges_sql),
        Migration(id: "0005_refunds", bytes: PackageResources._005_refunds_sql),
        Migration(id: "0006_annual", bytes: PackageResources._006_annual_sql),
        Migration(id: "0007_webhooks", bytes: PackageResources._007_webhooks_sql),
        Migration(id: "0008_admin_tokens", bytes: PackageResources._008_admin_tokens_sql),
        Migration(id: "0009_bounces", bytes: PackageResources._009_bounces_sql),
        Migration(id: "0010_outbox_sent", bytes: PackageResources._010_outbox_sent_sql),
        Migration(id: "0011_domain_rules", bytes: PackageResources._011_domain_rules_sql),
        Migration(id: "0012_abuse", bytes: PackageResources._012_abuse_sql),
        Migration(id: "0013_consent_texts", bytes: PackageResources._013_consent_texts_sql),
    ]
}
