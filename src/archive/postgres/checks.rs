//! PostgresArchive queries for re-checking articles (removals, the revisit schedule, history
//! details, reprocessing) and the integrity check.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{
    Conn, KIND_COLUMNS, PostgresArchive, RowExt, decode_blob, limit_i64, reported_kind, store_blob,
};
use crate::archive::RawBlob;
use crate::archive::kinds::removal_confirmed;
use crate::archive::sqlite::{ROW_COUNTS_CHECK, wrong_row_counts};
use crate::archive::store::Checks;
use crate::archive::{
    ArchiveError, ArticleStatus, RemovalSighting, RemovalState, ReprocessItem, ScheduleInputs,
    VersionDetail, format_time, hash_hex,
};

/// Rows read per round trip by the integrity check.
const CHECK_PAGE: i64 = 500;

/// What a pending removal sighting found: the locked article's id, latest seq and state.
struct Sighted {
    article_id: i64,
    latest_seq: u32,
    status: ArticleStatus,
    pending: u32,
    since: Option<String>,
}

fn record_removal_in(
    conn: &mut Conn,
    canonical_url: &str,
    sighting: &RemovalSighting<'_>,
    confirmations: u32,
    confirm_after: Duration,
) -> Result<RemovalState, ArchiveError> {
    let at = format_time(sighting.at);
    // The row lock serialises this with captures and other sightings of the article.
    let row = conn.query_opt(
        "SELECT id, latest_seq, status, removal_pending, removal_pending_since
         FROM articles WHERE canonical_url = $1 FOR UPDATE",
        &[&canonical_url],
    )?;
    let Some(row) = row else {
        return Ok(RemovalState::Unknown);
    };
    let found = Sighted {
        article_id: row.int("id")?,
        latest_seq: row.seq("latest_seq")?,
        status: row.vocab("status")?,
        pending: row.seq("removal_pending")?,
        since: row.try_get("removal_pending_since")?,
    };
    conn.execute(
        "UPDATE articles SET last_checked_at = greatest(last_checked_at, $2) WHERE id = $1",
        &[&found.article_id, &at],
    )?;
    if found.status == ArticleStatus::Removed {
        return Ok(RemovalState::AlreadyRemoved {
            seq: found.latest_seq,
        });
    }
    let count = found.pending + 1;
    let since = found.since.clone().unwrap_or_else(|| at.clone());
    if !removal_confirmed(count, confirmations, &since, sighting.at, confirm_after) {
        conn.execute(
            "UPDATE articles SET removal_pending = $2, removal_pending_since = $3 WHERE id = $1",
            &[&found.article_id, &i64::from(count), &since],
        )?;
        return Ok(RemovalState::Pending { count });
    }
    confirm_removal(conn, &found, sighting, &at)
}

/// Appends the removal tombstone, keeping the last title and date so lists can still name
/// the article.
fn confirm_removal(
    conn: &mut Conn,
    found: &Sighted,
    sighting: &RemovalSighting<'_>,
    at: &str,
) -> Result<RemovalState, ArchiveError> {
    // Only a confirming sighting stores its page (rarely): compressed here, under the lock.
    let raw_hash = store_blob(conn, &RawBlob::new(sighting.raw)?)?;
    let latest = conn.query_opt(
        "SELECT title, published FROM versions WHERE article_id = $1 AND seq = $2",
        &[&found.article_id, &i64::from(found.latest_seq)],
    )?;
    let (title, published): (String, String) = match latest {
        Some(r) => (r.try_get("title")?, r.try_get("published")?),
        None => Default::default(),
    };
    let seq = found.latest_seq + 1;
    conn.execute(
        "INSERT INTO versions (article_id, seq, kind, origin, fetched_at, content_hash,
             document, title, published, http_status, final_url, raw_hash, content_type,
             removal_signal)
         VALUES ($1, $2, 'removed', 'fetch', $3, $4, '', $5, $6, $7, $8, $9, $10, $11)",
        &[
            &found.article_id,
            &i64::from(seq),
            &at,
            &hash_hex(b""),
            &title,
            &published,
            &i64::from(sighting.http_status),
            &sighting.final_url,
            &raw_hash,
            &sighting.content_type,
            &sighting.signal,
        ],
    )?;
    conn.execute(
        "UPDATE articles SET latest_seq = $2, status = 'removed', removal_signal = $3,
             last_changed_at = $4, removal_pending = 0, removal_pending_since = NULL
         WHERE id = $1",
        &[&found.article_id, &i64::from(seq), &sighting.signal, &at],
    )?;
    Ok(RemovalState::Confirmed { seq })
}

