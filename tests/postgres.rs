//! The real binary on a PostgreSQL archive: a local server (127.0.0.1) serves an article and
//! then an edit of it; the same `archive` and `check` runs go to an SQLite file and to a
//! database of a throwaway PostgreSQL cluster (`--db postgresql://...?host=<socket dir>`),
//! and `history`, `export` and the feeds must print the same from both (capture times aside:
//! the two runs fetch a few milliseconds apart).

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};

use common::{GOLDEN_ID, fixture_text, newsvault_async, write_test_config};
use newsvault::archive::postgres::throwaway;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const URL: &str = "https://new.qq.com/rain/a/20250211A013J400";

#[derive(Clone)]
struct Page(Arc<Mutex<String>>);

impl Respond for Page {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_raw(
            self.0.lock().unwrap().clone().into_bytes(),
            "text/html; charset=utf-8",
        )
    }
}

fn page(edit: &str) -> String {
    fixture_text("qq/golden-rich.html").replace("近期，中国人工智能企业", edit)
}

/// Runs newsvault with `--config` and `--db` and returns its stdout; fails on failure.
async fn run(config: &Path, db: &str, args: &[&str]) -> String {
    let mut all = vec![
        "--config".to_owned(),
        config.display().to_string(),
        "--db".to_owned(),
        db.to_owned(),
    ];
    all.extend(args.iter().map(|s| (*s).to_owned()));
    let dir = config.parent().unwrap().to_owned();
    let out = newsvault_async(all, dir).await;
    assert!(
        out.status.success(),
        "{args:?} on {db}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The text with every time of the day replaced (dates stay: both runs are on one day
/// unless they straddle midnight, which the caller tolerates by comparing the rest).
fn without_times(text: &str) -> String {
    let time = regex::Regex::new(r"\d{2}:\d{2}:\d{2}(\.\d+)?").unwrap();
    time.replace_all(text, "<time>").into_owned()
}

/// Every file under `root`, by relative path, with its text.
fn tree(root: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e.path().strip_prefix(root).unwrap().display().to_string();
            (relative, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread")]
async fn history_export_and_feeds_are_the_same_from_postgres_and_sqlite() {
    let served = Page(Arc::new(Mutex::new(page("近期，中国人工智能企业"))));
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/rain/a/{GOLDEN_ID}")))
        .respond_with(served.clone())
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_test_config(dir.path(), &server.uri(), "");
    let sqlite = dir.path().join("archive.db").display().to_string();
    let postgres = throwaway::fresh_database();
    let backends = [sqlite.as_str(), postgres.as_str()];

    for db in backends {
        run(&config, db, &["archive", URL]).await;
    }
    *served.0.lock().unwrap() = page("近日，中国人工智能企业");
    for db in backends {
        run(&config, db, &["check", URL]).await;
    }

    let mut outputs = Vec::new();
    for db in backends {
        let mut printed = Vec::new();
        for args in [
            vec!["history", GOLDEN_ID],
            vec!["feed"],
            vec!["feed", "--changes"],
            vec!["feed", "--article", GOLDEN_ID],
            vec!["diff", URL, "1", "2"],
        ] {
            printed.push(without_times(&run(&config, db, &args).await));
        }
        let export = tempfile::tempdir().unwrap();
        let export_dir = export.path().display().to_string();
        run(&config, db, &["export", &export_dir]).await;
        let files = tree(export.path());
        assert_eq!(files.len(), 1, "{files:?}");
        outputs.push((printed, files));
    }
    let (sqlite_printed, sqlite_files) = &outputs[0];
    let (postgres_printed, postgres_files) = &outputs[1];
    assert!(
        sqlite_printed[0].contains("  edit"),
        "{}",
        sqlite_printed[0]
    );
    assert!(
        sqlite_printed[2].contains("赵明昊"),
        "{}",
        sqlite_printed[2]
    );
    for (from_sqlite, from_postgres) in sqlite_printed.iter().zip(postgres_printed) {
        assert_eq!(from_sqlite, from_postgres);
    }
    assert_eq!(sqlite_files, postgres_files);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_postgres_url_that_asks_for_tls_is_refused_without_showing_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_test_config(dir.path(), "http://127.0.0.1:9", "");
    let out = newsvault_async(
        vec![
            "--config".into(),
            config.display().to_string(),
            "--db".into(),
            "postgresql://alice:s3cret@127.0.0.1/news?sslmode=require".into(),
            "status".into(),
        ],
        dir.path().to_owned(),
    )
    .await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("sslmode=require") && err.contains("TLS"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
}

const FEED_ARTICLES: usize = 30;

fn feed_item_id(i: usize) -> String {
    format!("20250301A{i:05}00")
}

/// The daemon on a PostgreSQL archive: it polls a local feed, archives every article once,
/// serves its web UI from the same database, and stops cleanly on SIGTERM.
#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_crawls_into_a_postgres_archive() {
    let items: String = (0..FEED_ARTICLES)
        .map(|i| {
            format!(
                "<item><title>标题{0}</title><link>https://news.qq.com/rain/a/{0}</link></item>",
                feed_item_id(i)
            )
        })
        .collect();
    let rss = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"
    );
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rss.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(rss, "application/rss+xml"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex("^/rain/a/"))
        .respond_with(common::ArticlePages::new(std::time::Duration::from_millis(
            5,
        )))
        .mount(&server)
        .await;
    let db = throwaway::fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("newsvault.toml");
    std::fs::write(
        &config,
        format!(
            "[archive]\npath = \"{db}\"\nimages = false\n[fetch]\nallow_private_hosts = [\"127.0.0.1\"]\nper_host_interval = \"0s\"\nretry_base_delay = \"10ms\"\n\
             [daemon]\nmax_in_flight = 4\nshutdown_grace = \"5s\"\n[server]\nlisten = \"127.0.0.1:0\"\n[sites.qq]\nfetch_base = \"{uri}\"\n\
             [[sources]]\nname = \"rss\"\nkind = \"feed\"\nurl = \"{uri}/rss.xml\"\ninterval = \"1h\"\n",
            uri = server.uri()
        ),
    )
    .unwrap();
    let mut daemon = common::start_daemon(&config, dir.path());
    let log = || std::fs::read_to_string(dir.path().join("daemon.log")).unwrap_or_default();
    let started = std::time::Instant::now();
    loop {
        let archive = newsvault::archive::Archive::open(Path::new(&db)).unwrap();
        let queue = archive.queue_counts().unwrap();
        if queue.done == FEED_ARTICLES as u64 {
            assert_eq!(archive.counts().unwrap().0, FEED_ARTICLES as u64);
            for i in 0..FEED_ARTICLES {
                let urls = archive.find_articles(&feed_item_id(i)).unwrap();
                assert_eq!(urls.len(), 1, "{urls:?}");
                assert_eq!(archive.versions(&urls[0]).unwrap().len(), 1, "{urls:?}");
            }
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(90),
            "the crawl did not finish: {queue:?}; daemon log:\n{}",
            log()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    common::sigterm(&daemon);
    let status = tokio::task::spawn_blocking(move || {
        common::wait_exit(&mut daemon, std::time::Duration::from_secs(20))
    })
    .await
    .unwrap();
    assert!(status.success(), "{status:?}; daemon log:\n{}", log());
    assert!(!log().contains("panicked"), "{}", log());
}

/// The archive `history_archive` builds, plus a fetch log row, a source with its queue and a
/// superseded document, so that every table has rows to copy.
fn full_archive(dir: &Path) -> std::path::PathBuf {
    use chrono::TimeZone;
    use newsvault::archive::{FetchLog, FetchOutcome, PollRecord, ToQueue};
    let path = common::history_archive(dir, 3);
    let mut a = newsvault::archive::Archive::open(&path).unwrap();
    let at = chrono::Utc.timestamp_opt(1_739_300_000, 0).unwrap();
    a.log_fetch(&FetchLog {
        url: URL,
        canonical_url: Some(URL),
        started_at: at,
        duration_ms: 12,
        attempts: 1,
        http_status: Some(200),
        final_url: Some(URL),
        outcome: FetchOutcome::Unchanged,
        detail: "",
        bytes: Some(100),
        encoding: Some("utf-8"),
        decode_errors: true,
    })
    .unwrap();
    a.register_source("wire", "feed").unwrap();
    let listed = ToQueue {
        url: "https://news.example/queued",
        kind: "text",
        title: Some("queued"),
        published: None,
        listing: None,
    };
    let poll = PollRecord {
        at,
        error: None,
        etag: None,
        last_modified: None,
        interval: std::time::Duration::from_secs(60),
        next_poll_at: at,
        listed: 1,
        queued: 1,
    };
    a.record_poll("wire", &[listed], &poll).unwrap();
    let item = &a.reprocess_page(None, 0, 1).unwrap()[0];
    a.replace_document(item.version_id, "re-derived", "t", "", "x/2", at)
        .unwrap();
    path
}

/// SQLite → PostgreSQL → SQLite: the same export tree, WARC file, history and feeds; running a
/// copy again finds everything there and adds nothing.
#[tokio::test(flavor = "multi_thread")]
async fn copy_to_postgres_and_back_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let first = full_archive(dir.path()).display().to_string();
    let back = dir.path().join("back.db").display().to_string();
    let db = throwaway::fresh_database();
    let config = write_test_config(dir.path(), "http://127.0.0.1:9", "");
    let copy = |from: &str, to: &str| {
        let (config, from, to) = (config.clone(), from.to_owned(), to.to_owned());
        async move {
            let args = vec![
                "--config".into(),
                config.display().to_string(),
                "copy".into(),
                from,
                to,
            ];
            let out = newsvault_async(args, config.parent().unwrap().to_owned()).await;
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(out.status.success(), "{err}");
            err
        }
    };
    let report = copy(&first, &db).await;
    assert!(report.contains(" 0 already there"), "{report}");
    for table in [
        "blobs",
        "articles",
        "versions",
        "superseded_documents",
        "fetches",
        "sources",
        "queue",
    ] {
        assert!(
            report.contains(&format!("  {table}: "))
                && !report.contains(&format!("  {table}: 0 rows")),
            "{table}: {report}"
        );
    }
    copy(&db, &back).await;
    let again = copy(&first, &db).await;
    assert!(
        again.contains(": 0 new") || again.contains(" 0 new,"),
        "{again}"
    );

    let mut seen = Vec::new();
    for archive in [&first, &back] {
        let export = tempfile::tempdir().unwrap();
        run(
            &config,
            archive,
            &["export", &export.path().display().to_string()],
        )
        .await;
        let warc = export.path().join("all.warc");
        run(
            &config,
            archive,
            &["export", "--warc", &warc.display().to_string()],
        )
        .await;
        let warc_bytes = without_warcinfo_ids(after_warcinfo(&std::fs::read(&warc).unwrap()));
        std::fs::remove_file(&warc).unwrap();
        let mut printed = Vec::new();
        for args in [
            vec!["history", common::EDITED_ID],
            vec!["feed"],
            vec!["feed", "--changes"],
        ] {
            printed.push(run(&config, archive, &args).await);
        }
        seen.push((tree(export.path()), warc_bytes, printed));
    }
    assert!(seen[0].0.len() > 3, "{:?}", seen[0].0);
    assert!(!seen[0].1.is_empty());
    assert!(seen[0].0 == seen[1].0, "export trees differ");
    assert!(seen[0].1 == seen[1].1, "WARC records differ");
    assert_eq!(seen[0].2, seen[1].2);
}

/// Records with their `WARC-Warcinfo-ID` fields blanked: each names the export's `warcinfo`
/// record, which is dated to the second, so two exports in different seconds differ there.
fn without_warcinfo_ids(records: &[u8]) -> Vec<u8> {
    let field = regex::bytes::Regex::new(r"WARC-Warcinfo-ID: <urn:uuid:[0-9a-f-]{36}>").unwrap();
    field
        .replace_all(records, &b"WARC-Warcinfo-ID: -"[..])
        .into_owned()
}

/// A WARC file's records after the first, the `warcinfo` record, which is dated (and named)
/// by the time of the export, to the second: two exports a second apart differ there only.
fn after_warcinfo(warc: &[u8]) -> &[u8] {
    let marker = b"\r\n\r\nWARC/1.1\r\n";
    assert!(warc.starts_with(b"WARC/1.1\r\n"), "not a WARC file");
    let second = warc
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("records after the warcinfo record");
    &warc[second + 4..]
}
