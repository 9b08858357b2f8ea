//! The PostgreSQL archive: the same archive in a database that many processes (and machines)
//! share.
//!
//! The schema is the SQLite archive's in meaning (`migrations/001_initial.sql`), with its own
//! migrations recorded in `newsvault_schema`. Times stay the archive's UTC text and text
//! columns compare bytewise (`COLLATE "C"`), so every list, feed and export is ordered and
//! printed exactly as from SQLite. Domain rules (what a capture or a removal becomes) come from
//! [`crate::archive::kinds`]; the SQL here only stores their verdicts.
//!
//! Concurrency: a capture or removal locks its article row (`SELECT … FOR UPDATE`, or the
//! row it has just inserted) for its transaction, then appends version `latest_seq + 1`
//! under the `UNIQUE (article_id, seq)` constraint: two workers re-checking one article
//! serialise on the row, and the second one classifies its capture against the version the
//! first one appended, so one change never becomes two versions (compare-and-append).
//!
//! The client is the synchronous `postgres` crate (see [`crate::archive::store`] for why the
//! interface is synchronous). It speaks without TLS: connect over a local socket, loopback or
//! a trusted network; `sslmode=require` is refused rather than silently not encrypting.
//! Where the server is and who connects: [`connect`] (URL, `PG*` variables, password file).

use std::cell::RefCell;
use std::collections::HashMap;

use ::postgres::types::ToSql;
use ::postgres::{Client, Row, Statement};
use chrono::Utc;

use super::blob::RawBlob;
use super::kinds::{CaptureVerdict, Latest, VersionKind, classify_capture};
use super::search::SearchText;
use super::sqlite::{decode_blob, to_i64, verify_document};
use super::store::Versions;
use super::{
    ArchiveError, ArticleRow, FetchLog, FetchRow, Mode, NewCapture, PostgresUrl, Recorded,
    UnknownName, VersionRow, format_time, hash_hex,
};

mod bulk;
mod checks;
pub mod connect;
mod copy;
mod feeds;
mod images;
mod leases;
mod queue;
mod screenshots;
mod search;
#[cfg(test)]
mod tests;
pub mod throwaway;

/// The schema, as ordered migrations; append new ones, never edit released ones.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_change_counter.sql"),
    include_str!("migrations/003_leases.sql"),
    include_str!("migrations/004_content_counter.sql"),
    include_str!("migrations/005_row_counts.sql"),
    include_str!("migrations/006_search.sql"),
    include_str!("migrations/007_images.sql"),
    include_str!("migrations/008_screenshots.sql"),
    include_str!("migrations/009_queue_claim_order.sql"),
];

/// The migration (version) after which the search index is built in Rust for what the
/// archive holds: `006_search.sql`.
const SEARCH_MIGRATION: i64 = 6;

/// The schema version (rows of `newsvault_schema`) this code writes.
pub const PG_SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Key of the advisory lock that serialises schema migrations between processes.
const MIGRATION_LOCK: i64 = 0x4E56_4C54;

/// The text of a PostgreSQL error with the server's own message (the client's `Display`
/// says only "db error").
pub fn describe(e: &::postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut text = format!("{}: {}", db.severity(), db.message());
            if let Some(detail) = db.detail() {
                text.push_str(&format!(" ({detail})"));
            }
            text
        }
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}

/// One connection and the statements prepared on it.
struct Conn {
    /// Always `Some` until dropped (see the `Drop` impl).
    client: Option<Client>,
    statements: HashMap<String, Statement>,
}

/// Closing the client blocks on its runtime: done off any tokio runtime, like every call.
impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            outside_runtime(move || drop(client));
        }
    }
}

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

