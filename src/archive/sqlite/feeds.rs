//! SqliteArchive queries for the feeds and the web UI: read-only, one page at a time.
//!
//! Every list is keyset-paged: it is read newest first from an index (migration 3), starting
//! below a cursor (`before`, an exclusive row id or seq) and stopping at the page size, so a
//! page costs the same whatever the size of the archive.

use crate::archive::store::Feeds;
use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, named_params, params};

use super::{
    APPLICATION_ID, ArchiveError, ArticleStatus, BUSY_TIMEOUT, FetchRow, SCHEMA_VERSION,
    SqliteArchive, VersionKind,
};

/// An article as lists and feeds show it: its identity, its latest version with a document,
/// and its removal when it is removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleSummary {
    /// Row id: the key of article lists (newest archived first).
    pub id: i64,
    pub canonical_url: String,
    pub site: String,
    pub site_article_id: String,
    pub lang: String,
    pub status: ArticleStatus,
    pub first_seen_at: String,
    pub latest_seq: u32,
    /// The latest version that has a document (removal tombstones skipped).
    pub seq: u32,
    pub title: String,
    /// Publication date string as rendered in the document, site-local time ('' if unknown).
    pub published: String,
    /// When the latest version with a document was fetched.
    pub fetched_at: String,
    /// The last significant change: the newest new/edit/restored/import version (minor
    /// versions are not edits).
    pub updated_at: String,
    /// That version's document; only filled when asked for (feeds), empty for lists.
    pub document: String,
    /// The confirmed removal, while the article is removed.
    pub removal: Option<Removal>,
    /// The author or media name, when a capture gave one.
    pub author: Option<String>,
}

/// A confirmed removal and its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub seq: u32,
    pub at: String,
    pub http_status: Option<u16>,
    pub final_url: Option<String>,
    pub signal: String,
}

/// One version as an event of the changes feed or of an article's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionEvent {
    /// Row id of the version: the key of the changes feed.
    pub id: i64,
    pub article_id: i64,
    pub canonical_url: String,
    pub site: String,
    pub site_article_id: String,
    pub lang: String,
    pub seq: u32,
    pub kind: VersionKind,
    pub fetched_at: String,
    pub title: String,
    pub published: String,
    pub http_status: Option<u16>,
    pub final_url: Option<String>,
    pub removal_signal: Option<String>,
    /// The stored diff against the previous version with content (JSON), if any.
    pub diff: Option<String>,
    /// The document ('' for removals), verified against its content hash.
    pub document: String,
    /// The article's author or media name, when a capture gave one.
    pub author: Option<String>,
}

/// A raw capture's description (the bytes themselves: [`crate::archive::Versions::raw_capture`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawCaptureInfo {
    /// blake3 hex of the bytes.
    pub hash: String,
    /// Size of the bytes, uncompressed.
    pub size: u64,
    /// The response's Content-Type header, when it had one.
    pub content_type: Option<String>,
    /// When the capture was made (`YYYY-MM-DDTHH:MM:SS.mmmZ`).
    pub fetched_at: String,
}

/// Counts for the status page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ArchiveStats {
    pub articles: u64,
    pub removed: u64,
    pub versions: u64,
    pub blobs: u64,
    pub fetches: u64,
}

/// The columns of an [`ArticleSummary`], for `articles a`; `:doc` selects the document.
/// The "updated" time is that of the newest [`VersionKind::UPDATES`] version.
const SUMMARY_COLUMNS: &str = "a.id AS id, a.canonical_url, a.site, a.site_article_id, a.lang,
    a.status, a.first_seen_at, a.latest_seq, v.seq AS seq, v.title, v.published, v.fetched_at,
    coalesce((SELECT max(u.fetched_at) FROM versions u
              WHERE u.article_id = a.id AND u.kind IN ('new', 'edit', 'restored', 'import')),
             v.fetched_at) AS updated_at,
    CASE WHEN :doc THEN v.document ELSE '' END AS document, v.content_hash,
    r.seq AS removal_seq, r.fetched_at AS removal_at, r.http_status AS removal_http_status,
    r.final_url AS removal_final_url, r.removal_signal, a.author";

