-- Migration 2: the change counter, as SQLite's migration 9 (see it for why a counter kept by
-- triggers, not a per-connection version). One number that grows with every change to what
-- the feeds, the web UI and the API show; the row triggers bump it inside the statement that
-- makes the change, so a reader sees the change and the new count together or neither.
-- The counter row is locked by each writing transaction until it commits: writers of one
-- archive take turns on it, as they already do on SQLite's single write lock.
CREATE TABLE change_counter (
    id    integer PRIMARY KEY CHECK (id = 1),
    value bigint NOT NULL CHECK (value >= 0)
);
INSERT INTO change_counter (id, value) VALUES (1, 0);

CREATE FUNCTION bump_change_counter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counter SET value = value + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_insert_changes AFTER INSERT ON articles
    FOR EACH ROW EXECUTE FUNCTION bump_change_counter();
-- Not the scheduling columns (next_check_at, last_checked_at, validators): nothing shows them.
CREATE TRIGGER articles_update_changes
    AFTER UPDATE OF canonical_url, site, site_article_id, lang, first_seen_at, status, latest_seq,
                    removal_signal, removal_pending, removal_pending_since ON articles
    FOR EACH ROW EXECUTE FUNCTION bump_change_counter();
CREATE TRIGGER versions_insert_changes AFTER INSERT ON versions
    FOR EACH ROW EXECUTE FUNCTION bump_change_counter();
CREATE TRIGGER versions_update_changes AFTER UPDATE ON versions
    FOR EACH ROW EXECUTE FUNCTION bump_change_counter();
CREATE TRIGGER blobs_insert_changes AFTER INSERT ON blobs
    FOR EACH ROW EXECUTE FUNCTION bump_change_counter();
CREATE TRIGGER fetches_insert_changes AFTER INSERT ON fetches
    FOR EACH ROW EXECUTE FUNCTION bump_change_counter();
CREATE TRIGGER sources_insert_changes AFTER INSERT ON sources
    FOR EACH ROW EXECUTE FUNCTION bump_change_counter();
-- Sources and the queue by their columns, so that what only coordinates workers (the claims
-- of a later migration) does not count as a change readers see.
CREATE TRIGGER sources_update_changes
    AFTER UPDATE OF name, kind, last_poll_at, last_success_at, next_poll_at, last_error, etag,
                    last_modified, interval_s, polls, errors, items_listed, items_queued ON sources
    FOR EACH ROW EXECUTE FUNCTION bump_change_counter();
CREATE TRIGGER queue_insert_changes AFTER INSERT ON queue
    FOR EACH ROW EXECUTE FUNCTION bump_change_counter();
CREATE TRIGGER queue_update_changes
    AFTER UPDATE OF url, source_id, enqueued_at, kind, title, published, listing, state,
                    attempts, not_before, finished_at, outcome ON queue
    FOR EACH ROW EXECUTE FUNCTION bump_change_counter();
