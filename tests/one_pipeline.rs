//! One pipeline per process: the daemon's web server archives through the daemon's own
//! pipeline, so a URL posted to `/archive` waits its turn in the same per-host interval as the
//! daemon's crawl (observed in the local site's request log).

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{ArticlePages, Timed, assert_spaced, sigterm, start_daemon, wait_exit};
use newsvault::archive::Archive;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const INTERVAL: Duration = Duration::from_millis(400);
/// How much earlier than the interval a request may reach the site: the gate spaces the
/// starts of requests, and the path to the server adds some jitter.
const JITTER: Duration = Duration::from_millis(60);
const LISTED: usize = 12;
const POSTED: usize = 4;

fn id(i: usize) -> String {
    format!("20250401A{i:05}00")
}

/// Posts `url` to the daemon's `/archive` (plain HTTP/1.1 over a local socket); returns the
/// status code.
async fn post_archive(port: u16, url: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = format!(
        "token=t0ken&url={}",
        url::form_urlencoded::byte_serialize(url.as_bytes()).collect::<String>()
    );
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let request = format!(
        "POST /archive HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response}"))
}

async fn wait_for_server(port: u16, dir: &std::path::Path) {
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the daemon does not serve; log:\n{}",
            std::fs::read_to_string(dir.join("daemon.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn posted_urls_share_the_daemons_per_host_interval() {
    let site = MockServer::start().await;
    let items: String = (0..LISTED)
        .map(|i| {
            format!(
                "<item><title>t</title><link>https://news.qq.com/rain/a/{}</link></item>",
                id(i)
            )
        })
        .collect();
    Mock::given(method("GET"))
        .and(path("/rss.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"),
            "application/rss+xml",
        ))
        .mount(&site)
        .await;
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .and(path_regex("^/rain/a/"))
        .respond_with(Timed {
            inner: ArticlePages::new(Duration::ZERO),
            arrivals: Arc::clone(&arrivals),
        })
        .mount(&site)
        .await;

    let dir = tempfile::tempdir().unwrap();
    let port = common::free_port();
    let db = dir.path().join("archive.db");
    let config = dir.path().join("newsvault.toml");
    std::fs::write(
        &config,
        format!(
            "[archive]\npath = \"{}\"\nimages = false\n\
             [fetch]\nallow_private_hosts = [\"127.0.0.1\"]\nper_host_interval = \"{}ms\"\nper_host_concurrency = 1\nretry_base_delay = \"10ms\"\n\
             [daemon]\nmax_in_flight = 4\nshutdown_grace = \"5s\"\n\
             [server]\nlisten = \"127.0.0.1:{port}\"\ntoken = \"t0ken\"\n\
             [sites.qq]\nfetch_base = \"{uri}\"\n\
             [[sources]]\nname = \"feed\"\nkind = \"feed\"\nurl = \"{uri}/rss.xml\"\ninterval = \"1h\"\n",
            db.display(),
            INTERVAL.as_millis(),
            uri = site.uri()
        ),
    )
    .unwrap();
    let mut daemon = start_daemon(&config, dir.path());
    wait_for_server(port, dir.path()).await;

    // Wait until the crawl is under way, then post articles the feed does not list, one at a
    // time, each right after one of the daemon's own requests.
    let started = Instant::now();
    while arrivals.lock().unwrap().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(20), "no crawl");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for i in 0..POSTED {
        let url = format!("https://new.qq.com/rain/a/{}", id(LISTED + i));
        // Archived: the answer redirects to the article page.
        assert_eq!(post_archive(port, &url).await, 303, "{url}");
    }

    let started = Instant::now();
    while Archive::open(&db).map_or(0, |a| a.counts().unwrap().0) < (LISTED + POSTED) as u64 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "not everything was archived"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sigterm(&daemon);
    let status =
        tokio::task::spawn_blocking(move || wait_exit(&mut daemon, Duration::from_secs(20)))
            .await
            .unwrap();
    assert!(status.success());

    let mut log = arrivals.lock().unwrap().clone();
    log.sort_by_key(|(at, _)| *at);
    let posted: Vec<String> = (0..POSTED)
        .map(|i| format!("/rain/a/{}", id(LISTED + i)))
        .collect();
    assert!(
        posted.iter().all(|p| log.iter().any(|(_, got)| got == p)),
        "every posted article was fetched: {log:?}"
    );
    assert_spaced(&arrivals, INTERVAL, JITTER);
}
