use super::*;
use chrono::TimeZone;

/// These tests read the SQLite file behind the interface (`a.conn`).
type Archive = SqliteArchive;

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
        raw,
        content_type: Some("text/html; charset=utf-8"),
        encoding: "utf-8",
        etag: Some("\"v1\""),
        last_modified: None,
        extractor: "newsvault-extract/0.1",
        author: None,
        minor: false,
        diff: None,
        date_found: true,
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

fn deflate(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[test]
fn new_blobs_are_zstd_and_old_deflate_blobs_stay_readable() {
    let mut a = Archive::open_in_memory().unwrap();
    let page = "<html><body><p>一段正文。</p></body></html>".repeat(50);
    a.record_capture(&capture("doc", page.as_bytes(), 0))
        .unwrap();
    let (compression, stored): (String, i64) = a
        .conn
        .query_row("SELECT compression, length(data) FROM blobs", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(compression, "zstd");
    assert!(
        (stored as usize) < page.len() / 4,
        "compressed: {stored} bytes"
    );
    assert_eq!(a.raw_capture(URL, 1).unwrap().unwrap(), page.as_bytes());

    // A blob written by an older newsvault, deflate-compressed.
    let old = "<html><body><p>旧的正文，用 deflate 压缩。</p></body></html>".repeat(20);
    let hash = hash_hex(old.as_bytes());
    a.conn
        .execute(
            "INSERT INTO blobs (hash, size, compression, data) VALUES (?1, ?2, 'deflate', ?3)",
            params![hash, old.len() as i64, deflate(old.as_bytes())],
        )
        .unwrap();
    assert_eq!(a.blob(&hash).unwrap(), old.as_bytes());
}

#[test]
fn migration_8_keeps_deflate_blobs_and_their_versions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.db");
    let old = "<html><body><p>An old capture.</p></body></html>".repeat(20);
    let hash = hash_hex(old.as_bytes());
    {
        let mut conn = Connection::open(&path).unwrap();
        Migrations::from_slice(&MIGRATIONS[..5])
            .to_latest(&mut conn)
            .unwrap();
        conn.execute_batch(&format!(
            "INSERT INTO blobs (hash, size, compression, data) VALUES ('{hash}', {}, 'deflate', x'{}');
             INSERT INTO articles (canonical_url, site, site_article_id, lang, first_seen_at,
                 last_checked_at, last_changed_at, latest_seq)
                 VALUES ('{URL}', 'example', '1', 'en', '2024-05-01T10:00:00.000Z',
                 '2024-05-01T10:00:00.000Z', '2024-05-01T10:00:00.000Z', 1);
             INSERT INTO versions (article_id, seq, kind, origin, fetched_at, content_hash,
                 document, title, raw_hash)
                 VALUES (1, 1, 'new', 'fetch', '2024-05-01T10:00:00.000Z', '{}', 'doc', 't', '{hash}');",
            old.len(),
            data_encoding::HEXLOWER.encode(&deflate(old.as_bytes())),
            hash_hex(b"doc"),
        ))
        .unwrap();
    }
    let mut a = Archive::open(&path).unwrap();
    a.integrity_check().unwrap();
    assert_eq!(a.raw_capture(URL, 1).unwrap().unwrap(), old.as_bytes());
    // The rebuilt table still backs the versions' foreign key, and takes zstd blobs.
    let err = a
        .conn
        .execute(
            "UPDATE versions SET raw_hash = ?1 WHERE seq = 1",
            [hash_hex(b"missing")],
        )
        .unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    a.record_capture(&capture("doc 2", b"<html>new</html>", 10))
        .unwrap();
    assert_eq!(a.raw_capture(URL, 2).unwrap().unwrap(), b"<html>new</html>");
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

fn dir_listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn migrations_are_valid() {
    Migrations::from_slice(MIGRATIONS).validate().unwrap();
}

#[test]
fn time_format_is_sortable_utc_millis() {
    assert_eq!(format_time(at(0)), "2024-05-01T10:40:00.123Z");
    assert!(format_time(at(1)) > format_time(at(0)));
    assert_eq!(format_time(at(0)).len(), 24);
}

#[test]
fn fetch_outcome_names() {
    let all = [
        (FetchOutcome::Archived, "archived"),
        (FetchOutcome::Unchanged, "unchanged"),
        (FetchOutcome::NotModified, "not_modified"),
        (FetchOutcome::Removed, "removed"),
        (FetchOutcome::Blocked, "blocked"),
        (FetchOutcome::Transient, "transient"),
        (FetchOutcome::NotArticle, "not_article"),
        (FetchOutcome::Failed, "failed"),
    ];
    for (outcome, name) in all {
        assert_eq!(outcome.as_str(), name);
        assert_eq!(outcome.to_string(), name);
    }
}

#[test]
fn new_unchanged_changed_changed_back() {
    let mut a = Archive::open_in_memory().unwrap();
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

#[test]
fn raw_bytes_are_deduplicated_across_articles_and_round_trip() {
    let mut a = Archive::open_in_memory().unwrap();
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
    let stored: i64 = a
        .conn
        .query_row(
            "SELECT length(data) FROM blobs WHERE hash = ?1",
            [hash_hex(&text)],
            |r| r.get(0),
        )
        .unwrap();
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

#[test]
fn corrupted_blob_is_an_error_naming_the_hash() {
    let mut a = Archive::open_in_memory().unwrap();
    a.record_capture(&capture("doc", b"<html>original</html>", 0))
        .unwrap();
    let hash = hash_hex(b"<html>original</html>");

    // Garbage instead of deflate data.
    a.conn
        .execute(
            "UPDATE blobs SET data = ?1 WHERE hash = ?2",
            params![noise(64), hash],
        )
        .unwrap();
    let err = a.raw_capture(URL, 1).unwrap_err();
    assert!(matches!(err, ArchiveError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains(&hash), "{err}");

    // Valid zstd data of other bytes of the same length.
    let other = zstd::bulk::compress(b"<html>tampered</html>", 3).unwrap();
    a.conn
        .execute(
            "UPDATE blobs SET data = ?1 WHERE hash = ?2",
            params![other, hash],
        )
        .unwrap();
    let err = a.raw_capture(URL, 1).unwrap_err();
    assert!(matches!(err, ArchiveError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains(&hash), "{err}");

    // Valid deflate data of other bytes, in an old deflate blob.
    a.conn
        .execute(
            "UPDATE blobs SET compression = 'deflate', data = ?1 WHERE hash = ?2",
            params![deflate(b"<html>tampered</html>"), hash],
        )
        .unwrap();
    let err = a.raw_capture(URL, 1).unwrap_err();
    assert!(matches!(err, ArchiveError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains(&hash), "{err}");
}

#[test]
fn tampered_document_is_an_error() {
    let mut a = Archive::open_in_memory().unwrap();
    a.record_capture(&capture("original", b"raw", 0)).unwrap();
    a.conn
        .execute("UPDATE versions SET document = 'tampered'", [])
        .unwrap();
    let err = a.document(URL, 1).unwrap_err();
    assert!(matches!(err, ArchiveError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains(URL), "{err}");
    assert!(a.latest_document(URL).is_err());
}

#[test]
fn fetch_log_is_recorded_and_read_back_oldest_first() {
    let mut a = Archive::open_in_memory().unwrap();
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
    let linked: i64 = a
        .conn
        .query_row(
            "SELECT count(*) FROM fetches WHERE article_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(linked, 2);

    let mut huge = fetch(URL, None, 30, FetchOutcome::Failed);
    huge.bytes = Some(u64::MAX);
    assert!(matches!(
        a.log_fetch(&huge),
        Err(ArchiveError::OutOfRange(_))
    ));
    a.integrity_check().unwrap();
}

#[test]
fn record_capture_is_atomic() {
    let mut a = Archive::open_in_memory().unwrap();
    a.conn
        .execute_batch(
            "CREATE TEMP TABLE fail (on_insert INTEGER);
             INSERT INTO fail VALUES (0);
             CREATE TEMP TRIGGER fail_versions BEFORE INSERT ON main.versions
             WHEN (SELECT on_insert FROM fail) BEGIN SELECT RAISE(ABORT, 'simulated failure'); END;",
        )
        .unwrap();
    let arm = |a: &Archive, on: bool| {
        a.conn
            .execute("UPDATE fail SET on_insert = ?1", [on])
            .unwrap();
    };

    // First capture fails at the version insert: no article, no blob left behind.
    arm(&a, true);
    assert!(a.record_capture(&capture("doc", b"raw one", 0)).is_err());
    assert_eq!(a.counts().unwrap(), (0, 0, 0));
    assert_eq!(a.article(URL).unwrap(), None);

    arm(&a, false);
    assert_eq!(
        a.record_capture(&capture("doc", b"raw one", 0)).unwrap(),
        Recorded::New { seq: 1 }
    );
    let before = a.article(URL).unwrap().unwrap();

    // A changed capture fails at the version insert: the article update and the new blob
    // are rolled back too.
    arm(&a, true);
    let mut changed = capture("doc v2", b"raw two", 60);
    changed.etag = Some("\"v2\"");
    let err = a.record_capture(&changed).unwrap_err();
    assert!(err.to_string().contains("simulated failure"), "{err}");
    assert_eq!(a.counts().unwrap(), (1, 1, 1));
    assert_eq!(a.article(URL).unwrap().unwrap(), before);

    // A constraint violation (empty canonical URL) also leaves nothing behind.
    arm(&a, false);
    let mut bad = capture("doc", b"raw three", 0);
    bad.canonical_url = "";
    assert!(matches!(
        a.record_capture(&bad),
        Err(ArchiveError::Sqlite(_))
    ));
    assert_eq!(a.counts().unwrap(), (1, 1, 1));

    // And the archive still works afterwards.
    assert_eq!(
        a.record_capture(&changed).unwrap(),
        Recorded::Changed { seq: 2 }
    );
    assert_eq!(a.counts().unwrap(), (1, 2, 2));
}

#[test]
fn restored_after_a_removal_tombstone() {
    let mut a = Archive::open_in_memory().unwrap();
    a.record_capture(&capture("doc", b"raw", 0)).unwrap();
    // What the removal logic (a later issue) will write.
    a.conn
        .execute_batch(&format!(
            "INSERT INTO versions (article_id, seq, kind, origin, fetched_at, content_hash, document, title, removal_signal)
             SELECT id, 2, 'removed', 'fetch', '2024-05-02T00:00:00.000Z', '{}', '', '', 'http_410' FROM articles;
             UPDATE articles SET latest_seq = 2, status = 'removed', removal_signal = 'http_410';",
            hash_hex(b"")
        ))
        .unwrap();
    assert_eq!(a.latest_document(URL).unwrap().as_deref(), Some("doc"));
    assert_eq!(a.raw_capture(URL, 2).unwrap(), None);

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

#[test]
fn reopen_keeps_data_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.db");
    {
        let mut a = Archive::open(&path).unwrap();
        a.record_capture(&capture("doc one", b"raw one", 0))
            .unwrap();
        a.log_fetch(&fetch(URL, Some(URL), 0, FetchOutcome::Archived))
            .unwrap();
        let mode: String = a
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: bool = a
            .conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert!(fk);
        let timeout: i64 = a
            .conn
            .pragma_query_value(None, "busy_timeout", |r| r.get(0))
            .unwrap();
        assert_eq!(timeout, 5000);
    }
    {
        let mut a = Archive::open(&path).unwrap();
        assert_eq!(a.counts().unwrap(), (1, 1, 1));
        assert_eq!(a.latest_document(URL).unwrap().as_deref(), Some("doc one"));
        assert_eq!(
            a.raw_capture(URL, 1).unwrap().as_deref(),
            Some(&b"raw one"[..])
        );
        assert_eq!(a.fetch_log(URL).unwrap().len(), 1);
        assert_eq!(
            a.record_capture(&capture("doc one", b"raw one", 60))
                .unwrap(),
            Recorded::Unchanged { seq: 1 }
        );
        assert_eq!(
            a.record_capture(&capture("doc two", b"raw two", 120))
                .unwrap(),
            Recorded::Changed { seq: 2 }
        );
    }
    let a = Archive::open(&path).unwrap();
    assert_eq!(a.counts().unwrap(), (1, 2, 2));
    let version: i64 = a
        .conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION as i64);
    let app_id: i32 = a
        .conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    assert_eq!(app_id, APPLICATION_ID);
    let check: String = a
        .conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    a.integrity_check().unwrap();
}

#[test]
fn two_connections_share_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.db");
    let mut a = Archive::open(&path).unwrap();
    let b = Archive::open(&path).unwrap();
    a.record_capture(&capture("doc", b"raw", 0)).unwrap();
    assert_eq!(b.counts().unwrap(), (1, 1, 1));
}

#[test]
fn an_empty_file_becomes_an_archive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    std::fs::write(&path, b"").unwrap();
    let mut a = Archive::open(&path).unwrap();
    a.record_capture(&capture("doc", b"raw", 0)).unwrap();
    assert_eq!(a.counts().unwrap(), (1, 1, 1));
}

#[test]
fn a_file_that_is_not_sqlite_is_reported_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<u8>); 4] = [
        ("random.db", noise(8192)),
        (
            "notes.txt",
            b"These are my notes, not a database.\n".repeat(200),
        ),
        ("short.db", b"hello\n".to_vec()),
        // An SQLite header followed by garbage.
        ("header.db", {
            let mut v = b"SQLite format 3\0".to_vec();
            v.extend(noise(4080));
            v
        }),
    ];
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let err = Archive::open(&path).unwrap_err();
        assert!(
            matches!(&err, ArchiveError::NotADatabase { path: p } if *p == path)
                || matches!(&err, ArchiveError::Corrupt(m) if m.contains(name)),
            "{name}: {err:?}"
        );
        assert!(err.to_string().contains(name), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name} was modified");
    }
    assert_eq!(
        dir_listing(dir.path()),
        ["header.db", "notes.txt", "random.db", "short.db"]
    );
}

#[test]
fn random_bytes_give_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("random.db");
    let bytes = noise(4096);
    std::fs::write(&path, &bytes).unwrap();
    let err = Archive::open(&path).unwrap_err();
    assert!(
        matches!(&err, ArchiveError::NotADatabase { path: p } if *p == path),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn another_sqlite_database_is_not_an_archive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let err = Archive::open(&path).unwrap_err();
    assert!(matches!(err, ArchiveError::NotAnArchive { .. }), "{err:?}");
    assert!(err.to_string().contains("other.db"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);

    let path = dir.path().join("app.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "application_id", 42).unwrap();
    }
    let err = Archive::open(&path).unwrap_err();
    assert!(matches!(err, ArchiveError::NotAnArchive { .. }), "{err:?}");
}

#[test]
fn a_newer_schema_is_too_new() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    {
        let mut a = Archive::open(&path).unwrap();
        a.record_capture(&capture("doc", b"raw", 0)).unwrap();
        a.conn.pragma_update(None, "user_version", 99).unwrap();
        // Leave a plain file behind (no WAL) so the byte comparison below is meaningful.
        a.conn
            .pragma_update_and_check(None, "journal_mode", "DELETE", |_| Ok(()))
            .unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let err = Archive::open(&path).unwrap_err();
    match &err {
        ArchiveError::TooNew {
            path: p,
            found,
            supported,
        } => {
            assert_eq!(p, &path);
            assert_eq!(*found, 99);
            assert_eq!(*supported, SCHEMA_VERSION);
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("future.db") && msg.contains("99"), "{msg}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn a_missing_directory_is_an_open_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir/archive.db");
    let err = Archive::open(&path).unwrap_err();
    assert!(matches!(err, ArchiveError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains("archive.db"), "{err}");
}

#[test]
fn a_group_commits_its_units_and_drops_a_failed_one_whole() {
    let mut a = crate::archive::Archive::open_in_memory().unwrap();
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
