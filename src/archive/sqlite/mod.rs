//! The SQLite archive: the embedded default backend (one file).
//!
//! One file holds every version of every article (`schema.sql` at the crate root documents
//! each table and column). The archive only grows: versions are appended when an article's
//! rendered document changes, raw response bodies are stored once per distinct content
//! (blake3-addressed, zstd-compressed, verified on read; older deflate blobs stay readable), and every fetch attempt is logged.
//!
//! Times are stored as UTC text `YYYY-MM-DDTHH:MM:SS.mmmZ`, which sorts like time.

use crate::archive::store::Versions;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use flate2::read::DeflateDecoder;
use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Savepoint, Transaction,
    TransactionBehavior, params,
};
use rusqlite_migration::{M, MigrationDefinitionError, Migrations};

use sql_types::{KIND_COLUMNS, reported_kind};

mod checks;
mod copy;
mod feeds;
mod images;
mod leases;
mod screenshots;
pub(crate) mod search;

mod sources;
mod sql_types;
#[cfg(test)]
mod tests;

use super::ArchiveError;
use super::blob::RawBlob;
use super::kinds::{
    ArticleStatus, CaptureVerdict, FetchOutcome, Latest, QueueStatus, VersionKind, VersionOrigin,
    classify_capture,
};
use super::search::SearchText;
pub use checks::{RemovalSighting, RemovalState, ReprocessItem, ScheduleInputs, VersionDetail};
pub use feeds::{ArchiveStats, ArticleSummary, RawCaptureInfo, Removal, VersionEvent};

pub use sources::{
    PollRecord, QueueCounts, QueueItem, QueueState, SourceRow, SourceStatus, ToQueue,
};
mod export;
mod import;
pub use export::{ArticleDocument, ChosenVersion, RawCapture, VersionChoice};
pub use import::{ImportRecord, Imported};

/// `PRAGMA application_id` of a newsvault archive ("NVLT"); set by `schema.sql`.
pub const APPLICATION_ID: i32 = 0x4E56_4C54;

/// How long a connection waits for a lock held by another process before failing.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema, as an ordered list of migrations. The first one is `schema.sql`; append new
/// migrations at the end (in [`migrations`] when one runs Rust code), never edit or reorder
/// released ones.
pub(crate) const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../../../schema.sql")),
    M::up(include_str!("migrations/002_diffs_and_derivations.sql")),
    M::up(include_str!("migrations/003_sources_and_queue.sql")),
    M::up(include_str!("migrations/004_feeds.sql")),
    M::up(include_str!("migrations/005_author.sql")),
    M::up(include_str!("migrations/006_date_found.sql")),
    M::up(include_str!("migrations/008_zstd_blobs.sql")).foreign_key_check(),
    M::up(include_str!("migrations/009_change_counter.sql")),
    M::up(include_str!("migrations/010_leases.sql")),
    M::up(include_str!("migrations/011_content_counter.sql")),
    M::up(include_str!("migrations/012_row_counts.sql")),
];

/// Every migration: [`MIGRATIONS`], then those with a Rust hook (which cannot be `const`).
fn migrations() -> Migrations<'static> {
    let mut all = MIGRATIONS.to_vec();
    // The search index, built for what the archive already holds.
    all.push(M::up_with_hook(
        include_str!("migrations/013_search.sql"),
        |tx: &Transaction<'_>| {
            search::rebuild(tx).map_err(|e| {
                rusqlite_migration::HookError::Hook(format!("building the search index: {e}"))
            })?;
            Ok(())
        },
    ));
    all.push(M::up(include_str!("migrations/014_images.sql")));
    all.push(M::up(include_str!("migrations/015_screenshots.sql")));
    all.push(M::up(include_str!("migrations/016_search_automerge.sql")));
    all.push(M::up(include_str!("migrations/017_one_search_table.sql")));
    all.push(M::up(include_str!("migrations/018_queue_claim_order.sql")));
    Migrations::new(all)
}

/// The schema version (`PRAGMA user_version`) this code writes: [`MIGRATIONS`] and the
/// migrations [`migrations`] appends (013 search, 014 images, 015 screenshots, 016 the search
/// index's merging, 017 one search table, 018 the queue's claim order).
pub const SCHEMA_VERSION: usize = MIGRATIONS.len() + 6;

