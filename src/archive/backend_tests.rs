//! The archive's test suite, run against both backends: every test is a function of a
//! [`Backend`], instantiated once for SQLite (a file in a temporary folder) and once for
//! PostgreSQL (a fresh database in the process's throwaway cluster, see
//! [`super::postgres::throwaway`]). Tests go through the storage interface; the side door
//! ([`SideDoor`]) is a second, raw connection that only tampers with stored data.

use std::ops::ControlFlow;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use super::postgres::throwaway;
use super::*;

/// Which backend a test runs against.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// A raw connection to a test archive, for tampering with what it stores.
pub(crate) enum SideDoor {
    /// The connection, and the folder of the file (removed when dropped).
    Sqlite(rusqlite::Connection, #[allow(dead_code)] tempfile::TempDir),
    Postgres(::postgres::Client),
}

impl SideDoor {
    /// Runs SQL written in the dialect both backends share (no parameters).
    pub(crate) fn execute(&mut self, sql: &str) {
        match self {
            SideDoor::Sqlite(conn, _) => conn.execute_batch(sql).unwrap(),
            SideDoor::Postgres(client) => client.batch_execute(sql).unwrap(),
        }
    }

    /// One integer from a query both backends understand.
    pub(crate) fn count(&mut self, sql: &str) -> i64 {
        match self {
            SideDoor::Sqlite(conn, _) => conn.query_row(sql, [], |r| r.get(0)).unwrap(),
            SideDoor::Postgres(client) => {
                let row = client.query_one(sql, &[]).unwrap();
                row.try_get::<_, i64>(0)
                    .or_else(|_| row.try_get::<_, i32>(0).map(i64::from))
                    .unwrap()
            }
        }
    }

    /// Overwrites a blob's stored bytes and compression.
    pub(crate) fn set_blob(&mut self, hash: &str, compression: &str, data: &[u8]) {
        match self {
            SideDoor::Sqlite(conn, _) => {
                conn.execute(
                    "UPDATE blobs SET compression = ?1, data = ?2 WHERE hash = ?3",
                    rusqlite::params![compression, data, hash],
                )
                .unwrap();
            }
            SideDoor::Postgres(client) => {
                client
                    .execute(
                        "UPDATE blobs SET compression = $1, data = $2 WHERE hash = $3",
                        &[&compression, &data, &hash],
                    )
                    .unwrap();
            }
        }
    }
}

/// A new, empty archive of `backend` and a side door into it.
pub(crate) fn open(backend: Backend) -> (Archive, SideDoor) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("archive.db");
            let archive = connect(&path, Mode::ReadWrite).unwrap();
            let conn = rusqlite::Connection::open(&path).unwrap();
            (archive, SideDoor::Sqlite(conn, dir))
        }
        Backend::Postgres => {
            let url = throwaway::fresh_database();
            let archive = connect(Path::new(&url), Mode::ReadWrite).unwrap();
            let client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
            (archive, SideDoor::Postgres(client))
        }
    }
}

/// Instantiates each test function once per backend: `sqlite::NAME` and `postgres::NAME`.
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name(super::Backend::Sqlite)
            })+
        }
        mod postgres {
            $(#[test]
            fn $name() {
                super::$name(super::Backend::Postgres)
            })+
        }
    };
}

mod images;
mod screenshots;
mod search;

on_both_backends!(
    new_unchanged_changed_changed_back,
    raw_bytes_are_deduplicated_across_articles_and_round_trip,
    corrupted_blob_is_an_error_naming_the_hash,
    tampered_document_is_an_error,
    fetch_log_is_recorded_and_read_back_oldest_first,
    a_failed_capture_leaves_nothing_behind,
    restored_after_a_removal_tombstone,
    a_group_commits_its_units_and_drops_a_failed_one_whole,
    a_group_whose_transaction_failed_outside_its_units_is_not_committed,
    imports_append_and_never_replace,
    imports_meet_fetched_versions,
    a_failing_batch_stores_nothing,
    removed_articles_keep_their_good_versions,
    tampered_text_is_reported_not_exported,
    removal_needs_enough_sightings_far_enough_apart,
    the_queue_takes_each_url_once_and_keeps_its_state,
    claims_take_the_lowest_claimable_ids,
    feeds_page_newest_first_with_cursors,
    changes_and_history_events,
    rechecks_and_reprocessing,
    the_change_counter_grows_with_what_readers_see,
    the_content_counter_grows_only_with_what_feeds_show,
    kept_row_counts_follow_the_rows_and_are_checked,
);

const URL: &str = "https://news.example/2024/05/01/story";

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_714_560_000 + secs, 123_000_000)
        .single()
        .unwrap()
}

fn capture<'a>(document: &'a str, raw: &'a [u8], secs: i64) -> NewCapture<'a> {
    NewCapture {
        canonical_url: URL,
        site: "example",
        site_article_id: "story-1",
        lang: "en",
        title: "A story",
        published: "2024-05-01T10:00:00Z",
        document,
        fetched_at: at(secs),
        http_status: 200,
        final_url: URL,
        raw: RawBlob::new(raw).unwrap(),
        content_type: Some("text/html; charset=utf-8"),
        encoding: "utf-8",
        etag: Some("\"v1\""),
        last_modified: None,
        extractor: "newsvault-extract/0.1",
        author: None,
        minor: false,
        diff: None,
        date_found: true,
        search: None,
    }
}

/// A capture of another article of `site`, `n`.
fn article<'a>(
    url: &'a str,
    site: &'a str,
    id: &'a str,
    title: &'a str,
    secs: i64,
) -> NewCapture<'a> {
    NewCapture {
        canonical_url: url,
        site,
        site_article_id: id,
        title,
        ..capture(title, b"<html>page</html>", secs)
    }
}

fn fetch<'a>(
    url: &'a str,
    canonical: Option<&'a str>,
    secs: i64,
    outcome: FetchOutcome,
) -> FetchLog<'a> {
    FetchLog {
        url,
        canonical_url: canonical,
        started_at: at(secs),
        duration_ms: 120,
        attempts: 1,
        http_status: Some(200),
        final_url: Some(URL),
        outcome,
        detail: "",
        bytes: Some(2048),
        encoding: Some("utf-8"),
        decode_errors: false,
    }
}