impl Conn {
    /// The statement for `sql`, prepared once per connection.
    fn statement(&mut self, sql: &str) -> Result<Statement, ArchiveError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let client = self.client.as_mut().expect("open until dropped");
        let statement = outside_runtime(|| client.prepare(sql))?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    fn query(&mut self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, ArchiveError> {
        let statement = self.statement(sql)?;
        let client = self.client.as_mut().expect("open until dropped");
        Ok(outside_runtime(|| client.query(&statement, params))?)
    }

    /// Runs `sql` without keeping its statement: planned for these very parameters each time.
    /// (A kept statement gets a generic plan after a few runs, which for a search can be a
    /// hundred times slower than the plan its parameters call for.)
    fn query_planned(&mut self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, ArchiveError> {
        let client = self.client.as_mut().expect("open until dropped");
        Ok(outside_runtime(|| client.query(sql, params))?)
    }

    fn query_opt(&mut self, sql: &str, params: Params<'_>) -> Result<Option<Row>, ArchiveError> {
        let statement = self.statement(sql)?;
        let client = self.client.as_mut().expect("open until dropped");
        Ok(outside_runtime(|| client.query_opt(&statement, params))?)
    }

    fn query_one(&mut self, sql: &str, params: Params<'_>) -> Result<Row, ArchiveError> {
        let statement = self.statement(sql)?;
        let client = self.client.as_mut().expect("open until dropped");
        Ok(outside_runtime(|| client.query_one(&statement, params))?)
    }

    fn execute(&mut self, sql: &str, params: Params<'_>) -> Result<u64, ArchiveError> {
        let statement = self.statement(sql)?;
        let client = self.client.as_mut().expect("open until dropped");
        Ok(outside_runtime(|| client.execute(&statement, params))?)
    }

    fn batch(&mut self, sql: &str) -> Result<(), ArchiveError> {
        let client = self.client.as_mut().expect("open until dropped");
        Ok(outside_runtime(|| client.batch_execute(sql))?)
    }
}

/// Runs `f`, a call of the synchronous client, off any tokio runtime: the client drives its
/// own runtime and cannot block inside another. Archive calls come from blocking threads
/// (see [`crate::archive::store`]), where this costs nothing; a call made on a runtime thread
/// (opening the archive in an async function, say) runs on a short-lived thread instead.
fn outside_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|scope| {
        scope
            .spawn(f)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Typed reads of result columns; integers are bigint, read back into the archive's types.
trait RowExt {
    fn int(&self, column: &str) -> Result<i64, ArchiveError>;
    fn seq(&self, column: &str) -> Result<u32, ArchiveError>;
    fn opt_seq(&self, column: &str) -> Result<Option<u32>, ArchiveError>;
    fn status(&self, column: &str) -> Result<Option<u16>, ArchiveError>;
    fn count(&self, column: &str) -> Result<u64, ArchiveError>;
    fn vocab<T: std::str::FromStr<Err = UnknownName>>(
        &self,
        column: &str,
    ) -> Result<T, ArchiveError>;
    fn opt_vocab<T: std::str::FromStr<Err = UnknownName>>(
        &self,
        column: &str,
    ) -> Result<Option<T>, ArchiveError>;
}

fn out_of_range(column: &str, value: i64) -> ArchiveError {
    ArchiveError::Corrupt(format!("column {column} holds {value}, out of range"))
}

impl RowExt for Row {
    fn int(&self, column: &str) -> Result<i64, ArchiveError> {
        Ok(self.try_get::<_, i64>(column)?)
    }

    fn seq(&self, column: &str) -> Result<u32, ArchiveError> {
        let value = self.int(column)?;
        u32::try_from(value).map_err(|_| out_of_range(column, value))
    }

    fn opt_seq(&self, column: &str) -> Result<Option<u32>, ArchiveError> {
        self.try_get::<_, Option<i64>>(column)?
            .map(|v| u32::try_from(v).map_err(|_| out_of_range(column, v)))
            .transpose()
    }

    fn status(&self, column: &str) -> Result<Option<u16>, ArchiveError> {
        self.try_get::<_, Option<i64>>(column)?
            .map(|v| u16::try_from(v).map_err(|_| out_of_range(column, v)))
            .transpose()
    }

    fn count(&self, column: &str) -> Result<u64, ArchiveError> {
        Ok(u64::try_from(self.int(column)?).unwrap_or(0))
    }

    fn vocab<T: std::str::FromStr<Err = UnknownName>>(
        &self,
        column: &str,
    ) -> Result<T, ArchiveError> {
        let text: &str = self.try_get(column)?;
        text.parse()
            .map_err(|e: UnknownName| ArchiveError::Corrupt(e.to_string()))
    }

    fn opt_vocab<T: std::str::FromStr<Err = UnknownName>>(
        &self,
        column: &str,
    ) -> Result<Option<T>, ArchiveError> {
        let text: Option<&str> = self.try_get(column)?;
        text.map(|t| {
            t.parse()
                .map_err(|e: UnknownName| ArchiveError::Corrupt(e.to_string()))
        })
        .transpose()
    }
}

/// SQL selecting a version's stored kind as `kind` and its predecessor's as `previous_kind`
/// (for `versions v`), read by [`reported_kind`].
const KIND_COLUMNS: &str = "v.kind AS kind, (SELECT p.kind FROM versions p
    WHERE p.article_id = v.article_id AND p.seq = v.seq - 1) AS previous_kind";

/// The kind a version is reported as ([`VersionKind::reported`]), from [`KIND_COLUMNS`].
fn reported_kind(r: &Row) -> Result<VersionKind, ArchiveError> {
    Ok(VersionKind::reported(
        r.vocab("kind")?,
        r.opt_vocab("previous_kind")?,
    ))
}

/// A fetch log row from `SELECT url, started_at, attempts, http_status, final_url, outcome,
/// detail, bytes`.
fn fetch_row(r: &Row) -> Result<FetchRow, ArchiveError> {
    Ok(FetchRow {
        url: r.try_get("url")?,
        started_at: r.try_get("started_at")?,
        attempts: r.seq("attempts")?,
        http_status: r.status("http_status")?,
        final_url: r.try_get("final_url")?,
        outcome: r.vocab("outcome")?,
        detail: r.try_get("detail")?,
        bytes: r
            .try_get::<_, Option<i64>>("bytes")?
            .map(|b| u64::try_from(b).unwrap_or(0)),
    })
}

fn limit_i64(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// The archive: one PostgreSQL connection.
pub struct PostgresArchive {
    /// In a cell because the interface reads through `&self` and the client needs `&mut`.
    conn: RefCell<Conn>,
    /// Open transaction levels: the group, its units, a write's own savepoint.
    depth: u32,
    /// Where the archive is, without secrets (for messages).
    location: String,
}

impl std::fmt::Debug for PostgresArchive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostgresArchive({})", self.location)
    }
}

impl PostgresArchive {
    /// Connects to the archive at `url` for `mode`. Read-write brings the schema up to date
    /// (creating it in an empty database); read-only never writes (its session is
    /// `default_transaction_read_only`) and needs an archive at this code's schema.
    pub fn connect(url: &PostgresUrl, mode: Mode) -> Result<PostgresArchive, ArchiveError> {
        match Self::connect_as(url, mode) {
            Err(ArchiveError::Outdated { .. }) if mode == Mode::ReadOnly => {
                // Like SQLite's read-only open: an older schema is upgraded once when the
                // role may, then read.
                Self::connect_as(url, Mode::ReadWrite)?;
                Self::connect_as(url, Mode::ReadOnly)
            }
            other => other,
        }
    }

