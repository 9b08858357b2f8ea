-- Migration: row counts kept by triggers, as SQLite's migration of that name: the status page
-- reads five numbers instead of counting every row of four tables (PostgreSQL has no cheap
-- count(*)). Counted once here; each insert and delete moves them in its own transaction.
CREATE TABLE row_counts (
    name  text COLLATE "C" PRIMARY KEY,
    value bigint NOT NULL CHECK (value >= 0)
);
INSERT INTO row_counts (name, value) SELECT 'articles', count(*) FROM articles;
INSERT INTO row_counts (name, value)
    SELECT 'removed', count(*) FROM articles WHERE status = 'removed';
INSERT INTO row_counts (name, value) SELECT 'versions', count(*) FROM versions;
INSERT INTO row_counts (name, value) SELECT 'blobs', count(*) FROM blobs;
INSERT INTO row_counts (name, value) SELECT 'fetches', count(*) FROM fetches;

-- One function for the plain tables: the count named by the trigger's argument.
CREATE FUNCTION count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE row_counts SET value = value + CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END
    WHERE name = TG_ARGV[0];
    RETURN NULL;
END
$$;

-- Articles also move the count of removed ones.
CREATE FUNCTION count_articles() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_removed boolean := false;
    is_removed  boolean := false;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        was_removed := OLD.status = 'removed';
    END IF;
    IF TG_OP <> 'DELETE' THEN
        is_removed := NEW.status = 'removed';
    END IF;
    IF TG_OP = 'INSERT' THEN
        UPDATE row_counts SET value = value + 1 WHERE name = 'articles';
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE row_counts SET value = value - 1 WHERE name = 'articles';
    END IF;
    IF was_removed <> is_removed THEN
        UPDATE row_counts SET value = value + CASE WHEN is_removed THEN 1 ELSE -1 END
        WHERE name = 'removed';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_count AFTER INSERT OR DELETE OR UPDATE OF status ON articles
    FOR EACH ROW EXECUTE FUNCTION count_articles();
CREATE TRIGGER versions_count AFTER INSERT OR DELETE ON versions
    FOR EACH ROW EXECUTE FUNCTION count_rows('versions');
CREATE TRIGGER blobs_count AFTER INSERT OR DELETE ON blobs
    FOR EACH ROW EXECUTE FUNCTION count_rows('blobs');
CREATE TRIGGER fetches_count AFTER INSERT OR DELETE ON fetches
    FOR EACH ROW EXECUTE FUNCTION count_rows('fetches');
