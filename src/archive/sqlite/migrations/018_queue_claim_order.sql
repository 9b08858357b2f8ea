-- The queue's pending items in claim order (src/archive/sqlite/leases.rs, `claim_queued`).
-- A claim takes the lowest ids among the claimable items; through `queue_pending` (state,
-- not_before, id) it read every pending item and sorted them by id, at every claim: with
-- 100,000 items pending a claim of 4 took 19 ms, and a backlog made the daemon's claims
-- quadratic. This index holds the pending items in id order, so a claim reads from the lowest
-- id until it has enough (0.7 ms there). Only the pending items are in it, so it stays as
-- small as the backlog.
CREATE INDEX queue_claimable ON queue (id) WHERE state = 'pending';
