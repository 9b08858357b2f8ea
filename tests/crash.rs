//! Crash safety: `newsvault archive` and `newsvault check` are killed with SIGKILL at random
//! points many times while they store hundreds of articles, on an SQLite file and on a
//! PostgreSQL database (a throwaway cluster). After every kill the archive must pass its
//! integrity check (`PRAGMA integrity_check`; on PostgreSQL, versions, blobs and documents read
//! back against their hashes), hold no duplicated or half-written version, and the next run must
//! finish the work.

mod common;

use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::{ArticlePages, write_test_config};
use newsvault::archive::postgres::throwaway;
use newsvault::archive::{Archive, FetchOutcome};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

const ARTICLES: usize = 150;
const KILLS: usize = 16;

fn id(i: usize) -> String {
    format!("20250101A{i:05}00")
}

/// A small deterministic generator (xorshift); the seed is printed so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn assert_consistent(db: &std::path::Path, urls: &[String]) {
    let archive = Archive::open(db).unwrap();
    archive.integrity_check().expect("integrity_check ok");
    for url in urls {
        let versions = archive.versions(url).unwrap();
        for (i, v) in versions.iter().enumerate() {
            assert_eq!(
                v.seq as usize,
                i + 1,
                "{url}: versions numbered without gaps"
            );
            // Reading verifies the stored document against its hash: nothing half-written.
            let doc = archive
                .document(url, v.seq)
                .unwrap()
                .expect("document present");
            assert!(
                doc.ends_with(&format!("[qq]({url})\n")),
                "{url} v{}: whole document",
                v.seq
            );
            if i > 0 {
                assert_ne!(
                    versions[i - 1].content_hash,
                    v.content_hash,
                    "{url}: duplicated version"
                );
            }
        }
        // The version and its fetch-log row are one commit: a kill cannot separate them.
        let logged = archive
            .fetch_log(url)
            .unwrap()
            .iter()
            .filter(|row| row.outcome == FetchOutcome::Archived)
            .count();
        assert_eq!(
            logged,
            versions.len(),
            "{url}: one 'archived' log row per version"
        );
        if let Some(row) = archive.article(url).unwrap() {
            assert_eq!(
                row.latest_seq as usize,
                versions.len(),
                "{url}: latest_seq matches"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_at_random_points_loses_nothing_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    sigkill_at_random_points_loses_nothing(dir.path(), &db).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_at_random_points_loses_nothing_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let url = throwaway::fresh_database();
    sigkill_at_random_points_loses_nothing(dir.path(), std::path::Path::new(&url)).await;
}

/// Runs killed at random points, with the test's config in `dir` and the archive at `db` (a
/// file or a database URL), then one run to the end.
async fn sigkill_at_random_points_loses_nothing(dir: &std::path::Path, db: &std::path::Path) {
    // Each page takes 30 ms, four at a time: a full run lasts over a second however fast the
    // machine, so the kills (30 to 630 ms in) land while work is being done.
    let pages = ArticlePages::new(Duration::from_millis(30));
    let generation = std::sync::Arc::clone(&pages.generation);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(pages)
        .mount(&server)
        .await;
    let config = write_test_config(dir, &server.uri(), "per_host_concurrency = 4");
    let urls: Vec<String> = (0..ARTICLES)
        .map(|i| format!("https://new.qq.com/rain/a/{}", id(i)))
        .collect();

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("crash test seed {seed}");
    let mut rng = Rng(seed);
    let binary = env!("CARGO_BIN_EXE_newsvault");
    let mut interrupted = 0;
    for round in 0..KILLS {
        generation.fetch_add(1, Ordering::SeqCst);
        let mut command = Command::new(binary);
        command.arg("--config").arg(&config).arg("--db").arg(db);
        if round % 2 == 0 {
            command.arg("archive").args(&urls);
        } else {
            command.args(["check", "--all"]);
        }
        let mut child = command
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(30 + rng.below(600))).await;
        if child.try_wait().unwrap().is_none() {
            interrupted += 1;
        }
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();
        assert_consistent(db, &urls);
    }

    // The kills must have landed while work was being done, not after it.
    assert!(
        interrupted >= KILLS / 2,
        "only {interrupted} of {KILLS} kills interrupted a run"
    );
    let (_, versions_before, _) = Archive::open(db).unwrap().counts().unwrap();
    assert!(versions_before > 0, "killed runs stored work before dying");
    println!(
        "{interrupted} of {KILLS} runs killed mid-work; {versions_before} versions stored by them"
    );

    // The next run finishes the work: every article archived, at the latest generation.
    generation.fetch_add(1, Ordering::SeqCst);
    let last = generation.load(Ordering::SeqCst);
    let status = Command::new(binary)
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(db)
        .arg("archive")
        .args(&urls)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    assert_consistent(db, &urls);
    let archive = Archive::open(db).unwrap();
    for url in &urls {
        let doc = archive.latest_document(url).unwrap().expect("archived");
        assert!(
            doc.contains(&format!("第{last}版")),
            "{url}: latest generation"
        );
    }
}
