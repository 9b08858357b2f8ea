//! Imported versions: documents read from existing Hugo archives (the file walking and parsing
//! is in `crate::import`; this is only their SQL).
//!
//! An imported file becomes a version of kind and origin `import`, holding the file's exact
//! text, its content hash and its path. Nothing is replaced: a text the article already has (in
//! any of its versions) is "already known", any other text is appended as the next version.

use crate::archive::copy::{CopyValue, TableSpec};
use crate::archive::store::Imports;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{ArchiveError, SqliteArchive, format_time, hash_hex};

/// One file to import, read and identified.
#[derive(Debug, Clone, Copy)]
pub struct ImportRecord<'a> {
    pub canonical_url: &'a str,
    /// Used only when the import creates the article (an existing article keeps its own).
    pub site: &'a str,
    pub site_article_id: &'a str,
    pub lang: &'a str,
    pub title: &'a str,
    /// The document's `date`, verbatim.
    pub published: &'a str,
    /// The file's exact text: stored verbatim and hashed as is.
    pub document: &'a str,
    /// When the text is known to have existed (the file's modification time).
    pub captured_at: DateTime<Utc>,
    /// The file's path, for `versions.import_path`.
    pub import_path: &'a str,
}

/// What importing one file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    /// A new article, with the file as version 1.
    NewArticle { seq: u32 },
    /// A known article that did not have this text: added as version `seq`.
    NewVersion { seq: u32 },
    /// The article already has this text as version `seq`: nothing stored.
    AlreadyKnown { seq: u32 },
}

impl Imported {
    pub fn seq(self) -> u32 {
        match self {
            Imported::NewArticle { seq }
            | Imported::NewVersion { seq }
            | Imported::AlreadyKnown { seq } => seq,
        }
    }
}

impl Imports for SqliteArchive {
    fn import_documents(
        &mut self,
        records: &[ImportRecord<'_>],
    ) -> Result<Vec<Imported>, ArchiveError> {
        let tx = self.write_tx()?;
        let outcomes = records
            .iter()
            .map(|record| import_one(&tx, record))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit()?;
        Ok(outcomes)
    }

    fn load_rows(
        &mut self,
        table: &TableSpec,
        rows: &[Vec<CopyValue>],
    ) -> Result<u64, ArchiveError> {
        let tx = self.write_tx()?;
        let loaded = super::copy::load_rows(&tx, table, rows)?;
        tx.commit()?;
        Ok(loaded)
    }

    fn finish_load(&mut self) -> Result<(), ArchiveError> {
        // Row ids continue after the largest by themselves; the query planner gets statistics
        // for what was loaded.
        self.conn.execute_batch("PRAGMA optimize")?;
        Ok(())
    }

    fn import_path(&self, canonical_url: &str, seq: u32) -> Result<Option<String>, ArchiveError> {
        let path: Option<Option<String>> = self
            .conn
            .prepare_cached(
                "SELECT v.import_path FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE a.canonical_url = ?1 AND v.seq = ?2",
            )?
            .query_row(params![canonical_url, seq], |r| r.get(0))
            .optional()?;
        Ok(path.flatten())
    }
}

fn import_one(tx: &Connection, record: &ImportRecord<'_>) -> Result<Imported, ArchiveError> {
    let content_hash = hash_hex(record.document.as_bytes());
    let at = format_time(record.captured_at);
    let existing: Option<(i64, u32)> = tx
        .prepare_cached("SELECT id, latest_seq FROM articles WHERE canonical_url = ?1")?
        .query_row([record.canonical_url], |r| {
            Ok((r.get("id")?, r.get("latest_seq")?))
        })
        .optional()?;

    let (article_id, seq) = match existing {
        None => {
            // Never checked by a fetch: the capture time stands in for the check times.
            let id: i64 = tx
                .prepare_cached(
                    "INSERT INTO articles (canonical_url, site, site_article_id, lang,
                         first_seen_at, last_checked_at, last_changed_at, status, latest_seq)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5, 'live', 1)
                     RETURNING id",
                )?
                .query_row(
                    params![
                        record.canonical_url,
                        record.site,
                        record.site_article_id,
                        record.lang,
                        at,
                    ],
                    |r| r.get(0),
                )?;
            (id, 1)
        }
        Some((id, latest_seq)) => {
            let known: Option<u32> = tx
                .prepare_cached(
                    "SELECT seq FROM versions WHERE article_id = ?1 AND content_hash = ?2
                     ORDER BY seq LIMIT 1",
                )?
                .query_row(params![id, content_hash], |r| r.get(0))
                .optional()?;
            if let Some(seq) = known {
                return Ok(Imported::AlreadyKnown { seq });
            }
            let seq = latest_seq + 1;
            // The status is left alone: an old file says nothing about the article today.
            tx.prepare_cached(
                "UPDATE articles SET latest_seq = ?2, last_changed_at = max(last_changed_at, ?3)
                 WHERE id = ?1",
            )?
            .execute(params![id, seq, at])?;
            (id, seq)
        }
    };

    tx.prepare_cached(
        "INSERT INTO versions (article_id, seq, kind, origin, fetched_at, content_hash,
             document, title, published, import_path)
         VALUES (?1, ?2, 'import', 'import', ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        article_id,
        seq,
        at,
        content_hash,
        record.document,
        record.title,
        record.published,
        record.import_path,
    ])?;
    super::search::index_version(tx, article_id, seq)?;
    Ok(if seq == 1 {
        Imported::NewArticle { seq }
    } else {
        Imported::NewVersion { seq }
    })
}
