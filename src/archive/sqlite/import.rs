//! Imported versions: documents read from existing Hugo archives (the file walking and parsing
//! is in `crate::import`; this is only their SQL).
//!
//! An imported file becomes a version of kind and origin `import`, holding the file's exact
//! text, its content hash and its path. Nothing is replaced: a text the article already has (in
//! any of its versions) is "already known", any other text is appended as the next version.

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
    Ok(if seq == 1 {
        Imported::NewArticle { seq }
    } else {
        Imported::NewVersion { seq }
    })
}

#[cfg(test)]
mod tests {
    use crate::archive::Archive;
    use chrono::TimeZone;

    use super::*;
    use crate::archive::{NewCapture, VersionKind, VersionOrigin};

    const URL: &str = "https://new.qq.com/rain/a/20250211A013J400";

    fn record<'a>(document: &'a str, path: &'a str) -> ImportRecord<'a> {
        ImportRecord {
            canonical_url: URL,
            site: "qq",
            site_article_id: "20250211A013J400",
            lang: "zh-CN",
            title: "标题",
            published: "2025-02-11 07:03:08",
            document,
            captured_at: Utc.timestamp_opt(1_739_000_000, 0).unwrap(),
            import_path: path,
        }
    }

    fn fetched(archive: &mut Archive, document: &str) {
        archive
            .record_capture(&NewCapture {
                canonical_url: URL,
                site: "qq",
                site_article_id: "20250211A013J400",
                lang: "zh-CN",
                title: "fetched",
                published: "",
                document,
                fetched_at: Utc.timestamp_opt(1_739_100_000, 0).unwrap(),
                http_status: 200,
                final_url: URL,
                raw: b"<html></html>",
                content_type: None,
                encoding: "utf-8",
                etag: None,
                last_modified: None,
                extractor: "test",
                author: None,
                minor: false,
                diff: None,
                date_found: true,
            })
            .unwrap();
    }

    #[test]
    fn imports_append_and_never_replace() {
        let mut archive = Archive::open_in_memory().unwrap();
        let got = archive
            .import_documents(&[
                record("one", "/a.md"),
                record("one", "/b.md"),
                record("two", "/c.md"),
            ])
            .unwrap();
        assert_eq!(
            got,
            [
                Imported::NewArticle { seq: 1 },
                Imported::AlreadyKnown { seq: 1 },
                Imported::NewVersion { seq: 2 },
            ]
        );
        // A text known from any version, not only the latest, is known.
        assert_eq!(
            archive.import_documents(&[record("one", "/d.md")]).unwrap(),
            [Imported::AlreadyKnown { seq: 1 }]
        );
        let versions = archive.versions(URL).unwrap();
        assert_eq!(versions.len(), 2);
        assert!(
            versions
                .iter()
                .all(|v| v.kind == VersionKind::Import && v.origin == VersionOrigin::Import)
        );
        assert_eq!(versions[1].content_hash, hash_hex(b"two"));
        assert_eq!(
            archive.import_path(URL, 2).unwrap().as_deref(),
            Some("/c.md")
        );
        assert_eq!(archive.document(URL, 2).unwrap().as_deref(), Some("two"));
        let article = archive.article(URL).unwrap().unwrap();
        assert_eq!((article.latest_seq, article.status.as_str()), (2, "live"));
        assert_eq!(article.first_seen_at, "2025-02-08T07:33:20.000Z");
    }

    #[test]
    fn imports_meet_fetched_versions() {
        let mut archive = Archive::open_in_memory().unwrap();
        fetched(&mut archive, "fetched text");
        assert_eq!(
            archive
                .import_documents(&[
                    record("fetched text", "/a.md"),
                    record("older text", "/b.md")
                ])
                .unwrap(),
            [
                Imported::AlreadyKnown { seq: 1 },
                Imported::NewVersion { seq: 2 }
            ]
        );
        let article = archive.article(URL).unwrap().unwrap();
        // The fetch is later than the file: the change time stays the fetch's.
        assert_eq!(article.last_changed_at, "2025-02-09T11:20:00.000Z");
        assert_eq!(archive.import_path(URL, 1).unwrap(), None);
        // Fetching the text of the latest (imported) version adds nothing.
        fetched(&mut archive, "older text");
        assert_eq!(archive.versions(URL).unwrap().len(), 2);
    }

    #[test]
    fn a_failing_batch_stores_nothing() {
        let mut archive = Archive::open_in_memory().unwrap();
        let mut bad = record("x", "/b.md");
        bad.canonical_url = ""; // rejected by the schema's CHECK
        assert!(
            archive
                .import_documents(&[record("one", "/a.md"), bad])
                .is_err()
        );
        assert_eq!(archive.counts().unwrap(), (0, 0, 0));
    }
}
