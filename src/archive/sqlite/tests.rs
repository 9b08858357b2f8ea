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
fn a_claim_commits_unsynced_and_leaves_the_connection_synced() {
    use crate::archive::store::Leases;
    let dir = tempfile::tempdir().unwrap();
    let mut a = Archive::open(&dir.path().join("archive.db")).unwrap();
    a.conn
        .execute(
            "INSERT INTO queue (url, enqueued_at) VALUES (?1, '2026-01-01T00:00:00.000Z')",
            [URL],
        )
        .unwrap();
    let synchronous = |a: &Archive| -> i64 {
        a.conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap()
    };
    assert_eq!(synchronous(&a), 2, "FULL");
    let claimed = a.claim_queue("w1", at(0), at(60), 4).unwrap();
    assert_eq!(claimed.len(), 1);
    // The claim is committed and visible to another connection; the next writes are synced.
    assert_eq!(synchronous(&a), 2);
    let other = Archive::open(&dir.path().join("archive.db")).unwrap();
    let by: String = other
        .conn
        .query_row("SELECT claimed_by FROM queue", [], |r| r.get(0))
        .unwrap();
    assert_eq!(by, "w1");
}

#[test]
fn a_claim_reads_the_pending_items_in_id_order_without_sorting_them() {
    let dir = tempfile::tempdir().unwrap();
    let a = Archive::open(&dir.path().join("archive.db")).unwrap();
    let mut stmt = a
        .conn
        .prepare(&format!(
            "EXPLAIN QUERY PLAN {}",
            super::leases::claim_sql()
        ))
        .unwrap();
    let plan: Vec<String> = stmt
        .query_map(params!["now", "w1", "until", 4], |r| r.get(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        plan.iter().any(|step| step.contains("queue_claimable")),
        "{plan:?}"
    );
    assert!(
        !plan.iter().any(|step| step.contains("TEMP B-TREE")),
        "{plan:?}"
    );
}
