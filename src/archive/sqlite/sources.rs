//! SqliteArchive queries for sources and the daemon's work queue.

use crate::archive::store::Queue;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{ArchiveError, QueueStatus, SqliteArchive, format_time};

/// An item to queue, as a source listed it.
#[derive(Debug, Clone, Copy)]
pub struct ToQueue<'a> {
    pub url: &'a str,
    /// `text` items are archived; `video`/`other` are recorded from the listing and skipped.
    pub kind: &'a str,
    pub title: Option<&'a str>,
    pub published: Option<&'a str>,
    pub listing: Option<&'a str>,
}

/// The outcome of one poll, for the source's row.
#[derive(Debug, Clone)]
pub struct PollRecord {
    pub at: DateTime<Utc>,
    pub error: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub interval: std::time::Duration,
    pub next_poll_at: DateTime<Utc>,
    pub listed: u64,
    pub queued: u64,
}

/// A queued article claimed for work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    pub id: i64,
    pub url: String,
    pub attempts: u32,
}

/// How a queued item ended (for now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueState {
    Done,
    /// Try again after `not_before`.
    Retry {
        not_before: DateTime<Utc>,
    },
    Failed,
}

impl QueueState {
    /// The stored state and retry time of an item that ended so.
    pub(crate) fn stored(&self) -> (QueueStatus, Option<String>) {
        match self {
            QueueState::Done => (QueueStatus::Done, None),
            QueueState::Failed => (QueueStatus::Failed, None),
            QueueState::Retry { not_before } => {
                (QueueStatus::Pending, Some(format_time(*not_before)))
            }
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub pending: u64,
    pub done: u64,
    pub failed: u64,
    pub skipped: u64,
}

/// A source's state, for `newsvault status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceStatus {
    pub name: String,
    pub kind: String,
    pub last_poll_at: Option<String>,
    pub last_success_at: Option<String>,
    pub next_poll_at: Option<String>,
    pub last_error: Option<String>,
    pub polls: u64,
    pub errors: u64,
    pub items_listed: u64,
    pub items_queued: u64,
    pub archived: u64,
    pub pending: u64,
    pub failed: u64,
    pub skipped: u64,
}

/// A source's stored polling state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceRow {
    pub next_poll_at: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl Queue for SqliteArchive {
    fn register_source(&mut self, name: &str, kind: &str) -> Result<SourceRow, ArchiveError> {
        self.conn
            .prepare_cached(
                "INSERT INTO sources (name, kind) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET kind = excluded.kind",
            )?
            .execute(params![name, kind])?;
        Ok(self
            .conn
            .prepare_cached(
                "SELECT next_poll_at, etag, last_modified FROM sources WHERE name = ?1",
            )?
            .query_row([name], |r| {
                Ok(SourceRow {
                    next_poll_at: r.get("next_poll_at")?,
                    etag: r.get("etag")?,
                    last_modified: r.get("last_modified")?,
                })
            })
            .optional()?
            .unwrap_or_default())
    }

    fn record_poll(
        &mut self,
        source: &str,
        items: &[ToQueue<'_>],
        poll: &PollRecord,
    ) -> Result<u64, ArchiveError> {
        let at = format_time(poll.at);
        let tx = self.write_tx()?;
        let source_id: i64 = tx
            .prepare_cached("SELECT id FROM sources WHERE name = ?1")?
            .query_row([source], |r| r.get(0))?;
        let mut queued = 0u64;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO queue (url, source_id, enqueued_at, kind, title, published, listing, state, outcome)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7,
                     CASE WHEN ?4 = 'text' THEN 'pending' ELSE 'skipped' END,
                     CASE WHEN ?4 = 'text' THEN NULL
                          ELSE 'not a text article (' || ?4 || '): recorded from the listing' END
                 WHERE NOT EXISTS (SELECT 1 FROM articles WHERE canonical_url = ?1)
                 ON CONFLICT (url) DO NOTHING",
            )?;
            for item in items {
                queued += insert.execute(params![
                    item.url,
                    source_id,
                    at,
                    item.kind,
                    item.title,
                    item.published,
                    item.listing
                ])? as u64;
            }
        }
        let interval_s = i64::try_from(poll.interval.as_secs()).unwrap_or(i64::MAX);
        tx.prepare_cached(
            "UPDATE sources SET last_poll_at = ?2,
                 last_success_at = CASE WHEN ?3 IS NULL THEN ?2 ELSE last_success_at END,
                 last_error = ?3, next_poll_at = ?4,
                 etag = CASE WHEN ?3 IS NULL THEN ?5 ELSE etag END,
                 last_modified = CASE WHEN ?3 IS NULL THEN ?6 ELSE last_modified END,
                 interval_s = ?7, polls = polls + 1,
                 errors = errors + CASE WHEN ?3 IS NULL THEN 0 ELSE 1 END,
                 items_listed = items_listed + ?8, items_queued = items_queued + ?9
             WHERE id = ?1",
        )?
        .execute(params![
            source_id,
            at,
            poll.error,
            format_time(poll.next_poll_at),
            poll.etag,
            poll.last_modified,
            interval_s,
            i64::try_from(poll.listed).unwrap_or(i64::MAX),
            i64::try_from(queued).unwrap_or(i64::MAX),
        ])?;
        tx.commit()?;
        Ok(queued)
    }

