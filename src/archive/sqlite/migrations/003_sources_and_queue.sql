-- Migration 3: sources and the daemon's work queue. The queue lives here, in the archive, so
-- a daemon stopped at any point resumes where it was: nothing listed is lost or done twice.

-- One row per configured source (matched by name), with its polling state.
CREATE TABLE sources (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL UNIQUE,                 -- [[sources]] name
    kind            TEXT    NOT NULL,                        -- feed, qq-channel, qq-author, hugo
    last_poll_at    TEXT,                                    -- last poll, successful or not
    last_success_at TEXT,                                    -- last successful poll
    next_poll_at    TEXT,                                    -- when the daemon polls it next
    last_error      TEXT,                                    -- error of the last poll (NULL if it succeeded)
    etag            TEXT,                                    -- feed validators for conditional GET
    last_modified   TEXT,
    interval_s      INTEGER,                                 -- effective interval (configured, stretched by TTL)
    polls           INTEGER NOT NULL DEFAULT 0,              -- polls made
    errors          INTEGER NOT NULL DEFAULT 0,              -- polls that failed
    items_listed    INTEGER NOT NULL DEFAULT 0,              -- items seen over all polls
    items_queued    INTEGER NOT NULL DEFAULT 0               -- new items put in the queue
);

-- Articles found by sources and not archived yet. A URL is queued once, ever.
CREATE TABLE queue (
    id          INTEGER PRIMARY KEY,
    url         TEXT    NOT NULL UNIQUE,                     -- canonical article URL
    source_id   INTEGER REFERENCES sources (id),             -- the source that listed it first
    enqueued_at TEXT    NOT NULL,
    kind        TEXT    NOT NULL DEFAULT 'text',             -- text, video, other (from the listing)
    title       TEXT,                                        -- as listed
    published   TEXT,                                        -- as listed
    listing     TEXT,                                        -- the listed item (JSON), kept for non-text items
    state       TEXT    NOT NULL DEFAULT 'pending'           -- pending, done, failed, skipped (non-text)
                        CHECK (state IN ('pending', 'done', 'failed', 'skipped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  TEXT,                                        -- a retry waits until then
    finished_at TEXT,
    outcome     TEXT                                         -- what the last attempt gave
);
CREATE INDEX queue_pending ON queue (state, not_before, id);
CREATE INDEX queue_source ON queue (source_id, state);
