-- 0007_webhooks: outgoing webhooks. An endpoint is a URL, the event types it asked for and the
-- secret its messages are signed with (Standard Webhooks); while a secret is rotated the
-- previous one signs too until it expires. An endpoint failing for the retry window is paused.
--
-- A delivery is one event for one endpoint, written in the same transaction as the change that
-- caused it (the transactional outbox, as for mail) and drained by the webhook worker with a
-- lease, as the mail outbox is. Its id is the `webhook-id` receivers dedupe on, so it is never
-- reused (AUTOINCREMENT; PostgreSQL's identity never reuses either). `address` is the
-- normalised address the event is about: erasing the address deletes its deliveries.
-- `retry_since` starts the retry window (a replay starts it again).

CREATE TABLE webhook_endpoints (
    id                          INTEGER PRIMARY KEY,
    url                         TEXT NOT NULL,
    events                      TEXT NOT NULL,
    description                 TEXT,
    secret                      TEXT NOT NULL,
    previous_secret             TEXT,
    previous_secret_expires_at  TEXT,
    paused_at                   TEXT,
    paused_reason               TEXT,
    failing_since               TEXT,
    created_at                  TEXT NOT NULL,
    updated_at                  TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id      INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type       TEXT NOT NULL,
    address          TEXT,
    payload          TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    lease_until      TEXT,
    retry_since      TEXT NOT NULL,
    last_status      INTEGER,
    last_error       TEXT,
    last_attempt_at  TEXT,
    created_at       TEXT NOT NULL,
    delivered_at     TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_by_address ON webhook_deliveries (address);
CREATE INDEX webhook_deliveries_by_created ON webhook_deliveries (created_at);