/// One successful capture of an article, ready to archive.
#[derive(Debug, Clone)]
pub struct NewCapture<'a> {
    pub canonical_url: &'a str,
    pub site: &'a str,
    pub site_article_id: &'a str,
    pub lang: &'a str,
    pub title: &'a str,
    /// Publication date string, as rendered in the document ('' if unknown).
    pub published: &'a str,
    /// The rendered Markdown document: what versions are compared on.
    pub document: &'a str,
    pub fetched_at: DateTime<Utc>,
    pub http_status: u16,
    pub final_url: &'a str,
    /// The raw response body, hashed and compressed before the write (stored deduplicated).
    pub raw: RawBlob,
    pub content_type: Option<&'a str>,
    pub encoding: &'a str,
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
    /// Name/version of the extractor that produced `document`.
    pub extractor: &'a str,
    /// The author or media name the page gives, if any.
    pub author: Option<&'a str>,
    /// The change from the latest version is only whitespace or punctuation: kind "minor".
    pub minor: bool,
    /// The stored diff against the latest version with content (JSON, see migration 2).
    pub diff: Option<&'a str>,
    /// Whether `published` was found on the page; false when it is the first capture time
    /// (see migration 6).
    pub date_found: bool,
    /// The search tokens of `title` and `document`, made off the archive's lock; `None` (or
    /// tokens of another text): they are made while writing.
    pub search: Option<SearchText>,
}

/// What [`SqliteArchive::record_capture`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// First version of a new article (seq 1).
    New { seq: u32 },
    /// Same document as the latest version `seq`: no version added.
    Unchanged { seq: u32 },
    /// The document changed: version `seq` was added.
    Changed { seq: u32 },
}

impl Recorded {
    /// The seq of the latest version after recording.
    pub fn seq(self) -> u32 {
        match self {
            Recorded::New { seq } | Recorded::Unchanged { seq } | Recorded::Changed { seq } => seq,
        }
    }
}

/// One fetch attempt, for the fetch log.
#[derive(Debug, Clone, Copy)]
pub struct FetchLog<'a> {
    /// The URL requested.
    pub url: &'a str,
    /// The canonical URL, when known; links the row to its article if it exists.
    pub canonical_url: Option<&'a str>,
    pub started_at: DateTime<Utc>,
    pub duration_ms: u64,
    pub attempts: u32,
    pub http_status: Option<u16>,
    pub final_url: Option<&'a str>,
    pub outcome: FetchOutcome,
    pub detail: &'a str,
    pub bytes: Option<u64>,
    pub encoding: Option<&'a str>,
    pub decode_errors: bool,
}

/// An article's current state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleRow {
    pub canonical_url: String,
    pub site: String,
    pub site_article_id: String,
    pub lang: String,
    pub status: ArticleStatus,
    pub latest_seq: u32,
    pub first_seen_at: String,
    pub last_checked_at: String,
    pub last_changed_at: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub next_check_at: Option<String>,
    pub removal_signal: Option<String>,
    pub removal_pending: u32,
    pub removal_pending_since: Option<String>,
}

/// One version's metadata (the document itself: [`SqliteArchive::document`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    pub seq: u32,
    pub kind: VersionKind,
    pub origin: VersionOrigin,
    pub fetched_at: String,
    pub content_hash: String,
    pub title: String,
    pub http_status: Option<u16>,
    pub final_url: Option<String>,
    /// Size of the document in bytes.
    pub size: usize,
    pub raw_hash: Option<String>,
    pub encoding: Option<String>,
    pub extractor: Option<String>,
}

/// One fetch log row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRow {
    pub url: String,
    pub started_at: String,
    pub attempts: u32,
    pub http_status: Option<u16>,
    pub final_url: Option<String>,
    pub outcome: FetchOutcome,
    pub detail: String,
    pub bytes: Option<u64>,
}

/// The archive: one SQLite connection.
#[derive(Debug)]
pub struct SqliteArchive {
    conn: Connection,
    /// Versions of the open group waiting to be indexed at its commit.
    index_backlog: search::IndexBacklog,
}

/// The transaction of one write: its own `BEGIN IMMEDIATE` transaction, or a savepoint when
/// the write is part of a larger unit of work (see [`SqliteArchive::in_unit`]).
pub(crate) enum WriteTx<'a> {
    Own(Transaction<'a>),
    Nested(Savepoint<'a>),
}

impl std::ops::Deref for WriteTx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match self {
            WriteTx::Own(tx) => tx,
            WriteTx::Nested(sp) => sp,
        }
    }
}