    fn connect_as(url: &PostgresUrl, mode: Mode) -> Result<PostgresArchive, ArchiveError> {
        let location = url.redacted();
        let config = connect::client_config(url, &connect::process_env)?;
        let client = outside_runtime(|| config.connect(::postgres::NoTls)).map_err(|e| {
            ArchiveError::Database {
                location: location.clone(),
                what: format!("cannot connect: {}", describe(&e)),
            }
        })?;
        let mut archive = PostgresArchive {
            conn: RefCell::new(Conn {
                client: Some(client),
                statements: HashMap::new(),
            }),
            depth: 0,
            location,
        };
        match mode {
            Mode::ReadWrite => archive.migrate()?,
            Mode::ReadOnly => {
                let conn = archive.conn.get_mut();
                conn.batch("SET default_transaction_read_only = on")?;
                archive.check_read_only_schema()?;
            }
        }
        Ok(archive)
    }

    /// The schema version recorded in the database; `None` without a version table.
    fn schema_version(&mut self) -> Result<Option<i64>, ArchiveError> {
        let conn = self.conn.get_mut();
        let table = conn.query_one(
            "SELECT to_regclass('newsvault_schema') IS NOT NULL AS present",
            &[],
        )?;
        if !table.try_get::<_, bool>("present")? {
            return Ok(None);
        }
        let row = conn.query_one(
            "SELECT coalesce(max(version), 0) AS version FROM newsvault_schema",
            &[],
        )?;
        Ok(Some(row.int("version")?))
    }

    fn too_new(&self, found: i64) -> ArchiveError {
        ArchiveError::TooNew {
            path: self.location.clone().into(),
            found: usize::try_from(found).unwrap_or(usize::MAX),
            supported: PG_SCHEMA_VERSION,
        }
    }