/// Joins each article `a` to its latest version with a document (`v`) and, when removed, to
/// its removal (`r`). Both are single-row lookups in the (article_id, seq) index.
const SUMMARY_JOINS: &str = "JOIN versions v ON v.article_id = a.id AND v.seq =
        (SELECT max(w.seq) FROM versions w WHERE w.article_id = a.id AND w.kind <> 'removed')
    LEFT JOIN versions r ON r.article_id = a.id AND r.seq = a.latest_seq AND r.kind = 'removed'
        AND a.status = 'removed'";

fn summary_from_row(r: &Row<'_>, with_document: bool) -> rusqlite::Result<ArticleSummary> {
    let removal = match r.get::<_, Option<u32>>("removal_seq")? {
        Some(seq) => Some(Removal {
            seq,
            at: r.get("removal_at")?,
            http_status: r.get("removal_http_status")?,
            final_url: r.get("removal_final_url")?,
            signal: r
                .get::<_, Option<String>>("removal_signal")?
                .unwrap_or_default(),
        }),
        None => None,
    };
    let document: String = r.get("document")?;
    let hash: String = r.get("content_hash")?;
    let canonical_url: String = r.get("canonical_url")?;
    let seq: u32 = r.get("seq")?;
    if with_document && super::hash_hex(document.as_bytes()) != hash {
        return Err(corrupt_document(&canonical_url, seq));
    }
    Ok(ArticleSummary {
        id: r.get("id")?,
        canonical_url,
        site: r.get("site")?,
        site_article_id: r.get("site_article_id")?,
        lang: r.get("lang")?,
        status: r.get("status")?,
        first_seen_at: r.get("first_seen_at")?,
        latest_seq: r.get("latest_seq")?,
        seq,
        title: r.get("title")?,
        published: r.get("published")?,
        fetched_at: r.get("fetched_at")?,
        updated_at: r.get("updated_at")?,
        document,
        removal,
        author: r.get("author")?,
    })
}

/// A verification failure surfaced from inside a row mapper.
fn corrupt_document(url: &str, seq: u32) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(CorruptDocument(format!(
        "document {url} v{seq} fails verification against its content hash"
    ))))
}

#[derive(Debug)]
struct CorruptDocument(String);

impl std::fmt::Display for CorruptDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CorruptDocument {}

/// Maps a verification failure raised in a row mapper back to [`ArchiveError::Corrupt`].
fn lift(e: rusqlite::Error) -> ArchiveError {
    match e {
        rusqlite::Error::ToSqlConversionFailure(inner) if inner.is::<CorruptDocument>() => {
            ArchiveError::Corrupt(inner.to_string())
        }
        other => ArchiveError::Sqlite(other),
    }
}

const EVENT_COLUMNS: &str = concat!(
    "v.id AS id, a.id AS article_id, a.canonical_url, a.site, a.site_article_id, a.lang, v.seq, ",
    super::sql_types::kind_columns!(),
    ", v.fetched_at, v.title, v.published, v.http_status, v.final_url, v.removal_signal,
    v.diff, v.document, v.content_hash, a.author"
);

fn event_from_row(r: &Row<'_>) -> rusqlite::Result<VersionEvent> {
    let canonical_url: String = r.get("canonical_url")?;
    let seq: u32 = r.get("seq")?;
    let document: String = r.get("document")?;
    let hash: String = r.get("content_hash")?;
    if super::hash_hex(document.as_bytes()) != hash {
        return Err(corrupt_document(&canonical_url, seq));
    }
    Ok(VersionEvent {
        id: r.get("id")?,
        article_id: r.get("article_id")?,
        canonical_url,
        site: r.get("site")?,
        site_article_id: r.get("site_article_id")?,
        lang: r.get("lang")?,
        seq,
        kind: super::sql_types::reported_kind(r)?,
        fetched_at: r.get("fetched_at")?,
        title: r.get("title")?,
        published: r.get("published")?,
        http_status: r.get("http_status")?,
        final_url: r.get("final_url")?,
        removal_signal: r.get("removal_signal")?,
        diff: r.get("diff")?,
        document,
        author: r.get("author")?,
    })
}