impl WriteTx<'_> {
    /// Commits (a transaction of its own is durable when this returns) or releases the
    /// savepoint into the enclosing unit of work.
    pub(crate) fn commit(self) -> Result<(), rusqlite::Error> {
        match self {
            WriteTx::Own(tx) => tx.commit(),
            WriteTx::Nested(sp) => sp.commit(),
        }
    }
}

/// Formats a time the way the archive stores it: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// blake3 hex of some bytes, as stored in `content_hash`, `raw_hash` and `blobs.hash`.
pub fn hash_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// A fetch log row from `SELECT url, started_at, attempts, http_status, final_url, outcome,
/// detail, bytes`.
fn fetch_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FetchRow> {
    let bytes: Option<i64> = r.get("bytes")?;
    Ok(FetchRow {
        url: r.get("url")?,
        started_at: r.get("started_at")?,
        attempts: r.get("attempts")?,
        http_status: r.get("http_status")?,
        final_url: r.get("final_url")?,
        outcome: r.get("outcome")?,
        detail: r.get("detail")?,
        bytes: bytes.map(|b| u64::try_from(b).unwrap_or(0)),
    })
}

/// Errors a second process sees while another one is creating the same new archive: the
/// schema half there, or the file locked while the journal mode switches to WAL.
fn is_creation_race(e: &ArchiveError) -> bool {
    let busy = |source: &rusqlite::Error| {
        matches!(
            sqlite_code(source),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
        )
    };
    match e {
        ArchiveError::Migration(_) | ArchiveError::NotAnArchive { .. } => true,
        ArchiveError::Open { source, .. } | ArchiveError::Sqlite(source) => busy(source),
        _ => false,
    }
}

pub(crate) fn to_i64(value: u64, what: &str) -> Result<i64, ArchiveError> {
    i64::try_from(value).map_err(|_| ArchiveError::OutOfRange(format!("{what} = {value}")))
}

fn sqlite_code(e: &rusqlite::Error) -> Option<ErrorCode> {
    match e {
        rusqlite::Error::SqliteFailure(f, _) => Some(f.code),
        _ => None,
    }
}

