//! PostgresArchive queries for the feeds and the web UI: read-only, keyset-paged from the
//! same indexes as SQLite's (migration 1), so a page costs its size, not the archive's.

use ::postgres::Row;
use ::postgres::types::ToSql;

use super::{KIND_COLUMNS, PostgresArchive, RowExt, fetch_row, limit_i64, reported_kind};
use crate::archive::store::Feeds;
use crate::archive::{
    ArchiveError, ArchiveStats, ArticleSummary, FetchRow, RawCaptureInfo, Removal, VersionEvent,
    hash_hex,
};

/// The columns of an [`ArticleSummary`] for `articles a`, with (`true`) or without the
/// document. The "updated" time is that of the newest new/edit/restored/import version.
fn summary_columns(with_document: bool) -> String {
    let document = if with_document { "v.document" } else { "''" };
    format!(
        "a.id AS id, a.canonical_url, a.site, a.site_article_id, a.lang, a.status,
         a.first_seen_at, a.latest_seq, v.seq AS seq, v.title, v.published, v.fetched_at,
         coalesce((SELECT max(u.fetched_at) FROM versions u
                   WHERE u.article_id = a.id AND u.kind IN ('new', 'edit', 'restored', 'import')),
                  v.fetched_at) AS updated_at,
         {document} AS document, v.content_hash,
         r.seq AS removal_seq, r.fetched_at AS removal_at, r.http_status AS removal_http_status,
         r.final_url AS removal_final_url, r.removal_signal, a.author"
    )
}

/// Joins each article `a` to its latest version with a document (`v`) and, when removed, to
/// its removal (`r`).
const SUMMARY_JOINS: &str = "JOIN versions v ON v.article_id = a.id AND v.seq =
        (SELECT max(w.seq) FROM versions w WHERE w.article_id = a.id AND w.kind <> 'removed')
    LEFT JOIN versions r ON r.article_id = a.id AND r.seq = a.latest_seq AND r.kind = 'removed'
        AND a.status = 'removed'";

/// The site condition on `$1` for `table`: two statements, so that each keeps its own plan
/// (the (site, id) index for one site, id order for all).
fn site_filter(table: &str, site: Option<&str>) -> String {
    match site {
        Some(_) => format!("{table}.site = $1"),
        None => "$1::text IS NULL".to_owned(),
    }
}

fn corrupt_document(url: &str, seq: u32) -> ArchiveError {
    ArchiveError::Corrupt(format!(
        "document {url} v{seq} fails verification against its content hash"
    ))
}

fn summary_from_row(r: &Row, with_document: bool) -> Result<ArticleSummary, ArchiveError> {
    let removal = match r.opt_seq("removal_seq")? {
        Some(seq) => Some(Removal {
            seq,
            at: r.try_get("removal_at")?,
            http_status: r.status("removal_http_status")?,
            final_url: r.try_get("removal_final_url")?,
            signal: r
                .try_get::<_, Option<String>>("removal_signal")?
                .unwrap_or_default(),
        }),
        None => None,
    };
    let document: String = r.try_get("document")?;
    let hash: String = r.try_get("content_hash")?;
    let canonical_url: String = r.try_get("canonical_url")?;
    let seq = r.seq("seq")?;
    if with_document && hash_hex(document.as_bytes()) != hash {
        return Err(corrupt_document(&canonical_url, seq));
    }
    Ok(ArticleSummary {
        id: r.int("id")?,
        canonical_url,
        site: r.try_get("site")?,
        site_article_id: r.try_get("site_article_id")?,
        lang: r.try_get("lang")?,
        status: r.vocab("status")?,
        first_seen_at: r.try_get("first_seen_at")?,
        latest_seq: r.seq("latest_seq")?,
        seq,
        title: r.try_get("title")?,
        published: r.try_get("published")?,
        fetched_at: r.try_get("fetched_at")?,
        updated_at: r.try_get("updated_at")?,
        document,
        removal,
        author: r.try_get("author")?,
    })
}

fn event_columns() -> String {
    format!(
        "v.id AS id, a.id AS article_id, a.canonical_url, a.site, a.site_article_id, a.lang,
         v.seq, {KIND_COLUMNS}, v.fetched_at, v.title, v.published, v.http_status, v.final_url,
         v.removal_signal, v.diff, v.document, v.content_hash, a.author"
    )
}

