//! PostgresArchive leases and shared per-host politeness (migration 3). Queue claims take
//! their rows with `FOR UPDATE SKIP LOCKED`, so workers claiming at once get different items
//! without waiting for each other; a host's bookings serialise on its `host_gates` row.

use chrono::{DateTime, Utc};

use super::{Conn, PostgresArchive, RowExt, limit_i64};
use crate::archive::leases::{HostGrant, HostRequest, QueueEntry, RobotsRecord, SourcePoll};
use crate::archive::store::{Checks, HostGates, Leases};
use crate::archive::{ArchiveError, QueueItem, QueueState, SourceRow, format_time};

/// How long a worker refused for the concurrency cap waits before asking again.
const SLOT_RECHECK: std::time::Duration = std::time::Duration::from_millis(50);

fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn parse_time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

impl Leases for PostgresArchive {
    fn claim_queue(
        &mut self,
        worker: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<QueueItem>, ArchiveError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let (now, until) = (format_time(now), format_time(until));
        let mut items = self.write(|conn| {
            conn.query(
                "UPDATE queue SET claimed_by = $2, claimed_until = $3
                 WHERE id IN (
                     SELECT id FROM queue
                     WHERE state = 'pending' AND (not_before IS NULL OR not_before <= $1)
                         AND (claimed_until IS NULL OR claimed_until <= $1)
                     ORDER BY id LIMIT $4
                     FOR UPDATE SKIP LOCKED)
                 RETURNING id, url, attempts",
                &[&now, &worker, &until, &limit_i64(limit)],
            )?
            .iter()
            .map(|r| {
                Ok(QueueItem {
                    id: r.int("id")?,
                    url: r.try_get("url")?,
                    attempts: r.seq("attempts")?,
                })
            })
            .collect::<Result<Vec<_>, ArchiveError>>()
        })?;
        items.sort_by_key(|item| item.id);
        Ok(items)
    }

    fn renew_claims(
        &mut self,
        worker: &str,
        ids: &[i64],
        until: DateTime<Utc>,
    ) -> Result<u64, ArchiveError> {
        let ids = ids.to_vec();
        self.write(|conn| {
            conn.execute(
                "UPDATE queue SET claimed_until = $3
                 WHERE id = ANY($1) AND claimed_by = $2 AND claimed_until IS NOT NULL
                     AND state = 'pending'",
                &[&ids, &worker, &format_time(until)],
            )
        })
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
        let changed = self.write(|conn| {
            conn.execute(
                "UPDATE queue SET state = $3, not_before = $4, outcome = $5,
                     attempts = attempts + 1,
                     finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE $6 END,
                     claimed_until = NULL, finished_by = $2
                 WHERE id = $1 AND claimed_by = $2 AND claimed_until IS NOT NULL
                     AND state = 'pending'",
                &[
                    &id,
                    &worker,
                    &state.as_str(),
                    &not_before,
                    &outcome,
                    &format_time(at),
                ],
            )
        })?;
        Ok(changed == 1)
    }

    fn release_claims(&mut self, worker: Option<&str>) -> Result<u64, ArchiveError> {
        self.write(|conn| {
            conn.execute(
                "UPDATE queue SET claimed_until = NULL
                 WHERE ($1::text IS NULL OR claimed_by = $1) AND claimed_until IS NOT NULL
                     AND state = 'pending'",
                &[&worker],
            )
        })
    }

    fn queue_entries(&self, after_id: i64, limit: usize) -> Result<Vec<QueueEntry>, ArchiveError> {
        let rows = self.conn.borrow_mut().query(
            "SELECT id, url, state, attempts, claimed_by, claimed_until, finished_by
             FROM queue WHERE id > $1 ORDER BY id LIMIT $2",
            &[&after_id, &limit_i64(limit)],
        )?;
        rows.iter()
            .map(|r| {
                Ok(QueueEntry {
                    id: r.int("id")?,
                    url: r.try_get("url")?,
                    state: r.vocab("state")?,
                    attempts: r.seq("attempts")?,
                    claimed_by: r.try_get("claimed_by")?,
                    claimed_until: r.try_get("claimed_until")?,
                    finished_by: r.try_get("finished_by")?,
                })
            })
            .collect()
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
        self.write(|conn| {
            let mut claimed = Vec::with_capacity(due.len());
            for url in due {
                // Another worker may have claimed it since it was read: only if still due.
                let changed = conn.execute(
                    "UPDATE articles SET next_check_at = $3
                     WHERE canonical_url = $1 AND (next_check_at IS NULL OR next_check_at <= $2)",
                    &[&url, &now, &until],
                )?;
                if changed == 1 {
                    claimed.push(url);
                }
            }
            Ok(claimed)
        })
    }

