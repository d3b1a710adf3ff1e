-- 0004_pledges: donation pledges, their payments and provider events, and what each currency accepts.

-- 0001's pledges table was never written by any release, so it is replaced rather than migrated.
DROP TABLE pledges;

CREATE TABLE pledges (
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
        CHECK (status IN ('pending', 'succeeded', 'failed', 'canceled', 'active')),
    -- When the provider event (or request) that set the status happened: an older event
    -- arriving late never moves the pledge.
    status_changed_at    TEXT NOT NULL,
    -- Idempotent creation: the key, a hash of the request that used it, and the answer it got.
    idempotency_key      TEXT NOT NULL UNIQUE,
    request_hash         TEXT NOT NULL,
    response             TEXT NOT NULL,
    provider             TEXT NOT NULL,
    provider_reference   TEXT,
    checkout_url         TEXT,
    return_url           TEXT,
    -- As the provider reports them: the brand and the last four digits, never more.
    card_brand           TEXT,
    card_last4           TEXT CHECK (card_last4 IS NULL OR length(card_last4) = 4),
    -- The consent and client data a sign-up keeps.
    source               TEXT,
    client_ip            TEXT,
    user_agent           TEXT,
    locale               TEXT,
    consent_text_version TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX pledges_by_email ON pledges (email_normalized);
CREATE INDEX pledges_by_created ON pledges (created_at);

-- Money received: the first payment of a pledge and each monthly renewal.
CREATE TABLE pledge_payments (
    id                INTEGER PRIMARY KEY,
    pledge_id         INTEGER NOT NULL REFERENCES pledges (id) ON DELETE CASCADE,
    amount_minor      INTEGER NOT NULL CHECK (amount_minor > 0),
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    card_brand        TEXT,
    card_last4        TEXT,
    provider_event_id TEXT NOT NULL,
    paid_at           TEXT NOT NULL
);
CREATE INDEX pledge_payments_by_pledge ON pledge_payments (pledge_id);

-- Each provider event is applied once: a replay finds its id here and changes nothing.
CREATE TABLE payment_events (
    provider    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    pledge_id   INTEGER REFERENCES pledges (id) ON DELETE SET NULL,
    occurred_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    PRIMARY KEY (provider, event_id)
) WITHOUT ROWID;

-- What each currency accepts; a pledge in a currency not listed here is refused.
CREATE TABLE pledge_currencies (
    currency      TEXT PRIMARY KEY CHECK (length(currency) = 3),
    minimum_minor INTEGER NOT NULL CHECK (minimum_minor > 0),
    maximum_minor INTEGER NOT NULL,
    custom_amount INTEGER NOT NULL DEFAULT 1 CHECK (custom_amount IN (0, 1)),
    CHECK (maximum_minor >= minimum_minor)
) WITHOUT ROWID;

-- Named amounts per currency and interval, in the order the support page shows them.
CREATE TABLE pledge_tiers (
    currency     TEXT NOT NULL REFERENCES pledge_currencies (currency) ON DELETE CASCADE,
    interval     TEXT NOT NULL CHECK (interval IN ('once', 'monthly')),
    name         TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (currency, interval, name)
) WITHOUT ROWID;

-- "Support us for as little as $1": USD from $1 to $10,000, with a few tiers to start from.
INSERT INTO pledge_currencies (currency, minimum_minor, maximum_minor, custom_amount) VALUES ('USD', 100, 1000000, 1);
INSERT INTO pledge_tiers (currency, interval, name, amount_minor) VALUES
    ('USD', 'once', 'friend', 100),
    ('USD', 'once', 'supporter', 1000),
    ('USD', 'monthly', 'supporter', 500),
    ('USD', 'monthly', 'sustainer', 1500);