impl Checks for PostgresArchive {
    fn record_removal(
        &mut self,
        canonical_url: &str,
        sighting: &RemovalSighting<'_>,
        confirmations: u32,
        confirm_after: Duration,
    ) -> Result<RemovalState, ArchiveError> {
        self.write(|conn| {
            record_removal_in(conn, canonical_url, sighting, confirmations, confirm_after)
        })
    }

    fn latest_version_with_content(
        &self,
        canonical_url: &str,
    ) -> Result<Option<(u32, String)>, ArchiveError> {
        let row = self.conn.borrow_mut().query_opt(
            "SELECT v.seq, v.document FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE a.canonical_url = $1 AND v.kind <> 'removed'
             ORDER BY v.seq DESC LIMIT 1",
            &[&canonical_url],
        )?;
        row.map(|r| Ok((r.seq("seq")?, r.try_get("document")?)))
            .transpose()
    }

    fn touch_checked(
        &mut self,
        canonical_url: &str,
        at: DateTime<Utc>,
    ) -> Result<(), ArchiveError> {
        self.conn.get_mut().execute(
            "UPDATE articles SET last_checked_at = greatest(last_checked_at, $2)
             WHERE canonical_url = $1",
            &[&canonical_url, &format_time(at)],
        )?;
        Ok(())
    }

