-- Migration: the images each version's document shows (its cover and its body images, in
-- order), fetched after the version is stored. The bytes are blobs like raw captures
-- (deduplicated by hash; stored with compression 'none': images are compressed already), and
-- each image's outcome is kept, so a failed one is retried at the next check of the article.
-- One row per distinct URL of a version: an image listed twice is fetched and stored once.
CREATE TABLE version_images (
    id           INTEGER PRIMARY KEY,
    version_id   INTEGER NOT NULL REFERENCES versions (id),
    position     INTEGER NOT NULL CHECK (position >= 0),   -- 0 the cover, then the body's order
    role         TEXT    NOT NULL CHECK (role IN ('cover', 'body')),
    url          TEXT    NOT NULL,                          -- as the document gives it, resolved
    blob_hash    TEXT    REFERENCES blobs (hash),           -- the bytes, when outcome = 'ok'
    content_type TEXT,                                      -- sniffed from the bytes
    size         INTEGER CHECK (size >= 0),                 -- bytes received (NULL: none)
    outcome      TEXT    NOT NULL
                 CHECK (outcome IN ('ok', 'failed', 'not_image', 'too_large', 'refused')),
    detail       TEXT    NOT NULL DEFAULT '',               -- why, for every outcome but 'ok'
    attempts     INTEGER NOT NULL CHECK (attempts >= 1),
    fetched_at   TEXT    NOT NULL,                          -- the last attempt
    CHECK ((outcome = 'ok') = (blob_hash IS NOT NULL)),
    UNIQUE (version_id, url)
);
-- The server answers /media/<hash> only for a blob some image row names.
CREATE INDEX version_images_blob ON version_images (blob_hash) WHERE blob_hash IS NOT NULL;

-- The web UI and the feeds show archived copies: a stored image changes what they show.
CREATE TRIGGER version_images_insert_changes AFTER INSERT ON version_images
BEGIN
    UPDATE change_counter SET value = value + 1 WHERE id = 1;
    UPDATE content_counter SET value = value + 1 WHERE id = 1;
END;
CREATE TRIGGER version_images_update_changes AFTER UPDATE ON version_images
BEGIN
    UPDATE change_counter SET value = value + 1 WHERE id = 1;
    UPDATE content_counter SET value = value + 1 WHERE id = 1;
END;
