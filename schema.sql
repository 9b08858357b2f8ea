-- newsvault archive schema: migration 1 of the archive (src/archive/mod.rs appends later
-- migrations in code; never edit this file once released, add a migration instead).
--
-- Conventions:
-- * Every time is UTC text `YYYY-MM-DDTHH:MM:SS.mmmZ`, so text order is time order
--   (the CHECKs below reject anything else).
-- * Every hash is lowercase blake3 hex (64 characters).
-- * Nothing is ever deleted: an archive only grows. Foreign keys have no ON DELETE action.
-- * `PRAGMA user_version` is the migration count (managed by rusqlite_migration);
--   `PRAGMA application_id` marks the file as a newsvault archive ('NVLT').

PRAGMA application_id = 1314278484;

-- One row per article, keyed by its canonical URL. Holds the current state; the history is
-- in `versions`.
CREATE TABLE articles (
    id                    INTEGER PRIMARY KEY,                 -- row id, referenced by versions and fetches
    canonical_url         TEXT    NOT NULL UNIQUE              -- the article's identity (site-normalised URL)
                                  CHECK (canonical_url <> ''),
    site                  TEXT    NOT NULL,                    -- site key from the site registry (e.g. "lemonde")
    site_article_id       TEXT    NOT NULL,                    -- the site's own article id ('' when none)
    lang                  TEXT    NOT NULL,                    -- BCP 47 language tag of the article
    first_seen_at         TEXT    NOT NULL                     -- first successful capture
                                  CHECK (first_seen_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    last_checked_at       TEXT    NOT NULL                     -- last time the article was fetched and compared
                                  CHECK (last_checked_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    last_changed_at       TEXT    NOT NULL                     -- time of the latest version (new, edit, removed...)
                                  CHECK (last_changed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    status                TEXT    NOT NULL DEFAULT 'live'      -- 'live', or 'removed' once a removal is confirmed
                                  CHECK (status IN ('live', 'removed')),
    latest_seq            INTEGER NOT NULL DEFAULT 0           -- seq of the latest version (0 only transiently)
                                  CHECK (latest_seq >= 0),
    etag                  TEXT,                                -- ETag of the last good response (for If-None-Match)
    last_modified         TEXT,                                -- Last-Modified of the last good response (for If-Modified-Since)
    next_check_at         TEXT                                 -- when the scheduler should re-check it (NULL: unscheduled)
                                  CHECK (next_check_at IS NULL OR next_check_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    removal_signal        TEXT,                                -- what showed the removal (e.g. "http_410", "redirect_home")
    removal_pending       INTEGER NOT NULL DEFAULT 0           -- consecutive removal signals not yet confirmed
                                  CHECK (removal_pending >= 0),
    removal_pending_since TEXT                                 -- time of the first of those pending signals
                                  CHECK (removal_pending_since IS NULL OR removal_pending_since GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z')
);
CREATE INDEX articles_next_check_at ON articles (next_check_at);   -- scheduler: due articles first
CREATE INDEX articles_site ON articles (site, site_article_id);    -- per-site listing, lookup by site id

-- Raw response bodies, content-addressed and deduplicated: identical bytes are stored once,
-- whatever the number of versions that point at them.
CREATE TABLE blobs (
    hash        TEXT    PRIMARY KEY NOT NULL                   -- blake3 hex of the uncompressed bytes
                        CHECK (length(hash) = 64),
    size        INTEGER NOT NULL CHECK (size >= 0),            -- uncompressed size in bytes
    compression TEXT    NOT NULL                               -- 'deflate' (raw RFC 1951) or 'none'
                        CHECK (compression IN ('deflate', 'none')),
    data        BLOB    NOT NULL                               -- the (compressed) bytes
);

-- Every distinct version of every article, numbered 1, 2, 3... per article. A version is
-- added only when the rendered document changes (or for removal/restoration/import events).
CREATE TABLE versions (
    id             INTEGER PRIMARY KEY,                        -- row id
    article_id     INTEGER NOT NULL REFERENCES articles (id),  -- the article
    seq            INTEGER NOT NULL CHECK (seq >= 1),          -- 1, 2, 3... within the article
    kind           TEXT    NOT NULL                            -- new: first version; edit/minor: changed text;
                           CHECK (kind IN ('new', 'edit', 'minor', 'removed', 'restored', 'import')),
                                                               -- removed: tombstone; restored: back after removal;
                                                               -- import: loaded from an external archive
    origin         TEXT    NOT NULL                            -- how it was obtained: 'fetch' or 'import'
                           CHECK (origin IN ('fetch', 'import')),
    fetched_at     TEXT    NOT NULL                            -- when the capture was made (import: original date if known)
                           CHECK (fetched_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    content_hash   TEXT    NOT NULL                            -- blake3 hex of `document` (change detection, integrity)
                           CHECK (length(content_hash) = 64),
    document       TEXT    NOT NULL,                           -- the rendered Markdown document ('' for removed)
    title          TEXT    NOT NULL,                           -- article title in this version
    published      TEXT    NOT NULL DEFAULT '',                -- publication date string as rendered ('' if unknown)
    http_status    INTEGER,                                    -- HTTP status of the capture (NULL for imports)
    final_url      TEXT,                                       -- URL after redirects (NULL for imports)
    raw_hash       TEXT    REFERENCES blobs (hash),            -- raw response body (NULL for imports/removals)
    content_type   TEXT,                                       -- Content-Type header of the response
    encoding       TEXT,                                       -- character encoding used to decode the body
    extractor      TEXT,                                       -- name/version of the extractor that made `document`
    import_path    TEXT,                                       -- source file of an imported version
    removal_signal TEXT,                                       -- for removed versions: what showed the removal
    UNIQUE (article_id, seq)
);
CREATE INDEX versions_raw_hash ON versions (raw_hash);         -- blob -> versions (garbage checks, dedup stats)
CREATE INDEX versions_content_hash ON versions (content_hash); -- find identical documents across articles
CREATE INDEX versions_fetched_at ON versions (fetched_at);     -- "what changed since..." feeds

-- A log of every fetch attempt and its outcome, successful or not (append-only).
CREATE TABLE fetches (
    id            INTEGER PRIMARY KEY,                         -- row id
    url           TEXT    NOT NULL,                            -- the URL requested
    canonical_url TEXT,                                        -- canonical URL, when known (even with no article row)
    article_id    INTEGER REFERENCES articles (id),            -- the article, when it exists
    started_at    TEXT    NOT NULL                             -- when the fetch started
                          CHECK (started_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'),
    duration_ms   INTEGER NOT NULL CHECK (duration_ms >= 0),   -- wall time, all attempts included
    attempts      INTEGER NOT NULL CHECK (attempts >= 0),      -- HTTP attempts made (retries included)
    http_status   INTEGER,                                     -- final HTTP status (NULL: no response)
    final_url     TEXT,                                        -- URL after redirects
    outcome       TEXT    NOT NULL CHECK (outcome <> ''),      -- archived, unchanged, not_modified, removed, blocked,
                                                               -- transient, not_article, failed (open set: no CHECK list)
    detail        TEXT    NOT NULL DEFAULT '',                 -- human-readable detail (error message, reason)
    bytes         INTEGER CHECK (bytes IS NULL OR bytes >= 0), -- body size received
    encoding      TEXT,                                        -- character encoding used to decode the body
    decode_errors INTEGER NOT NULL DEFAULT 0                   -- 1 if decoding replaced malformed bytes
                          CHECK (decode_errors IN (0, 1))
);
CREATE INDEX fetches_url ON fetches (url, started_at);                     -- history of a requested URL
CREATE INDEX fetches_canonical_url ON fetches (canonical_url, started_at); -- history of an article
CREATE INDEX fetches_article_id ON fetches (article_id);                   -- foreign key lookups
CREATE INDEX fetches_started_at ON fetches (started_at);                   -- recent activity, statistics