    fn check_read_only_schema(&mut self) -> Result<(), ArchiveError> {
        match self.schema_version()? {
            None => Err(ArchiveError::NoArchive {
                path: self.location.clone().into(),
            }),
            Some(v) if v == PG_SCHEMA_VERSION as i64 => Ok(()),
            Some(v) if v > PG_SCHEMA_VERSION as i64 => Err(self.too_new(v)),
            Some(v) => Err(ArchiveError::Outdated {
                path: self.location.clone().into(),
                found: usize::try_from(v).unwrap_or(0),
                current: PG_SCHEMA_VERSION,
            }),
        }
    }

    /// Applies the missing migrations in one transaction, under an advisory lock so that
    /// processes starting at once migrate one after the other. A database holding tables
    /// but no newsvault schema is refused and left untouched.
    fn migrate(&mut self) -> Result<(), ArchiveError> {
        self.conn.get_mut().batch("BEGIN")?;
        let result = self.migrate_locked();
        let conn = self.conn.get_mut();
        match result {
            Ok(()) => conn.batch("COMMIT"),
            Err(e) => {
                let _ = conn.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    fn migrate_locked(&mut self) -> Result<(), ArchiveError> {
        self.conn
            .get_mut()
            .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        let found = match self.schema_version()? {
            Some(v) => v,
            None => {
                let conn = self.conn.get_mut();
                let tables = conn
                    .query_one(
                        "SELECT count(*) AS n FROM information_schema.tables
                         WHERE table_schema = current_schema()",
                        &[],
                    )?
                    .int("n")?;
                if tables > 0 {
                    return Err(ArchiveError::Database {
                        location: self.location.clone(),
                        what: format!(
                            "the database already holds {tables} tables but no newsvault schema; it was left untouched"
                        ),
                    });
                }
                conn.batch(
                    "CREATE TABLE newsvault_schema (
                         version    bigint PRIMARY KEY,
                         applied_at text NOT NULL
                     )",
                )?;
                0
            }
        };
        if found > PG_SCHEMA_VERSION as i64 {
            return Err(self.too_new(found));
        }
        let now = format_time(Utc::now());
        let conn = self.conn.get_mut();
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            let version = index as i64 + 1;
            conn.batch(sql).map_err(|e| {
                ArchiveError::Migration(format!("{}: migration {version}: {e}", self.location))
            })?;
            if version == SEARCH_MIGRATION {
                search::rebuild(conn)?;
            }
            conn.execute(
                "INSERT INTO newsvault_schema (version, applied_at) VALUES ($1, $2)",
                &[&version, &now],
            )?;
        }
        Ok(())
    }

    /// Runs `f` in a transaction of its own, or in a savepoint inside the open group: all of
    /// its writes are kept, or none.
    fn write<T>(
        &mut self,
        f: impl FnOnce(&mut Conn) -> Result<T, ArchiveError>,
    ) -> Result<T, ArchiveError> {
        let nested = self.depth > 0;
        let conn = self.conn.get_mut();
        conn.batch(if nested { "SAVEPOINT write" } else { "BEGIN" })?;
        match f(conn) {
            Ok(value) => {
                conn.batch(if nested {
                    "RELEASE SAVEPOINT write"
                } else {
                    "COMMIT"
                })?;
                Ok(value)
            }
            Err(e) => {
                let _ = conn.batch(if nested {
                    "ROLLBACK TO SAVEPOINT write; RELEASE SAVEPOINT write"
                } else {
                    "ROLLBACK"
                });
                Err(e)
            }
        }
    }
}

/// Stores `blob` in `blobs` unless those bytes are already there; returns their hash.
fn store_blob(conn: &mut Conn, blob: &RawBlob) -> Result<String, ArchiveError> {
    // Another worker may store the same bytes at the same moment: same hash, same blob.
    conn.execute(
        "INSERT INTO blobs (hash, size, compression, data) VALUES ($1, $2, 'zstd', $3)
         ON CONFLICT (hash) DO NOTHING",
        &[&blob.hash(), &blob.size(), &blob.data()],
    )?;
    Ok(blob.hash().to_owned())
}

/// Locks the capture's article row for this transaction, creating it (latest_seq 0) when new;
/// returns its id and latest seq, and whether it was created.
fn lock_article(
    conn: &mut Conn,
    capture: &NewCapture<'_>,
    now: &str,
) -> Result<(i64, u32, bool), ArchiveError> {
    let created = conn.query_opt(
        "INSERT INTO articles (canonical_url, site, site_article_id, lang, first_seen_at,
             last_checked_at, last_changed_at, status, latest_seq, etag, last_modified, author)
         VALUES ($1, $2, $3, $4, $5, $5, $5, 'live', 0, $6, $7, $8)
         ON CONFLICT (canonical_url) DO NOTHING
         RETURNING id",
        &[
            &capture.canonical_url,
            &capture.site,
            &capture.site_article_id,
            &capture.lang,
            &now,
            &capture.etag,
            &capture.last_modified,
            &capture.author,
        ],
    )?;
    if let Some(row) = created {
        return Ok((row.int("id")?, 0, true));
    }
    let row = conn.query_one(
        "SELECT id, latest_seq FROM articles WHERE canonical_url = $1 FOR UPDATE",
        &[&capture.canonical_url],
    )?;
    Ok((row.int("id")?, row.seq("latest_seq")?, false))
}

/// The article's latest version as [`classify_capture`] needs it.
fn latest_version(
    conn: &mut Conn,
    canonical_url: &str,
    article_id: i64,
    latest_seq: u32,
) -> Result<Option<(String, VersionKind)>, ArchiveError> {
    if latest_seq == 0 {
        return Ok(None);
    }
    let row = conn.query_opt(
        "SELECT content_hash, kind FROM versions WHERE article_id = $1 AND seq = $2",
        &[&article_id, &i64::from(latest_seq)],
    )?;
    match row {
        Some(row) => Ok(Some((row.try_get("content_hash")?, row.vocab("kind")?))),
        None => Err(ArchiveError::Corrupt(format!(
            "article {canonical_url} has latest_seq {latest_seq} but no such version"
        ))),
    }
}

fn record_capture_in(conn: &mut Conn, capture: &NewCapture<'_>) -> Result<Recorded, ArchiveError> {
    let now = format_time(capture.fetched_at);
    let content_hash = hash_hex(capture.document.as_bytes());
    let raw_hash = store_blob(conn, &capture.raw)?;
    let (article_id, latest_seq, created) = lock_article(conn, capture, &now)?;
    if !created {
        // Always: the check time, validators and identity fields of the last good response.
        conn.execute(
            "UPDATE articles SET site = $2, site_article_id = $3, lang = $4,
                 last_checked_at = greatest(last_checked_at, $5), etag = $6, last_modified = $7,
                 removal_pending = 0, removal_pending_since = NULL,
                 author = coalesce($8, author)
             WHERE id = $1",
            &[
                &article_id,
                &capture.site,
                &capture.site_article_id,
                &capture.lang,
                &now,
                &capture.etag,
                &capture.last_modified,
                &capture.author,
            ],
        )?;
    }
    let latest = latest_version(conn, capture.canonical_url, article_id, latest_seq)?;
    let latest = latest.as_ref().map(|(hash, kind)| Latest {
        seq: latest_seq,
        kind: *kind,
        content_hash: hash,
    });
    let (seq, kind) = match classify_capture(latest, &content_hash, capture.minor) {
        CaptureVerdict::Unchanged { seq } => return Ok(Recorded::Unchanged { seq }),
        CaptureVerdict::Append { seq, kind } => (seq, kind),
    };
    let diff = if seq == 1 { None } else { capture.diff };
    let version_id = conn
        .query_one(
            "INSERT INTO versions (article_id, seq, kind, origin, fetched_at, content_hash,
             document, title, published, http_status, final_url, raw_hash, content_type,
             encoding, extractor, diff, date_found)
         VALUES ($1, $2, $3, 'fetch', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         RETURNING id",
            &[
                &article_id,
                &i64::from(seq),
                &kind.as_str(),
                &now,
                &content_hash,
                &capture.document,
                &capture.title,
                &capture.published,
                &i64::from(capture.http_status),
                &capture.final_url,
                &raw_hash,
                &capture.content_type,
                &capture.encoding,
                &capture.extractor,
                &diff,
                &capture.date_found,
            ],
        )?
        .int("id")?;
    conn.execute(
        "UPDATE articles SET latest_seq = $2, last_changed_at = $3, status = 'live',
             removal_signal = CASE WHEN $4 THEN NULL ELSE removal_signal END
         WHERE id = $1",
        &[
            &article_id,
            &i64::from(seq),
            &now,
            &(kind == VersionKind::Restored),
        ],
    )?;
    let made;
    let text = match &capture.search {
        Some(text) if text.is_of(capture.title, &content_hash) => text,
        _ => {
            made = SearchText::with_hash(capture.title, capture.document, content_hash);
            &made
        }
    };
    search::index_text(conn, article_id, seq, version_id, text)?;
    Ok(if seq == 1 {
        Recorded::New { seq }
    } else {
        Recorded::Changed { seq }
    })
}

impl Versions for PostgresArchive {
    fn begin_unit(&mut self) -> Result<(), ArchiveError> {
        self.conn.get_mut().batch("SAVEPOINT unit")?;
        self.depth += 1;
        Ok(())
    }

