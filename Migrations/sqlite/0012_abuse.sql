-- 0012_abuse: what the abuse defence keeps. `alerts`: what the spike detector raised and when
-- it ended (`masthead alerts list`); `mailed` says whether the operator was emailed (at most
-- once an hour per kind). `spent_challenges`: proof-of-work challenges already used, kept until
-- they expire so none is used twice.
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    detail      TEXT NOT NULL,
    raised_at   TEXT NOT NULL,
    cleared_at  TEXT,
    mailed      INTEGER NOT NULL DEFAULT 0
);
-- One open alert per kind and subject, whichever daemon raises it.
CREATE UNIQUE INDEX alerts_open ON alerts (kind, subject) WHERE cleared_at IS NULL;

CREATE TABLE spent_challenges (
    id          TEXT PRIMARY KEY,
    expires_at  TEXT NOT NULL
);
CREATE INDEX spent_challenges_expiry ON spent_challenges (expires_at);
