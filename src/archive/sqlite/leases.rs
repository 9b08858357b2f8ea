//! SqliteArchive leases and shared per-host politeness (migration 10). The file is shared by
//! every worker's connection, so these are real cross-process locks: each claim or
//! reservation is one `BEGIN IMMEDIATE` transaction, which SQLite runs one at a time.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{ArchiveError, SqliteArchive, format_time};
use crate::archive::leases::{HostGrant, HostRequest, QueueEntry, RobotsRecord, SourcePoll};
use crate::archive::store::{Checks, HostGates, Leases};
use crate::archive::{QueueItem, QueueState, SourceRow};

/// How long a worker refused for the concurrency cap waits before asking again (slots are
/// released when requests end, which the database does not announce).
const SLOT_RECHECK: std::time::Duration = std::time::Duration::from_millis(50);

fn limit_param(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn parse_time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// The queue items free to claim at time `?1`.
const CLAIMABLE: &str = "state = 'pending' AND (not_before IS NULL OR not_before <= ?1)
     AND (claimed_until IS NULL OR claimed_until <= ?1)";

/// Claims (`?1` now, `?2` the worker, `?3` the lease's end, `?4` how many) the lowest
/// claimable ids, read in id order from `queue_claimable`. The index is named: SQLite's
/// planner, knowing nothing of the backlog, prefers `queue_pending`'s equality on `state`
/// and then sorts every pending item at every claim (see `018_queue_claim_order.sql`).
pub(super) fn claim_sql() -> String {
    format!(
        "UPDATE queue SET claimed_by = ?2, claimed_until = ?3
         WHERE id IN (SELECT id FROM queue INDEXED BY queue_claimable
                      WHERE {CLAIMABLE} ORDER BY id LIMIT ?4)
         RETURNING id, url, attempts"
    )
}

impl Leases for SqliteArchive {
    fn claim_queue(
        &mut self,
        worker: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<QueueItem>, ArchiveError> {
        let now = format_time(now);
        // A read first: a worker with nothing to claim takes no write lock.
        let any: bool = self
            .conn
            .prepare_cached(&format!(
                "SELECT EXISTS (SELECT 1 FROM queue WHERE {CLAIMABLE})"
            ))?
            .query_row([&now], |r| r.get(0))?;
        if !any || limit == 0 {
            return Ok(Vec::new());
        }
        self.without_fsync(|archive| archive.claim_queued(worker, &now, until, limit))
    }

    fn renew_claims(
        &mut self,
        worker: &str,
        ids: &[i64],
        until: DateTime<Utc>,
    ) -> Result<u64, ArchiveError> {
        let until = format_time(until);
        let tx = self.write_tx()?;
        let mut renewed = 0;
        {
            let mut renew = tx.prepare_cached(
                "UPDATE queue SET claimed_until = ?3
                 WHERE id = ?1 AND claimed_by = ?2 AND claimed_until IS NOT NULL
                     AND state = 'pending'",
            )?;
            for id in ids {
                renewed += renew.execute(params![id, worker, until])? as u64;
            }
        }
        tx.commit()?;
        Ok(renewed)
    }

    fn finish_claimed(
        &mut self,
        worker: &str,
        id: i64,
        state: &QueueState,
        outcome: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, ArchiveError> {
        let (state, not_before) = state.stored();
        let changed = self
            .conn
            .prepare_cached(
                "UPDATE queue SET state = ?3, not_before = ?4, outcome = ?5, attempts = attempts + 1,
                     finished_at = CASE WHEN ?3 = 'pending' THEN NULL ELSE ?6 END,
                     claimed_until = NULL, finished_by = ?2
                 WHERE id = ?1 AND claimed_by = ?2 AND claimed_until IS NOT NULL
                     AND state = 'pending'",
            )?
            .execute(params![id, worker, state, not_before, outcome, format_time(at)])?;
        Ok(changed == 1)
    }

    fn release_claims(&mut self, worker: Option<&str>) -> Result<u64, ArchiveError> {
        let released = self
            .conn
            .prepare_cached(
                "UPDATE queue SET claimed_until = NULL
                 WHERE (?1 IS NULL OR claimed_by = ?1) AND claimed_until IS NOT NULL
                     AND state = 'pending'",
            )?
            .execute([worker])?;
        Ok(released as u64)
    }

    fn queue_entries(&self, after_id: i64, limit: usize) -> Result<Vec<QueueEntry>, ArchiveError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, url, state, attempts, claimed_by, claimed_until, finished_by
             FROM queue WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after_id, limit_param(limit)], |r| {
            Ok(QueueEntry {
                id: r.get("id")?,
                url: r.get("url")?,
                state: r.get("state")?,
                attempts: r.get("attempts")?,
                claimed_by: r.get("claimed_by")?,
                claimed_until: r.get("claimed_until")?,
                finished_by: r.get("finished_by")?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn claim_due_articles(
        &mut self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<String>, ArchiveError> {
        // The same order as `due_articles`: never scheduled first, then the most overdue.
        let due = self.due_articles(now, None, limit)?;
        if due.is_empty() {
            return Ok(due);
        }
        let (now, until) = (format_time(now), format_time(until));
        let tx = self.write_tx()?;
        let mut claimed = Vec::with_capacity(due.len());
        {
            // Another worker may have claimed some since they were read: only still-due ones.
            let mut claim = tx.prepare_cached(
                "UPDATE articles SET next_check_at = ?3
                 WHERE canonical_url = ?1 AND (next_check_at IS NULL OR next_check_at <= ?2)",
            )?;
            for url in due {
                if claim.execute(params![url, now, until])? == 1 {
                    claimed.push(url);
                }
            }
        }
        tx.commit()?;
        Ok(claimed)
    }

    fn claim_source_poll(
        &mut self,
        source: &str,
        worker: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<SourcePoll, ArchiveError> {
        let now = format_time(now);
        let tx = self.write_tx()?;
        let claimed = tx
            .prepare_cached(
                "UPDATE sources SET poll_claimed_by = ?2, poll_claimed_until = ?4
                 WHERE name = ?1 AND (poll_claimed_until IS NULL OR poll_claimed_until <= ?3)
                     AND (next_poll_at IS NULL OR next_poll_at <= ?3)
                 RETURNING next_poll_at, etag, last_modified",
            )?
            .query_row(params![source, worker, now, format_time(until)], |r| {
                Ok(SourceRow {
                    next_poll_at: r.get("next_poll_at")?,
                    etag: r.get("etag")?,
                    last_modified: r.get("last_modified")?,
                })
            })
            .optional()?;
        let poll = match claimed {
            Some(row) => SourcePoll::Claimed(row),
            None => {
                // Whichever is later: the end of another worker's poll, or the next poll.
                let look_again_at: Option<Option<String>> = tx
                    .prepare_cached(
                        "SELECT CASE WHEN poll_claimed_until > ?2 THEN max(poll_claimed_until, coalesce(next_poll_at, ''))
                                     ELSE next_poll_at END
                         FROM sources WHERE name = ?1",
                    )?
                    .query_row(params![source, now], |r| r.get(0))
                    .optional()?;
                SourcePoll::NotNow {
                    look_again_at: look_again_at.and_then(parse_time),
                }
            }
        };
        tx.commit()?;
        Ok(poll)
    }

    fn release_source_poll(&mut self, source: &str, worker: &str) -> Result<(), ArchiveError> {
        self.conn
            .prepare_cached(
                "UPDATE sources SET poll_claimed_until = NULL
                 WHERE name = ?1 AND poll_claimed_by = ?2",
            )?
            .execute(params![source, worker])?;
        Ok(())
    }
}

/// Moves the next start of `host` to at least `next_start` (Unix ms).
fn push_back(conn: &rusqlite::Connection, host: &str, next_start: i64) -> Result<(), ArchiveError> {
    conn.prepare_cached(
        "INSERT INTO host_gates (host, next_start_ms) VALUES (?1, ?2)
         ON CONFLICT (host) DO UPDATE SET next_start_ms = max(next_start_ms, excluded.next_start_ms)",
    )?
    .execute(params![host, next_start])?;
    Ok(())
}

impl HostGates for SqliteArchive {
    fn use_for_gates(&mut self) -> Result<(), ArchiveError> {
        // In WAL mode a NORMAL commit is durable at the next checkpoint, not at once; it is
        // still atomic, and other connections see it at once.
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(())
    }

    fn reserve_host(&mut self, request: &HostRequest<'_>) -> Result<HostGrant, ArchiveError> {
        let tx = self.write_tx()?;
        // The clock is read with the write lock held: the booking is made at this instant.
        let now = Utc::now().timestamp_millis();
        tx.prepare_cached("DELETE FROM host_slots WHERE host = ?1 AND until_ms <= ?2")?
            .execute(params![request.host, now])?;
        let in_flight: i64 = tx
            .prepare_cached("SELECT count(*) FROM host_slots WHERE host = ?1")?
            .query_row([request.host], |r| r.get(0))?;
        if in_flight >= i64::from(request.concurrency.max(1)) {
            tx.commit()?;
            return Ok(HostGrant::Wait(SLOT_RECHECK));
        }
        let next_start: i64 = tx
            .prepare_cached("SELECT next_start_ms FROM host_gates WHERE host = ?1")?
            .query_row([request.host], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        let start = next_start.max(now.saturating_add(millis(request.lead)));
        let slot: i64 = tx
            .prepare_cached("INSERT INTO host_slots (host, until_ms) VALUES (?1, ?2) RETURNING id")?
            .query_row(
                params![request.host, start.saturating_add(millis(request.hold))],
                |r| r.get(0),
            )?;
        push_back(
            &tx,
            request.host,
            start.saturating_add(millis(request.interval)),
        )?;
        tx.commit()?;
        let start_at = DateTime::from_timestamp_millis(start).unwrap_or(DateTime::<Utc>::MAX_UTC);
        Ok(HostGrant::Granted { slot, start_at })
    }

    fn release_host_slot(&mut self, slot: i64) -> Result<(), ArchiveError> {
        self.conn
            .prepare_cached("DELETE FROM host_slots WHERE id = ?1")?
            .execute([slot])?;
        Ok(())
    }

    fn push_back_host(&mut self, host: &str, until: DateTime<Utc>) -> Result<(), ArchiveError> {
        push_back(&self.conn, host, until.timestamp_millis())
    }

    fn shared_robots(
        &self,
        origin: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<RobotsRecord>, ArchiveError> {
        let row: Option<(u16, Vec<u8>, String)> = self
            .conn
            .prepare_cached(
                "SELECT status, body, expires_at FROM robots WHERE origin = ?1 AND expires_at > ?2",
            )?
            .query_row(params![origin, format_time(now)], |r| {
                Ok((r.get("status")?, r.get("body")?, r.get("expires_at")?))
            })
            .optional()?;
        Ok(row.and_then(|(status, body, expires_at)| {
            Some(RobotsRecord {
                status,
                body,
                expires_at: parse_time(Some(expires_at))?,
            })
        }))
    }

    fn share_robots(&mut self, origin: &str, record: &RobotsRecord) -> Result<(), ArchiveError> {
        self.conn
            .prepare_cached(
                "INSERT INTO robots (origin, status, body, expires_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (origin) DO UPDATE SET status = excluded.status,
                     body = excluded.body, expires_at = excluded.expires_at",
            )?
            .execute(params![
                origin,
                record.status,
                record.body,
                format_time(record.expires_at)
            ])?;
        Ok(())
    }
}

impl SqliteArchive {
    /// Claims up to `limit` claimable items in a transaction of its own ([`claim_sql`]).
    fn claim_queued(
        &mut self,
        worker: &str,
        now: &str,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<QueueItem>, ArchiveError> {
        let tx = self.write_tx()?;
        let mut items = {
            let mut claim = tx.prepare_cached(&claim_sql())?;
            let rows = claim.query_map(
                params![now, worker, format_time(until), limit_param(limit)],
                super::sources::queue_item,
            )?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        tx.commit()?;
        items.sort_by_key(|item| item.id);
        Ok(items)
    }

    /// Runs `f`, a write whose loss in a power cut costs nothing (a lease: the item is merely
    /// claimable again), with its commit left unsynced. In WAL mode such a commit is still
    /// atomic and seen by every connection at once, and the next synced commit (the article's,
    /// written after it) makes it durable too: a claim cost an fsync per article otherwise.
    fn without_fsync<T>(
        &mut self,
        f: impl FnOnce(&mut SqliteArchive) -> Result<T, ArchiveError>,
    ) -> Result<T, ArchiveError> {
        if !self.conn.is_autocommit() {
            return f(self);
        }
        let synchronous: i64 = self
            .conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let result = f(self);
        self.conn.pragma_update(None, "synchronous", synchronous)?;
        result
    }
}
