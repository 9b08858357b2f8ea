//! The daemon end to end: 5,000 articles behind one feed on a local server, per-host limits
//! lifted for loopback; reports articles/s from start to the last article archived and the
//! daemon's peak memory, for one daemon alone and for 1, 2 and 3 daemons sharing the archive
//! (`[daemon] shared`: leases, and every request's start booked in the archive), then for 1,
//! 2 and 3 daemons on a PostgreSQL archive (a throwaway cluster of Debian's server, over its
//! unix socket); then its idle memory on an archive of 100,000 articles.
//! Run with `cargo bench --bench daemon` (Linux: memory is read from /proc).

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::sigterm;
use newsvault::archive::postgres::throwaway;
use newsvault::archive::{Archive, format_time};
use wiremock::MockServer;

const ARTICLES: usize = 5_000;
const IDLE_ARTICLES: usize = 100_000;

fn id(i: usize) -> String {
    format!("20250301A{i:05}00")
}

fn kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn daemon(config: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_newsvault"))
        .arg("--config")
        .arg(config)
        .arg("daemon")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn stop(mut child: Child) {
    sigterm(&child);
    child.wait().unwrap();
}

/// Where a crawl's archive lives.
#[derive(Clone, Copy, PartialEq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// One crawl of the feed by `workers` daemons (`shared`: several daemons' settings; a
/// PostgreSQL archive is always shared).
async fn crawl(workers: usize, shared: bool, backend: Backend) {
    let server = MockServer::start().await;
    let links: Vec<String> = (0..ARTICLES)
        .map(|i| format!("https://new.qq.com/rain/a/{}", id(i)))
        .collect();
    common::mount_qq_feed(&server, &links, Duration::ZERO).await;
    let dir = tempfile::tempdir().unwrap();
    let db = match backend {
        Backend::Sqlite => dir.path().join("bench.db"),
        Backend::Postgres => std::path::PathBuf::from(throwaway::fresh_database()),
    };
    let config = dir.path().join("newsvault.toml");
    std::fs::write(
        &config,
        format!(
            "[archive]\npath = \"{}\"\nimages = false\n[fetch]\nallow_private_hosts = [\"127.0.0.1\"]\nper_host_interval = \"0s\"\nper_host_concurrency = 16\nrespect_robots = false\n\
             [daemon]\nmax_in_flight = 16\nserve = false\nshared = {shared}\n[sites.qq]\nfetch_base = \"{uri}\"\n\
             [[sources]]\nname = \"rss\"\nkind = \"feed\"\nurl = \"{uri}/rss.xml\"\ninterval = \"1h\"\n",
            db.display(),
            uri = server.uri()
        ),
    )
    .unwrap();
    let started = Instant::now();
    let children: Vec<Child> = (0..workers).map(|_| daemon(&config)).collect();
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let done = Archive::open(&db)
            .map(|a| a.counts().unwrap().0)
            .unwrap_or(0);
        if done as usize >= ARTICLES {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "crawl too slow: {done}"
        );
    }
    let secs = started.elapsed().as_secs_f64();
    let peak = children
        .iter()
        .map(|c| kb(c.id(), "VmHWM:"))
        .max()
        .unwrap_or(0);
    children.into_iter().for_each(stop);
    let how = if backend == Backend::Postgres {
        format!("{workers} daemon(s) on PostgreSQL")
    } else if shared {
        format!("{workers} shared daemon(s) on SQLite")
    } else {
        "one daemon alone".to_owned()
    };
    println!(
        "daemon crawl, {how}: {ARTICLES} articles from one feed in {secs:.1}s: {:.0} articles/s end to end, peak RSS {:.1} MB per daemon",
        ARTICLES as f64 / secs,
        peak as f64 / 1024.0
    );
}

fn idle() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("idle.db");
    drop(Archive::open(&db).unwrap());
    {
        let mut conn = rusqlite::Connection::open(&db).unwrap();
        let tx = conn.transaction().unwrap();
        let now = format_time(chrono::Utc::now());
        let later = format_time(chrono::Utc::now() + chrono::Duration::days(30));
        let doc = "---\ntitle: \"t\"\n---\n\n正文\n\n[qq](https://new.qq.com/rain/a/x)\n";
        let hash = newsvault::archive::hash_hex(doc.as_bytes());
        for i in 0..IDLE_ARTICLES {
            let url = format!("https://new.qq.com/rain/a/{}", id(i));
            tx.execute(
                "INSERT INTO articles (canonical_url, site, site_article_id, lang, first_seen_at, last_checked_at, last_changed_at, latest_seq, next_check_at)
                 VALUES (?1, 'qq', ?2, 'zh-CN', ?3, ?3, ?3, 1, ?4)",
                rusqlite::params![url, id(i), now, later],
            )
            .unwrap();
            tx.execute(
                "INSERT INTO versions (article_id, seq, kind, origin, fetched_at, content_hash, document, title)
                 VALUES (last_insert_rowid(), 1, 'new', 'fetch', ?1, ?2, ?3, 't')",
                rusqlite::params![now, hash, doc],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    let config = dir.path().join("newsvault.toml");
    std::fs::write(
        &config,
        format!(
            "[archive]\npath = \"{}\"\n[daemon]\nserve = false\n",
            db.display()
        ),
    )
    .unwrap();
    let child = daemon(&config);
    std::thread::sleep(Duration::from_secs(5));
    let rss = kb(child.id(), "VmRSS:");
    stop(child);
    println!(
        "daemon idle with {IDLE_ARTICLES} archived articles: RSS {:.1} MB",
        rss as f64 / 1024.0
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(crawl(1, false, Backend::Sqlite));
    for workers in 1..=3 {
        runtime.block_on(crawl(workers, true, Backend::Sqlite));
    }
    for workers in 1..=3 {
        runtime.block_on(crawl(workers, true, Backend::Postgres));
    }
    idle();
}