fn event_from_row(r: &Row) -> Result<VersionEvent, ArchiveError> {
    let canonical_url: String = r.try_get("canonical_url")?;
    let seq = r.seq("seq")?;
    let document: String = r.try_get("document")?;
    let hash: String = r.try_get("content_hash")?;
    if hash_hex(document.as_bytes()) != hash {
        return Err(corrupt_document(&canonical_url, seq));
    }
    Ok(VersionEvent {
        id: r.int("id")?,
        article_id: r.int("article_id")?,
        canonical_url,
        site: r.try_get("site")?,
        site_article_id: r.try_get("site_article_id")?,
        lang: r.try_get("lang")?,
        seq,
        kind: reported_kind(r)?,
        fetched_at: r.try_get("fetched_at")?,
        title: r.try_get("title")?,
        published: r.try_get("published")?,
        http_status: r.status("http_status")?,
        final_url: r.try_get("final_url")?,
        removal_signal: r.try_get("removal_signal")?,
        diff: r.try_get("diff")?,
        document,
        author: r.try_get("author")?,
    })
}

impl PostgresArchive {
    /// One of the trigger-kept counters, read by `sql` (its one row, column `value`).
    fn counter(&self, sql: &str) -> Result<u64, ArchiveError> {
        let row = self.conn.borrow_mut().query_one(sql, &[])?;
        Ok(u64::try_from(row.int("value")?).unwrap_or(0))
    }

    fn summaries(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        with_document: bool,
    ) -> Result<Vec<ArticleSummary>, ArchiveError> {
        let rows = self.conn.borrow_mut().query(sql, params)?;
        rows.iter()
            .map(|r| summary_from_row(r, with_document))
            .collect()
    }

    fn events(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<VersionEvent>, ArchiveError> {
        let rows = self.conn.borrow_mut().query(sql, params)?;
        rows.iter().map(event_from_row).collect()
    }

    /// The cursor of the page just newer than one whose first (newest) key is `after`:
    /// `Some(before)` when more than `limit` keys lie above it, `None` otherwise. `sql`
    /// takes `after` and the number of keys wanted as its last two parameters.
    fn newer_cursor(
        &self,
        sql: &str,
        scope: Option<&(dyn ToSql + Sync)>,
        after: i64,
        limit: usize,
    ) -> Result<Option<i64>, ArchiveError> {
        // One key more than a page: only then is the newer page not the first page.
        let want = limit_i64(limit.saturating_add(1));
        let rows = match scope {
            Some(scope) => self.conn.borrow_mut().query(sql, &[scope, &after, &want])?,
            None => self.conn.borrow_mut().query(sql, &[&after, &want])?,
        };
        if rows.len() <= limit {
            return Ok(None);
        }
        rows.get(limit - 1)
            .map(|r| Ok(r.int("key")? + 1))
            .transpose()
    }
}

impl Feeds for PostgresArchive {
    fn article_summaries(
        &self,
        site: Option<&str>,
        before: Option<i64>,
        limit: usize,
        with_documents: bool,
    ) -> Result<Vec<ArticleSummary>, ArchiveError> {
        // The page's articles first, by index, then the joins for those only: told the site,
        // the planner otherwise estimated its share of articles and joined all of them
        // before sorting (0.5 s at 100,000 articles, for the first five calls of a session).
        let sql = format!(
            "SELECT {1} FROM (
                 SELECT * FROM articles c WHERE {0} AND c.id < $2 ORDER BY c.id DESC LIMIT $3
             ) a {SUMMARY_JOINS}
             ORDER BY a.id DESC",
            site_filter("c", site),
            summary_columns(with_documents)
        );
        self.summaries(
            &sql,
            &[&site, &before.unwrap_or(i64::MAX), &limit_i64(limit)],
            with_documents,
        )
    }

    fn articles_newer_cursor(
        &self,
        site: Option<&str>,
        after: i64,
        limit: usize,
    ) -> Result<Option<i64>, ArchiveError> {
        match site {
            Some(site) => self.newer_cursor(
                "SELECT id AS key FROM articles WHERE site = $1 AND id > $2 ORDER BY id LIMIT $3",
                Some(&site),
                after,
                limit,
            ),
            None => self.newer_cursor(
                "SELECT id AS key FROM articles WHERE id > $1 ORDER BY id LIMIT $2",
                None,
                after,
                limit,
            ),
        }
    }

    fn site_exists(&self, site: &str) -> Result<bool, ArchiveError> {
        Ok(self
            .conn
            .borrow_mut()
            .query_opt("SELECT 1 FROM articles WHERE site = $1 LIMIT 1", &[&site])?
            .is_some())
    }