    fn claim_source_poll(
        &mut self,
        source: &str,
        worker: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<SourcePoll, ArchiveError> {
        let (now, until) = (format_time(now), format_time(until));
        self.write(|conn| {
            let claimed = conn.query_opt(
                "UPDATE sources SET poll_claimed_by = $2, poll_claimed_until = $4
                 WHERE name = $1 AND (poll_claimed_until IS NULL OR poll_claimed_until <= $3)
                     AND (next_poll_at IS NULL OR next_poll_at <= $3)
                 RETURNING next_poll_at, etag, last_modified",
                &[&source, &worker, &now, &until],
            )?;
            if let Some(row) = claimed {
                return Ok(SourcePoll::Claimed(SourceRow {
                    next_poll_at: row.try_get("next_poll_at")?,
                    etag: row.try_get("etag")?,
                    last_modified: row.try_get("last_modified")?,
                }));
            }
            // Whichever is later: the end of another worker's poll, or the next poll.
            let row = conn.query_opt(
                "SELECT CASE WHEN poll_claimed_until > $2
                             THEN greatest(poll_claimed_until, next_poll_at)
                             ELSE next_poll_at END AS look_again_at
                 FROM sources WHERE name = $1",
                &[&source, &now],
            )?;
            let look_again_at = match row {
                Some(row) => parse_time(row.try_get("look_again_at")?),
                None => None,
            };
            Ok(SourcePoll::NotNow { look_again_at })
        })
    }

    fn release_source_poll(&mut self, source: &str, worker: &str) -> Result<(), ArchiveError> {
        self.write(|conn| {
            conn.execute(
                "UPDATE sources SET poll_claimed_until = NULL
                 WHERE name = $1 AND poll_claimed_by = $2",
                &[&source, &worker],
            )
        })?;
        Ok(())
    }
}

/// Moves the next start of `host` to at least `next_start` (Unix ms).
fn push_back(conn: &mut Conn, host: &str, next_start: i64) -> Result<(), ArchiveError> {
    conn.execute(
        "INSERT INTO host_gates (host, next_start_ms) VALUES ($1, $2)
         ON CONFLICT (host) DO UPDATE
             SET next_start_ms = greatest(host_gates.next_start_ms, excluded.next_start_ms)",
        &[&host, &next_start],
    )?;
    Ok(())
}

/// Books a start on `host` (see [`HostGates::reserve_host`]), in the open transaction.
fn book(conn: &mut Conn, request: &HostRequest<'_>) -> Result<HostGrant, ArchiveError> {
    conn.execute(
        "INSERT INTO host_gates (host, next_start_ms) VALUES ($1, 0)
         ON CONFLICT (host) DO NOTHING",
        &[&request.host],
    )?;
    // The host's row, locked: other workers' bookings of this host wait here.
    let next_start = conn
        .query_one(
            "SELECT next_start_ms FROM host_gates WHERE host = $1 FOR UPDATE",
            &[&request.host],
        )?
        .int("next_start_ms")?;
    // The clock is read with the row held: the booking is made at this instant.
    let now = Utc::now().timestamp_millis();
    conn.execute(
        "DELETE FROM host_slots WHERE host = $1 AND until_ms <= $2",
        &[&request.host, &now],
    )?;
    let in_flight = conn
        .query_one(
            "SELECT count(*) AS n FROM host_slots WHERE host = $1",
            &[&request.host],
        )?
        .int("n")?;
    if in_flight >= i64::from(request.concurrency.max(1)) {
        return Ok(HostGrant::Wait(SLOT_RECHECK));
    }
    let start = next_start.max(now.saturating_add(millis(request.lead)));
    let slot = conn
        .query_one(
            "INSERT INTO host_slots (host, until_ms) VALUES ($1, $2) RETURNING id",
            &[&request.host, &start.saturating_add(millis(request.hold))],
        )?
        .int("id")?;
    push_back(
        conn,
        request.host,
        start.saturating_add(millis(request.interval)),
    )?;
    let start_at = DateTime::from_timestamp_millis(start).unwrap_or(DateTime::<Utc>::MAX_UTC);
    Ok(HostGrant::Granted { slot, start_at })
}

impl HostGates for PostgresArchive {
    fn use_for_gates(&mut self) -> Result<(), ArchiveError> {
        // A booking lost to a crash of the server costs nothing.
        self.conn.get_mut().batch("SET synchronous_commit = off")
    }

    fn reserve_host(&mut self, request: &HostRequest<'_>) -> Result<HostGrant, ArchiveError> {
        self.write(|conn| book(conn, request))
    }

    fn release_host_slot(&mut self, slot: i64) -> Result<(), ArchiveError> {
        self.write(|conn| conn.execute("DELETE FROM host_slots WHERE id = $1", &[&slot]))?;
        Ok(())
    }

    fn push_back_host(&mut self, host: &str, until: DateTime<Utc>) -> Result<(), ArchiveError> {
        self.write(|conn| push_back(conn, host, until.timestamp_millis()))
    }

    fn shared_robots(
        &self,
        origin: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<RobotsRecord>, ArchiveError> {
        let row = self.conn.borrow_mut().query_opt(
            "SELECT status, body, expires_at FROM robots WHERE origin = $1 AND expires_at > $2",
            &[&origin, &format_time(now)],
        )?;
        let Some(row) = row else {
            return Ok(None);
        };
        let expires_at: String = row.try_get("expires_at")?;
        Ok(
            match (row.status("status")?, parse_time(Some(expires_at))) {
                (Some(status), Some(expires_at)) => Some(RobotsRecord {
                    status,
                    body: row.try_get("body")?,
                    expires_at,
                }),
                _ => None,
            },
        )
    }

    fn share_robots(&mut self, origin: &str, record: &RobotsRecord) -> Result<(), ArchiveError> {
        let status = i64::from(record.status);
        self.write(|conn| {
            conn.execute(
                "INSERT INTO robots (origin, status, body, expires_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (origin) DO UPDATE SET status = excluded.status,
                     body = excluded.body, expires_at = excluded.expires_at",
                &[
                    &origin,
                    &status,
                    &record.body,
                    &format_time(record.expires_at),
                ],
            )
        })?;
        Ok(())
    }
}
