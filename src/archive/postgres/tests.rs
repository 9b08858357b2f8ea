//! What only the PostgreSQL backend has: several connections writing one article at once,
//! the schema's version table, read-only sessions. (The archive's suite runs on both
//! backends: `crate::archive::backend_tests`.)

use std::path::Path;
use std::sync::{Arc, Barrier};

use chrono::{TimeZone, Utc};

use super::throwaway::fresh_database;
use super::*;
use crate::archive::{Archive, FetchOutcome, Location, connect};

const URL: &str = "https://news.example/contested";

fn pg_url(text: &str) -> PostgresUrl {
    match Location::of(Path::new(text)) {
        Location::Postgres(url) => url,
        other => panic!("{other:?}"),
    }
}

fn capture(document: &str, secs: i64) -> NewCapture<'_> {
    NewCapture {
        canonical_url: URL,
        site: "example",
        site_article_id: "contested",
        lang: "en",
        title: "Contested",
        published: "",
        document,
        fetched_at: Utc.timestamp_opt(1_714_560_000 + secs, 0).unwrap(),
        http_status: 200,
        final_url: URL,
        raw: RawBlob::new(document.as_bytes()).unwrap(),
        content_type: None,
        encoding: "utf-8",
        etag: None,
        last_modified: None,
        extractor: "test",
        author: None,
        minor: false,
        diff: None,
        date_found: true,
        search: None,
    }
}

#[test]
fn two_workers_rechecking_one_article_never_make_two_versions_of_one_change() {
    let url = fresh_database();
    connect(Path::new(&url), Mode::ReadWrite).unwrap();
    const ROUNDS: usize = 40;
    let barrier = Arc::new(Barrier::new(2));
    let workers: Vec<_> = (0..2)
        .map(|worker| {
            let (url, barrier) = (url.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut archive = connect(Path::new(&url), Mode::ReadWrite).unwrap();
                let mut outcomes = Vec::new();
                for round in 0..ROUNDS {
                    // Both see the same change of the article at the same moment.
                    let document = format!("text of round {round}");
                    barrier.wait();
                    let secs = (round * 10 + worker) as i64;
                    outcomes.push(archive.record_capture(&capture(&document, secs)).unwrap());
                }
                outcomes
            })
        })
        .collect();
    let outcomes: Vec<Vec<Recorded>> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    for (round, pair) in outcomes[0].iter().zip(&outcomes[1]).enumerate() {
        let pair = [*pair.0, *pair.1];
        let appended = pair
            .iter()
            .filter(|r| !matches!(r, Recorded::Unchanged { .. }))
            .count();
        assert_eq!(appended, 1, "round {round}: {pair:?}");
        assert!(pair.iter().all(|r| r.seq() == round as u32 + 1), "{pair:?}");
    }
    let archive = connect(Path::new(&url), Mode::ReadOnly).unwrap();
    let versions = archive.versions(URL).unwrap();
    assert_eq!(versions.len(), ROUNDS);
    assert!(
        versions
            .iter()
            .enumerate()
            .all(|(i, v)| v.seq == i as u32 + 1)
    );
    archive.integrity_check().unwrap();
}

#[test]
fn processes_creating_one_archive_at_once_all_succeed() {
    let url = fresh_database();
    let openers: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || connect(Path::new(&url), Mode::ReadWrite).map(|_| ()))
        })
        .collect();
    for opener in openers {
        opener.join().unwrap().expect("every opener succeeds");
    }
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    let versions: i64 = client
        .query_one("SELECT count(*) FROM newsvault_schema", &[])
        .unwrap()
        .get(0);
    assert_eq!(versions, PG_SCHEMA_VERSION as i64);
}

#[test]
fn read_only_sessions_never_create_or_write() {
    let url = fresh_database();
    let err = connect(Path::new(&url), Mode::ReadOnly).unwrap_err();
    assert!(matches!(err, ArchiveError::NoArchive { .. }), "{err:?}");
    let mut writer: Archive = connect(Path::new(&url), Mode::ReadWrite).unwrap();
    writer.record_capture(&capture("doc", 0)).unwrap();
    let mut reader = connect(Path::new(&url), Mode::ReadOnly).unwrap();
    assert_eq!(reader.counts().unwrap(), (1, 1, 1));
    let err = reader
        .log_fetch(&FetchLog {
            url: URL,
            canonical_url: None,
            started_at: Utc::now(),
            duration_ms: 1,
            attempts: 1,
            http_status: None,
            final_url: None,
            outcome: FetchOutcome::Failed,
            detail: "",
            bytes: None,
            encoding: None,
            decode_errors: false,
        })
        .unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
}

#[test]
fn another_database_or_a_newer_schema_is_left_untouched() {
    let url = fresh_database();
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    client
        .batch_execute("CREATE TABLE notes (x int); INSERT INTO notes VALUES (1)")
        .unwrap();
    let err = connect(Path::new(&url), Mode::ReadWrite).unwrap_err();
    assert!(err.to_string().contains("no newsvault schema"), "{err}");
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 1);

    let url = fresh_database();
    connect(Path::new(&url), Mode::ReadWrite).unwrap();
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    client
        .batch_execute("INSERT INTO newsvault_schema VALUES (99, '2030-01-01T00:00:00.000Z')")
        .unwrap();
    for mode in [Mode::ReadWrite, Mode::ReadOnly] {
        let err = connect(Path::new(&url), mode).unwrap_err();
        assert!(
            matches!(err, ArchiveError::TooNew { found: 99, .. }),
            "{err:?}"
        );
    }
}

#[test]
fn connection_errors_name_the_server_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "postgresql://alice:s3cret@/news?host={}",
        dir.path().display()
    );
    let err = PostgresArchive::connect(&pg_url(&url), Mode::ReadWrite).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("cannot connect"), "{text}");
    assert!(text.contains("postgresql://alice:***@/news"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
}