/// Whether SQLite refused a read-only WAL archive because its folder is read-only (it can
/// neither find nor create the `-shm` file).
fn in_read_only_folder(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_READONLY_DIRECTORY
            || f.extended_code == rusqlite::ffi::SQLITE_CANTOPEN)
}

/// The `file:` URI opening `path` as immutable (no locks, no `-shm`).
fn immutable_uri(path: &Path) -> Result<String, ArchiveError> {
    let absolute = std::path::absolute(path)?;
    let mut uri = url::Url::from_file_path(&absolute).map_err(|()| ArchiveError::NoArchive {
        path: path.to_path_buf(),
    })?;
    uri.set_query(Some("immutable=1"));
    Ok(uri.to_string())
}

fn limit_i64(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

impl SqliteArchive {
    /// One of the trigger-kept counters, read by `sql` (its one row).
    fn counter(&self, sql: &str) -> Result<u64, ArchiveError> {
        let value: i64 = self.conn.prepare_cached(sql)?.query_row([], |r| r.get(0))?;
        Ok(u64::try_from(value).unwrap_or(0))
    }

    /// Opens an existing archive for reading only (the web server's connections; WAL lets
    /// them read beside a writer). The file must be a newsvault archive at exactly this
    /// code's schema version: open it once with [`SqliteArchive::open`] to bring it up to date.
    ///
    /// A WAL archive whose folder cannot be written (a backup on a read-only mount, another
    /// user's file) has no `-wal`/`-shm` files and cannot create them; when no writer is
    /// active that is all it lacks, and it is opened as immutable instead.
    pub fn open_read_only(path: &Path) -> Result<SqliteArchive, ArchiveError> {
        match Self::open_read_only_as(path, None) {
            Err(ArchiveError::Open { source, .. }) if in_read_only_folder(&source) => {
                let immutable = immutable_uri(path)?;
                Self::open_read_only_as(path, Some(&immutable))
            }
            other => other,
        }
    }

    /// [`SqliteArchive::open_read_only`] of `path`, through the SQLite URI `uri` when given.
    fn open_read_only_as(path: &Path, uri: Option<&str>) -> Result<SqliteArchive, ArchiveError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let open_err = |source: rusqlite::Error| ArchiveError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = match uri {
            Some(uri) => Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI),
            None => Connection::open_with_flags(path, flags),
        }
        .map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        let app_id: i32 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(|e| match super::sqlite_code(&e) {
                Some(rusqlite::ErrorCode::NotADatabase) => ArchiveError::NotADatabase {
                    path: path.to_path_buf(),
                },
                _ => open_err(e),
            })?;
        if app_id != APPLICATION_ID {
            return Err(ArchiveError::NotAnArchive {
                path: path.to_path_buf(),
                reason: format!("application_id is {app_id:#010x}"),
            });
        }
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(open_err)?;
        if version != SCHEMA_VERSION as i64 {
            if version > SCHEMA_VERSION as i64 {
                return Err(ArchiveError::TooNew {
                    path: path.to_path_buf(),
                    found: usize::try_from(version).unwrap_or(usize::MAX),
                    supported: SCHEMA_VERSION,
                });
            }
            return Err(ArchiveError::Outdated {
                path: path.to_path_buf(),
                found: usize::try_from(version).unwrap_or(0),
                current: SCHEMA_VERSION,
            });
        }
        conn.pragma_update(None, "query_only", true)
            .map_err(open_err)?;
        Ok(SqliteArchive::from_connection(conn))
    }

    /// Opens an existing archive for reading only, as read-only commands do: an archive at an
    /// older schema is first brought up to date when its file can be written (what every
    /// command did before), and reported as [`ArchiveError::Outdated`] when it cannot.
    pub fn open_read_only_upgrading(path: &Path) -> Result<SqliteArchive, ArchiveError> {
        match Self::open_read_only(path) {
            Err(outdated @ ArchiveError::Outdated { .. }) => {
                if SqliteArchive::open(path).is_err() {
                    return Err(outdated);
                }
                Self::open_read_only(path)
            }
            other => other,
        }
    }

    /// The cursor of the page just newer than one whose first (newest) key is `after`:
    /// `Some(before)` when more than `limit` keys lie above `after`, `None` otherwise (the
    /// newer page is then the first page).
    fn newer_cursor(
        &self,
        sql: &str,
        scope: Option<&dyn rusqlite::ToSql>,
        after: i64,
        limit: usize,
    ) -> Result<Option<i64>, ArchiveError> {
        // One key more than a page: only then is the newer page not the first page.
        let want = limit_i64(limit.saturating_add(1));
        let mut stmt = self.conn.prepare_cached(sql)?;
        let keys: Vec<i64> = match scope {
            Some(scope) => stmt
                .query_map(params![scope, after, want], |r| r.get(0))?
                .collect::<Result<_, _>>()?,
            None => stmt
                .query_map(params![after, want], |r| r.get(0))?
                .collect::<Result<_, _>>()?,
        };
        Ok(if keys.len() <= limit {
            None
        } else {
            keys.get(limit - 1).map(|k| k + 1)
        })
    }
}