impl SqliteArchive {
    /// Opens the archive at `path`, creating it if missing, and brings its schema up to date.
    ///
    /// The file is checked before anything is written to it: a file that is not SQLite gives
    /// [`ArchiveError::NotADatabase`], another application's SQLite database gives
    /// [`ArchiveError::NotAnArchive`], an archive from a newer newsvault gives
    /// [`ArchiveError::TooNew`]; in these cases the file is left byte-for-byte unchanged.
    ///
    /// The connection uses WAL journaling, enforces foreign keys and waits up to 5 s for locks.
    pub fn open(path: &Path) -> Result<SqliteArchive, ArchiveError> {
        // No SQLITE_OPEN_URI: a path is a path, never a `file:` URI with options.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        // Two processes creating the same new archive at once (a daemon starting while
        // `status` runs, say) race on the first migration; the loser sees the winner's
        // schema on a second look.
        let mut attempt = 0;
        loop {
            let conn =
                Connection::open_with_flags(path, flags).map_err(|source| ArchiveError::Open {
                    path: path.to_path_buf(),
                    source,
                })?;
            match Self::setup(conn, path, true) {
                Err(e) if attempt < 5 && is_creation_race(&e) => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(100 * attempt));
                }
                result => return result,
            }
        }
    }

    /// Opens a fresh, empty archive in memory (tests, dry runs).
    pub fn open_in_memory() -> Result<SqliteArchive, ArchiveError> {
        let conn = Connection::open_in_memory()?;
        Self::setup(conn, Path::new(":memory:"), false)
    }

    fn setup(mut conn: Connection, path: &Path, wal: bool) -> Result<SqliteArchive, ArchiveError> {
        let open_err = |source: rusqlite::Error| match sqlite_code(&source) {
            Some(ErrorCode::NotADatabase) => ArchiveError::NotADatabase {
                path: path.to_path_buf(),
            },
            Some(ErrorCode::DatabaseCorrupt) => {
                ArchiveError::Corrupt(format!("{}: {source}", path.display()))
            }
            _ => ArchiveError::Open {
                path: path.to_path_buf(),
                source,
            },
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // Read-only probes first: they read the header and schema, and fail on a file that
        // is not a database, before anything could be written.
        let objects: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(open_err)?;
        let app_id: i32 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(open_err)?;
        let user_version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(open_err)?;
        if app_id != 0 && app_id != APPLICATION_ID {
            return Err(ArchiveError::NotAnArchive {
                path: path.to_path_buf(),
                reason: format!("application_id is {app_id:#010x}"),
            });
        }
        if user_version == 0 && objects > 0 {
            return Err(ArchiveError::NotAnArchive {
                path: path.to_path_buf(),
                reason: format!(
                    "it already holds {objects} schema objects but no newsvault schema"
                ),
            });
        }
        if user_version < 0 || user_version as u64 > SCHEMA_VERSION as u64 {
            return Err(ArchiveError::TooNew {
                path: path.to_path_buf(),
                found: usize::try_from(user_version).unwrap_or(usize::MAX),
                supported: SCHEMA_VERSION,
            });
        }
        // Foreign keys stay off while migrations rebuild tables (each migration that needs it
        // checks them before it commits), and are enforced from then on.
        conn.pragma_update(None, "foreign_keys", false)
            .map_err(open_err)?;
        // Durability is not traded for speed: every commit reaches the disk (grouping commits,
        // not weakening them, is how many articles share one fsync).
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        if wal {
            let mode: String = conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
                .map_err(open_err)?;
            if !mode.eq_ignore_ascii_case("wal") {
                tracing::warn!(path = %path.display(), %mode, "archive: WAL journal mode unavailable");
            }
        }
        migrations().to_latest(&mut conn).map_err(|e| match e {
            rusqlite_migration::Error::MigrationDefinition(
                MigrationDefinitionError::DatabaseTooFarAhead,
            ) => ArchiveError::TooNew {
                path: path.to_path_buf(),
                found: usize::try_from(user_version).unwrap_or(usize::MAX),
                supported: SCHEMA_VERSION,
            },
            other => ArchiveError::Migration(format!("{}: {other}", path.display())),
        })?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_err)?;
        Ok(SqliteArchive::from_connection(conn))
    }

    /// The archive over a connection set up for it (read-write or read-only).
    fn from_connection(conn: Connection) -> SqliteArchive {
        conn.set_prepared_statement_cache_capacity(32);
        SqliteArchive {
            conn,
            index_backlog: search::IndexBacklog::default(),
        }
    }

    /// Opens the transaction of a write: its own, or a savepoint inside the current unit of
    /// work.
    pub(crate) fn write_tx(&mut self) -> Result<WriteTx<'_>, rusqlite::Error> {
        if self.conn.is_autocommit() {
            Ok(WriteTx::Own(self.conn.transaction_with_behavior(
                TransactionBehavior::Immediate,
            )?))
        } else {
            Ok(WriteTx::Nested(self.conn.savepoint()?))
        }
    }
}

impl Versions for SqliteArchive {
    fn begin_unit(&mut self) -> Result<(), ArchiveError> {
        self.conn.execute_batch("SAVEPOINT unit")?;
        self.index_backlog.begin_unit();
        Ok(())
    }

    fn end_unit(&mut self, keep: bool) -> Result<(), ArchiveError> {
        if !keep {
            self.index_backlog.roll_back_unit();
        }
        self.conn.execute_batch(if keep {
            "RELEASE unit"
        } else {
            "ROLLBACK TO unit; RELEASE unit"
        })?;
        Ok(())
    }

