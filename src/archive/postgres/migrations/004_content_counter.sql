-- Migration: the content counter, as SQLite's migration of that name: like the change counter
-- (migration 2), but it grows only with what the feeds show, articles and their versions, so a
-- daemon's fetch-log rows and queue moves do not turn over the feeds' validators.
CREATE TABLE content_counter (
    id    integer PRIMARY KEY CHECK (id = 1),
    value bigint NOT NULL CHECK (value >= 0)
);
INSERT INTO content_counter (id, value) VALUES (1, 0);

CREATE FUNCTION bump_content_counter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE content_counter SET value = value + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_insert_content AFTER INSERT ON articles
    FOR EACH ROW EXECUTE FUNCTION bump_content_counter();
CREATE TRIGGER articles_update_content
    AFTER UPDATE OF canonical_url, site, site_article_id, lang, first_seen_at, status, latest_seq,
                    removal_signal, removal_pending, removal_pending_since ON articles
    FOR EACH ROW EXECUTE FUNCTION bump_content_counter();
CREATE TRIGGER versions_insert_content AFTER INSERT ON versions
    FOR EACH ROW EXECUTE FUNCTION bump_content_counter();
CREATE TRIGGER versions_update_content AFTER UPDATE ON versions
    FOR EACH ROW EXECUTE FUNCTION bump_content_counter();
