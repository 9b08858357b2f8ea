//! Feed, page and API latency over a big archive: 100,000 articles with 1,000,000 versions in
//! a generated SQLite file, served by the real server on 127.0.0.1 and requested over real
//! HTTP one at a time. Prints the median and p99 of each kind of request. Feed and list pages
//! are keyset-paged from indexes, so a deep page must cost about what the first one costs.
//!
//! Answers are cached until the archive's change counter moves, so most rows measure a
//! repeated request (the counter read, the cache, the bytes); rows marked "rebuilt" move the
//! counter before every request (outside the timing), so they measure building the answer
//! and compressing it. The client asks for `br, gzip` and reads the bytes without
//! decompressing them: the figures are the server's. Then 200 concurrent clients (each its
//! own keep-alive connection) fetch `/feed.atom`, plainly and with If-None-Match.
//! Run with `cargo bench --bench feeds`.
//!
//! The archive is written with plain SQL for speed (generating test data is not archive
//! logic); the file is opened through `Archive::open` first so it has the real schema.

use std::time::Instant;

use newsvault::archive::Archive;
use newsvault::config::Config;

#[path = "support/big_archive.rs"]
mod big_archive;

use big_archive::{ARTICLES, VERSIONS_PER_ARTICLE, article_id, generate};

const RUNS: usize = 200;
/// Concurrent clients, and requests each makes, in the load part.
const CLIENTS: usize = 200;
const REQUESTS_PER_CLIENT: usize = 25;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    drop(Archive::open(&path).unwrap());
    let started = Instant::now();
    generate(&path);
    println!(
        "generated {ARTICLES} articles, {} versions in {:.1}s ({:.0} MB file)",
        ARTICLES * VERSIONS_PER_ARTICLE,
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&path).unwrap().len() as f64 / 1e6
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut config = Config::default();
        config.archive.path = path.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = newsvault::server::AppState::new(config).unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(newsvault::server::serve_on(listener, state, async {
            let _ = rx.await;
        }));
        let client = bench_client(COMPRESSED);
        let mid_article = (ARTICLES / 2) as i64;
        let mid_version = (ARTICLES * VERSIONS_PER_ARTICLE / 2) as i64;
        let some = article_id(ARTICLES - 3);
        let etag = etag_of(&client, &format!("{base}/feed.atom")).await;
        let mut cases: Vec<(&str, String, Ask)> = vec![
            ("feed: /feed.atom", "/feed.atom".into(), Ask::Plain),
            (
                "feed: /feed.atom, page at the middle",
                format!("/feed.atom?before={mid_article}"),
                Ask::Plain,
            ),
            (
                "feed: /sites/sina.atom (10% of articles)",
                "/sites/sina.atom".into(),
                Ask::Plain,
            ),
            ("feed: /changes.atom", "/changes.atom".into(), Ask::Plain),
            (
                "feed: /changes.atom, page at the middle",
                format!("/changes.atom?before={mid_version}"),
                Ask::Plain,
            ),
            (
                "feed: /a/qq/<id>.atom (10 versions)",
                format!("/a/qq/{some}.atom"),
                Ask::Plain,
            ),
            (
                "feed: /feed.atom with If-None-Match (304)",
                "/feed.atom".into(),
                Ask::IfNoneMatch(etag),
            ),
            ("page: / (article list)", "/".into(), Ask::Plain),
            (
                "page: /?before=<middle>",
                format!("/?before={mid_article}"),
                Ask::Plain,
            ),
            (
                "page: /?q=<absent word> (full-text search)",
                "/?q=%E4%B8%8D%E5%AD%98%E5%9C%A8".into(),
                Ask::Plain,
            ),
            ("page: /a/qq/<id> (article)", format!("/a/qq/{some}"), Ask::Plain),
            (
                "page: /a/qq/<id>/diff?a=8&b=9",
                format!("/a/qq/{some}/diff?a=8&b=9"),
                Ask::Plain,
            ),
            (
                "page: /a/qq/<id>/diff?a=1&b=9 (computed)",
                format!("/a/qq/{some}/diff?a=1&b=9"),
                Ask::Plain,
            ),
            ("page: /status", "/status".into(), Ask::Plain),
            ("api: /api/v1/articles", "/api/v1/articles".into(), Ask::Plain),
            (
                "api: /api/v1/articles?cursor=<middle>",
                format!("/api/v1/articles?cursor={mid_article}"),
                Ask::Plain,
            ),
            (
                "api: /api/v1/articles/qq/<id> (10 versions)",
                format!("/api/v1/articles/qq/{some}"),
                Ask::Plain,
            ),
            (
                "api: /api/v1/articles/qq/<id>/versions/9",
                format!("/api/v1/articles/qq/{some}/versions/9"),
                Ask::Plain,
            ),
            (
                "api: /api/v1/articles/qq/<id>/diff?a=1&b=9",
                format!("/api/v1/articles/qq/{some}/diff?a=1&b=9"),
                Ask::Plain,
            ),
        ];
        // The same requests built afresh each time (the archive changed before each).
        for (label, path) in [
            ("feed: /feed.atom, rebuilt", "/feed.atom"),
            ("feed: /changes.atom, rebuilt", "/changes.atom"),
            ("page: / (article list), rebuilt", "/"),
            ("page: /status, rebuilt", "/status"),
            ("api: /api/v1/articles, rebuilt", "/api/v1/articles"),
        ] {
            cases.push((label, path.into(), Ask::Rebuilt));
        }
        let mut bump = rusqlite::Connection::open(&path).unwrap();
        println!("| request | median | p99 | bytes sent |");
        println!("| --- | --- | --- | --- |");
        for (label, path, ask) in cases {
            let mut times = Vec::with_capacity(RUNS);
            let mut bytes = 0;
            let mut status = 0;
            for run in 0..RUNS + 5 {
                let mut req = client.get(format!("{base}{path}"));
                match &ask {
                    Ask::Rebuilt => archive_changes(&mut bump),
                    Ask::IfNoneMatch(etag) => req = req.header("if-none-match", etag),
                    Ask::Plain => {}
                }
                let t = Instant::now();
                let response = req.send().await.unwrap();
                status = response.status().as_u16();
                let body = response.bytes().await.unwrap();
                let elapsed = t.elapsed().as_secs_f64() * 1e3;
                bytes = body.len();
                if run >= 5 {
                    times.push(elapsed);
                }
            }
            assert!(status == 200 || status == 304, "{label}: HTTP {status}");
            times.sort_by(|a, b| a.partial_cmp(b).unwrap());
            println!(
                "| {label} | {:.2} ms | {:.2} ms | {bytes} |",
                times[times.len() / 2],
                times[times.len() * 99 / 100]
            );
        }
        let etag = etag_of(&client, &format!("{base}/feed.atom")).await;
        println!("\n| {CLIENTS} concurrent clients, {REQUESTS_PER_CLIENT} requests each | requests/s | median | p99 | bytes sent |");
        println!("| --- | --- | --- | --- | --- |");
        concurrent(&base, "/feed.atom", None, COMPRESSED).await;
        concurrent(&base, "/feed.atom", None, PLAIN).await;
        concurrent(&base, "/feed.atom", Some(etag), COMPRESSED).await;
        concurrent(&base, "/status", None, COMPRESSED).await;
        let _ = tx.send(());
        let _ = server.await;
    });
}