    fn set_next_check(
        &mut self,
        canonical_url: &str,
        at: DateTime<Utc>,
    ) -> Result<(), ArchiveError> {
        self.conn.get_mut().execute(
            "UPDATE articles SET next_check_at = $2 WHERE canonical_url = $1",
            &[&canonical_url, &format_time(at)],
        )?;
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
            "SELECT canonical_url FROM articles
             WHERE next_check_at IS NULL AND $1::text IS NOT NULL
                 AND ($2::text IS NULL OR site = $2) ORDER BY id LIMIT $3",
            "SELECT canonical_url FROM articles
             WHERE next_check_at <= $1 AND ($2::text IS NULL OR site = $2)
             ORDER BY next_check_at LIMIT $3",
        ] {
            let want = limit_i64(limit - due.len());
            if want == 0 {
                break;
            }
            let rows = self
                .conn
                .borrow_mut()
                .query(sql, &[&format_time(now), &site, &want])?;
            for row in rows {
                due.push(row.try_get("canonical_url")?);
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
        let rows = self.conn.borrow_mut().query(
            "SELECT id, canonical_url FROM articles
             WHERE id > $1 AND ($2::text IS NULL OR site = $2) ORDER BY id LIMIT $3",
            &[&after_id, &site, &limit_i64(limit)],
        )?;
        rows.iter()
            .map(|r| Ok((r.int("id")?, r.try_get("canonical_url")?)))
            .collect()
    }

    fn find_articles(&self, key: &str) -> Result<Vec<String>, ArchiveError> {
        let rows = self.conn.borrow_mut().query(
            "SELECT canonical_url FROM articles WHERE canonical_url = $1
             UNION SELECT canonical_url FROM articles WHERE site_article_id = $1
             ORDER BY canonical_url",
            &[&key],
        )?;
        rows.iter()
            .map(|r| Ok(r.try_get("canonical_url")?))
            .collect()
    }

    fn version_details(&self, canonical_url: &str) -> Result<Vec<VersionDetail>, ArchiveError> {
        let rows = self.conn.borrow_mut().query(
            &format!(
                "SELECT v.seq, {KIND_COLUMNS}, v.fetched_at, v.http_status, v.final_url,
                     octet_length(v.document)::bigint AS size, v.title, v.published,
                     v.removal_signal, v.diff, v.extractor, v.import_path, v.date_found
                 FROM versions v JOIN articles a ON a.id = v.article_id
                 WHERE a.canonical_url = $1 ORDER BY v.seq"
            ),
            &[&canonical_url],
        )?;
        rows.iter()
            .map(|r| {
                Ok(VersionDetail {
                    seq: r.seq("seq")?,
                    kind: reported_kind(r)?,
                    fetched_at: r.try_get("fetched_at")?,
                    http_status: r.status("http_status")?,
                    final_url: r.try_get("final_url")?,
                    size: usize::try_from(r.int("size")?).unwrap_or(0),
                    title: r.try_get("title")?,
                    published: r.try_get("published")?,
                    removal_signal: r.try_get("removal_signal")?,
                    diff: r.try_get("diff")?,
                    extractor: r.try_get("extractor")?,
                    import_path: r.try_get("import_path")?,
                    date_found: r.try_get("date_found")?,
                })
            })
            .collect()
    }

    fn schedule_inputs(&self, canonical_url: &str) -> Result<Option<ScheduleInputs>, ArchiveError> {
        let row = self.conn.borrow_mut().query_opt(
            "SELECT a.site, coalesce((SELECT v.published FROM versions v
                     WHERE v.article_id = a.id AND v.kind <> 'removed'
                     ORDER BY v.seq DESC LIMIT 1), '') AS published,
                 a.first_seen_at, a.last_changed_at, a.latest_seq, a.removal_pending_since
             FROM articles a WHERE a.canonical_url = $1",
            &[&canonical_url],
        )?;
        row.map(|r| {
            Ok(ScheduleInputs {
                site: r.try_get("site")?,
                published: r.try_get("published")?,
                first_seen_at: r.try_get("first_seen_at")?,
                last_changed_at: r.try_get("last_changed_at")?,
                latest_seq: r.seq("latest_seq")?,
                removal_pending_since: r.try_get("removal_pending_since")?,
            })
        })
        .transpose()
    }

    fn reprocess_page(
        &self,
        site: Option<&str>,
        after_version_id: i64,
        limit: usize,
    ) -> Result<Vec<ReprocessItem>, ArchiveError> {
        let rows = self.conn.borrow_mut().query(
            "SELECT v.id AS id, a.canonical_url, v.seq, v.kind, v.raw_hash, v.content_type,
                 v.final_url, v.extractor, v.content_hash
             FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE v.id > $1 AND v.origin = 'fetch' AND v.kind <> 'removed'
                 AND v.raw_hash IS NOT NULL AND ($2::text IS NULL OR a.site = $2)
             ORDER BY v.id LIMIT $3",
            &[&after_version_id, &site, &limit_i64(limit)],
        )?;
        rows.iter()
            .map(|r| {
                Ok(ReprocessItem {
                    version_id: r.int("id")?,
                    canonical_url: r.try_get("canonical_url")?,
                    seq: r.seq("seq")?,
                    kind: r.vocab("kind")?,
                    raw_hash: r.try_get("raw_hash")?,
                    content_type: r.try_get("content_type")?,
                    final_url: r.try_get("final_url")?,
                    extractor: r.try_get("extractor")?,
                    content_hash: r.try_get("content_hash")?,
                })
            })
            .collect()
    }

    fn set_extractor(&mut self, version_id: i64, extractor: &str) -> Result<(), ArchiveError> {
        self.conn.get_mut().execute(
            "UPDATE versions SET extractor = $2 WHERE id = $1",
            &[&version_id, &extractor],
        )?;
        Ok(())
    }

    fn set_date_found(
        &mut self,
        canonical_url: &str,
        seq: u32,
        found: bool,
    ) -> Result<(), ArchiveError> {
        self.conn.get_mut().execute(
            "UPDATE versions SET date_found = $3
             WHERE seq = $2 AND article_id = (SELECT id FROM articles WHERE canonical_url = $1)",
            &[&canonical_url, &i64::from(seq), &found],
        )?;
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
        self.write(|conn| {
            let moved = conn.execute(
                "INSERT INTO superseded_documents (version_id, document, content_hash, extractor,
                     superseded_at)
                 SELECT id, document, content_hash, extractor, $2 FROM versions WHERE id = $1",
                &[&version_id, &format_time(at)],
            )?;
            if moved != 1 {
                return Err(ArchiveError::Corrupt(format!(
                    "no version with id {version_id}"
                )));
            }
            conn.execute(
                "UPDATE versions SET document = $2, content_hash = $3, title = $4, published = $5,
                     extractor = $6 WHERE id = $1",
                &[
                    &version_id,
                    &document,
                    &hash_hex(document.as_bytes()),
                    &title,
                    &published,
                    &extractor,
                ],
            )?;
            let row = conn.query_one(
                "SELECT article_id, seq FROM versions WHERE id = $1",
                &[&version_id],
            )?;
            super::search::index_version(conn, row.int("article_id")?, row.seq("seq")?)
        })
    }

    fn downgrade_to_minor(&mut self, canonical_url: &str, seq: u32) -> Result<bool, ArchiveError> {
        let changed = self.conn.get_mut().execute(
            "UPDATE versions SET kind = 'minor'
             WHERE seq = $2 AND kind = 'edit'
                 AND article_id = (SELECT id FROM articles WHERE canonical_url = $1)",
            &[&canonical_url, &i64::from(seq)],
        )?;
        Ok(changed == 1)
    }

    fn set_diff(
        &mut self,
        canonical_url: &str,
        seq: u32,
        diff: Option<&str>,
    ) -> Result<(), ArchiveError> {
        self.conn.get_mut().execute(
            "UPDATE versions SET diff = $3
             WHERE seq = $2 AND article_id = (SELECT id FROM articles WHERE canonical_url = $1)",
            &[&canonical_url, &i64::from(seq), &diff],
        )?;
        Ok(())
    }

    fn superseded_count(&self) -> Result<u64, ArchiveError> {
        self.conn
            .borrow_mut()
            .query_one("SELECT count(*) AS n FROM superseded_documents", &[])?
            .count("n")
    }
}

