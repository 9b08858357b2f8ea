//! SqliteArchive queries for re-checking articles: removals with their evidence, the revisit
//! schedule, history details, and re-deriving documents (`reprocess`).

use crate::archive::store::Checks;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::sql_types::{KIND_COLUMNS, reported_kind};
use crate::archive::RawBlob;
use crate::archive::kinds::removal_confirmed;

use super::{
    ArchiveError, ArticleStatus, SqliteArchive, VersionKind, format_time, hash_hex, store_blob,
};

/// One sighting of an article's removal, with its evidence.
#[derive(Debug, Clone, Copy)]
pub struct RemovalSighting<'a> {
    pub at: DateTime<Utc>,
    pub http_status: u16,
    pub final_url: &'a str,
    /// What showed the removal (the site module's signal, or the HTTP status).
    pub signal: &'a str,
    /// The page served in the article's place, kept as evidence.
    pub raw: &'a [u8],
    pub content_type: Option<&'a str>,
}

/// What recording a removal sighting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalState {
    /// The article is not archived: nothing to remove.
    Unknown,
    /// Seen removed `count` times since `since`; not yet confirmed.
    Pending { count: u32 },
    /// Confirmed: version `seq` is the removal.
    Confirmed { seq: u32 },
    /// Already recorded as removed.
    AlreadyRemoved { seq: u32 },
}

/// A version with what history and diff views show of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionDetail {
    pub seq: u32,
    pub kind: VersionKind,
    pub fetched_at: String,
    pub http_status: Option<u16>,
    pub final_url: Option<String>,
    /// Size of the document in bytes (0 for removals).
    pub size: usize,
    pub title: String,
    pub published: String,
    pub removal_signal: Option<String>,
    /// The stored diff against the previous version with content (JSON).
    pub diff: Option<String>,
    pub extractor: Option<String>,
    pub import_path: Option<String>,
    /// False when the page showed no publish time and `published` is the first capture time.
    pub date_found: bool,
}

/// A fetched version whose document can be re-derived from its raw capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReprocessItem {
    pub version_id: i64,
    pub canonical_url: String,
    pub seq: u32,
    pub kind: VersionKind,
    pub raw_hash: String,
    pub content_type: Option<String>,
    pub final_url: Option<String>,
    pub extractor: Option<String>,
    pub content_hash: String,
}

/// What the scheduler needs to know of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleInputs {
    pub site: String,
    /// Publication date string of the latest version with content ('' if unknown).
    pub published: String,
    pub first_seen_at: String,
    pub last_changed_at: String,
    /// Number of versions; with one, `last_changed_at` is only the first capture.
    pub latest_seq: u32,
    pub removal_pending_since: Option<String>,
}

