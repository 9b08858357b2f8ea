//! Issue 11, defects 1 and 2: what a hostile feed or page can make the crawler fetch, and what
//! it can make the daemon do with its poll times. Every server here is on 127.0.0.1; a second
//! name for it, `localhost`, plays the "public" host that the allow list lets through, so a
//! redirect or a feed item pointing at 127.0.0.1 itself stands for a private address.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{TestServer, newsvault_async};
use newsvault::archive::Archive;
use newsvault::config::{Config, FetchConfig, SourceConfig, SourceKind};
use newsvault::fetch::{FetchError, Fetcher, Validators};
use tokio_util::sync::CancellationToken;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ARTICLE: &str = include_str!("fixtures/fuzz/seeds/generic/article.html");

/// The server under its "public" name.
fn public(server: &MockServer, p: &str) -> String {
    format!("http://localhost:{}{p}", server.address().port())
}

/// A path that must never be requested.
async fn secret(server: &MockServer, p: &str) {
    Mock::given(method("GET"))
        .and(path(p.to_owned()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(ARTICLE, "text/html"))
        .expect(0)
        .named(format!("secret {p}"))
        .mount(server)
        .await;
}

async fn redirect(server: &MockServer, from: &str, to: String) {
    Mock::given(method("GET"))
        .and(path(from.to_owned()))
        .respond_with(ResponseTemplate::new(302).insert_header("location", to.as_str()))
        .mount(server)
        .await;
}

fn only_localhost_allowed() -> FetchConfig {
    FetchConfig {
        per_host_interval: Duration::ZERO,
        retries: 0,
        respect_robots: false,
        allow_private_hosts: vec!["localhost".into()],
        ..FetchConfig::default()
    }
}

#[tokio::test]
async fn a_redirect_to_a_private_address_is_refused_at_the_hop() {
    let server = MockServer::start().await;
    secret(&server, "/secret").await;
    redirect(&server, "/public", format!("{}/secret", server.uri())).await;
    // A redirect to the loopback name's literal spelling, twice removed. (Other special
    // forms, NAT64, 6to4, 192.0.0/24..., are judged by the same check: its unit tests hold
    // them as data; no test sends anything towards an address that is not loopback.)
    redirect(&server, "/twice", public(&server, "/public")).await;
    let fetcher = Fetcher::new(&only_localhost_allowed()).unwrap();
    for from in ["/public", "/twice"] {
        let url = url::Url::parse(&public(&server, from)).unwrap();
        let err = fetcher.get(&url, &Validators::default()).await.unwrap_err();
        assert!(
            matches!(err, FetchError::TargetRefused { .. }),
            "{from}: {err}"
        );
        assert!(!err.is_transient(), "{err}");
    }
    // The allowed name itself is fetched.
    Mock::given(method("GET"))
        .and(path("/fine"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    let fine = url::Url::parse(&public(&server, "/fine")).unwrap();
    assert_eq!(
        fetcher
            .get(&fine, &Validators::default())
            .await
            .unwrap()
            .status,
        200
    );
}

#[tokio::test]
async fn a_name_resolving_to_a_private_address_is_refused_at_connect_time() {
    // The resolver judges addresses, not names: `localhost` is listed by address here, so the
    // name check passes it and only the resolved 127.0.0.1 can refuse it.
    let server = MockServer::start().await;
    secret(&server, "/secret").await;
    let resolver = newsvault::fetch::target::GuardedResolver {
        policy: Arc::new(newsvault::fetch::target::TargetPolicy::new(
            &FetchConfig::default(),
        )),
    };
    let name: reqwest::dns::Name = "localhost".parse().unwrap();
    let err = match reqwest::dns::Resolve::resolve(&resolver, name).await {
        Ok(_) => panic!("localhost must be refused"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("resolves to") && err.contains("loopback"),
        "{err}"
    );
    // The trailing-dot spelling of the loopback name is refused as well.
    let fetcher = Fetcher::new(&FetchConfig {
        allow_private_hosts: vec![],
        ..only_localhost_allowed()
    })
    .unwrap();
    let url = url::Url::parse(&format!(
        "http://localhost.:{}/secret",
        server.address().port()
    ))
    .unwrap();
    let err = fetcher.get(&url, &Validators::default()).await.unwrap_err();
    assert!(matches!(err, FetchError::TargetRefused { .. }), "{err}");
}

#[tokio::test]
async fn the_web_form_does_not_follow_a_redirect_into_the_private_network() {
    let site = MockServer::start().await;
    secret(&site, "/secret").await;
    redirect(
        &site,
        "/2025/03/01/story-123456.html",
        format!("{}/secret", site.uri()),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    let mut config = Config {
        fetch: only_localhost_allowed(),
        ..Config::default()
    };
    config.server.token = "t0ken".into();
    let server = TestServer::start(&db, config).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let submitted = public(&site, "/2025/03/01/story-123456.html");
    let r = client
        .post(server.url("/archive"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token=t0ken&url={}", urlencode(&submitted)))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, 502, "{text}");
    assert!(text.contains("refused"), "{text}");
    let archive = Archive::open(&db).unwrap();
    assert_eq!(archive.counts().unwrap().0, 0, "nothing archived");
    server.stop().await;
    site.verify().await;
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn feed_source(name: &str, url: String) -> SourceConfig {
    SourceConfig {
        name: name.into(),
        kind: SourceKind::Feed,
        url: Some(url),
        channel: None,
        author: None,
        path: None,
        site: None,
        lang: None,
        interval: Duration::from_secs(10),
        include: vec![],
        exclude: vec![],
        max_pages: 1,
    }
}

fn daemon_config(db: &std::path::Path, sources: Vec<SourceConfig>) -> Config {
    let mut config = Config {
        fetch: only_localhost_allowed(),
        ..Config::default()
    };
    config.archive.path = db.to_path_buf();
    // The pages' images would be more requests than these tests count.
    config.archive.images = false;
    config.daemon.serve = false;
    config.sources = sources;
    config
}

/// Runs the daemon until `done` says so (or 30 s pass), then stops it.
async fn run_daemon_until(config: Config, done: impl Fn(&Archive) -> bool) {
    let db = config.archive.path.clone();
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(newsvault::daemon::run_until(
        config,
        None,
        shutdown.clone(),
        Arc::new(tokio::sync::Notify::new()),
    ));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let finished = Archive::open(&db).map(|a| done(&a)).unwrap_or(false);
        if finished || tokio::time::Instant::now() > deadline {
            break;
        }
    }
    shutdown.cancel();
    task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn feed_items_pointing_at_private_addresses_are_not_fetched() {
    let server = MockServer::start().await;
    secret(&server, "/secret").await;
    secret(&server, "/secret2").await;
    redirect(&server, "/hop", format!("{}/secret2", server.uri())).await;
    let rss = format!(
        "<rss version=\"2.0\"><channel><title>t</title>\
         <item><link>{}/secret</link></item>\
         <item><link>{}</link></item>\
         <item><link>javascript:alert(1)//20250301A0002800</link></item>\
         </channel></rss>",
        server.uri(),
        public(&server, "/hop")
    );
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(rss, "application/rss+xml"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    let config = daemon_config(&db, vec![feed_source("f", public(&server, "/feed.xml"))]);
    run_daemon_until(config, |a| {
        let q = a.queue_counts().unwrap();
        q.failed == 2 && q.pending == 0
    })
    .await;
    let archive = Archive::open(&db).unwrap();
    let q = archive.queue_counts().unwrap();
    assert_eq!((q.failed, q.done, q.pending), (2, 0, 0), "{q:?}");
    let log = archive.recent_fetches(10).unwrap();
    assert!(
        log.iter().filter(|f| f.detail.contains("refused")).count() >= 2,
        "{log:?}"
    );
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn huge_feed_poll_hints_neither_panic_nor_stop_a_source() {
    let server = MockServer::start().await;
    let empty = "<rss version=\"2.0\"><channel><title>t</title></channel></rss>";
    for (p, cache, body) in [
        ("/a.xml", "max-age=18446744073709551615", empty.to_owned()),
        ("/b.xml", "max-age=10000000000000", empty.to_owned()),
        (
            "/c.xml",
            "no-cache",
            "<rss version=\"2.0\"><channel><title>t</title><ttl>4294967295</ttl></channel></rss>"
                .to_owned(),
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("cache-control", cache)
                    .set_body_raw(body, "application/rss+xml"),
            )
            .mount(&server)
            .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    let sources = ["a", "b", "c"]
        .map(|n| feed_source(n, public(&server, &format!("/{n}.xml"))))
        .to_vec();
    run_daemon_until(daemon_config(&db, sources), |a| {
        let s = a.sources_status().unwrap();
        s.len() == 3 && s.iter().all(|s| s.polls >= 1)
    })
    .await;
    let now = chrono::Utc::now();
    let statuses = Archive::open(&db).unwrap().sources_status().unwrap();
    assert_eq!(statuses.len(), 3);
    for s in statuses {
        assert_eq!(s.polls, 1, "{} was polled once", s.name);
        assert_eq!(s.last_error, None, "{}", s.name);
        let next =
            chrono::DateTime::parse_from_rfc3339(s.next_poll_at.as_deref().unwrap()).unwrap();
        let wait = next.with_timezone(&chrono::Utc) - now;
        // At most the documented cap on feed hints, plus the poll jitter.
        let cap = newsvault::source::MAX_FEED_HINT.as_secs() as f64 * 1.1;
        assert!(
            wait.num_seconds() > 3600 && (wait.num_seconds() as f64) <= cap,
            "{}: next poll in {wait}",
            s.name
        );
    }
}

#[tokio::test]
async fn the_cli_archive_of_a_typed_url_may_reach_this_machine_but_checks_may_not() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/2025/03/01/story-123456.html"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(ARTICLE, "text/html; charset=utf-8"))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("newsvault.toml");
    std::fs::write(
        &config,
        format!(
            "[archive]\npath = \"{}\"\nimages = false\n[fetch]\nretries = 0\nrespect_robots = false\n",
            dir.path().join("archive.db").display()
        ),
    )
    .unwrap();
    let url = format!("{}/2025/03/01/story-123456.html", server.uri());
    let config_arg = config.display().to_string();
    let out = newsvault_async(
        vec![
            "--config".into(),
            config_arg.clone(),
            "archive".into(),
            url.clone(),
        ],
        dir.path().to_path_buf(),
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A re-check comes from the archive, not from the user: the policy applies.
    let out = newsvault_async(
        vec![
            "--config".into(),
            config_arg,
            "check".into(),
            "--all".into(),
        ],
        dir.path().to_path_buf(),
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refused"), "{stderr}");
    server.verify().await;
}
