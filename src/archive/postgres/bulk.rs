//! PostgresArchive bulk reads (export, WARC) and imports of Hugo documents.
//!
//! Bulk reads go page by page in archive order (keyset paging), so an export holds one page
//! of rows at a time and never a transaction open for its whole length.

use std::ops::ControlFlow;

use super::{Conn, PostgresArchive, RowExt, verify_document};
use crate::archive::copy::{CopyValue, TableSpec};
use crate::archive::store::{Exports, Imports, Versions};
use crate::archive::{
    ArchiveError, ArticleDocument, ChosenVersion, ImportRecord, Imported, RawCapture,
    VersionChoice, format_time, hash_hex,
};

/// Rows read per round trip by the bulk reads.
const PAGE: i64 = 200;

fn documents_sql(choice: VersionChoice) -> String {
    let order = match choice {
        VersionChoice::First => "ASC",
        VersionChoice::Latest => "DESC",
    };
    format!(
        "SELECT a.id, a.canonical_url, a.site, a.site_article_id, a.lang, v.seq, v.document,
             v.content_hash
         FROM articles a
         LEFT JOIN versions v ON v.id = (
             SELECT id FROM versions
             WHERE article_id = a.id AND kind <> 'removed' AND document <> ''
             ORDER BY seq {order} LIMIT 1)
         WHERE ($1::text IS NULL OR a.site = $1) AND a.id > $2
         ORDER BY a.id LIMIT $3"
    )
}

fn chosen_document(row: &postgres::Row) -> Result<ArticleDocument, ArchiveError> {
    let mut article = ArticleDocument {
        canonical_url: row.try_get("canonical_url")?,
        site: row.try_get("site")?,
        site_article_id: row.try_get("site_article_id")?,
        lang: row.try_get("lang")?,
        version: ChosenVersion::NoDocument,
    };
    let seq = row.opt_seq("seq")?;
    let text: Option<String> = row.try_get("document")?;
    let hash: Option<String> = row.try_get("content_hash")?;
    if let (Some(seq), Some(text), Some(hash)) = (seq, text, hash) {
        article.version = match verify_document(&article.canonical_url, seq, text, &hash) {
            Ok(text) => ChosenVersion::Document { seq, text },
            Err(e) => ChosenVersion::Corrupt(e.to_string()),
        };
    }
    Ok(article)
}

impl Exports for PostgresArchive {
    fn each_document(
        &self,
        site: Option<&str>,
        choice: VersionChoice,
        f: &mut dyn FnMut(ArticleDocument) -> ControlFlow<()>,
    ) -> Result<(), ArchiveError> {
        let sql = documents_sql(choice);
        let mut after = 0i64;
        loop {
            let rows = self
                .conn
                .borrow_mut()
                .query(&sql, &[&site, &after, &PAGE])?;
            for row in &rows {
                after = row.int("id")?;
                if f(chosen_document(row)?).is_break() {
                    return Ok(());
                }
            }
            if (rows.len() as i64) < PAGE {
                return Ok(());
            }
        }
    }

    fn each_raw_capture(
        &self,
        site: Option<&str>,
        f: &mut dyn FnMut(RawCapture) -> ControlFlow<()>,
    ) -> Result<(), ArchiveError> {
        let mut after = (String::new(), 0i64);
        loop {
            let rows = self.conn.borrow_mut().query(
                "SELECT v.id, a.canonical_url, v.seq, v.final_url, v.fetched_at, v.http_status,
                     v.content_type, v.raw_hash
                 FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE v.raw_hash IS NOT NULL AND v.origin = 'fetch'
                     AND ($1::text IS NULL OR a.site = $1)
                     AND (v.fetched_at, v.id) > ($2, $3)
                 ORDER BY v.fetched_at, v.id LIMIT $4",
                &[&site, &after.0, &after.1, &PAGE],
            )?;
            for row in &rows {
                let canonical_url: String = row.try_get("canonical_url")?;
                let final_url: Option<String> = row.try_get("final_url")?;
                let raw_hash: String = row.try_get("raw_hash")?;
                let capture = RawCapture {
                    final_url: final_url.unwrap_or_else(|| canonical_url.clone()),
                    canonical_url,
                    seq: row.seq("seq")?,
                    fetched_at: row.try_get("fetched_at")?,
                    http_status: row.status("http_status")?,
                    content_type: row.try_get("content_type")?,
                    raw: self.blob(&raw_hash)?,
                    raw_hash,
                };
                after = (capture.fetched_at.clone(), row.int("id")?);
                if f(capture).is_break() {
                    return Ok(());
                }
            }
            if (rows.len() as i64) < PAGE {
                return Ok(());
            }
        }
    }

