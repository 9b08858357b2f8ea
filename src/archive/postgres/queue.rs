//! PostgresArchive queries for sources and the daemon's work queue.

use chrono::{DateTime, Utc};

use super::{PostgresArchive, RowExt, limit_i64};
use crate::archive::store::Queue;
use crate::archive::{
    ArchiveError, PollRecord, QueueCounts, QueueItem, QueueState, QueueStatus, SourceRow,
    SourceStatus, ToQueue, format_time,
};

fn saturating_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Queue for PostgresArchive {
    fn register_source(&mut self, name: &str, kind: &str) -> Result<SourceRow, ArchiveError> {
        let row = self.conn.get_mut().query_one(
            "INSERT INTO sources (name, kind) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET kind = excluded.kind
             RETURNING next_poll_at, etag, last_modified",
            &[&name, &kind],
        )?;
        Ok(SourceRow {
            next_poll_at: row.try_get("next_poll_at")?,
            etag: row.try_get("etag")?,
            last_modified: row.try_get("last_modified")?,
        })
    }

    fn record_poll(
        &mut self,
        source: &str,
        items: &[ToQueue<'_>],
        poll: &PollRecord,
    ) -> Result<u64, ArchiveError> {
        let at = format_time(poll.at);
        self.write(|conn| {
            let source_id = conn
                .query_one("SELECT id FROM sources WHERE name = $1", &[&source])?
                .int("id")?;
            let mut queued = 0u64;
            for item in items {
                queued += conn.execute(
                    "INSERT INTO queue (url, source_id, enqueued_at, kind, title, published,
                         listing, state, outcome)
                     SELECT $1::text, $2::bigint, $3::text, $4::text, $5::text, $6::text,
                         $7::text,
                         CASE WHEN $4::text = 'text' THEN 'pending' ELSE 'skipped' END,
                         CASE WHEN $4::text = 'text' THEN NULL
                              ELSE 'not a text article (' || $4::text
                                   || '): recorded from the listing' END
                     WHERE NOT EXISTS (SELECT 1 FROM articles WHERE canonical_url = $1::text)
                     ON CONFLICT (url) DO NOTHING",
                    &[
                        &item.url,
                        &source_id,
                        &at,
                        &item.kind,
                        &item.title,
                        &item.published,
                        &item.listing,
                    ],
                )?;
            }
            let interval_s = saturating_i64(poll.interval.as_secs());
            conn.execute(
                "UPDATE sources SET last_poll_at = $2,
                     last_success_at = CASE WHEN $3::text IS NULL THEN $2 ELSE last_success_at END,
                     last_error = $3, next_poll_at = $4,
                     etag = CASE WHEN $3::text IS NULL THEN $5 ELSE etag END,
                     last_modified = CASE WHEN $3::text IS NULL THEN $6 ELSE last_modified END,
                     interval_s = $7, polls = polls + 1,
                     errors = errors + CASE WHEN $3::text IS NULL THEN 0 ELSE 1 END,
                     items_listed = items_listed + $8, items_queued = items_queued + $9
                 WHERE id = $1",
                &[
                    &source_id,
                    &at,
                    &poll.error,
                    &format_time(poll.next_poll_at),
                    &poll.etag,
                    &poll.last_modified,
                    &interval_s,
                    &saturating_i64(poll.listed),
                    &saturating_i64(queued),
                ],
            )?;
            Ok(queued)
        })
    }

    fn pending_queue(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<QueueItem>, ArchiveError> {
        let rows = self.conn.borrow_mut().query(
            "SELECT id, url, attempts FROM queue
             WHERE state = 'pending' AND (not_before IS NULL OR not_before <= $1)
             ORDER BY id LIMIT $2",
            &[&format_time(now), &limit_i64(limit)],
        )?;
        rows.iter()
            .map(|r| {
                Ok(QueueItem {
                    id: r.int("id")?,
                    url: r.try_get("url")?,
                    attempts: r.seq("attempts")?,
                })
            })
            .collect()
    }

    fn next_queue_time(&self) -> Result<Option<Option<String>>, ArchiveError> {
        let row = self.conn.borrow_mut().query_opt(
            "SELECT not_before FROM queue WHERE state = 'pending'
             ORDER BY not_before IS NOT NULL, not_before LIMIT 1",
            &[],
        )?;
        row.map(|r| Ok(r.try_get("not_before")?)).transpose()
    }

    fn finish_queued(
        &mut self,
        id: i64,
        state: &QueueState,
        outcome: &str,
        at: DateTime<Utc>,
    ) -> Result<(), ArchiveError> {
        let (state, not_before) = match state {
            QueueState::Done => (QueueStatus::Done, None),
            QueueState::Failed => (QueueStatus::Failed, None),
            QueueState::Retry { not_before } => {
                (QueueStatus::Pending, Some(format_time(*not_before)))
            }
        };
        self.conn.get_mut().execute(
            "UPDATE queue SET state = $2, not_before = $3, outcome = $4, attempts = attempts + 1,
                 finished_at = CASE WHEN $2 = 'pending' THEN NULL ELSE $5 END
             WHERE id = $1",
            &[
                &id,
                &state.as_str(),
                &not_before,
                &outcome,
                &format_time(at),
            ],
        )?;
        Ok(())
    }

    fn queue_counts(&self) -> Result<QueueCounts, ArchiveError> {
        let mut counts = QueueCounts::default();
        let rows = self
            .conn
            .borrow_mut()
            .query("SELECT state, count(*) AS n FROM queue GROUP BY state", &[])?;
        for row in rows {
            let n = row.count("n")?;
            match row.vocab("state")? {
                QueueStatus::Pending => counts.pending = n,
                QueueStatus::Done => counts.done = n,
                QueueStatus::Failed => counts.failed = n,
                QueueStatus::Skipped => counts.skipped = n,
            }
        }
        Ok(counts)
    }

    fn sources_status(&self) -> Result<Vec<SourceStatus>, ArchiveError> {
        let rows = self.conn.borrow_mut().query(
            "SELECT s.name, s.kind, s.last_poll_at, s.last_success_at, s.next_poll_at,
                 s.last_error, s.polls, s.errors, s.items_listed, s.items_queued,
                 (SELECT count(*) FROM queue q WHERE q.source_id = s.id AND q.state = 'done') AS archived,
                 (SELECT count(*) FROM queue q WHERE q.source_id = s.id AND q.state = 'pending') AS pending,
                 (SELECT count(*) FROM queue q WHERE q.source_id = s.id AND q.state = 'failed') AS failed,
                 (SELECT count(*) FROM queue q WHERE q.source_id = s.id AND q.state = 'skipped') AS skipped
             FROM sources s ORDER BY s.name",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(SourceStatus {
                    name: r.try_get("name")?,
                    kind: r.try_get("kind")?,
                    last_poll_at: r.try_get("last_poll_at")?,
                    last_success_at: r.try_get("last_success_at")?,
                    next_poll_at: r.try_get("next_poll_at")?,
                    last_error: r.try_get("last_error")?,
                    polls: r.count("polls")?,
                    errors: r.count("errors")?,
                    items_listed: r.count("items_listed")?,
                    items_queued: r.count("items_queued")?,
                    archived: r.count("archived")?,
                    pending: r.count("pending")?,
                    failed: r.count("failed")?,
                    skipped: r.count("skipped")?,
                })
            })
            .collect()
    }
}