    fn end_unit(&mut self, keep: bool) -> Result<(), ArchiveError> {
        self.depth = self.depth.saturating_sub(1);
        self.conn.get_mut().batch(if keep {
            "RELEASE SAVEPOINT unit"
        } else {
            "ROLLBACK TO SAVEPOINT unit; RELEASE SAVEPOINT unit"
        })
    }

    fn begin_group(&mut self) -> Result<(), ArchiveError> {
        self.conn.get_mut().batch("BEGIN")?;
        self.depth = 1;
        Ok(())
    }

    fn commit_group(&mut self) -> Result<(), ArchiveError> {
        self.depth = 0;
        let conn = self.conn.get_mut();
        // COMMIT of a transaction a failed statement aborted rolls back without an error: a
        // statement first, which fails in that state, so the group is never reported durable.
        if let Err(e) = conn.batch("SELECT 1").and_then(|()| conn.batch("COMMIT")) {
            let _ = conn.batch("ROLLBACK");
            return Err(e);
        }
        Ok(())
    }

    fn record_capture(&mut self, capture: &NewCapture<'_>) -> Result<Recorded, ArchiveError> {
        let recorded = self.write(|conn| record_capture_in(conn, capture))?;
        if !matches!(recorded, Recorded::Unchanged { .. }) {
            tracing::debug!(
                url = capture.canonical_url,
                seq = recorded.seq(),
                "archive: version recorded"
            );
        }
        Ok(recorded)
    }