    fn count_articles(&self, site: Option<&str>) -> Result<u64, ArchiveError> {
        self.conn
            .borrow_mut()
            .query_one(
                "SELECT count(*) AS n FROM articles WHERE $1::text IS NULL OR site = $1",
                &[&site],
            )?
            .count("n")
    }

    fn count_rows(&self, table: &TableSpec) -> Result<u64, ArchiveError> {
        super::copy::count_rows(&mut self.conn.borrow_mut(), table)
    }

    fn rows_page(
        &self,
        table: &TableSpec,
        after: Option<&CopyValue>,
        limit: usize,
    ) -> Result<Vec<Vec<CopyValue>>, ArchiveError> {
        super::copy::rows_page(&mut self.conn.borrow_mut(), table, after, limit)
    }

    fn count_raw_captures(&self, site: Option<&str>) -> Result<u64, ArchiveError> {
        self.conn
            .borrow_mut()
            .query_one(
                "SELECT count(*) AS n FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE v.raw_hash IS NOT NULL AND v.origin = 'fetch'
                     AND ($1::text IS NULL OR a.site = $1)",
                &[&site],
            )?
            .count("n")
    }
}

impl Imports for PostgresArchive {
    fn load_rows(
        &mut self,
        table: &TableSpec,
        rows: &[Vec<CopyValue>],
    ) -> Result<u64, ArchiveError> {
        self.write(|conn| super::copy::load_rows(conn, table, rows))
    }

    fn finish_load(&mut self) -> Result<(), ArchiveError> {
        super::copy::finish_load(self.conn.get_mut())
    }

    fn import_documents(
        &mut self,
        records: &[ImportRecord<'_>],
    ) -> Result<Vec<Imported>, ArchiveError> {
        self.write(|conn| {
            records
                .iter()
                .map(|record| import_one(conn, record))
                .collect()
        })
    }

    fn import_path(&self, canonical_url: &str, seq: u32) -> Result<Option<String>, ArchiveError> {
        let row = self.conn.borrow_mut().query_opt(
            "SELECT v.import_path FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE a.canonical_url = $1 AND v.seq = $2",
            &[&canonical_url, &i64::from(seq)],
        )?;
        Ok(match row {
            Some(r) => r.try_get("import_path")?,
            None => None,
        })
    }
}

fn import_one(conn: &mut Conn, record: &ImportRecord<'_>) -> Result<Imported, ArchiveError> {
    let content_hash = hash_hex(record.document.as_bytes());
    let at = format_time(record.captured_at);
    // Never checked by a fetch: the capture time stands in for the check times.
    let created = conn.query_opt(
        "INSERT INTO articles (canonical_url, site, site_article_id, lang,
             first_seen_at, last_checked_at, last_changed_at, status, latest_seq)
         VALUES ($1, $2, $3, $4, $5, $5, $5, 'live', 1)
         ON CONFLICT (canonical_url) DO NOTHING
         RETURNING id",
        &[
            &record.canonical_url,
            &record.site,
            &record.site_article_id,
            &record.lang,
            &at,
        ],
    )?;
    let (article_id, seq) = match created {
        Some(row) => (row.int("id")?, 1),
        None => {
            let row = conn.query_one(
                "SELECT id, latest_seq FROM articles WHERE canonical_url = $1 FOR UPDATE",
                &[&record.canonical_url],
            )?;
            let (id, latest_seq) = (row.int("id")?, row.seq("latest_seq")?);
            let known = conn.query_opt(
                "SELECT seq FROM versions WHERE article_id = $1 AND content_hash = $2
                 ORDER BY seq LIMIT 1",
                &[&id, &content_hash],
            )?;
            if let Some(known) = known {
                return Ok(Imported::AlreadyKnown {
                    seq: known.seq("seq")?,
                });
            }
            let seq = latest_seq + 1;
            // The status is left alone: an old file says nothing about the article today.
            conn.execute(
                "UPDATE articles SET latest_seq = $2,
                     last_changed_at = greatest(last_changed_at, $3)
                 WHERE id = $1",
                &[&id, &i64::from(seq), &at],
            )?;
            (id, seq)
        }
    };
    conn.execute(
        "INSERT INTO versions (article_id, seq, kind, origin, fetched_at, content_hash,
             document, title, published, import_path)
         VALUES ($1, $2, 'import', 'import', $3, $4, $5, $6, $7, $8)",
        &[
            &article_id,
            &i64::from(seq),
            &at,
            &content_hash,
            &record.document,
            &record.title,
            &record.published,
            &record.import_path,
        ],
    )?;
    super::search::index_version(conn, article_id, seq)?;
    Ok(if seq == 1 {
        Imported::NewArticle { seq }
    } else {
        Imported::NewVersion { seq }
    })
}
