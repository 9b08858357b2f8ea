-- Migration 8: raw captures may be stored zstd-compressed (cheaper to write than deflate at a
-- similar size); deflate blobs stay as they are and readable. SQLite cannot change a CHECK in
-- place, so the table is rebuilt (the documented 12-step way: foreign keys are off while
-- migrations run and checked before this one commits).
CREATE TABLE blobs_new (
    hash        TEXT    PRIMARY KEY NOT NULL                   -- blake3 hex of the uncompressed bytes
                        CHECK (length(hash) = 64),
    size        INTEGER NOT NULL CHECK (size >= 0),            -- uncompressed size in bytes
    compression TEXT    NOT NULL                               -- 'zstd' (a frame), 'deflate' (raw RFC 1951) or 'none'
                        CHECK (compression IN ('zstd', 'deflate', 'none')),
    data        BLOB    NOT NULL                               -- the (compressed) bytes
);
INSERT INTO blobs_new (hash, size, compression, data)
    SELECT hash, size, compression, data FROM blobs;
DROP TABLE blobs;
ALTER TABLE blobs_new RENAME TO blobs;