    fn pending_queue(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<QueueItem>, ArchiveError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, url, attempts FROM queue
             WHERE state = 'pending' AND (not_before IS NULL OR not_before <= ?1)
             ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            params![format_time(now), i64::try_from(limit).unwrap_or(i64::MAX)],
            queue_item,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn next_queue_time(&self) -> Result<Option<Option<String>>, ArchiveError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT not_before FROM queue WHERE state = 'pending'
                 ORDER BY not_before IS NOT NULL, not_before LIMIT 1",
            )?
            .query_row([], |r| r.get(0))
            .optional()?)
    }

    fn finish_queued(
        &mut self,
        id: i64,
        state: &QueueState,
        outcome: &str,
        at: DateTime<Utc>,
    ) -> Result<(), ArchiveError> {
        let (state, not_before) = state.stored();
        self.conn
            .prepare_cached(
                "UPDATE queue SET state = ?2, not_before = ?3, outcome = ?4, attempts = attempts + 1,
                     finished_at = CASE WHEN ?2 = 'pending' THEN NULL ELSE ?5 END
                 WHERE id = ?1",
            )?
            .execute(params![id, state, not_before, outcome, format_time(at)])?;
        Ok(())
    }

    fn queue_counts(&self) -> Result<QueueCounts, ArchiveError> {
        let mut counts = QueueCounts::default();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT state, count(*) AS n FROM queue GROUP BY state")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, QueueStatus>("state")?, r.get::<_, i64>("n")?))
        })?;
        for row in rows {
            let (state, n) = row?;
            let n = count(n);
            match state {
                QueueStatus::Pending => counts.pending = n,
                QueueStatus::Done => counts.done = n,
                QueueStatus::Failed => counts.failed = n,
                QueueStatus::Skipped => counts.skipped = n,
            }
        }
        Ok(counts)
    }

    fn sources_status(&self) -> Result<Vec<SourceStatus>, ArchiveError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.name, s.kind, s.last_poll_at, s.last_success_at, s.next_poll_at, s.last_error,
                 s.polls, s.errors, s.items_listed, s.items_queued,
                 (SELECT count(*) FROM queue q WHERE q.source_id = s.id AND q.state = 'done') AS archived,
                 (SELECT count(*) FROM queue q WHERE q.source_id = s.id AND q.state = 'pending') AS pending,
                 (SELECT count(*) FROM queue q WHERE q.source_id = s.id AND q.state = 'failed') AS failed,
                 (SELECT count(*) FROM queue q WHERE q.source_id = s.id AND q.state = 'skipped') AS skipped
             FROM sources s ORDER BY s.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SourceStatus {
                name: r.get("name")?,
                kind: r.get("kind")?,
                last_poll_at: r.get("last_poll_at")?,
                last_success_at: r.get("last_success_at")?,
                next_poll_at: r.get("next_poll_at")?,
                last_error: r.get("last_error")?,
                polls: count(r.get("polls")?),
                errors: count(r.get("errors")?),
                items_listed: count(r.get("items_listed")?),
                items_queued: count(r.get("items_queued")?),
                archived: count(r.get("archived")?),
                pending: count(r.get("pending")?),
                failed: count(r.get("failed")?),
                skipped: count(r.get("skipped")?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// A queue item from a row with its `id`, `url` and `attempts`.
pub(super) fn queue_item(r: &rusqlite::Row<'_>) -> rusqlite::Result<QueueItem> {
    Ok(QueueItem {
        id: r.get("id")?,
        url: r.get("url")?,
        attempts: r.get("attempts")?,
    })
}
