-- 0003_lists: the suppression list and what the list commands query (PostgreSQL; step for
-- step with Migrations/sqlite/0003_lists.sql).

-- Addresses that must not be mailed again until a person lifts them: bounced, complained,
-- erased. Only a keyed hash of the normalised address is kept (KeyRing.addressHash), so the
-- list can recognise an address without holding it — which is what erasure requires.
CREATE TABLE suppressions (
    address_hash TEXT PRIMARY KEY,
    reason       TEXT NOT NULL CHECK (reason IN ('bounced', 'complained', 'erased', 'manual')),
    created_at   TEXT NOT NULL,
    note         TEXT
);

-- Growth per day and "subscribed since" searches.
CREATE INDEX subscriptions_by_created ON subscriptions (created_at);
