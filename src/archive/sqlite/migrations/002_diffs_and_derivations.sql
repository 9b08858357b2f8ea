-- Migration 2: what `diff` and `reprocess` need.

-- The difference from the previous version with content, computed when the version is written
-- so that history pages, `newsvault diff` and the changes feed never recompute it (JSON:
-- {"base": <seq>, "fields": [{"name","old","new"}], "body": [[op, text]...],
--  "inserted": n, "deleted": n}; op is "=", "+" or "-"). NULL for first versions and removals.
ALTER TABLE versions ADD COLUMN diff TEXT;

-- Documents replaced by `newsvault reprocess` (a newer extractor re-deriving a version from its
-- raw capture). The version row then holds the new document; the old one is kept here, so
-- nothing archived is ever lost.
CREATE TABLE superseded_documents (
    id            INTEGER PRIMARY KEY,
    version_id    INTEGER NOT NULL REFERENCES versions (id),   -- the version whose document was replaced
    document      TEXT    NOT NULL,                            -- the replaced document
    content_hash  TEXT    NOT NULL CHECK (length(content_hash) = 64),
    extractor     TEXT,                                        -- the extractor that had produced it
    superseded_at TEXT    NOT NULL                             -- when it was replaced
                  CHECK (superseded_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z')
);
CREATE INDEX superseded_documents_version ON superseded_documents (version_id);

-- `history ID` and `diff ID` look articles up by the site's id alone.
CREATE INDEX articles_site_article_id ON articles (site_article_id);