impl Feeds for SqliteArchive {
    fn article_summaries(
        &self,
        site: Option<&str>,
        before: Option<i64>,
        limit: usize,
        with_documents: bool,
    ) -> Result<Vec<ArticleSummary>, ArchiveError> {
        // Two statements so that each uses its own index: rowid order for all sites,
        // (site, id) for one.
        let (from, filter) = if site.is_some() {
            ("articles a INDEXED BY articles_site_id", "a.site = :site")
        } else {
            ("articles a", ":site IS NULL")
        };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM {from} {SUMMARY_JOINS}
             WHERE {filter} AND a.id < :before ORDER BY a.id DESC LIMIT :limit"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            named_params! {
                ":site": site,
                ":before": before.unwrap_or(i64::MAX),
                ":limit": limit_i64(limit),
                ":doc": with_documents,
            },
            |r| summary_from_row(r, with_documents),
        )?;
        rows.collect::<Result<Vec<_>, _>>().map_err(lift)
    }

    fn articles_newer_cursor(
        &self,
        site: Option<&str>,
        after: i64,
        limit: usize,
    ) -> Result<Option<i64>, ArchiveError> {
        match site {
            Some(site) => self.newer_cursor(
                "SELECT id FROM articles INDEXED BY articles_site_id
                 WHERE site = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                Some(&site),
                after,
                limit,
            ),
            None => self.newer_cursor(
                "SELECT id FROM articles WHERE id > ?1 ORDER BY id LIMIT ?2",
                None,
                after,
                limit,
            ),
        }
    }

    fn site_exists(&self, site: &str) -> Result<bool, ArchiveError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM articles WHERE site = ?1 LIMIT 1")?
            .exists([site])?)
    }

    fn article_summary(
        &self,
        site: &str,
        site_article_id: &str,
    ) -> Result<Option<ArticleSummary>, ArchiveError> {
        let row_id = site_article_id
            .strip_prefix('_')
            .and_then(|n| n.parse::<i64>().ok());
        // One lookup each (an OR of the two would defeat both indexes).
        let (sql, key) = match row_id {
            Some(row) => (
                format!(
                    "SELECT {SUMMARY_COLUMNS} FROM articles a {SUMMARY_JOINS}
                     WHERE a.site = :site AND a.id = :key"
                ),
                rusqlite::types::Value::Integer(row),
            ),
            None => (
                format!(
                    "SELECT {SUMMARY_COLUMNS} FROM articles a INDEXED BY articles_site {SUMMARY_JOINS}
                     WHERE a.site = :site AND a.site_article_id = :key ORDER BY a.id LIMIT 1"
                ),
                rusqlite::types::Value::Text(site_article_id.to_owned()),
            ),
        };
        self.conn
            .prepare_cached(&sql)?
            .query_row(
                named_params! {
                    ":site": site,
                    ":key": key,
                    ":doc": true,
                },
                |r| summary_from_row(r, true),
            )
            .optional()
            .map_err(lift)
    }

    fn recent_removals(
        &self,
        site: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ArticleSummary>, ArchiveError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM versions x INDEXED BY versions_removals
                 JOIN articles a ON a.id = x.article_id {SUMMARY_JOINS}
             WHERE x.kind = 'removed' AND x.seq = a.latest_seq
                 AND (:site IS NULL OR a.site = :site)
             ORDER BY x.id DESC LIMIT :limit"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            named_params! {":site": site, ":limit": limit_i64(limit), ":doc": false},
            |r| summary_from_row(r, false),
        )?;
        rows.collect::<Result<Vec<_>, _>>().map_err(lift)
    }

    fn change_events(
        &self,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<VersionEvent>, ArchiveError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM versions v INDEXED BY versions_events
                 JOIN articles a ON a.id = v.article_id
             WHERE v.kind <> 'minor' AND v.id < ?1 ORDER BY v.id DESC LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![before.unwrap_or(i64::MAX), limit_i64(limit)],
            event_from_row,
        )?;
        rows.collect::<Result<Vec<_>, _>>().map_err(lift)
    }

    fn changes_newer_cursor(&self, after: i64, limit: usize) -> Result<Option<i64>, ArchiveError> {
        self.newer_cursor(
            "SELECT id FROM versions INDEXED BY versions_events
             WHERE kind <> 'minor' AND id > ?1 ORDER BY id LIMIT ?2",
            None,
            after,
            limit,
        )
    }

    fn history_events(
        &self,
        article_id: i64,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<VersionEvent>, ArchiveError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE v.article_id = ?1 AND v.seq < ?2 ORDER BY v.seq DESC LIMIT ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![article_id, before.unwrap_or(i64::MAX), limit_i64(limit)],
            event_from_row,
        )?;
        rows.collect::<Result<Vec<_>, _>>().map_err(lift)
    }

    fn history_newer_cursor(
        &self,
        article_id: i64,
        after: i64,
        limit: usize,
    ) -> Result<Option<i64>, ArchiveError> {
        self.newer_cursor(
            "SELECT seq FROM versions WHERE article_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            Some(&article_id),
            after,
            limit,
        )
    }

    fn stats(&self) -> Result<ArchiveStats, ArchiveError> {
        let n = |x: i64| u64::try_from(x).unwrap_or(0);
        // Kept by triggers (`012_row_counts.sql`), not counted.
        let (a, r, v, b, f): (i64, i64, i64, i64, i64) = self.conn.query_row(
            "SELECT (SELECT value FROM row_counts WHERE name = 'articles') AS articles,
                    (SELECT value FROM row_counts WHERE name = 'removed') AS removed,
                    (SELECT value FROM row_counts WHERE name = 'versions') AS versions,
                    (SELECT value FROM row_counts WHERE name = 'blobs') AS blobs,
                    (SELECT value FROM row_counts WHERE name = 'fetches') AS fetches",
            [],
            |r| {
                Ok((
                    r.get("articles")?,
                    r.get("removed")?,
                    r.get("versions")?,
                    r.get("blobs")?,
                    r.get("fetches")?,
                ))
            },
        )?;
        Ok(ArchiveStats {
            articles: n(a),
            removed: n(r),
            versions: n(v),
            blobs: n(b),
            fetches: n(f),
        })
    }

    fn recent_fetches(&self, limit: usize) -> Result<Vec<FetchRow>, ArchiveError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT url, started_at, attempts, http_status, final_url, outcome, detail, bytes
             FROM fetches ORDER BY started_at DESC, id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit_i64(limit)], super::fetch_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn change_counter(&self) -> Result<u64, ArchiveError> {
        self.counter("SELECT value FROM change_counter WHERE id = 1")
    }

    fn content_counter(&self) -> Result<u64, ArchiveError> {
        self.counter("SELECT value FROM content_counter WHERE id = 1")
    }

    fn raw_capture_info(
        &self,
        canonical_url: &str,
        seq: u32,
    ) -> Result<Option<RawCaptureInfo>, ArchiveError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT v.raw_hash, b.size, v.content_type, v.fetched_at
                 FROM versions v JOIN articles a ON a.id = v.article_id
                 JOIN blobs b ON b.hash = v.raw_hash
                 WHERE a.canonical_url = ?1 AND v.seq = ?2",
            )?
            .query_row(params![canonical_url, seq], |r| {
                let size: i64 = r.get(1)?;
                Ok(RawCaptureInfo {
                    hash: r.get(0)?,
                    size: u64::try_from(size).unwrap_or(0),
                    content_type: r.get(2)?,
                    fetched_at: r.get(3)?,
                })
            })
            .optional()?;
        Ok(row)
    }
}