    fn log_fetch(&mut self, entry: &FetchLog<'_>) -> Result<(), ArchiveError> {
        let bytes = entry.bytes.map(|b| to_i64(b, "bytes")).transpose()?;
        let duration_ms = to_i64(entry.duration_ms, "duration_ms")?;
        self.conn.get_mut().execute(
            "INSERT INTO fetches (url, canonical_url, article_id, started_at, duration_ms,
                 attempts, http_status, final_url, outcome, detail, bytes, encoding, decode_errors)
             VALUES ($1, $2, (SELECT id FROM articles WHERE canonical_url = $2), $3, $4,
                 $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                &entry.url,
                &entry.canonical_url,
                &format_time(entry.started_at),
                &duration_ms,
                &i64::from(entry.attempts),
                &entry.http_status.map(i64::from),
                &entry.final_url,
                &entry.outcome.as_str(),
                &entry.detail,
                &bytes,
                &entry.encoding,
                &entry.decode_errors,
            ],
        )?;
        Ok(())
    }

    fn article(&self, canonical_url: &str) -> Result<Option<ArticleRow>, ArchiveError> {
        let row = self.conn.borrow_mut().query_opt(
            "SELECT canonical_url, site, site_article_id, lang, status, latest_seq,
                 first_seen_at, last_checked_at, last_changed_at, etag, last_modified,
                 next_check_at, removal_signal, removal_pending, removal_pending_since
             FROM articles WHERE canonical_url = $1",
            &[&canonical_url],
        )?;
        row.map(|r| {
            Ok(ArticleRow {
                canonical_url: r.try_get("canonical_url")?,
                site: r.try_get("site")?,
                site_article_id: r.try_get("site_article_id")?,
                lang: r.try_get("lang")?,
                status: r.vocab("status")?,
                latest_seq: r.seq("latest_seq")?,
                first_seen_at: r.try_get("first_seen_at")?,
                last_checked_at: r.try_get("last_checked_at")?,
                last_changed_at: r.try_get("last_changed_at")?,
                etag: r.try_get("etag")?,
                last_modified: r.try_get("last_modified")?,
                next_check_at: r.try_get("next_check_at")?,
                removal_signal: r.try_get("removal_signal")?,
                removal_pending: r.seq("removal_pending")?,
                removal_pending_since: r.try_get("removal_pending_since")?,
            })
        })
        .transpose()
    }

