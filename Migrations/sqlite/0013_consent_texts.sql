-- 0013_consent_texts: the exact words readers agreed to, by version and locale
-- (`masthead consent set-text`). A consent record names its version and locale; these rows
-- give the words. Append-only: a stored text is never changed or removed (a new wording is a
-- new version), so what a record points at stays what the reader saw.
CREATE TABLE consent_texts (
    version     TEXT NOT NULL,
    locale      TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    PRIMARY KEY (version, locale)
) WITHOUT ROWID;

CREATE TRIGGER consent_texts_append_only_update BEFORE UPDATE ON consent_texts
BEGIN
    SELECT RAISE(ABORT, 'consent texts are append-only');
END;
CREATE TRIGGER consent_texts_append_only_delete BEFORE DELETE ON consent_texts
BEGIN
    SELECT RAISE(ABORT, 'consent texts are append-only');
END;
