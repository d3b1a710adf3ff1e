-- 0009_bounces: bounce and complaint reports that came back to a message's VERP return path
-- (`masthead bounces ingest`) or that an email provider's webhook sent. Soft bounces are
-- counted here: enough of them within the window (MASTHEAD_SOFT_BOUNCE_LIMIT in
-- MASTHEAD_SOFT_BOUNCE_DAYS) end the address's mail as a hard bounce would. Only the keyed
-- address hash is kept, as on the suppression list, so erasing the address leaves nothing
-- personal here.

CREATE TABLE bounce_reports (
    id           INTEGER PRIMARY KEY,
    address_hash TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('soft', 'hard', 'complaint', 'unsubscribe')),
    status       TEXT NOT NULL,
    outbox_id    INTEGER,
    received_at  TEXT NOT NULL
);
CREATE INDEX bounce_reports_by_address ON bounce_reports (address_hash, received_at);

-- Events an email provider's webhook reported (Mailgun, SendGrid), by the provider's own id:
-- a provider delivers an event again when it is unsure it arrived, and the second delivery
-- must change nothing.
CREATE TABLE mail_provider_events (
    provider     TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    PRIMARY KEY (provider, event_id)
);