    fn versions(&self, canonical_url: &str) -> Result<Vec<VersionRow>, ArchiveError> {
        let rows = self.conn.borrow_mut().query(
            &format!(
                "SELECT v.seq, {KIND_COLUMNS}, v.origin, v.fetched_at, v.content_hash, v.title,
                     v.http_status, v.final_url, octet_length(v.document)::bigint AS size,
                     v.raw_hash, v.encoding, v.extractor
                 FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE a.canonical_url = $1
                 ORDER BY v.seq"
            ),
            &[&canonical_url],
        )?;
        rows.iter()
            .map(|r| {
                Ok(VersionRow {
                    seq: r.seq("seq")?,
                    kind: reported_kind(r)?,
                    origin: r.vocab("origin")?,
                    fetched_at: r.try_get("fetched_at")?,
                    content_hash: r.try_get("content_hash")?,
                    title: r.try_get("title")?,
                    http_status: r.status("http_status")?,
                    final_url: r.try_get("final_url")?,
                    size: usize::try_from(r.int("size")?).unwrap_or(0),
                    raw_hash: r.try_get("raw_hash")?,
                    encoding: r.try_get("encoding")?,
                    extractor: r.try_get("extractor")?,
                })
            })
            .collect()
    }

    fn document(&self, canonical_url: &str, seq: u32) -> Result<Option<String>, ArchiveError> {
        let row = self.conn.borrow_mut().query_opt(
            "SELECT v.document, v.content_hash
             FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE a.canonical_url = $1 AND v.seq = $2",
            &[&canonical_url, &i64::from(seq)],
        )?;
        row.map(|r| {
            let hash: String = r.try_get("content_hash")?;
            verify_document(canonical_url, seq, r.try_get("document")?, &hash)
        })
        .transpose()
    }

    fn latest_document(&self, canonical_url: &str) -> Result<Option<String>, ArchiveError> {
        let row = self.conn.borrow_mut().query_opt(
            "SELECT v.seq, v.document, v.content_hash
             FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE a.canonical_url = $1 AND v.kind <> 'removed'
             ORDER BY v.seq DESC LIMIT 1",
            &[&canonical_url],
        )?;
        row.map(|r| {
            let hash: String = r.try_get("content_hash")?;
            verify_document(canonical_url, r.seq("seq")?, r.try_get("document")?, &hash)
        })
        .transpose()
    }

    fn raw_capture(&self, canonical_url: &str, seq: u32) -> Result<Option<Vec<u8>>, ArchiveError> {
        let row = self.conn.borrow_mut().query_opt(
            "SELECT v.raw_hash FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE a.canonical_url = $1 AND v.seq = $2",
            &[&canonical_url, &i64::from(seq)],
        )?;
        let hash: Option<String> = match row {
            Some(r) => r.try_get("raw_hash")?,
            None => None,
        };
        hash.map(|hash| self.blob(&hash)).transpose()
    }

    fn blob(&self, hash: &str) -> Result<Vec<u8>, ArchiveError> {
        let row = self.conn.borrow_mut().query_opt(
            "SELECT size, compression, data FROM blobs WHERE hash = $1",
            &[&hash],
        )?;
        let Some(row) = row else {
            return Err(ArchiveError::Corrupt(format!("blob {hash} is missing")));
        };
        let compression: String = row.try_get("compression")?;
        decode_blob(hash, row.int("size")?, &compression, row.try_get("data")?)
    }

    fn fetch_log(&self, url: &str) -> Result<Vec<FetchRow>, ArchiveError> {
        let rows = self.conn.borrow_mut().query(
            "SELECT url, started_at, attempts, http_status, final_url, outcome, detail, bytes
             FROM fetches WHERE url = $1 OR canonical_url = $1
             ORDER BY started_at, id",
            &[&url],
        )?;
        rows.iter().map(fetch_row).collect()
    }

    fn counts(&self) -> Result<(u64, u64, u64), ArchiveError> {
        let r = self.conn.borrow_mut().query_one(
            "SELECT (SELECT count(*) FROM articles) AS articles,
                 (SELECT count(*) FROM versions) AS versions, (SELECT count(*) FROM blobs) AS blobs",
            &[],
        )?;
        Ok((
            r.count("articles")?,
            r.count("versions")?,
            r.count("blobs")?,
        ))
    }

    fn integrity_check(&self) -> Result<(), ArchiveError> {
        checks::integrity_check(&mut self.conn.borrow_mut())
    }
}
