-- 0002_signup: what newsletter sign-up needs beyond 0001.
--
-- A consent record now covers one request and every newsletter it named (a sign-up for
-- "Ukraine Daily" and "Weekend Reads" together is one act of consent, confirmed by one click).
-- 0001's per-subscription consent_records table was never written by any release, so it is
-- replaced rather than migrated.
DROP TABLE consent_records;

CREATE TABLE consent_records (
    id                   INTEGER PRIMARY KEY,
    subscriber_id        INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    action               TEXT NOT NULL CHECK (action IN ('signup', 'import', 'admin')),
    source               TEXT,
    client_ip            TEXT,
    user_agent           TEXT,
    consent_text_version TEXT,
    basis                TEXT,
    locale               TEXT,
    recorded_at          TEXT NOT NULL,
    -- The confirmation click that completed a double opt-in sign-up.
    confirmed_at         TEXT,
    confirm_client_ip    TEXT,
    confirm_user_agent   TEXT
);
CREATE INDEX consent_records_by_subscriber ON consent_records (subscriber_id);

-- The newsletters one consent record covers.
CREATE TABLE consent_newsletters (
    consent_id    INTEGER NOT NULL REFERENCES consent_records (id) ON DELETE CASCADE,
    newsletter_id INTEGER NOT NULL REFERENCES newsletters (id),
    PRIMARY KEY (consent_id, newsletter_id)
) WITHOUT ROWID;

-- The per-address confirmation cap counts recent confirmation emails of a subscriber.
CREATE INDEX outbox_by_subscriber_kind ON outbox (subscriber_id, kind, created_at);

-- When the current pending episode of a subscription began: a confirmation link only confirms
-- the episode its sign-up started (or a later one it repeated), never a newer sign-up made
-- after an unsubscribe.
ALTER TABLE subscriptions ADD COLUMN pending_since TEXT;