fn sighting(secs: i64) -> RemovalSighting<'static> {
    RemovalSighting {
        at: at(secs),
        http_status: 404,
        final_url: URL,
        signal: "http_404",
        raw: b"<html>gone</html>",
        content_type: Some("text/html"),
    }
}

/// Confirms the removal of [`URL`] at once (one sighting suffices).
fn remove(a: &mut Archive, secs: i64) -> RemovalState {
    a.record_removal(URL, &sighting(secs), 1, Duration::ZERO)
        .unwrap()
}

/// Deterministic pseudo-random bytes (blake3 XOF), no extra dependency.
fn noise(len: usize) -> Vec<u8> {
    let mut out = vec![0; len];
    blake3::Hasher::new()
        .update(b"newsvault test noise")
        .finalize_xof()
        .fill(&mut out);
    out
}

const QQ_URL: &str = "https://new.qq.com/rain/a/20250211A013J400";

fn import<'a>(document: &'a str, path: &'a str) -> ImportRecord<'a> {
    ImportRecord {
        canonical_url: QQ_URL,
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

fn fetched_qq(archive: &mut Archive, document: &str) {
    archive
        .record_capture(&NewCapture {
            canonical_url: QQ_URL,
            site: "qq",
            site_article_id: "20250211A013J400",
            lang: "zh-CN",
            title: "fetched",
            fetched_at: Utc.timestamp_opt(1_739_100_000, 0).unwrap(),
            final_url: QQ_URL,
            ..capture(document, b"<html></html>", 0)
        })
        .unwrap();
}

fn chosen(archive: &Archive, choice: VersionChoice) -> Vec<ChosenVersion> {
    let mut out = Vec::new();
    archive
        .each_document(None, choice, &mut |a| {
            out.push(a.version);
            ControlFlow::Continue(())
        })
        .unwrap();
    out
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn new_unchanged_changed_changed_back(backend: Backend) {
    let (mut a, _side) = open(backend);
    let (doc_a, doc_b) = ("# A story\n\nFirst text.\n", "# A story\n\nEdited text.\n");

    assert_eq!(
        a.record_capture(&capture(doc_a, b"<html>1</html>", 0))
            .unwrap(),
        Recorded::New { seq: 1 }
    );
    let art = a.article(URL).unwrap().unwrap();
    assert_eq!(art.status, ArticleStatus::Live);
    assert_eq!(art.latest_seq, 1);
    assert_eq!(art.first_seen_at, format_time(at(0)));
    assert_eq!(art.last_checked_at, format_time(at(0)));
    assert_eq!(art.etag.as_deref(), Some("\"v1\""));
    assert_eq!(art.last_modified, None);

    // Same document, different raw bytes (e.g. a rotating ad): no new version,
    // but the check time and validators are updated.
    let mut again = capture(doc_a, b"<html>1 with another ad</html>", 60);
    again.etag = None;
    again.last_modified = Some("Wed, 01 May 2024 10:41:00 GMT");
    assert_eq!(
        a.record_capture(&again).unwrap(),
        Recorded::Unchanged { seq: 1 }
    );
    let art = a.article(URL).unwrap().unwrap();
    assert_eq!(art.latest_seq, 1);
    assert_eq!(art.first_seen_at, format_time(at(0)));
    assert_eq!(art.last_checked_at, format_time(at(60)));
    assert_eq!(art.last_changed_at, format_time(at(0)));
    assert_eq!(art.etag, None);
    assert_eq!(
        art.last_modified.as_deref(),
        Some("Wed, 01 May 2024 10:41:00 GMT")
    );

    assert_eq!(
        a.record_capture(&capture(doc_b, b"<html>2</html>", 120))
            .unwrap(),
        Recorded::Changed { seq: 2 }
    );
    // Back to the first text, with the first raw bytes: a new version, the blob is shared.
    assert_eq!(
        a.record_capture(&capture(doc_a, b"<html>1</html>", 180))
            .unwrap(),
        Recorded::Changed { seq: 3 }
    );
    assert_eq!(
        a.record_capture(&capture(doc_a, b"<html>1</html>", 240))
            .unwrap(),
        Recorded::Unchanged { seq: 3 }
    );

    let versions = a.versions(URL).unwrap();
    let summary: Vec<(u32, &str, &str)> = versions
        .iter()
        .map(|v| (v.seq, v.kind.as_str(), v.origin.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (1, "new", "fetch"),
            (2, "edit", "fetch"),
            (3, "edit", "fetch")
        ]
    );
    assert_eq!(versions[0].content_hash, hash_hex(doc_a.as_bytes()));
    assert_eq!(versions[1].content_hash, hash_hex(doc_b.as_bytes()));
    assert_eq!(versions[2].content_hash, versions[0].content_hash);
    assert_eq!(versions[0].raw_hash, versions[2].raw_hash);
    assert_eq!(versions[1].fetched_at, format_time(at(120)));
    assert_eq!(versions[0].size, doc_a.len());
    assert_eq!(versions[0].http_status, Some(200));
    assert_eq!(versions[0].final_url.as_deref(), Some(URL));
    assert_eq!(versions[0].encoding.as_deref(), Some("utf-8"));
    assert_eq!(
        versions[0].extractor.as_deref(),
        Some("newsvault-extract/0.1")
    );
    assert_eq!(versions[0].title, "A story");

    assert_eq!(a.document(URL, 1).unwrap().as_deref(), Some(doc_a));
    assert_eq!(a.document(URL, 2).unwrap().as_deref(), Some(doc_b));
    assert_eq!(a.document(URL, 4).unwrap(), None);
    assert_eq!(a.document("https://nowhere.example/", 1).unwrap(), None);
    assert_eq!(a.latest_document(URL).unwrap().as_deref(), Some(doc_a));
    assert_eq!(a.latest_document("https://nowhere.example/").unwrap(), None);
    assert!(a.versions("https://nowhere.example/").unwrap().is_empty());
    assert_eq!(a.article("https://nowhere.example/").unwrap(), None);

    let art = a.article(URL).unwrap().unwrap();
    assert_eq!(art.latest_seq, 3);
    assert_eq!(art.last_changed_at, format_time(at(180)));
    assert_eq!(art.last_checked_at, format_time(at(240)));

    // Raw bytes: three distinct bodies, four captures, the first body used by two versions.
    assert_eq!(a.counts().unwrap(), (1, 3, 3));
    assert_eq!(
        a.raw_capture(URL, 1).unwrap().as_deref(),
        Some(&b"<html>1</html>"[..])
    );
    assert_eq!(
        a.raw_capture(URL, 2).unwrap().as_deref(),
        Some(&b"<html>2</html>"[..])
    );
    assert_eq!(
        a.raw_capture(URL, 3).unwrap().as_deref(),
        Some(&b"<html>1</html>"[..])
    );
    assert_eq!(a.raw_capture(URL, 9).unwrap(), None);
    a.integrity_check().unwrap();
}

fn raw_bytes_are_deduplicated_across_articles_and_round_trip(backend: Backend) {
    let (mut a, mut side) = open(backend);
    let big = noise(300_000); // incompressible
    let mut text = Vec::new();
    for i in 0..20_000 {
        text.extend_from_slice(format!("<p>paragraph {i}</p>\n").as_bytes());
    }
    let first = capture("doc one", &big, 0);
    a.record_capture(&first).unwrap();
    let mut other = capture("doc two", &big, 1);
    other.canonical_url = "https://news.example/other";
    assert_eq!(a.record_capture(&other).unwrap(), Recorded::New { seq: 1 });
    assert_eq!(a.counts().unwrap(), (2, 2, 1));
    assert_eq!(a.raw_capture(URL, 1).unwrap().unwrap(), big);
    assert_eq!(
        a.raw_capture("https://news.example/other", 1)
            .unwrap()
            .unwrap(),
        big
    );

    a.record_capture(&capture("doc three", &text, 2)).unwrap();
    assert_eq!(a.counts().unwrap(), (2, 3, 2));
    assert_eq!(a.raw_capture(URL, 2).unwrap().unwrap(), text);
    // Stored compressed.
    let stored = side.count(&format!(
        "SELECT octet_length(data) FROM blobs WHERE hash = '{}'",
        hash_hex(&text)
    ));
    assert!(
        (stored as usize) < text.len() / 4,
        "{stored} vs {}",
        text.len()
    );

    // Empty bodies are fine too.
    let mut empty = capture("doc four", b"", 3);
    empty.canonical_url = "https://news.example/empty";
    a.record_capture(&empty).unwrap();
    assert_eq!(
        a.raw_capture("https://news.example/empty", 1)
            .unwrap()
            .unwrap(),
        b""
    );
}

fn corrupted_blob_is_an_error_naming_the_hash(backend: Backend) {
    let (mut a, mut side) = open(backend);
    a.record_capture(&capture("doc", b"<html>original</html>", 0))
        .unwrap();
    let hash = hash_hex(b"<html>original</html>");

    // Garbage instead of deflate data.
    side.set_blob(&hash, "zstd", &noise(64));
    let err = a.raw_capture(URL, 1).unwrap_err();
    assert!(matches!(err, ArchiveError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains(&hash), "{err}");

    // Valid zstd data of other bytes of the same length.
    let other = zstd::bulk::compress(b"<html>tampered</html>", 3).unwrap();
    side.set_blob(&hash, "zstd", &other);
    let err = a.raw_capture(URL, 1).unwrap_err();
    assert!(matches!(err, ArchiveError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains(&hash), "{err}");

    // Valid deflate data of other bytes, in an old deflate blob.
    side.set_blob(&hash, "deflate", &deflate(b"<html>tampered</html>"));
    let err = a.raw_capture(URL, 1).unwrap_err();
    assert!(matches!(err, ArchiveError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains(&hash), "{err}");
}

fn tampered_document_is_an_error(backend: Backend) {
    let (mut a, mut side) = open(backend);
    a.record_capture(&capture("original", b"raw", 0)).unwrap();
    side.execute("UPDATE versions SET document = 'tampered'");
    let err = a.document(URL, 1).unwrap_err();
    assert!(matches!(err, ArchiveError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains(URL), "{err}");
    assert!(a.latest_document(URL).is_err());
}

fn fetch_log_is_recorded_and_read_back_oldest_first(backend: Backend) {
    let (mut a, mut side) = open(backend);
    let feed_url = "https://news.example/story?utm_source=feed";
    a.record_capture(&capture("doc", b"raw", 10)).unwrap();
    // Logged out of order: read back by start time.
    let mut later = fetch(URL, Some(URL), 100, FetchOutcome::NotModified);
    later.http_status = Some(304);
    later.bytes = None;
    later.attempts = 2;
    later.detail = "304 after one retry";
    a.log_fetch(&later).unwrap();
    a.log_fetch(&fetch(feed_url, Some(URL), 10, FetchOutcome::Archived))
        .unwrap();
    let mut failed = fetch("https://news.example/gone", None, 20, FetchOutcome::Failed);
    failed.http_status = None;
    failed.final_url = None;
    failed.detail = "connection refused";
    failed.decode_errors = true;
    a.log_fetch(&failed).unwrap();

    let rows = a.fetch_log(URL).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0],
        FetchRow {
            url: feed_url.to_string(),
            started_at: format_time(at(10)),
            attempts: 1,
            http_status: Some(200),
            final_url: Some(URL.to_string()),
            outcome: FetchOutcome::Archived,
            detail: String::new(),
            bytes: Some(2048),
        }
    );
    assert_eq!(rows[1].outcome, FetchOutcome::NotModified);
    assert_eq!(rows[1].http_status, Some(304));
    assert_eq!(rows[1].bytes, None);
    assert_eq!(rows[1].attempts, 2);
    assert_eq!(rows[1].detail, "304 after one retry");
    assert_eq!(a.fetch_log(feed_url).unwrap(), rows[..1]);

    let gone = a.fetch_log("https://news.example/gone").unwrap();
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].outcome, FetchOutcome::Failed);
    assert_eq!(gone[0].http_status, None);
    assert_eq!(gone[0].final_url, None);
    assert!(a.fetch_log("https://unknown.example/").unwrap().is_empty());

    // Rows with a known article are linked to it.
    let linked = side.count("SELECT count(*) FROM fetches WHERE article_id IS NOT NULL");
    assert_eq!(linked, 2);

    let mut huge = fetch(URL, None, 30, FetchOutcome::Failed);
    huge.bytes = Some(u64::MAX);
    assert!(matches!(
        a.log_fetch(&huge),
        Err(ArchiveError::OutOfRange(_))
    ));
    a.integrity_check().unwrap();
}

fn restored_after_a_removal_tombstone(backend: Backend) {
    let (mut a, _side) = open(backend);
    a.record_capture(&capture("doc", b"raw", 0)).unwrap();
    assert_eq!(remove(&mut a, 86_400), RemovalState::Confirmed { seq: 2 });
    assert_eq!(a.latest_document(URL).unwrap().as_deref(), Some("doc"));
    // The tombstone keeps the page served in the article's place as evidence.
    assert_eq!(
        a.raw_capture(URL, 2).unwrap().as_deref(),
        Some(&b"<html>gone</html>"[..])
    );
    assert_eq!(
        a.article(URL).unwrap().unwrap().status,
        ArticleStatus::Removed
    );

    // The same text comes back: a new version all the same, marking the restoration.
    assert_eq!(
        a.record_capture(&capture("doc", b"raw", 300_000)).unwrap(),
        Recorded::Changed { seq: 3 }
    );
    let kinds: Vec<VersionKind> = a
        .versions(URL)
        .unwrap()
        .into_iter()
        .map(|v| v.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            VersionKind::New,
            VersionKind::Removed,
            VersionKind::Restored
        ]
    );
    let art = a.article(URL).unwrap().unwrap();
    assert_eq!(art.status, ArticleStatus::Live);
    assert_eq!(art.removal_signal, None);
    assert_eq!(
        a.record_capture(&capture("doc", b"raw", 300_060)).unwrap(),
        Recorded::Unchanged { seq: 3 }
    );
}

fn a_group_whose_transaction_failed_outside_its_units_is_not_committed(backend: Backend) {
    let (mut a, _side) = open(backend);
    a.begin_group().unwrap();
    a.in_unit(|a| a.record_capture(&capture("kept?", b"<html>1</html>", 0)))
        .unwrap();
    // A write failing outside any unit: in PostgreSQL it aborts the whole transaction.
    let mut bad = capture("bad", b"<html>2</html>", 10);
    bad.canonical_url = "";
    let failed = a.record_capture(&bad).is_err();
    assert!(failed);
    let committed = a.commit_group();
    let stored = a.counts().unwrap();
    // Either the group committed whole (SQLite: the failed write was its own savepoint) or
    // it is reported failed with nothing stored; never reported durable without its units.
    match committed {
        Ok(()) => assert_eq!(stored, (1, 1, 1)),
        Err(_) => assert_eq!(stored, (0, 0, 0)),
    }
}

fn a_group_commits_its_units_and_drops_a_failed_one_whole(backend: Backend) {
    let (mut a, _side) = open(backend);
    a.begin_group().unwrap();
    a.in_unit(|a| {
        a.record_capture(&capture("kept", b"<html>kept</html>", 0))?;
        a.log_fetch(&fetch(URL, Some(URL), 0, FetchOutcome::Archived))
    })
    .unwrap();
    let failed: Result<(), ArchiveError> = a.in_unit(|a| {
        a.record_capture(&capture("dropped", b"<html>dropped</html>", 10))?;
        a.log_fetch(&fetch(URL, Some(URL), 10, FetchOutcome::Archived))?;
        Err(ArchiveError::OutOfRange(
            "a later step of the unit failed".into(),
        ))
    });
    assert!(failed.is_err());
    a.commit_group().unwrap();
    assert_eq!(a.versions(URL).unwrap().len(), 1);
    assert_eq!(a.latest_document(URL).unwrap().as_deref(), Some("kept"));
    assert_eq!(a.fetch_log(URL).unwrap().len(), 1);
    assert_eq!(a.counts().unwrap(), (1, 1, 1));
}

fn imports_append_and_never_replace(backend: Backend) {
    let (mut archive, _side) = open(backend);
    let got = archive
        .import_documents(&[
            import("one", "/a.md"),
            import("one", "/b.md"),
            import("two", "/c.md"),
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
        archive.import_documents(&[import("one", "/d.md")]).unwrap(),
        [Imported::AlreadyKnown { seq: 1 }]
    );
    let versions = archive.versions(QQ_URL).unwrap();
    assert_eq!(versions.len(), 2);
    assert!(
        versions
            .iter()
            .all(|v| v.kind == VersionKind::Import && v.origin == VersionOrigin::Import)
    );
    assert_eq!(versions[1].content_hash, hash_hex(b"two"));
    assert_eq!(
        archive.import_path(QQ_URL, 2).unwrap().as_deref(),
        Some("/c.md")
    );
    assert_eq!(archive.document(QQ_URL, 2).unwrap().as_deref(), Some("two"));
    let article = archive.article(QQ_URL).unwrap().unwrap();
    assert_eq!((article.latest_seq, article.status.as_str()), (2, "live"));
    assert_eq!(article.first_seen_at, "2025-02-08T07:33:20.000Z");
}

fn imports_meet_fetched_versions(backend: Backend) {
    let (mut archive, _side) = open(backend);
    fetched_qq(&mut archive, "fetched text");
    assert_eq!(
        archive
            .import_documents(&[
                import("fetched text", "/a.md"),
                import("older text", "/b.md")
            ])
            .unwrap(),
        [
            Imported::AlreadyKnown { seq: 1 },
            Imported::NewVersion { seq: 2 }
        ]
    );
    let article = archive.article(QQ_URL).unwrap().unwrap();
    // The fetch is later than the file: the change time stays the fetch's.
    assert_eq!(article.last_changed_at, "2025-02-09T11:20:00.000Z");
    assert_eq!(archive.import_path(QQ_URL, 1).unwrap(), None);
    // Fetching the text of the latest (imported) version adds nothing.
    fetched_qq(&mut archive, "older text");
    assert_eq!(archive.versions(QQ_URL).unwrap().len(), 2);
}

fn a_failing_batch_stores_nothing(backend: Backend) {
    let (mut archive, _side) = open(backend);
    let mut bad = import("x", "/b.md");
    bad.canonical_url = ""; // rejected by the schema's CHECK
    assert!(
        archive
            .import_documents(&[import("one", "/a.md"), bad])
            .is_err()
    );
    assert_eq!(archive.counts().unwrap(), (0, 0, 0));
}

fn removed_articles_keep_their_good_versions(backend: Backend) {
    let (mut archive, _side) = open(backend);
    archive
        .record_capture(&capture("one", b"raw one", 0))
        .unwrap();
    archive
        .record_capture(&capture("two", b"raw two", 60))
        .unwrap();
    assert_eq!(
        remove(&mut archive, 120),
        RemovalState::Confirmed { seq: 3 }
    );
    assert_eq!(
        chosen(&archive, VersionChoice::First),
        [ChosenVersion::Document {
            seq: 1,
            text: "one".into()
        }]
    );
    assert_eq!(
        chosen(&archive, VersionChoice::Latest),
        [ChosenVersion::Document {
            seq: 2,
            text: "two".into()
        }]
    );
    // Fetched versions with a body are raw captures; the tombstone's is the page served in
    // the article's place.
    let mut raws = Vec::new();
    archive
        .each_raw_capture(Some("example"), &mut |c| {
            raws.push((c.seq, c.raw));
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(
        raws,
        [
            (1, b"raw one".to_vec()),
            (2, b"raw two".to_vec()),
            (3, b"<html>gone</html>".to_vec())
        ]
    );
    assert_eq!(archive.count_raw_captures(None).unwrap(), 3);
    assert_eq!(archive.count_raw_captures(Some("other")).unwrap(), 0);
}

fn tampered_text_is_reported_not_exported(backend: Backend) {
    let (mut archive, mut side) = open(backend);
    archive.record_capture(&capture("one", b"raw", 0)).unwrap();
    side.execute("UPDATE versions SET document = 'tampered'");
    let got = chosen(&archive, VersionChoice::First);
    assert!(
        matches!(&got[..], [ChosenVersion::Corrupt(m)] if m.contains("fails verification")),
        "{got:?}"
    );
}

fn removal_needs_enough_sightings_far_enough_apart(backend: Backend) {
    let (mut archive, _side) = open(backend);
    let t0 = DateTime::parse_from_rfc3339("2025-02-11T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let url = "https://new.qq.com/rain/a/20250211A013J400";
    archive
        .record_capture(&NewCapture {
            canonical_url: url,
            site: "qq",
            site_article_id: "20250211A013J400",
            lang: "zh-CN",
            title: "t",
            published: "2025-02-11 07:03:08",
            document: "doc",
            fetched_at: t0,
            http_status: 200,
            final_url: url,
            raw: RawBlob::new(b"page").unwrap(),
            content_type: None,
            encoding: "UTF-8",
            etag: None,
            last_modified: None,
            extractor: "qq/1",
            author: None,
            minor: false,
            diff: None,
            date_found: true,
            search: None,
        })
        .unwrap();
    let sighting = |hours: i64| RemovalSighting {
        at: t0 + chrono::Duration::hours(hours),
        http_status: 404,
        final_url: url,
        signal: "HTTP 404",
        raw: b"gone",
        content_type: None,
    };
    let six_hours = Duration::from_secs(6 * 3600);
    let mut record = |h| {
        archive
            .record_removal(url, &sighting(h), 2, six_hours)
            .unwrap()
    };
    assert_eq!(record(1), RemovalState::Pending { count: 1 });
    assert_eq!(record(2), RemovalState::Pending { count: 2 }, "too soon");
    assert_eq!(record(7), RemovalState::Confirmed { seq: 2 });
    assert_eq!(record(8), RemovalState::AlreadyRemoved { seq: 2 });
    assert_eq!(
        archive.latest_document(url).unwrap().as_deref(),
        Some("doc")
    );
    assert_eq!(
        archive
            .record_removal(
                "https://new.qq.com/rain/a/unknown",
                &sighting(1),
                2,
                six_hours
            )
            .unwrap(),
        RemovalState::Unknown
    );
}

fn a_failed_capture_leaves_nothing_behind(backend: Backend) {
    let (mut a, _side) = open(backend);
    a.record_capture(&capture("doc", b"raw one", 0)).unwrap();
    let before = a.article(URL).unwrap().unwrap();
    // A constraint violation (empty canonical URL) after the blob was stored: rolled back.
    let mut bad = capture("doc", b"raw three", 0);
    bad.canonical_url = "";
    assert!(a.record_capture(&bad).is_err());
    assert_eq!(a.counts().unwrap(), (1, 1, 1));
    assert_eq!(a.article(URL).unwrap().unwrap(), before);
    // And the archive still works afterwards.
    assert_eq!(
        a.record_capture(&capture("doc v2", b"raw two", 60))
            .unwrap(),
        Recorded::Changed { seq: 2 }
    );
    assert_eq!(a.counts().unwrap(), (1, 2, 2));
}

fn poll(secs: i64, error: Option<&str>) -> PollRecord {
    PollRecord {
        at: at(secs),
        error: error.map(str::to_owned),
        etag: Some("\"feed-1\"".into()),
        last_modified: None,
        interval: Duration::from_secs(600),
        next_poll_at: at(secs + 600),
        listed: 3,
        queued: 0,
    }
}

fn listed<'a>(url: &'a str, kind: &'a str) -> ToQueue<'a> {
    ToQueue {
        url,
        kind,
        title: Some("listed title"),
        published: None,
        listing: None,
    }
}

/// A claim takes the lowest claimable ids, past items that are finished, claimed by another
/// worker or waiting for a retry.
fn claims_take_the_lowest_claimable_ids(backend: Backend) {
    let (mut a, _side) = open(backend);
    a.register_source("wire", "feed").unwrap();
    let urls: Vec<String> = (0..40)
        .map(|i| format!("https://news.example/{i:02}"))
        .collect();
    let items: Vec<ToQueue<'_>> = urls.iter().map(|u| listed(u, "text")).collect();
    assert_eq!(a.record_poll("wire", &items, &poll(0, None)).unwrap(), 40);
    let all = a.pending_queue(at(0), 100).unwrap();
    let ids = |items: &[QueueItem]| items.iter().map(|q| q.id).collect::<Vec<_>>();
    for item in &all[..10] {
        a.finish_queued(item.id, &QueueState::Done, "archived", at(1))
            .unwrap();
    }
    let first = a.claim_queue("w1", at(2), at(600), 3).unwrap();
    assert_eq!(ids(&first), ids(&all[10..13]));
    let retry = QueueState::Retry {
        not_before: at(900),
    };
    for item in [&all[13], &all[15]] {
        a.finish_queued(item.id, &retry, "HTTP 503", at(3)).unwrap();
    }
    let second = a.claim_queue("w2", at(4), at(600), 4).unwrap();
    assert_eq!(
        ids(&second),
        [all[14].id, all[16].id, all[17].id, all[18].id]
    );
    // Later the expired claims and the retries are the lowest claimable ids again.
    let third = a.claim_queue("w3", at(900), at(1_500), 5).unwrap();
    assert_eq!(ids(&third), ids(&all[10..15]));
}

fn the_queue_takes_each_url_once_and_keeps_its_state(backend: Backend) {
    let (mut a, _side) = open(backend);
    assert_eq!(
        a.register_source("wire", "feed").unwrap(),
        SourceRow::default()
    );
    a.record_capture(&capture("archived", b"raw", 0)).unwrap();
    let items = [
        listed("https://news.example/a", "text"),
        listed("https://news.example/video", "video"),
        listed(URL, "text"),
        listed("https://news.example/b", "text"),
    ];
    // The archived URL is not queued; the video is recorded, skipped.
    assert_eq!(a.record_poll("wire", &items, &poll(0, None)).unwrap(), 3);
    assert_eq!(a.record_poll("wire", &items, &poll(60, None)).unwrap(), 0);
    let source = a.register_source("wire", "feed").unwrap();
    assert_eq!(source.etag.as_deref(), Some("\"feed-1\""));
    assert_eq!(source.next_poll_at, Some(format_time(at(660))));
    a.record_poll("wire", &[], &poll(120, Some("HTTP 503")))
        .unwrap();

    let pending = a.pending_queue(at(0), 10).unwrap();
    let urls: Vec<&str> = pending.iter().map(|q| q.url.as_str()).collect();
    assert_eq!(urls, ["https://news.example/a", "https://news.example/b"]);
    assert_eq!(a.next_queue_time().unwrap(), Some(None));

    a.finish_queued(pending[0].id, &QueueState::Done, "archived", at(10))
        .unwrap();
    let retry = QueueState::Retry {
        not_before: at(900),
    };
    a.finish_queued(pending[1].id, &retry, "HTTP 503", at(10))
        .unwrap();
    assert!(a.pending_queue(at(100), 10).unwrap().is_empty());
    assert_eq!(
        a.next_queue_time().unwrap(),
        Some(Some(format_time(at(900))))
    );
    let again = a.pending_queue(at(900), 10).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    a.finish_queued(again[0].id, &QueueState::Failed, "gave up", at(901))
        .unwrap();
    assert_eq!(a.next_queue_time().unwrap(), None);
    assert_eq!(
        a.queue_counts().unwrap(),
        QueueCounts {
            pending: 0,
            done: 1,
            failed: 1,
            skipped: 1
        }
    );
    a.register_source("another", "hugo").unwrap();
    let status = a.sources_status().unwrap();
    let names: Vec<&str> = status.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["another", "wire"]);
    let wire = &status[1];
    assert_eq!(
        (
            wire.polls,
            wire.errors,
            wire.items_listed,
            wire.items_queued
        ),
        (3, 1, 9, 3)
    );
    assert_eq!((wire.archived, wire.failed, wire.skipped), (1, 1, 1));
    assert_eq!(wire.last_error.as_deref(), Some("HTTP 503"));
    assert_eq!(wire.last_success_at, Some(format_time(at(60))));
}

/// Archives `n` articles of two sites, oldest first: `https://news.example/N`, titled
/// "Story N", on site "even" or "odd".
fn archive_articles(a: &mut Archive, n: usize) -> Vec<String> {
    let urls: Vec<String> = (0..n)
        .map(|i| format!("https://news.example/{i}"))
        .collect();
    for (i, url) in urls.iter().enumerate() {
        let site = if i % 2 == 0 { "even" } else { "odd" };
        let title = format!("Story {i}");
        let id = i.to_string();
        a.record_capture(&article(url, site, &id, &title, i as i64))
            .unwrap();
    }
    urls
}

fn feeds_page_newest_first_with_cursors(backend: Backend) {
    let (mut a, _side) = open(backend);
    let urls = archive_articles(&mut a, 7);
    let page = a.article_summaries(None, None, 3, true).unwrap();
    let titles: Vec<&str> = page.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Story 6", "Story 5", "Story 4"]);
    assert_eq!(page[0].document, "Story 6");
    let next = a
        .article_summaries(None, page.last().map(|s| s.id), 3, false)
        .unwrap();
    let titles: Vec<&str> = next.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Story 3", "Story 2", "Story 1"]);
    assert_eq!(next[0].document, "");
    // From the second page, the newer page is the first one (no cursor).
    assert_eq!(a.articles_newer_cursor(None, next[0].id, 3).unwrap(), None);
    let last = a
        .article_summaries(None, next.last().map(|s| s.id), 3, false)
        .unwrap();
    assert_eq!(
        a.articles_newer_cursor(None, last[0].id, 3).unwrap(),
        Some(next[0].id + 1)
    );
    let odd = a.article_summaries(Some("odd"), None, 10, false).unwrap();
    let titles: Vec<&str> = odd.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Story 5", "Story 3", "Story 1"]);
    assert_eq!(
        a.articles_newer_cursor(Some("odd"), odd[2].id, 1).unwrap(),
        Some(odd[1].id + 1)
    );
    assert!(a.site_exists("odd").unwrap());
    assert!(!a.site_exists("none").unwrap());

    let one = a.article_summary("odd", "3").unwrap().unwrap();
    assert_eq!(
        (one.canonical_url.as_str(), one.document.as_str()),
        (urls[3].as_str(), "Story 3")
    );
    let by_row = a
        .article_summary("odd", &format!("_{}", one.id))
        .unwrap()
        .unwrap();
    assert_eq!(by_row, one);
    assert_eq!(a.article_summary("even", "3").unwrap(), None);

    // A removal: listed with its evidence, still named by its last good version.
    let gone = RemovalSighting {
        final_url: "https://news.example/",
        ..sighting(100)
    };
    a.record_removal(&urls[4], &gone, 1, Duration::ZERO)
        .unwrap();
    let removals = a.recent_removals(None, 10).unwrap();
    assert_eq!(removals.len(), 1);
    let removal = removals[0].removal.as_ref().unwrap();
    assert_eq!((removal.seq, removal.signal.as_str()), (2, "http_404"));
    assert_eq!(removal.http_status, Some(404));
    assert_eq!(removals[0].title, "Story 4");
    assert_eq!(removals[0].status, ArticleStatus::Removed);
    assert!(a.recent_removals(Some("odd"), 10).unwrap().is_empty());
    let stats = a.stats().unwrap();
    assert_eq!(
        (stats.articles, stats.removed, stats.versions, stats.blobs),
        (7, 1, 8, 2)
    );
}

fn changes_and_history_events(backend: Backend) {
    let (mut a, _side) = open(backend);
    a.record_capture(&capture("one", b"raw", 0)).unwrap();
    let mut minor = capture("one.", b"raw", 60);
    minor.minor = true;
    a.record_capture(&minor).unwrap();
    let mut edit = capture("two", b"raw", 120);
    edit.diff = Some("{\"base\":2}");
    edit.author = Some("A. Writer");
    a.record_capture(&edit).unwrap();
    a.log_fetch(&fetch(URL, Some(URL), 120, FetchOutcome::Archived))
        .unwrap();
    a.log_fetch(&fetch(
        "https://news.example/x",
        None,
        130,
        FetchOutcome::Failed,
    ))
    .unwrap();

    let changes = a.change_events(None, 10).unwrap();
    let seen: Vec<(u32, VersionKind)> = changes.iter().map(|e| (e.seq, e.kind)).collect();
    assert_eq!(seen, [(3, VersionKind::Edit), (1, VersionKind::New)]);
    assert_eq!(changes[0].diff.as_deref(), Some("{\"base\":2}"));
    assert_eq!(changes[0].author.as_deref(), Some("A. Writer"));
    assert_eq!(changes[0].document, "two");
    assert_eq!(a.changes_newer_cursor(changes[1].id, 1).unwrap(), None);
    assert_eq!(
        a.changes_newer_cursor(changes[1].id - 1, 1).unwrap(),
        Some(changes[1].id + 1)
    );

    let article_id = changes[0].article_id;
    let history = a.history_events(article_id, None, 2).unwrap();
    let seen: Vec<(u32, VersionKind)> = history.iter().map(|e| (e.seq, e.kind)).collect();
    assert_eq!(seen, [(3, VersionKind::Edit), (2, VersionKind::Minor)]);
    assert_eq!(a.history_events(article_id, Some(2), 2).unwrap().len(), 1);
    assert_eq!(a.history_newer_cursor(article_id, 1, 1).unwrap(), Some(3));
    assert_eq!(a.history_newer_cursor(article_id, 2, 1).unwrap(), None);

    let summary = &a.article_summaries(None, None, 1, false).unwrap()[0];
    // Minor versions are not updates: the updated time is the edit's.
    assert_eq!(summary.updated_at, format_time(at(120)));
    assert_eq!(summary.fetched_at, format_time(at(120)));

    let recent = a.recent_fetches(10).unwrap();
    let urls: Vec<&str> = recent.iter().map(|f| f.url.as_str()).collect();
    assert_eq!(urls, ["https://news.example/x", URL]);
}

fn rechecks_and_reprocessing(backend: Backend) {
    let (mut a, _side) = open(backend);
    let urls = archive_articles(&mut a, 3);
    // Never scheduled articles come first, then the most overdue.
    a.set_next_check(&urls[0], at(500)).unwrap();
    a.set_next_check(&urls[1], at(100)).unwrap();
    assert_eq!(a.due_articles(at(50), None, 10).unwrap(), [urls[2].clone()]);
    assert_eq!(
        a.due_articles(at(1000), None, 10).unwrap(),
        [urls[2].clone(), urls[1].clone(), urls[0].clone()]
    );
    assert_eq!(
        a.due_articles(at(1000), Some("odd"), 10).unwrap(),
        [urls[1].clone()]
    );
    assert_eq!(a.due_articles(at(1000), None, 2).unwrap().len(), 2);
    let page = a.articles_page(None, 0, 2).unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(
        a.articles_page(Some("even"), page[0].0, 5).unwrap().len(),
        1
    );
    assert_eq!(a.find_articles("1").unwrap(), [urls[1].clone()]);
    assert_eq!(a.find_articles(&urls[2]).unwrap(), [urls[2].clone()]);

    a.touch_checked(&urls[0], at(700)).unwrap();
    assert_eq!(
        a.article(&urls[0]).unwrap().unwrap().last_checked_at,
        format_time(at(700))
    );
    a.touch_checked(&urls[0], at(1)).unwrap();
    assert_eq!(
        a.article(&urls[0]).unwrap().unwrap().last_checked_at,
        format_time(at(700))
    );
    let inputs = a.schedule_inputs(&urls[0]).unwrap().unwrap();
    assert_eq!((inputs.site.as_str(), inputs.latest_seq), ("even", 1));
    assert_eq!(inputs.published, "2024-05-01T10:00:00Z");
    assert_eq!(a.schedule_inputs("https://nowhere.example/").unwrap(), None);

    let mut edit = article(&urls[0], "even", "0", "Story 0 edited", 800);
    edit.document = "Story 0 edited";
    a.record_capture(&edit).unwrap();
    assert_eq!(
        a.latest_version_with_content(&urls[0]).unwrap(),
        Some((2, "Story 0 edited".to_owned()))
    );
    let items = a.reprocess_page(None, 0, 10).unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(a.reprocess_page(Some("odd"), 0, 10).unwrap().len(), 1);
    let v2 = items
        .iter()
        .find(|i| i.canonical_url == urls[0] && i.seq == 2)
        .unwrap();
    assert_eq!(v2.kind, VersionKind::Edit);
    a.replace_document(
        v2.version_id,
        "Story 0 edited.",
        "Story 0 edited",
        "",
        "x/2",
        at(900),
    )
    .unwrap();
    assert_eq!(a.superseded_count().unwrap(), 1);
    assert_eq!(
        a.document(&urls[0], 2).unwrap().as_deref(),
        Some("Story 0 edited.")
    );
    assert!(a.downgrade_to_minor(&urls[0], 2).unwrap());
    assert!(!a.downgrade_to_minor(&urls[0], 2).unwrap());
    a.set_diff(&urls[0], 2, Some("{}")).unwrap();
    a.set_date_found(&urls[0], 2, false).unwrap();
    a.set_extractor(v2.version_id, "x/3").unwrap();
    let details = a.version_details(&urls[0]).unwrap();
    assert_eq!(details.len(), 2);
    assert_eq!(details[1].kind, VersionKind::Minor);
    assert_eq!(details[1].diff.as_deref(), Some("{}"));
    assert!(!details[1].date_found && details[0].date_found);
    assert_eq!(details[1].extractor.as_deref(), Some("x/3"));
    assert_eq!(details[1].size, "Story 0 edited.".len());
    assert_eq!(details[1].published, "");
    let err = a
        .replace_document(999_999, "x", "x", "", "x", at(1))
        .unwrap_err();
    assert!(matches!(err, ArchiveError::Corrupt(_)), "{err:?}");
    a.integrity_check().unwrap();
}

fn the_change_counter_grows_with_what_readers_see(backend: Backend) {
    let (mut a, _side) = open(backend);
    let empty = a.change_counter().unwrap();
    let urls = archive_articles(&mut a, 1);
    let archived = a.change_counter().unwrap();
    assert!(archived > empty, "{archived} after {empty}");
    // Scheduling is not shown anywhere: the validators of pages and feeds stay valid.
    a.set_next_check(&urls[0], at(5_000)).unwrap();
    a.touch_checked(&urls[0], at(5_001)).unwrap();
    assert_eq!(a.change_counter().unwrap(), archived);
    // A failed unit of work leaves the counter as it was, like everything else it wrote.
    let raw = noise(64);
    let mut edit = article(&urls[0], "even", "0", "Story 0 edited", 6_000);
    edit.raw = RawBlob::new(&raw).unwrap();
    edit.document = "Story 0 edited";
    a.begin_group().unwrap();
    a.begin_unit().unwrap();
    a.record_capture(&edit).unwrap();
    a.end_unit(false).unwrap();
    a.commit_group().unwrap();
    assert_eq!(a.change_counter().unwrap(), archived);
    a.record_capture(&edit).unwrap();
    assert!(a.change_counter().unwrap() > archived);
    let info = a.raw_capture_info(&urls[0], 2).unwrap().unwrap();
    assert_eq!(info.size, raw.len() as u64);
    assert_eq!(info.hash, hash_hex(&raw));
    assert_eq!(info.fetched_at, format_time(at(6_000)));
    assert_eq!(a.raw_capture_info(&urls[0], 9).unwrap(), None);

    // Queuing is shown (status, sources); a worker's claims and their renewals are not.
    a.register_source("feed", "feed").unwrap();
    let url = "https://news.example/queued";
    a.record_poll("feed", &[listed(url, "text")], &poll(7_000, None))
        .unwrap();
    let queued = a.change_counter().unwrap();
    let claimed = a.claim_queue("w1", at(7_001), at(7_300), 5).unwrap();
    assert_eq!(claimed.len(), 1);
    a.renew_claims("w1", &[claimed[0].id], at(7_600)).unwrap();
    assert_eq!(a.change_counter().unwrap(), queued);
    let done = QueueState::Done;
    assert!(
        a.finish_claimed("w1", claimed[0].id, &done, "archived", at(7_010))
            .unwrap()
    );
    assert!(a.change_counter().unwrap() > queued);
}

fn the_content_counter_grows_only_with_what_feeds_show(backend: Backend) {
    let (mut a, _side) = open(backend);
    let empty = a.content_counter().unwrap();
    let urls = archive_articles(&mut a, 1);
    let archived = a.content_counter().unwrap();
    assert!(archived > empty, "{archived} after {empty}");
    // A crawling daemon's fetch-log rows and queue moves change the status page, not a feed.
    let changes = a.change_counter().unwrap();
    a.log_fetch(&fetch(
        &urls[0],
        Some(&urls[0]),
        7_000,
        FetchOutcome::NotModified,
    ))
    .unwrap();
    a.register_source("feed", "feed").unwrap();
    let url = "https://news.example/queued";
    a.record_poll("feed", &[listed(url, "text")], &poll(7_000, None))
        .unwrap();
    assert!(a.change_counter().unwrap() > changes);
    assert_eq!(a.content_counter().unwrap(), archived);
    // An edit and a removal are in the feeds.
    let edit = article(&urls[0], "even", "0", "Story 0 edited", 8_000);
    a.record_capture(&edit).unwrap();
    let edited = a.content_counter().unwrap();
    assert!(edited > archived, "{edited} after {archived}");
    a.touch_checked(&urls[0], at(8_001)).unwrap();
    assert_eq!(a.content_counter().unwrap(), edited);
}

fn kept_row_counts_follow_the_rows_and_are_checked(backend: Backend) {
    let (mut a, mut side) = open(backend);
    let counts = |a: &Archive| {
        let s = a.stats().unwrap();
        (s.articles, s.removed, s.versions, s.blobs, s.fetches)
    };
    assert_eq!(counts(&a), (0, 0, 0, 0, 0));
    let urls = archive_articles(&mut a, 3);
    a.log_fetch(&fetch(
        &urls[0],
        Some(&urls[0]),
        7_000,
        FetchOutcome::NotModified,
    ))
    .unwrap();
    let (articles, _, versions, blobs, fetches) = counts(&a);
    assert_eq!((articles, versions, fetches), (3, 3, 1));
    assert!(blobs >= 1);
    // Status changes in and out of "removed", whoever writes them.
    side.execute("UPDATE articles SET status = 'removed'");
    assert_eq!(counts(&a), (3, 3, 3, blobs, 1));
    side.execute("UPDATE articles SET status = 'live' WHERE id = (SELECT min(id) FROM articles)");
    assert_eq!(counts(&a).1, 2);
    a.integrity_check().unwrap();
    // A count that drifted from its rows is reported by name.
    side.execute("UPDATE row_counts SET value = value + 1 WHERE name = 'versions'");
    let err = a.integrity_check().unwrap_err();
    assert!(
        matches!(&err, ArchiveError::Corrupt(m) if m.contains("row counts of versions")),
        "{err:?}"
    );
}