    fn begin_group(&mut self) -> Result<(), ArchiveError> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        self.index_backlog.open_group();
        Ok(())
    }

    fn commit_group(&mut self) -> Result<(), ArchiveError> {
        // The group's versions are indexed together, in its transaction: a failure here
        // fails the group like a failed commit.
        let backlog = self.index_backlog.close_group();
        let committed = search::index_pending(&self.conn, &backlog)
            .and_then(|()| Ok(self.conn.execute_batch("COMMIT")?));
        if committed.is_err() && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        committed
    }

    fn record_capture(&mut self, capture: &NewCapture<'_>) -> Result<Recorded, ArchiveError> {
        let now = format_time(capture.fetched_at);
        let content_hash = hash_hex(capture.document.as_bytes());
        // In a group, the version is indexed at the group's commit (see `IndexBacklog`).
        let in_group = self.index_backlog.is_open();
        let tx = self.write_tx()?;
        let raw_hash = store_blob(&tx, &capture.raw)?;

        let next = match known_article(&tx, capture.canonical_url)? {
            None => NextVersion {
                article_id: insert_article(&tx, capture, &now)?,
                seq: 1,
                kind: VersionKind::New,
            },
            Some((id, latest_seq)) => {
                update_checked_article(&tx, id, capture, &now)?;
                match classify_against_latest(&tx, capture, id, latest_seq, &content_hash)? {
                    CaptureVerdict::Unchanged { seq } => {
                        tx.commit()?;
                        return Ok(Recorded::Unchanged { seq });
                    }
                    CaptureVerdict::Append { seq, kind } => NextVersion {
                        article_id: id,
                        seq,
                        kind,
                    },
                }
            }
        };

        let version_id = insert_version(&tx, capture, &next, &now, &content_hash, &raw_hash)?;
        make_latest(&tx, &next, &now)?;
        let text = match &capture.search {
            Some(text) if text.is_of(capture.title, &content_hash) => text.clone(),
            _ => SearchText::with_hash(capture.title, capture.document, content_hash),
        };
        let pending = search::PendingVersion { version_id, text };
        if !in_group {
            search::index_pending(&tx, std::slice::from_ref(&pending))?;
        }
        tx.commit()?;
        if in_group {
            self.index_backlog.push(pending);
        }
        let NextVersion { seq, kind, .. } = next;
        tracing::debug!(
            url = capture.canonical_url,
            seq,
            kind = kind.as_str(),
            "archive: version recorded"
        );
        Ok(if seq == 1 {
            Recorded::New { seq }
        } else {
            Recorded::Changed { seq }
        })
    }

    fn log_fetch(&mut self, entry: &FetchLog<'_>) -> Result<(), ArchiveError> {
        let bytes = entry.bytes.map(|b| to_i64(b, "bytes")).transpose()?;
        let duration_ms = to_i64(entry.duration_ms, "duration_ms")?;
        self.conn
            .prepare_cached(
                "INSERT INTO fetches (url, canonical_url, article_id, started_at, duration_ms,
                     attempts, http_status, final_url, outcome, detail, bytes, encoding, decode_errors)
                 VALUES (?1, ?2, (SELECT id FROM articles WHERE canonical_url = ?2), ?3, ?4,
                     ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                entry.url,
                entry.canonical_url,
                format_time(entry.started_at),
                duration_ms,
                entry.attempts,
                entry.http_status,
                entry.final_url,
                entry.outcome.as_str(),
                entry.detail,
                bytes,
                entry.encoding,
                entry.decode_errors,
            ])?;
        Ok(())
    }

    fn article(&self, canonical_url: &str) -> Result<Option<ArticleRow>, ArchiveError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT canonical_url, site, site_article_id, lang, status, latest_seq,
                     first_seen_at, last_checked_at, last_changed_at, etag, last_modified,
                     next_check_at, removal_signal, removal_pending, removal_pending_since
                 FROM articles WHERE canonical_url = ?1",
            )?
            .query_row([canonical_url], |r| {
                Ok(ArticleRow {
                    canonical_url: r.get("canonical_url")?,
                    site: r.get("site")?,
                    site_article_id: r.get("site_article_id")?,
                    lang: r.get("lang")?,
                    status: r.get("status")?,
                    latest_seq: r.get("latest_seq")?,
                    first_seen_at: r.get("first_seen_at")?,
                    last_checked_at: r.get("last_checked_at")?,
                    last_changed_at: r.get("last_changed_at")?,
                    etag: r.get("etag")?,
                    last_modified: r.get("last_modified")?,
                    next_check_at: r.get("next_check_at")?,
                    removal_signal: r.get("removal_signal")?,
                    removal_pending: r.get("removal_pending")?,
                    removal_pending_since: r.get("removal_pending_since")?,
                })
            })
            .optional()?;
        Ok(row)
    }

    fn versions(&self, canonical_url: &str) -> Result<Vec<VersionRow>, ArchiveError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT v.seq, {KIND_COLUMNS}, v.origin, v.fetched_at, v.content_hash, v.title,
                 v.http_status, v.final_url, octet_length(v.document) AS size, v.raw_hash,
                 v.encoding, v.extractor
             FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE a.canonical_url = ?1
             ORDER BY v.seq"
        ))?;
        let rows = stmt.query_map([canonical_url], |r| {
            let size: i64 = r.get("size")?;
            Ok(VersionRow {
                seq: r.get("seq")?,
                kind: reported_kind(r)?,
                origin: r.get("origin")?,
                fetched_at: r.get("fetched_at")?,
                content_hash: r.get("content_hash")?,
                title: r.get("title")?,
                http_status: r.get("http_status")?,
                final_url: r.get("final_url")?,
                size: usize::try_from(size).unwrap_or(0),
                raw_hash: r.get("raw_hash")?,
                encoding: r.get("encoding")?,
                extractor: r.get("extractor")?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn document(&self, canonical_url: &str, seq: u32) -> Result<Option<String>, ArchiveError> {
        let row: Option<(String, String)> = self
            .conn
            .prepare_cached(
                "SELECT v.document, v.content_hash
                 FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE a.canonical_url = ?1 AND v.seq = ?2",
            )?
            .query_row(params![canonical_url, seq], |r| {
                Ok((r.get("document")?, r.get("content_hash")?))
            })
            .optional()?;
        row.map(|(doc, hash)| verify_document(canonical_url, seq, doc, &hash))
            .transpose()
    }

    fn latest_document(&self, canonical_url: &str) -> Result<Option<String>, ArchiveError> {
        let row: Option<(u32, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT v.seq, v.document, v.content_hash
                 FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE a.canonical_url = ?1 AND v.kind <> 'removed'
                 ORDER BY v.seq DESC LIMIT 1",
            )?
            .query_row([canonical_url], |r| {
                Ok((r.get("seq")?, r.get("document")?, r.get("content_hash")?))
            })
            .optional()?;
        row.map(|(seq, doc, hash)| verify_document(canonical_url, seq, doc, &hash))
            .transpose()
    }

    fn raw_capture(&self, canonical_url: &str, seq: u32) -> Result<Option<Vec<u8>>, ArchiveError> {
        let hash: Option<Option<String>> = self
            .conn
            .prepare_cached(
                "SELECT v.raw_hash FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE a.canonical_url = ?1 AND v.seq = ?2",
            )?
            .query_row(params![canonical_url, seq], |r| r.get(0))
            .optional()?;
        match hash.flatten() {
            None => Ok(None),
            Some(hash) => self.blob(&hash).map(Some),
        }
    }

    fn blob(&self, hash: &str) -> Result<Vec<u8>, ArchiveError> {
        let row: Option<(i64, String, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT size, compression, data FROM blobs WHERE hash = ?1")?
            .query_row([hash], |r| {
                Ok((r.get("size")?, r.get("compression")?, r.get("data")?))
            })
            .optional()?;
        let Some((size, compression, data)) = row else {
            return Err(ArchiveError::Corrupt(format!("blob {hash} is missing")));
        };
        decode_blob(hash, size, &compression, data)
    }

    fn fetch_log(&self, url: &str) -> Result<Vec<FetchRow>, ArchiveError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT url, started_at, attempts, http_status, final_url, outcome, detail, bytes
             FROM fetches WHERE url = ?1 OR canonical_url = ?1
             ORDER BY started_at, id",
        )?;
        let rows = stmt.query_map([url], fetch_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn counts(&self) -> Result<(u64, u64, u64), ArchiveError> {
        let (a, v, b): (i64, i64, i64) = self.conn.query_row(
            "SELECT (SELECT count(*) FROM articles) AS articles,
                 (SELECT count(*) FROM versions) AS versions, (SELECT count(*) FROM blobs) AS blobs",
            [],
            |r| Ok((r.get("articles")?, r.get("versions")?, r.get("blobs")?)),
        )?;
        let n = |x: i64| u64::try_from(x).unwrap_or(0);
        Ok((n(a), n(v), n(b)))
    }

    fn integrity_check(&self) -> Result<(), ArchiveError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let problems = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        if problems != ["ok"] {
            return Err(ArchiveError::Corrupt(problems.join("; ")));
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let fk = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        if !fk.is_empty() {
            return Err(ArchiveError::Corrupt(format!(
                "{} foreign key violations (tables: {})",
                fk.len(),
                fk.join(", ")
            )));
        }
        let wrong = self
            .conn
            .prepare(ROW_COUNTS_CHECK)?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        if !wrong.is_empty() {
            return Err(wrong_row_counts(&wrong));
        }
        Ok(())
    }
}

/// The names of the trigger-kept row counts that differ from a real count (the same SQL on
/// both backends; the integrity checks run it).
pub(crate) const ROW_COUNTS_CHECK: &str =
    "SELECT c.name FROM row_counts c WHERE c.value <> CASE c.name
        WHEN 'articles' THEN (SELECT count(*) FROM articles)
        WHEN 'removed' THEN (SELECT count(*) FROM articles WHERE status = 'removed')
        WHEN 'versions' THEN (SELECT count(*) FROM versions)
        WHEN 'blobs' THEN (SELECT count(*) FROM blobs)
        WHEN 'fetches' THEN (SELECT count(*) FROM fetches)
        WHEN 'screenshots' THEN (SELECT count(*) FROM version_screenshots) END
    ORDER BY c.name";

pub(crate) fn wrong_row_counts(names: &[String]) -> ArchiveError {
    ArchiveError::Corrupt(format!(
        "the kept row counts of {} differ from the rows",
        names.join(", ")
    ))
}

/// Decompresses a stored blob and verifies it against its hash and size (shared by the
/// backends: the blob format is the archive's, not the database's).
pub(crate) fn decode_blob(
    hash: &str,
    size: i64,
    compression: &str,
    data: Vec<u8>,
) -> Result<Vec<u8>, ArchiveError> {
    let size = u64::try_from(size)
        .map_err(|_| ArchiveError::Corrupt(format!("blob {hash} has negative size {size}")))?;
    let bytes = match compression {
        "none" => data,
        "zstd" => {
            let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(1 << 26));
            // Read at most one byte more than expected: corrupt data cannot balloon.
            zstd::stream::read::Decoder::new(&data[..])
                .and_then(|decoder| decoder.take(size.saturating_add(1)).read_to_end(&mut out))
                .map_err(|e| {
                    ArchiveError::Corrupt(format!("blob {hash} does not decompress: {e}"))
                })?;
            out
        }
        "deflate" => {
            let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(1 << 26));
            // Read at most one byte more than expected: corrupt data cannot balloon.
            DeflateDecoder::new(&data[..])
                .take(size.saturating_add(1))
                .read_to_end(&mut out)
                .map_err(|e| {
                    ArchiveError::Corrupt(format!("blob {hash} does not decompress: {e}"))
                })?;
            out
        }
        other => {
            return Err(ArchiveError::Corrupt(format!(
                "blob {hash} has unknown compression {other:?}"
            )));
        }
    };
    if bytes.len() as u64 != size {
        return Err(ArchiveError::Corrupt(format!(
            "blob {hash} decompresses to {} bytes, expected {size}",
            bytes.len()
        )));
    }
    let actual = hash_hex(&bytes);
    if actual != hash {
        return Err(ArchiveError::Corrupt(format!(
            "blob {hash} fails verification (content hashes to {actual})"
        )));
    }
    Ok(bytes)
}

/// Stores `blob` in `blobs` unless those bytes are already there; returns their hash.
fn store_blob(conn: &Connection, blob: &RawBlob) -> Result<String, ArchiveError> {
    conn.prepare_cached(
        "INSERT INTO blobs (hash, size, compression, data) VALUES (?1, ?2, 'zstd', ?3)
         ON CONFLICT (hash) DO NOTHING",
    )?
    .execute(params![blob.hash(), blob.size(), blob.data()])?;
    Ok(blob.hash().to_owned())
}

/// The version [`SqliteArchive::record_capture`] appends to an article.
struct NextVersion {
    article_id: i64,
    seq: u32,
    kind: VersionKind,
}

/// The id and latest version number of the article filed under `canonical_url`, if any.
fn known_article(
    conn: &Connection,
    canonical_url: &str,
) -> Result<Option<(i64, u32)>, ArchiveError> {
    Ok(conn
        .prepare_cached("SELECT id, latest_seq FROM articles WHERE canonical_url = ?1")?
        .query_row([canonical_url], |r| {
            Ok((r.get("id")?, r.get("latest_seq")?))
        })
        .optional()?)
}

/// Files the article of a first capture, first seen at `now`, still without versions;
/// returns its id.
fn insert_article(
    conn: &Connection,
    capture: &NewCapture<'_>,
    now: &str,
) -> Result<i64, ArchiveError> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO articles (canonical_url, site, site_article_id, lang,
                    first_seen_at, last_checked_at, last_changed_at, status, latest_seq,
                    etag, last_modified, author)
                VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5, 'live', 0, ?6, ?7, ?8)
                RETURNING id",
        )?
        .query_row(
            params![
                capture.canonical_url,
                capture.site,
                capture.site_article_id,
                capture.lang,
                now,
                capture.etag,
                capture.last_modified,
                capture.author,
            ],
            |r| r.get(0),
        )?)
}

