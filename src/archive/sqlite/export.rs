//! Reading the archive out in bulk, for `crate::export` (Hugo trees) and `crate::warc` (raw
//! captures). Rows are streamed from one statement to a callback, so an export never holds more
//! than one document or capture in memory, whatever the size of the archive.

use crate::archive::store::{Exports, Versions};
use rusqlite::params;
use std::ops::ControlFlow;

use super::{ArchiveError, SqliteArchive, verify_document};

/// Which version of each article an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VersionChoice {
    /// The earliest version with a document: what existing archives rely on.
    #[default]
    First,
    /// The newest version with a document: follows edits.
    Latest,
}

/// One article's document, as chosen for an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleDocument {
    pub canonical_url: String,
    pub site: String,
    pub site_article_id: String,
    pub lang: String,
    pub version: ChosenVersion,
}

/// The version chosen for an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChosenVersion {
    /// Version `seq`, its text verified against its content hash.
    Document { seq: u32, text: String },
    /// The article has no version with a document (only removal tombstones).
    NoDocument,
    /// The stored text fails verification (the message says how).
    Corrupt(String),
}

/// One raw capture of a fetched version, for WARC export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawCapture {
    pub canonical_url: String,
    pub seq: u32,
    /// The URL the body came from (after redirects); the canonical URL if none was stored.
    pub final_url: String,
    /// The capture time as stored (`YYYY-MM-DDTHH:MM:SS.mmmZ`).
    pub fetched_at: String,
    pub http_status: Option<u16>,
    pub content_type: Option<String>,
    /// blake3 hex of `raw`.
    pub raw_hash: String,
    /// The response body, decompressed and verified.
    pub raw: Vec<u8>,
}

const FIRST_DOCUMENTS: &str = "
    SELECT a.canonical_url, a.site, a.site_article_id, a.lang, v.seq, v.document, v.content_hash
    FROM articles a
    LEFT JOIN versions v ON v.id = (
        SELECT id FROM versions
        WHERE article_id = a.id AND kind <> 'removed' AND document <> ''
        ORDER BY seq ASC LIMIT 1)
    WHERE ?1 IS NULL OR a.site = ?1
    ORDER BY a.id";

const LATEST_DOCUMENTS: &str = "
    SELECT a.canonical_url, a.site, a.site_article_id, a.lang, v.seq, v.document, v.content_hash
    FROM articles a
    LEFT JOIN versions v ON v.id = (
        SELECT id FROM versions
        WHERE article_id = a.id AND kind <> 'removed' AND document <> ''
        ORDER BY seq DESC LIMIT 1)
    WHERE ?1 IS NULL OR a.site = ?1
    ORDER BY a.id";

impl Exports for SqliteArchive {
    fn each_document(
        &self,
        site: Option<&str>,
        choice: VersionChoice,
        f: &mut dyn FnMut(ArticleDocument) -> ControlFlow<()>,
    ) -> Result<(), ArchiveError> {
        let sql = match choice {
            VersionChoice::First => FIRST_DOCUMENTS,
            VersionChoice::Latest => LATEST_DOCUMENTS,
        };
        let mut stmt = self.conn.prepare_cached(sql).map_err(ArchiveError::from)?;
        let mut rows = stmt.query([site]).map_err(ArchiveError::from)?;
        while let Some(row) = rows.next().map_err(ArchiveError::from)? {
            let read = || -> rusqlite::Result<_> {
                Ok((
                    ArticleDocument {
                        canonical_url: row.get("canonical_url")?,
                        site: row.get("site")?,
                        site_article_id: row.get("site_article_id")?,
                        lang: row.get("lang")?,
                        version: ChosenVersion::NoDocument,
                    },
                    row.get::<_, Option<u32>>("seq")?,
                    row.get::<_, Option<String>>("document")?,
                    row.get::<_, Option<String>>("content_hash")?,
                ))
            };
            let (mut article, seq, text, hash) = read().map_err(ArchiveError::from)?;
            if let (Some(seq), Some(text), Some(hash)) = (seq, text, hash) {
                article.version = match verify_document(&article.canonical_url, seq, text, &hash) {
                    Ok(text) => ChosenVersion::Document { seq, text },
                    Err(e) => ChosenVersion::Corrupt(e.to_string()),
                };
            }
            if f(article).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn each_raw_capture(
        &self,
        site: Option<&str>,
        f: &mut dyn FnMut(RawCapture) -> ControlFlow<()>,
    ) -> Result<(), ArchiveError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT a.canonical_url, v.seq, v.final_url, v.fetched_at, v.http_status,
                     v.content_type, v.raw_hash
                 FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE v.raw_hash IS NOT NULL AND v.origin = 'fetch'
                     AND (?1 IS NULL OR a.site = ?1)
                 ORDER BY v.fetched_at, v.id",
            )
            .map_err(ArchiveError::from)?;
        let mut rows = stmt.query(params![site]).map_err(ArchiveError::from)?;
        while let Some(row) = rows.next().map_err(ArchiveError::from)? {
            let read = || -> rusqlite::Result<_> {
                let canonical_url: String = row.get("canonical_url")?;
                let final_url: Option<String> = row.get("final_url")?;
                Ok(RawCapture {
                    final_url: final_url.unwrap_or_else(|| canonical_url.clone()),
                    canonical_url,
                    seq: row.get("seq")?,
                    fetched_at: row.get("fetched_at")?,
                    http_status: row.get("http_status")?,
                    content_type: row.get("content_type")?,
                    raw_hash: row.get("raw_hash")?,
                    raw: Vec::new(),
                })
            };
            let mut capture = read().map_err(ArchiveError::from)?;
            capture.raw = self.blob(&capture.raw_hash)?;
            if f(capture).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn count_articles(&self, site: Option<&str>) -> Result<u64, ArchiveError> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM articles WHERE ?1 IS NULL OR site = ?1")?
            .query_row([site], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn count_raw_captures(&self, site: Option<&str>) -> Result<u64, ArchiveError> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE v.raw_hash IS NOT NULL AND v.origin = 'fetch'
                     AND (?1 IS NULL OR a.site = ?1)",
            )?
            .query_row([site], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
