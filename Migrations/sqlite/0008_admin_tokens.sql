-- 0008_admin_tokens: bearer tokens of the admin API (`masthead tokens create`). The secret is
-- never stored: `selector` (its public half) finds the row, `secret_hash` (SHA-256 of the whole
-- secret) proves it. A revoked token keeps its row for the audit trail; a name is unique among
-- active tokens, so `crm-sync` can be issued again once the old one is revoked.

CREATE TABLE admin_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    selector     TEXT NOT NULL UNIQUE,
    secret_hash  TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    revoked_at   TEXT
);
CREATE UNIQUE INDEX admin_tokens_active_name ON admin_tokens (name) WHERE revoked_at IS NULL;