/// Updates an archived article on a capture, whether or not it adds a version.
fn update_checked_article(
    conn: &Connection,
    id: i64,
    capture: &NewCapture<'_>,
    now: &str,
) -> Result<(), ArchiveError> {
    // Always: the check time, validators and identity fields of the last good response.
    conn.prepare_cached(
        "UPDATE articles SET site = ?2, site_article_id = ?3, lang = ?4,
                last_checked_at = max(last_checked_at, ?5), etag = ?6, last_modified = ?7,
                removal_pending = 0, removal_pending_since = NULL,
                author = coalesce(?8, author)
            WHERE id = ?1",
    )?
    .execute(params![
        id,
        capture.site,
        capture.site_article_id,
        capture.lang,
        now,
        capture.etag,
        capture.last_modified,
        capture.author,
    ])?;
    Ok(())
}

/// What a capture of archived article `id` becomes next to its latest version `latest_seq`
/// (see [`classify_capture`]).
fn classify_against_latest(
    conn: &Connection,
    capture: &NewCapture<'_>,
    id: i64,
    latest_seq: u32,
    content_hash: &str,
) -> Result<CaptureVerdict, ArchiveError> {
    let latest: Option<(String, VersionKind)> = conn
        .prepare_cached(
            "SELECT content_hash, kind FROM versions WHERE article_id = ?1 AND seq = ?2",
        )?
        .query_row(params![id, latest_seq], |r| {
            Ok((r.get("content_hash")?, r.get("kind")?))
        })
        .optional()?;
    if latest.is_none() && latest_seq != 0 {
        return Err(ArchiveError::Corrupt(format!(
            "article {} has latest_seq {latest_seq} but no such version",
            capture.canonical_url
        )));
    }
    let latest = latest.as_ref().map(|(content_hash, kind)| Latest {
        seq: latest_seq,
        kind: *kind,
        content_hash,
    });
    Ok(classify_capture(latest, content_hash, capture.minor))
}