/// How a case asks.
enum Ask {
    /// Again and again: answered from the cache after the first time.
    Plain,
    /// With a validator: answered 304.
    IfNoneMatch(String),
    /// After a change to the archive each time: built afresh.
    Rebuilt,
}

/// A client that sends `Accept-Encoding: <accept>` and does not decompress: it measures what
/// the server does, not the client's decompression.
fn bench_client(accept: &'static str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("accept-encoding", accept.parse().unwrap());
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .no_deflate()
        .default_headers(headers)
        .build()
        .unwrap()
}

async fn etag_of(client: &reqwest::Client, url: &str) -> String {
    let response = client.get(url).send().await.unwrap();
    response.headers()["etag"].to_str().unwrap().to_owned()
}

/// A change to the archive, as archiving a version makes: both counters move (the triggers
/// do exactly this for every write to what the feeds show).
fn archive_changes(conn: &mut rusqlite::Connection) {
    conn.execute_batch(
        "UPDATE change_counter SET value = value + 1; UPDATE content_counter SET value = value + 1;",
    )
    .unwrap();
}

/// What the clients accept: compressed answers, or only plain ones (whole documents).
const COMPRESSED: &str = "br, gzip";
const PLAIN: &str = "identity";

/// `CLIENTS` clients, each on its own connection, request `path` `REQUESTS_PER_CLIENT` times.
/// Each first opens its connection with one request, untimed; the timing starts once all are
/// connected (steady load, not 200 simultaneous TCP handshakes).
async fn concurrent(base: &str, path: &str, etag: Option<String>, accept: &'static str) {
    let connected = std::sync::Arc::new(tokio::sync::Barrier::new(CLIENTS + 1));
    let bytes = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CLIENTS {
        let url = format!("{base}{path}");
        let etag = etag.clone();
        let connected = std::sync::Arc::clone(&connected);
        let bytes = std::sync::Arc::clone(&bytes);
        tasks.spawn(async move {
            let client = bench_client(accept);
            client
                .get(&url)
                .send()
                .await
                .expect("answered")
                .bytes()
                .await
                .expect("body");
            connected.wait().await;
            let mut times = Vec::with_capacity(REQUESTS_PER_CLIENT);
            for _ in 0..REQUESTS_PER_CLIENT {
                let mut req = client.get(&url);
                if let Some(etag) = &etag {
                    req = req.header("if-none-match", etag);
                }
                let t = Instant::now();
                let r = req.send().await.expect("answered");
                let want = if etag.is_some() { 304 } else { 200 };
                assert_eq!(r.status(), want);
                let body = r.bytes().await.expect("body");
                bytes.store(body.len(), std::sync::atomic::Ordering::Relaxed);
                times.push(t.elapsed().as_secs_f64() * 1e3);
            }
            times
        });
    }
    connected.wait().await;
    let started = Instant::now();
    let mut times = Vec::new();
    while let Some(client) = tasks.join_next().await {
        times.extend(client.expect("a client failed"));
    }
    let wall = started.elapsed().as_secs_f64();
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let label = match (&etag, accept) {
        (Some(_), _) => format!("{path} with If-None-Match (304)"),
        (None, PLAIN) => format!("{path}, plain (not compressed)"),
        (None, _) => format!("{path}, compressed"),
    };
    println!(
        "| {label} | {:.0} | {:.1} ms | {:.1} ms | {} |",
        times.len() as f64 / wall,
        times[times.len() / 2],
        times[times.len() * 99 / 100],
        bytes.load(std::sync::atomic::Ordering::Relaxed)
    );
}
