-- Migration: the visual capture of versions (`[capture] screenshot`, `pdf`). One row per
-- version and kind, written after the version's own commit (a version never waits for, or is
-- lost with, its screenshot): the outcome of the attempt, and for a successful one the image
-- (a blob, deduplicated by hash like raw captures) and its size in pixels. A failed attempt
-- keeps its reason; nothing is ever deleted.
CREATE TABLE version_screenshots (
    id          INTEGER PRIMARY KEY,
    version_id  INTEGER NOT NULL REFERENCES versions (id),
    kind        TEXT NOT NULL CHECK (kind IN ('png', 'pdf')),
    blob_hash   TEXT REFERENCES blobs (hash),
    width       INTEGER CHECK (width > 0),
    height      INTEGER CHECK (height > 0),
    outcome     TEXT NOT NULL
                CHECK (outcome IN ('ok', 'timed_out', 'failed', 'browser_missing')),
    detail      TEXT NOT NULL DEFAULT '',
    took_ms     INTEGER NOT NULL CHECK (took_ms >= 0),
    captured_at TEXT NOT NULL,
    -- Only a successful capture has an image, and every successful one has.
    CHECK ((outcome = 'ok') = (blob_hash IS NOT NULL)),
    UNIQUE (version_id, kind)
);

-- The web UI shows them (the change counter, migration 9); the feeds do not.
CREATE TRIGGER version_screenshots_insert_changes AFTER INSERT ON version_screenshots
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;
CREATE TRIGGER version_screenshots_update_changes AFTER UPDATE ON version_screenshots
BEGIN UPDATE change_counter SET value = value + 1 WHERE id = 1; END;

-- Counted like the other tables (migration 12): `integrity_check` compares the count.
INSERT INTO row_counts (name, value) SELECT 'screenshots', count(*) FROM version_screenshots;
CREATE TRIGGER version_screenshots_count_insert AFTER INSERT ON version_screenshots
BEGIN UPDATE row_counts SET value = value + 1 WHERE name = 'screenshots'; END;
CREATE TRIGGER version_screenshots_count_delete AFTER DELETE ON version_screenshots
BEGIN UPDATE row_counts SET value = value - 1 WHERE name = 'screenshots'; END;
