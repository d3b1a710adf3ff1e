-- 0001_init: the tables of DESIGN.md's "Data" section.
--
-- Conventions for every table:
--   * times are TEXT in ISO 8601 UTC with milliseconds ('2026-11-25T15:00:00.000Z'): they sort
--     as text and read well in the sqlite3 shell;
--   * states are TEXT with a CHECK listing every state the domain knows;
--   * free-form details are a JSON object in TEXT.

-- Newsletters a reader can subscribe to ("Ukraine Daily", ...).
CREATE TABLE newsletters (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    visibility  TEXT NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'private')),
    opt_in      TEXT NOT NULL DEFAULT 'double' CHECK (opt_in IN ('double', 'single')),
    archived_at TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- One row per person, keyed by the normalised address (see EmailAddress.normalized).
CREATE TABLE subscribers (
    id               INTEGER PRIMARY KEY,
    email            TEXT NOT NULL,
    email_normalized TEXT NOT NULL UNIQUE,
    name             TEXT,
    locale           TEXT,
    attributes       TEXT NOT NULL DEFAULT '{}',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

-- A subscriber's membership of one newsletter and its state.
CREATE TABLE subscriptions (
    id              INTEGER PRIMARY KEY,
    subscriber_id   INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    newsletter_id   INTEGER NOT NULL REFERENCES newsletters (id),
    status          TEXT NOT NULL
        CHECK (status IN ('pending', 'confirmed', 'unsubscribed', 'expired', 'bounced', 'complained')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    confirmed_at    TEXT,
    unsubscribed_at TEXT,
    UNIQUE (subscriber_id, newsletter_id)
);
CREATE INDEX subscriptions_by_newsletter_status ON subscriptions (newsletter_id, status);

-- Proof of consent: one row each time a person agrees (sign-up form, confirmation click,
-- import with a stated basis). Kept apart from subscriptions so the history is never overwritten.
CREATE TABLE consent_records (
    id                   INTEGER PRIMARY KEY,
    subscription_id      INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    action               TEXT NOT NULL,
    source               TEXT,
    client_ip            TEXT,
    user_agent           TEXT,
    consent_text_version TEXT,
    basis                TEXT,
    recorded_at          TEXT NOT NULL
);
CREATE INDEX consent_records_by_subscription ON consent_records (subscription_id);

-- Transactional outbox: written in the same transaction as the state change that causes the
-- email, delivered later by the worker. A lease lets a crashed worker's claim expire.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subscriber_id   INTEGER REFERENCES subscribers (id) ON DELETE CASCADE,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

-- Donation pledges; amounts in integer minor units of an ISO 4217 currency.
CREATE TABLE pledges (
    id                 INTEGER PRIMARY KEY,
    public_id          TEXT NOT NULL UNIQUE,
    email              TEXT NOT NULL,
    email_normalized   TEXT NOT NULL,
    name               TEXT,
    amount_minor       INTEGER NOT NULL CHECK (amount_minor > 0),
    currency           TEXT NOT NULL CHECK (length(currency) = 3),
    interval           TEXT NOT NULL CHECK (interval IN ('once', 'monthly')),
    tier               TEXT,
    status             TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'succeeded', 'failed', 'canceled', 'active')),
    idempotency_key    TEXT UNIQUE,
    provider           TEXT,
    provider_reference TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX pledges_by_email ON pledges (email_normalized);

-- Append-only audit of state changes and admin actions.
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    occurred_at   TEXT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    subject_type  TEXT NOT NULL,
    subject_id    INTEGER,
    subscriber_id INTEGER REFERENCES subscribers (id) ON DELETE SET NULL,
    details       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_by_subject ON events (subject_type, subject_id);
CREATE INDEX events_by_subscriber ON events (subscriber_id);

-- The audit trail is append-only: rows may lose personal fields (erasure) but never disappear.
CREATE TRIGGER events_are_append_only BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
