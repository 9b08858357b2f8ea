-- Migration 10: leases, so that several daemons (workers) can share one archive. A worker
-- claims what it works on until a time; a worker that dies loses its claims when that time
-- passes, and the others take its work over. Times are the archive's UTC text.

-- A queue item is claimed by `claimed_by` until `claimed_until` (NULL: not claimed; pending
-- items whose claim has expired are claimable again). `finished_by` is the worker whose
-- attempt settled the item last.
ALTER TABLE queue ADD COLUMN claimed_by TEXT;
ALTER TABLE queue ADD COLUMN claimed_until TEXT;
ALTER TABLE queue ADD COLUMN finished_by TEXT;
CREATE INDEX queue_claimed ON queue (claimed_by) WHERE claimed_until IS NOT NULL;

-- A source is polled by one worker at a time: the poll's claim.
ALTER TABLE sources ADD COLUMN poll_claimed_by TEXT;
ALTER TABLE sources ADD COLUMN poll_claimed_until TEXT;

-- Per-host politeness shared by every worker. `next_start_ms`: the earliest start of the next
-- request to the host (Unix milliseconds: compared and added to in SQL).
CREATE TABLE host_gates (
    host          TEXT    PRIMARY KEY,                       -- lowercased host name
    next_start_ms INTEGER NOT NULL
);

-- Requests in flight, for the per-host concurrency across workers. A row whose holder died
-- stops counting at `until_ms`.
CREATE TABLE host_slots (
    id       INTEGER PRIMARY KEY,
    host     TEXT    NOT NULL,
    until_ms INTEGER NOT NULL
);
CREATE INDEX host_slots_host ON host_slots (host, until_ms);

-- robots.txt answers, shared so that one worker asks for each origin's file.
CREATE TABLE robots (
    origin     TEXT    PRIMARY KEY,                          -- scheme://host[:port]
    status     INTEGER NOT NULL,                             -- HTTP status of the answer
    body       BLOB    NOT NULL,                             -- the file (cut at 500 KiB)
    expires_at TEXT    NOT NULL                              -- fetched again after this
);