    fn article_summary(
        &self,
        site: &str,
        site_article_id: &str,
    ) -> Result<Option<ArticleSummary>, ArchiveError> {
        let row_id = site_article_id
            .strip_prefix('_')
            .and_then(|n| n.parse::<i64>().ok());
        let columns = summary_columns(true);
        let found = match row_id {
            Some(row) => self.summaries(
                &format!(
                    "SELECT {columns} FROM articles a {SUMMARY_JOINS}
                     WHERE a.site = $1 AND a.id = $2"
                ),
                &[&site, &row],
                true,
            )?,
            None => self.summaries(
                &format!(
                    "SELECT {columns} FROM articles a {SUMMARY_JOINS}
                     WHERE a.site = $1 AND a.site_article_id = $2 ORDER BY a.id LIMIT 1"
                ),
                &[&site, &site_article_id],
                true,
            )?,
        };
        Ok(found.into_iter().next())
    }

    fn recent_removals(
        &self,
        site: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ArticleSummary>, ArchiveError> {
        let sql = format!(
            "SELECT {} FROM versions x JOIN articles a ON a.id = x.article_id {SUMMARY_JOINS}
             WHERE x.kind = 'removed' AND x.seq = a.latest_seq
                 AND ($1::text IS NULL OR a.site = $1)
             ORDER BY x.id DESC LIMIT $2",
            summary_columns(false)
        );
        self.summaries(&sql, &[&site, &limit_i64(limit)], false)
    }

    fn change_events(
        &self,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<VersionEvent>, ArchiveError> {
        let sql = format!(
            "SELECT {} FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE v.kind <> 'minor' AND v.id < $1 ORDER BY v.id DESC LIMIT $2",
            event_columns()
        );
        self.events(&sql, &[&before.unwrap_or(i64::MAX), &limit_i64(limit)])
    }

    fn changes_newer_cursor(&self, after: i64, limit: usize) -> Result<Option<i64>, ArchiveError> {
        self.newer_cursor(
            "SELECT id AS key FROM versions WHERE kind <> 'minor' AND id > $1 ORDER BY id LIMIT $2",
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
            "SELECT {} FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE v.article_id = $1 AND v.seq < $2 ORDER BY v.seq DESC LIMIT $3",
            event_columns()
        );
        self.events(
            &sql,
            &[&article_id, &before.unwrap_or(i64::MAX), &limit_i64(limit)],
        )
    }

    fn history_newer_cursor(
        &self,
        article_id: i64,
        after: i64,
        limit: usize,
    ) -> Result<Option<i64>, ArchiveError> {
        self.newer_cursor(
            "SELECT seq AS key FROM versions WHERE article_id = $1 AND seq > $2
             ORDER BY seq LIMIT $3",
            Some(&article_id),
            after,
            limit,
        )
    }

    fn stats(&self) -> Result<ArchiveStats, ArchiveError> {
        // Kept by triggers (`005_row_counts.sql`), not counted.
        let r = self.conn.borrow_mut().query_one(
            "SELECT (SELECT value FROM row_counts WHERE name = 'articles') AS articles,
                    (SELECT value FROM row_counts WHERE name = 'removed') AS removed,
                    (SELECT value FROM row_counts WHERE name = 'versions') AS versions,
                    (SELECT value FROM row_counts WHERE name = 'blobs') AS blobs,
                    (SELECT value FROM row_counts WHERE name = 'fetches') AS fetches",
            &[],
        )?;
        Ok(ArchiveStats {
            articles: r.count("articles")?,
            removed: r.count("removed")?,
            versions: r.count("versions")?,
            blobs: r.count("blobs")?,
            fetches: r.count("fetches")?,
        })
    }

    fn recent_fetches(&self, limit: usize) -> Result<Vec<FetchRow>, ArchiveError> {
        let rows = self.conn.borrow_mut().query(
            "SELECT url, started_at, attempts, http_status, final_url, outcome, detail, bytes
             FROM fetches ORDER BY started_at DESC, id DESC LIMIT $1",
            &[&limit_i64(limit)],
        )?;
        rows.iter().map(fetch_row).collect()
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
        let row = self.conn.borrow_mut().query_opt(
            "SELECT v.raw_hash, b.size, v.content_type, v.fetched_at
             FROM versions v JOIN articles a ON a.id = v.article_id
             JOIN blobs b ON b.hash = v.raw_hash
             WHERE a.canonical_url = $1 AND v.seq = $2",
            &[&canonical_url, &i64::from(seq)],
        )?;
        row.map(|r| {
            Ok(RawCaptureInfo {
                hash: r.try_get("raw_hash")?,
                size: u64::try_from(r.int("size")?).unwrap_or(0),
                content_type: r.try_get("content_type")?,
                fetched_at: r.try_get("fetched_at")?,
            })
        })
        .transpose()
    }
}