impl Checks for SqliteArchive {
    fn record_removal(
        &mut self,
        canonical_url: &str,
        sighting: &RemovalSighting<'_>,
        confirmations: u32,
        confirm_after: Duration,
    ) -> Result<RemovalState, ArchiveError> {
        let at = format_time(sighting.at);
        let tx = self.write_tx()?;
        let row: Option<(i64, u32, ArticleStatus, u32, Option<String>)> = tx
            .prepare_cached(
                "SELECT id, latest_seq, status, removal_pending, removal_pending_since
                 FROM articles WHERE canonical_url = ?1",
            )?
            .query_row([canonical_url], |r| {
                Ok((
                    r.get("id")?,
                    r.get("latest_seq")?,
                    r.get("status")?,
                    r.get("removal_pending")?,
                    r.get("removal_pending_since")?,
                ))
            })
            .optional()?;
        let Some((article_id, latest_seq, status, pending, since)) = row else {
            return Ok(RemovalState::Unknown);
        };
        tx.prepare_cached(
            "UPDATE articles SET last_checked_at = max(last_checked_at, ?2) WHERE id = ?1",
        )?
        .execute(params![article_id, at])?;
        if status == ArticleStatus::Removed {
            tx.commit()?;
            return Ok(RemovalState::AlreadyRemoved { seq: latest_seq });
        }
        let count = pending + 1;
        let since = since.unwrap_or_else(|| at.clone());
        if !removal_confirmed(count, confirmations, &since, sighting.at, confirm_after) {
            tx.prepare_cached(
                "UPDATE articles SET removal_pending = ?2, removal_pending_since = ?3 WHERE id = ?1",
            )?
            .execute(params![article_id, count, since])?;
            tx.commit()?;
            return Ok(RemovalState::Pending { count });
        }

        // Only a confirming sighting stores its page (rarely): compressed here, under the lock.
        let raw_hash = store_blob(&tx, &RawBlob::new(sighting.raw)?)?;
        // The tombstone keeps the last title and date so lists can still name the article.
        let (title, published): (String, String) = tx
            .prepare_cached(
                "SELECT title, published FROM versions WHERE article_id = ?1 AND seq = ?2",
            )?
            .query_row(params![article_id, latest_seq], |r| {
                Ok((r.get("title")?, r.get("published")?))
            })
            .optional()?
            .unwrap_or_default();
        let seq = latest_seq + 1;
        tx.prepare_cached(
            "INSERT INTO versions (article_id, seq, kind, origin, fetched_at, content_hash,
                 document, title, published, http_status, final_url, raw_hash, content_type,
                 removal_signal)
             VALUES (?1, ?2, 'removed', 'fetch', ?3, ?4, '', ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            article_id,
            seq,
            at,
            hash_hex(b""),
            title,
            published,
            sighting.http_status,
            sighting.final_url,
            raw_hash,
            sighting.content_type,
            sighting.signal,
        ])?;
        tx.prepare_cached(
            "UPDATE articles SET latest_seq = ?2, status = 'removed', removal_signal = ?3,
                 last_changed_at = ?4, removal_pending = 0, removal_pending_since = NULL
             WHERE id = ?1",
        )?
        .execute(params![article_id, seq, sighting.signal, at])?;
        tx.commit()?;
        Ok(RemovalState::Confirmed { seq })
    }

    fn latest_version_with_content(
        &self,
        canonical_url: &str,
    ) -> Result<Option<(u32, String)>, ArchiveError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT v.seq, v.document FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE a.canonical_url = ?1 AND v.kind <> 'removed'
                 ORDER BY v.seq DESC LIMIT 1",
            )?
            .query_row([canonical_url], |r| Ok((r.get("seq")?, r.get("document")?)))
            .optional()?)
    }

    fn touch_checked(
        &mut self,
        canonical_url: &str,
        at: DateTime<Utc>,
    ) -> Result<(), ArchiveError> {
        self.conn
            .prepare_cached(
                "UPDATE articles SET last_checked_at = max(last_checked_at, ?2)
                 WHERE canonical_url = ?1",
            )?
            .execute(params![canonical_url, format_time(at)])?;
        Ok(())
    }

    fn set_next_check(
        &mut self,
        canonical_url: &str,
        at: DateTime<Utc>,
    ) -> Result<(), ArchiveError> {
        self.conn
            .prepare_cached("UPDATE articles SET next_check_at = ?2 WHERE canonical_url = ?1")?
            .execute(params![canonical_url, format_time(at)])?;
        Ok(())
    }

    fn due_articles(
        &self,
        now: DateTime<Utc>,
        site: Option<&str>,
        limit: usize,
    ) -> Result<Vec<String>, ArchiveError> {
        let mut due: Vec<String> = Vec::new();
        for sql in [
            "SELECT canonical_url FROM articles INDEXED BY articles_next_check_at
             WHERE next_check_at IS NULL AND (?2 IS NULL OR site = ?2) LIMIT ?3",
            "SELECT canonical_url FROM articles INDEXED BY articles_next_check_at
             WHERE next_check_at <= ?1 AND (?2 IS NULL OR site = ?2)
             ORDER BY next_check_at LIMIT ?3",
        ] {
            let want = i64::try_from(limit - due.len()).unwrap_or(i64::MAX);
            if want == 0 {
                break;
            }
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt.query_map(params![format_time(now), site, want], |r| r.get(0))?;
            for row in rows {
                due.push(row?);
            }
        }
        Ok(due)
    }

    fn articles_page(
        &self,
        site: Option<&str>,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<(i64, String)>, ArchiveError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, canonical_url FROM articles
             WHERE id > ?1 AND (?2 IS NULL OR site = ?2) ORDER BY id LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![after_id, site, limit], |r| {
            Ok((r.get("id")?, r.get("canonical_url")?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn find_articles(&self, key: &str) -> Result<Vec<String>, ArchiveError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT canonical_url FROM articles WHERE canonical_url = ?1
             UNION SELECT canonical_url FROM articles WHERE site_article_id = ?1",
        )?;
        let rows = stmt.query_map([key], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn version_details(&self, canonical_url: &str) -> Result<Vec<VersionDetail>, ArchiveError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT v.seq, {KIND_COLUMNS}, v.fetched_at, v.http_status, v.final_url,
                 length(CAST(v.document AS BLOB)) AS size, v.title, v.published,
                 v.removal_signal, v.diff, v.extractor, v.import_path, v.date_found
             FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE a.canonical_url = ?1 ORDER BY v.seq"
        ))?;
        let rows = stmt.query_map([canonical_url], |r| {
            Ok(VersionDetail {
                seq: r.get("seq")?,
                kind: reported_kind(r)?,
                fetched_at: r.get("fetched_at")?,
                http_status: r.get("http_status")?,
                final_url: r.get("final_url")?,
                size: r.get::<_, i64>("size")?.try_into().unwrap_or(0),
                title: r.get("title")?,
                published: r.get("published")?,
                removal_signal: r.get("removal_signal")?,
                diff: r.get("diff")?,
                extractor: r.get("extractor")?,
                import_path: r.get("import_path")?,
                date_found: r.get("date_found")?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn schedule_inputs(&self, canonical_url: &str) -> Result<Option<ScheduleInputs>, ArchiveError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT a.site, coalesce((SELECT v.published FROM versions v
                         WHERE v.article_id = a.id AND v.kind <> 'removed'
                         ORDER BY v.seq DESC LIMIT 1), '') AS published,
                     a.first_seen_at, a.last_changed_at, a.latest_seq, a.removal_pending_since
                 FROM articles a WHERE a.canonical_url = ?1",
            )?
            .query_row([canonical_url], |r| {
                Ok(ScheduleInputs {
                    site: r.get("site")?,
                    published: r.get("published")?,
                    first_seen_at: r.get("first_seen_at")?,
                    last_changed_at: r.get("last_changed_at")?,
                    latest_seq: r.get("latest_seq")?,
                    removal_pending_since: r.get("removal_pending_since")?,
                })
            })
            .optional()?)
    }

    fn reprocess_page(
        &self,
        site: Option<&str>,
        after_version_id: i64,
        limit: usize,
    ) -> Result<Vec<ReprocessItem>, ArchiveError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.id AS id, a.canonical_url, v.seq, v.kind, v.raw_hash, v.content_type, v.final_url,
                 v.extractor, v.content_hash
             FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE v.id > ?1 AND v.origin = 'fetch' AND v.kind <> 'removed'
                 AND v.raw_hash IS NOT NULL AND (?2 IS NULL OR a.site = ?2)
             ORDER BY v.id LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![after_version_id, site, limit], |r| {
            Ok(ReprocessItem {
                version_id: r.get("id")?,
                canonical_url: r.get("canonical_url")?,
                seq: r.get("seq")?,
                kind: r.get("kind")?,
                raw_hash: r.get("raw_hash")?,
                content_type: r.get("content_type")?,
                final_url: r.get("final_url")?,
                extractor: r.get("extractor")?,
                content_hash: r.get("content_hash")?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn set_extractor(&mut self, version_id: i64, extractor: &str) -> Result<(), ArchiveError> {
        self.conn
            .prepare_cached("UPDATE versions SET extractor = ?2 WHERE id = ?1")?
            .execute(params![version_id, extractor])?;
        Ok(())
    }

    fn set_date_found(
        &mut self,
        canonical_url: &str,
        seq: u32,
        found: bool,
    ) -> Result<(), ArchiveError> {
        self.conn
            .prepare_cached(
                "UPDATE versions SET date_found = ?3
                 WHERE seq = ?2 AND article_id = (SELECT id FROM articles WHERE canonical_url = ?1)",
            )?
            .execute(params![canonical_url, seq, found])?;
        Ok(())
    }

    fn replace_document(
        &mut self,
        version_id: i64,
        document: &str,
        title: &str,
        published: &str,
        extractor: &str,
        at: DateTime<Utc>,
    ) -> Result<(), ArchiveError> {
        let tx = self.write_tx()?;
        let moved = tx
            .prepare_cached(
                "INSERT INTO superseded_documents (version_id, document, content_hash, extractor, superseded_at)
                 SELECT id, document, content_hash, extractor, ?2 FROM versions WHERE id = ?1",
            )?
            .execute(params![version_id, format_time(at)])?;
        if moved != 1 {
            return Err(ArchiveError::Corrupt(format!(
                "no version with id {version_id}"
            )));
        }
        tx.prepare_cached(
            "UPDATE versions SET document = ?2, content_hash = ?3, title = ?4, published = ?5,
                 extractor = ?6 WHERE id = ?1",
        )?
        .execute(params![
            version_id,
            document,
            hash_hex(document.as_bytes()),
            title,
            published,
            extractor
        ])?;
        let (article_id, seq): (i64, u32) = tx.query_row(
            "SELECT article_id, seq FROM versions WHERE id = ?1",
            [version_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        super::search::index_version(&tx, article_id, seq)?;
        tx.commit()?;
        Ok(())
    }

    fn downgrade_to_minor(&mut self, canonical_url: &str, seq: u32) -> Result<bool, ArchiveError> {
        let changed = self
            .conn
            .prepare_cached(
                "UPDATE versions SET kind = 'minor'
                 WHERE seq = ?2 AND kind = 'edit'
                     AND article_id = (SELECT id FROM articles WHERE canonical_url = ?1)",
            )?
            .execute(params![canonical_url, seq])?;
        Ok(changed == 1)
    }

    fn set_diff(
        &mut self,
        canonical_url: &str,
        seq: u32,
        diff: Option<&str>,
    ) -> Result<(), ArchiveError> {
        self.conn
            .prepare_cached(
                "UPDATE versions SET diff = ?3
                 WHERE seq = ?2 AND article_id = (SELECT id FROM articles WHERE canonical_url = ?1)",
            )?
            .execute(params![canonical_url, seq, diff])?;
        Ok(())
    }

    fn superseded_count(&self) -> Result<u64, ArchiveError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM superseded_documents", [], |r| {
                r.get(0)
            })?;
        Ok(n.try_into().unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::Archive;
    use crate::archive::SCHEMA_VERSION;
    use crate::archive::store::Versions;

    #[test]
    fn a_version_1_archive_is_upgraded_on_open_keeping_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(include_str!("../../../schema.sql"))
                .unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute_batch(&format!(
                "INSERT INTO articles (canonical_url, site, site_article_id, lang, first_seen_at,
                     last_checked_at, last_changed_at, latest_seq)
                 VALUES ('https://new.qq.com/rain/a/X', 'qq', 'X', 'zh-CN', '2025-01-01T00:00:00.000Z',
                     '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', 1);
                 INSERT INTO versions (article_id, seq, kind, origin, fetched_at, content_hash, document, title)
                 VALUES (1, 1, 'new', 'fetch', '2025-01-01T00:00:00.000Z', '{}', 'doc', 't');",
                hash_hex(b"doc")
            ))
            .unwrap();
        }
        let archive = SqliteArchive::open(&path).unwrap();
        let version: i64 = archive
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION as i64);
        assert_eq!(
            archive
                .document("https://new.qq.com/rain/a/X", 1)
                .unwrap()
                .as_deref(),
            Some("doc")
        );
        let details = archive
            .version_details("https://new.qq.com/rain/a/X")
            .unwrap();
        assert_eq!(details[0].diff, None);
        // The kept row counts start from the rows already there (and the check agrees).
        let stats = crate::archive::store::Feeds::stats(&archive).unwrap();
        assert_eq!((stats.articles, stats.versions, stats.fetches), (1, 1, 0));
        archive.integrity_check().unwrap();
    }

    #[test]
    fn processes_creating_one_new_archive_at_once_all_succeed() {
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("new.db");
            let openers: Vec<_> = (0..4)
                .map(|_| {
                    let path = path.clone();
                    std::thread::spawn(move || Archive::open(&path).map(|_| ()))
                })
                .collect();
            for opener in openers {
                opener.join().unwrap().expect("every opener succeeds");
            }
        }
    }
}
