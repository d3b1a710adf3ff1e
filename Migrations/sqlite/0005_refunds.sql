-- 0005_refunds: a pledge may be refunded or disputed; a provider event may find its pledge by
-- the provider's payment id (a dispute names the PaymentIntent, not the pledge); the
-- card-testing limits count a source's recent pledges and declined payments by index.
--
-- SQLite cannot change a CHECK in place, so the table is rebuilt the documented way (create,
-- copy, drop, rename; https://sqlite.org/lang_altertable.html#otheralter). The migration
-- runner turns foreign keys off around the step and checks them before it commits, so the
-- rows of pledge_payments and payment_events keep pointing at their pledges.

CREATE TABLE pledges_0005 (
    id                   INTEGER PRIMARY KEY,
    public_id            TEXT NOT NULL UNIQUE,
    email                TEXT NOT NULL,
    email_normalized     TEXT NOT NULL,
    name                 TEXT,
    amount_minor         INTEGER NOT NULL CHECK (amount_minor > 0),
    currency             TEXT NOT NULL CHECK (length(currency) = 3),
    interval             TEXT NOT NULL CHECK (interval IN ('once', 'monthly')),
    tier                 TEXT,
    status               TEXT NOT NULL
        CHECK (status IN ('pending', 'succeeded', 'failed', 'canceled', 'active', 'refunded', 'disputed')),
    status_changed_at    TEXT NOT NULL,
    idempotency_key      TEXT NOT NULL UNIQUE,
    request_hash         TEXT NOT NULL,
    response             TEXT NOT NULL,
    provider             TEXT NOT NULL,
    provider_reference   TEXT,
    checkout_url         TEXT,
    return_url           TEXT,
    card_brand           TEXT,
    card_last4           TEXT CHECK (card_last4 IS NULL OR length(card_last4) = 4),
    source               TEXT,
    client_ip            TEXT,
    user_agent           TEXT,
    locale               TEXT,
    consent_text_version TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
INSERT INTO pledges_0005 SELECT * FROM pledges;
DROP TABLE pledges;
ALTER TABLE pledges_0005 RENAME TO pledges;
CREATE INDEX pledges_by_email ON pledges (email_normalized);
CREATE INDEX pledges_by_created ON pledges (created_at);
CREATE INDEX pledges_by_provider_reference ON pledges (provider, provider_reference);
CREATE INDEX pledges_by_client ON pledges (client_ip, created_at);
CREATE INDEX payment_events_by_type ON payment_events (type, received_at);