/// Inserts the version `next` of a fetched capture; returns its id.
fn insert_version(
    conn: &Connection,
    capture: &NewCapture<'_>,
    next: &NextVersion,
    now: &str,
    content_hash: &str,
    raw_hash: &str,
) -> Result<i64, ArchiveError> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO versions (article_id, seq, kind, origin, fetched_at, content_hash,
                    document, title, published, http_status, final_url, raw_hash, content_type,
                    encoding, extractor, diff, date_found)
                VALUES (?1, ?2, ?3, 'fetch', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,
                    CASE WHEN ?2 = 1 THEN NULL ELSE ?15 END, ?16)
                RETURNING id",
        )?
        .query_row(
            params![
                next.article_id,
                next.seq,
                next.kind,
                now,
                content_hash,
                capture.document,
                capture.title,
                capture.published,
                capture.http_status,
                capture.final_url,
                raw_hash,
                capture.content_type,
                capture.encoding,
                capture.extractor,
                capture.diff,
                capture.date_found,
            ],
            |r| r.get(0),
        )?)
}

/// Makes version `next` its article's latest, changed at `now`: the article is live again
/// (and, restored, no longer carries its removal signal).
fn make_latest(conn: &Connection, next: &NextVersion, now: &str) -> Result<(), ArchiveError> {
    conn.prepare_cached(
        "UPDATE articles SET latest_seq = ?2, last_changed_at = ?3, status = 'live',
                removal_signal = CASE WHEN ?4 THEN NULL ELSE removal_signal END
            WHERE id = ?1",
    )?
    .execute(params![
        next.article_id,
        next.seq,
        now,
        next.kind == VersionKind::Restored
    ])?;
    Ok(())
}

pub(crate) fn verify_document(
    canonical_url: &str,
    seq: u32,
    document: String,
    expected: &str,
) -> Result<String, ArchiveError> {
    let actual = hash_hex(document.as_bytes());
    if actual != expected {
        return Err(ArchiveError::Corrupt(format!(
            "document {canonical_url} v{seq} fails verification: content hash {expected}, text hashes to {actual}"
        )));
    }
    Ok(document)
}
