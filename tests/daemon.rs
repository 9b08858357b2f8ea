//! The daemon end to end: a feed of hundreds of Tencent News articles on a local server;
//! `newsvault daemon` is stopped with SIGTERM in the middle of the crawl, restarted, and must end
//! with every article archived exactly once. A second daemon on the same archive is refused.

mod common;

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::{ArticlePages, sigterm, start_daemon as start, wait_exit};
use newsvault::archive::{Archive, FetchOutcome};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ARTICLES: usize = 240;

fn id(i: usize) -> String {
    format!("20250301A{i:05}00")
}

fn rss() -> String {
    let items: String = (0..ARTICLES)
        .map(|i| format!("<item><title>标题{0}</title><link>https://news.qq.com/rain/a/{0}?utm_medium=rss</link></item>", id(i)))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"
    )
}

fn log(dir: &std::path::Path) -> String {
    std::fs::read_to_string(dir.join("daemon.log")).unwrap_or_default()
}

fn archived(db: &std::path::Path) -> u64 {
    Archive::open(db)
        .map(|a| a.counts().unwrap().0)
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_mid_crawl_then_restart_archives_everything_exactly_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rss.xml"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(rss().into_bytes(), "application/rss+xml"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/rain/a/"))
        .respond_with(ArticlePages::new(Duration::from_millis(40)))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    let config = dir.path().join("newsvault.toml");
    std::fs::write(
        &config,
        format!(
            "[archive]\npath = \"{}\"\nimages = false\n[fetch]\nallow_private_hosts = [\"127.0.0.1\"]\nper_host_interval = \"0s\"\nper_host_concurrency = 4\nretry_base_delay = \"10ms\"\n\
             [daemon]\nmax_in_flight = 4\nshutdown_grace = \"5s\"\n[server]\nlisten = \"127.0.0.1:0\"\n[sites.qq]\nfetch_base = \"{uri}\"\n\
             [[sources]]\nname = \"rss\"\nkind = \"feed\"\nurl = \"{uri}/rss.xml\"\ninterval = \"1h\"\n",
            db.display(),
            uri = server.uri()
        ),
    )
    .unwrap();

    let mut first = start(&config, dir.path());
    // Wait until the crawl is well under way, then stop it in the middle.
    let started = Instant::now();
    while archived(&db) < 40 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the crawl did not start; daemon log:\n{}",
            log(dir.path())
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // One daemon per archive.
    let second = Command::new(env!("CARGO_BIN_EXE_newsvault"))
        .arg("--config")
        .arg(&config)
        .arg("daemon")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!second.status.success());
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("another newsvault daemon"), "{err}");

    sigterm(&first);
    let status =
        tokio::task::spawn_blocking(move || wait_exit(&mut first, Duration::from_secs(20)))
            .await
            .unwrap();
    assert!(status.success(), "a graceful stop exits 0: {status:?}");
    let at_stop = archived(&db);
    assert!(
        at_stop < ARTICLES as u64,
        "stopped mid-crawl ({at_stop} archived)"
    );

    let mut second = start(&config, dir.path());
    let started = Instant::now();
    loop {
        let archive = Archive::open(&db).unwrap();
        let queue = archive.queue_counts().unwrap();
        if archive.counts().unwrap().0 == ARTICLES as u64 && queue.pending == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "the restart did not finish: {queue:?}"
        );
        drop(archive);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sigterm(&second);
    let status =
        tokio::task::spawn_blocking(move || wait_exit(&mut second, Duration::from_secs(20)))
            .await
            .unwrap();
    assert!(status.success());

    let archive = Archive::open(&db).unwrap();
    archive.integrity_check().unwrap();
    let queue = archive.queue_counts().unwrap();
    assert_eq!(
        (queue.done, queue.pending, queue.failed),
        (ARTICLES as u64, 0, 0)
    );
    for i in 0..ARTICLES {
        let url = format!("https://new.qq.com/rain/a/{}", id(i));
        let versions = archive.versions(&url).unwrap();
        assert_eq!(versions.len(), 1, "{url} archived exactly once");
    }
    let sources = archive.sources_status().unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].archived, ARTICLES as u64);
    assert!(sources[0].last_error.is_none());

    let status = Command::new(env!("CARGO_BIN_EXE_newsvault"))
        .arg("--config")
        .arg(&config)
        .arg("status")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&status.stdout);
    assert!(
        out.contains("rss") && out.contains(&format!("{ARTICLES}")),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sighup_reloads_the_sources() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rss.xml"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(rss().into_bytes(), "application/rss+xml"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/rain/a/"))
        .respond_with(ArticlePages::new(Duration::from_millis(40)))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    let config = dir.path().join("newsvault.toml");
    let base = format!(
        "[archive]\npath = \"{}\"\nimages = false\n[fetch]\nallow_private_hosts = [\"127.0.0.1\"]\nper_host_interval = \"0s\"\n[server]\nlisten = \"127.0.0.1:0\"\n[sites.qq]\nfetch_base = \"{}\"\n",
        db.display(),
        server.uri()
    );
    std::fs::write(&config, &base).unwrap();
    let daemon = start(&config, dir.path());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "no sources yet"
    );

    std::fs::write(
        &config,
        format!("{base}[[sources]]\nname = \"added\"\nkind = \"feed\"\nurl = \"{}/rss.xml\"\ninterval = \"1h\"\n", server.uri()),
    )
    .unwrap();
    let status = Command::new("kill")
        .arg("-HUP")
        .arg(daemon.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    loop {
        let polled = Archive::open(&db)
            .map(|a| {
                a.sources_status()
                    .unwrap()
                    .iter()
                    .any(|s| s.name == "added" && s.polls > 0)
            })
            .unwrap_or(false);
        if polled {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the reloaded source was not polled"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop(daemon).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_imports_hugo_sources_and_serves_the_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site/content/zh-CN/news/qq");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("20250211A013J400.zh-CN.md"), common::golden()).unwrap();
    let port = common::free_port();
    let db = dir.path().join("archive.db");
    let config = dir.path().join("newsvault.toml");
    std::fs::write(
        &config,
        format!(
            "[archive]\npath = \"{}\"\nimages = false\n[server]\nlisten = \"127.0.0.1:{port}\"\n\
             [[sources]]\nname = \"old-site\"\nkind = \"hugo\"\npath = \"{}\"\ninterval = \"1h\"\n",
            db.display(),
            dir.path().join("site").display()
        ),
    )
    .unwrap();
    let daemon = start(&config, dir.path());
    let started = Instant::now();
    let url = "https://new.qq.com/rain/a/20250211A013J400";
    loop {
        let imported = Archive::open(&db)
            .map(|a| a.article(url).unwrap().is_some())
            .unwrap_or(false);
        if imported {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the hugo source was not imported; daemon log:\n{}",
            log(dir.path())
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let feed = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        use std::io::{Read, Write};
        write!(
            stream,
            "GET /feed.atom HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    })
    .await
    .unwrap();
    assert!(
        feed.starts_with("HTTP/1.1 200"),
        "{}",
        &feed[..feed.len().min(300)]
    );
    assert!(
        feed.contains("赵明昊"),
        "the imported article is in the served feed"
    );
    stop(daemon).await;
}

/// A feed of `count` articles and a daemon config for it (4 in flight, no politeness delay).
async fn feed_server(count: usize, delay: Duration) -> (MockServer, tempfile::TempDir) {
    let server = MockServer::start().await;
    let links: Vec<String> = (0..count)
        .map(|i| format!("https://news.qq.com/rain/a/{}", id(i)))
        .collect();
    common::mount_qq_feed(&server, &links, delay).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("newsvault.toml"),
        format!(
            "[archive]\npath = \"{}\"\nimages = false\n[fetch]\nallow_private_hosts = [\"127.0.0.1\"]\nper_host_interval = \"0s\"\nper_host_concurrency = 4\nretry_base_delay = \"10ms\"\n\
             [daemon]\nmax_in_flight = 4\nshutdown_grace = \"5s\"\nserve = false\n[sites.qq]\nfetch_base = \"{uri}\"\n\
             [[sources]]\nname = \"rss\"\nkind = \"feed\"\nurl = \"{uri}/rss.xml\"\ninterval = \"1h\"\n",
            dir.path().join("archive.db").display(),
            uri = server.uri()
        ),
    )
    .unwrap();
    (server, dir)
}

/// Stops a daemon with SIGTERM; it must exit 0.
async fn stop(mut daemon: Child) {
    sigterm(&daemon);
    let status =
        tokio::task::spawn_blocking(move || wait_exit(&mut daemon, Duration::from_secs(20)))
            .await
            .unwrap();
    assert!(status.success(), "a graceful stop exits 0: {status:?}");
}

/// Waits until every queued item is settled and `count` articles are archived.
async fn wait_done(db: &std::path::Path, count: usize, dir: &std::path::Path) {
    let started = Instant::now();
    loop {
        if let Ok(archive) = Archive::open(db) {
            let queue = archive.queue_counts().unwrap();
            if archive.counts().unwrap().0 == count as u64 && queue.pending == 0 && queue.done > 0 {
                return;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the crawl did not finish; daemon log:\n{}",
            log(dir)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_queued_item_is_fetched_twice() {
    const COUNT: usize = 1_000;
    let (server, dir) = feed_server(COUNT, Duration::ZERO).await;
    let db = dir.path().join("archive.db");
    let daemon = start(&dir.path().join("newsvault.toml"), dir.path());
    wait_done(&db, COUNT, dir.path()).await;
    stop(daemon).await;

    let mut fetches = std::collections::HashMap::<String, usize>::new();
    for request in server.received_requests().await.unwrap() {
        if request.url.path().starts_with("/rain/a/") {
            *fetches.entry(request.url.path().to_owned()).or_default() += 1;
        }
    }
    assert_eq!(fetches.len(), COUNT, "every article fetched");
    let twice: Vec<_> = fetches.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "fetched more than once: {twice:?}");
}

/// After a kill at any point, each archived version has its "archived" fetch-log row, and a
/// queue item is done exactly when its article is archived: they are one commit.
fn assert_attempts_whole(db: &std::path::Path, count: usize) {
    let archive = Archive::open(db).unwrap();
    archive.integrity_check().unwrap();
    let mut archived = 0;
    for i in 0..count {
        let url = format!("https://new.qq.com/rain/a/{}", id(i));
        let versions = archive.versions(&url).unwrap().len();
        let logged = archive
            .fetch_log(&url)
            .unwrap()
            .iter()
            .filter(|row| row.outcome == FetchOutcome::Archived)
            .count();
        assert_eq!(
            logged, versions,
            "{url}: one 'archived' log row per version"
        );
        archived += usize::from(versions > 0);
    }
    let queue = archive.queue_counts().unwrap();
    assert_eq!(
        queue.done as usize, archived,
        "done queue items = archived articles: {queue:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_keeps_version_log_row_and_queue_state_together() {
    const COUNT: usize = 300;
    let (_server, dir) = feed_server(COUNT, Duration::from_millis(5)).await;
    let db = dir.path().join("archive.db");
    let config = dir.path().join("newsvault.toml");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    println!("seed {seed}");
    for round in 0..6u32 {
        let mut daemon = start(&config, dir.path());
        let wait = 300 + u64::from(seed.wrapping_mul(round + 7) % 700);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        daemon.kill().ok(); // SIGKILL
        daemon.wait().unwrap();
        assert_attempts_whole(&db, COUNT);
    }
    let daemon = start(&config, dir.path());
    // The kills may have left nothing to do: wait for this daemon to be up (it writes its pid
    // into the lock file once it listens for signals) before stopping it.
    let started = Instant::now();
    let lock = dir.path().join("archive.db.lock");
    while std::fs::read_to_string(&lock).unwrap_or_default() != daemon.id().to_string() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the daemon did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    wait_done(&db, COUNT, dir.path()).await;
    stop(daemon).await;
    assert_attempts_whole(&db, COUNT);
}
