-- Migration: the content counter. Like the change counter (migration 9), kept by triggers in
-- the statement that makes the change, but it grows only with what the feeds show: articles
-- and their versions. A daemon at work writes a fetch-log row for every request and moves the
-- queue; those change the status page, not a feed, so feed readers polling while it crawls are
-- still answered 304 or from the cache.
CREATE TABLE content_counter (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL CHECK (value >= 0)
);
INSERT INTO content_counter (id, value) VALUES (1, 0);

CREATE TRIGGER articles_insert_content AFTER INSERT ON articles
BEGIN UPDATE content_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER articles_update_content
AFTER UPDATE OF canonical_url, site, site_article_id, lang, first_seen_at, status, latest_seq,
                removal_signal, removal_pending, removal_pending_since ON articles
BEGIN UPDATE content_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER versions_insert_content AFTER INSERT ON versions
BEGIN UPDATE content_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER versions_update_content AFTER UPDATE ON versions
BEGIN UPDATE content_counter SET value = value + 1 WHERE id = 1; END;
