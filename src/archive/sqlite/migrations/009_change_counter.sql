-- Migration 9: the change counter. One number that grows whenever something the feeds, the
-- web UI or the API show changes, so the server can answer a repeated request (304, or its
-- cached document) after one tiny read instead of rebuilding the answer.
--
-- Triggers bump it inside the very statement (so the transaction) that makes the change,
-- whichever process writes: the daemon, a command, another server. A reader sees the change
-- and the new count together or neither. (`PRAGMA data_version` would not do: it is per
-- connection, ignores the connection's own writes and starts again with every connection,
-- so it cannot be a validator shared by a pool of readers or kept across restarts.)
-- Nothing is ever deleted from these tables, so inserts and updates are all there is.
CREATE TABLE change_counter (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL CHECK (value >= 0)
);
INSERT INTO change_counter (id, value) VALUES (1, 0);

CREATE TRIGGER articles_insert_changes AFTER INSERT ON articles
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
-- Not the scheduling columns (next_check_at, last_checked_at, validators): nothing shows them.
CREATE TRIGGER articles_update_changes
AFTER UPDATE OF canonical_url, site, site_article_id, lang, first_seen_at, status, latest_seq,
                removal_signal, removal_pending, removal_pending_since ON articles
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER versions_insert_changes AFTER INSERT ON versions
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER versions_update_changes AFTER UPDATE ON versions
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER blobs_insert_changes AFTER INSERT ON blobs
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER fetches_insert_changes AFTER INSERT ON fetches
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER sources_insert_changes AFTER INSERT ON sources
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
-- Sources and the queue by their columns, so that what only coordinates workers (the claims
-- of a later migration) does not count as a change readers see.
CREATE TRIGGER sources_update_changes
AFTER UPDATE OF name, kind, last_poll_at, last_success_at, next_poll_at, last_error, etag,
                last_modified, interval_s, polls, errors, items_listed, items_queued ON sources
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER queue_insert_changes AFTER INSERT ON queue
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER queue_update_changes
AFTER UPDATE OF url, source_id, enqueued_at, kind, title, published, listing, state, attempts,
                not_before, finished_at, outcome ON queue
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
