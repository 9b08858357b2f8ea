-- Migration: the queue's pending items in claim order, as SQLite's `018_queue_claim_order.sql`
-- (see it): a claim reads the pending items from the lowest id until it has enough, instead
-- of every pending item sorted at every claim.
CREATE INDEX queue_claimable ON queue (id) WHERE state = 'pending';