/// The integrity check of a PostgreSQL archive. The server guards its own pages and the
/// schema's constraints (foreign keys included) hold by construction, so what is checked is
/// what the database cannot know: every article's versions run 1..latest_seq, every blob
/// decompresses to bytes matching its hash and size, every document matches its content
/// hash. Reads every blob and document: slow on big archives, like SQLite's check.
pub(super) fn integrity_check(conn: &mut Conn) -> Result<(), ArchiveError> {
    let wrong: Vec<String> = conn
        .query(ROW_COUNTS_CHECK, &[])?
        .iter()
        .map(|r| r.try_get("name"))
        .collect::<Result<_, _>>()?;
    if !wrong.is_empty() {
        return Err(wrong_row_counts(&wrong));
    }
    let gaps = conn.query(
        "SELECT a.canonical_url FROM articles a
         LEFT JOIN (SELECT article_id, count(*) AS n, max(seq) AS top FROM versions
                    GROUP BY article_id) v ON v.article_id = a.id
         WHERE coalesce(v.top, 0) <> a.latest_seq OR coalesce(v.n, 0) <> a.latest_seq
         ORDER BY a.id LIMIT 5",
        &[],
    )?;
    if let Some(first) = gaps.first() {
        let url: String = first.try_get("canonical_url")?;
        return Err(ArchiveError::Corrupt(format!(
            "{} or more articles' versions do not run 1..latest_seq (first: {url})",
            gaps.len()
        )));
    }
    let mut after = String::new();
    loop {
        let rows = conn.query(
            "SELECT hash, size, compression, data FROM blobs WHERE hash > $1
             ORDER BY hash LIMIT $2",
            &[&after, &CHECK_PAGE],
        )?;
        for r in &rows {
            let hash: String = r.try_get("hash")?;
            let compression: String = r.try_get("compression")?;
            decode_blob(&hash, r.int("size")?, &compression, r.try_get("data")?)?;
            after = hash;
        }
        if (rows.len() as i64) < CHECK_PAGE {
            break;
        }
    }
    let mut after_id = 0i64;
    loop {
        let rows = conn.query(
            "SELECT v.id, a.canonical_url, v.seq, v.document, v.content_hash
             FROM versions v JOIN articles a ON a.id = v.article_id
             WHERE v.id > $1 ORDER BY v.id LIMIT $2",
            &[&after_id, &CHECK_PAGE],
        )?;
        for r in &rows {
            let url: String = r.try_get("canonical_url")?;
            let hash: String = r.try_get("content_hash")?;
            super::verify_document(&url, r.seq("seq")?, r.try_get("document")?, &hash)?;
            after_id = r.int("id")?;
        }
        if (rows.len() as i64) < CHECK_PAGE {
            break;
        }
    }
    Ok(())
}
