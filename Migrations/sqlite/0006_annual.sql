-- 0006_annual: a pledge may be paid once a year (Stripe subscriptions take monthly and annual
-- plans alike); the support page starts with two yearly tiers.
--
-- SQLite cannot change a CHECK in place: both tables are rebuilt as in 0005 (create, copy,
-- drop, rename), with foreign keys off around the step and checked before it commits.

CREATE TABLE pledges_0006 (
    id                   INTEGER PRIMARY KEY,
    public_id            TEXT NOT NULL UNIQUE,
    email                TEXT NOT NULL,
    email_normalized     TEXT NOT NULL,
    name                 TEXT,
    amount_minor         INTEGER NOT NULL CHECK (amount_minor > 0),
    currency             TEXT NOT NULL CHECK (length(currency) = 3),
    interval             TEXT NOT NULL CHECK (interval IN ('once', 'monthly', 'annual')),
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
INSERT INTO pledges_0006 SELECT * FROM pledges;
DROP TABLE pledges;
ALTER TABLE pledges_0006 RENAME TO pledges;
CREATE INDEX pledges_by_email ON pledges (email_normalized);
CREATE INDEX pledges_by_created ON pledges (created_at);
CREATE INDEX pledges_by_provider_reference ON pledges (provider, provider_reference);
CREATE INDEX pledges_by_client ON pledges (client_ip, created_at);

CREATE TABLE pledge_tiers_0006 (
    currency     TEXT NOT NULL REFERENCES pledge_currencies (currency) ON DELETE CASCADE,
    interval     TEXT NOT NULL CHECK (interval IN ('once', 'monthly', 'annual')),
    name         TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (currency, interval, name)
) WITHOUT ROWID;
INSERT INTO pledge_tiers_0006 SELECT currency, interval, name, amount_minor FROM pledge_tiers;
DROP TABLE pledge_tiers;
ALTER TABLE pledge_tiers_0006 RENAME TO pledge_tiers;

INSERT INTO pledge_tiers (currency, interval, name, amount_minor)
    SELECT 'USD', 'annual', name, amount_minor FROM (SELECT 'member' AS name, 5000 AS amount_minor UNION ALL SELECT 'patron', 15000)
    WHERE EXISTS (SELECT 1 FROM pledge_currencies WHERE currency = 'USD');
