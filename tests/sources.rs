//! Sources against local servers: RSS 2.0, Atom, JSON Feed, a GB2312 RSS feed, a malformed and
//! an empty feed, conditional GET, the Tencent News channel and author lists with paging, and
//! robots.txt.

use std::time::{Duration, Instant};

use newsvault::config::{FetchConfig, SitesConfig, SourceConfig, SourceKind};
use newsvault::fetch::{FetchError, Fetcher, Validators};
use newsvault::sites::qq::lists::ItemKind;
use newsvault::source::{SourceError, poll};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fetch_config() -> FetchConfig {
    FetchConfig {
        per_host_interval: Duration::ZERO,
        retries: 0,
        allow_private_hosts: vec!["127.0.0.1".into()],
        ..FetchConfig::default()
    }
}

fn source(kind: SourceKind, url: Option<String>) -> SourceConfig {
    SourceConfig {
        name: "test".into(),
        kind,
        url,
        channel: Some("tech".into()),
        author: Some("8QMc2XZf7IAfsD3Z".into()),
        path: None,
        site: None,
        lang: None,
        interval: Duration::from_secs(600),
        include: vec![],
        exclude: vec![],
        max_pages: 3,
    }
}

fn sites(server: &MockServer) -> SitesConfig {
    let mut sites = SitesConfig::default();
    sites.qq.api_base = server.uri();
    sites
}

async fn serve(server: &MockServer, at: &str, body: Vec<u8>, content_type: &str) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, content_type))
        .mount(server)
        .await;
}

async fn poll_feed(
    server: &MockServer,
    at: &str,
) -> Result<newsvault::source::Polled, SourceError> {
    let fetcher = Fetcher::new(&fetch_config()).unwrap();
    let src = source(SourceKind::Feed, Some(format!("{}{at}", server.uri())));
    poll(&src, &sites(server), &fetcher, &Validators::default()).await
}

const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>腾讯新闻</title><ttl>60</ttl>
<item><title>第一篇</title><link>https://news.qq.com/rain/a/20250211A013J400?utm_source=rss</link><pubDate>Tue, 11 Feb 2025 07:03:08 +0800</pubDate></item>
<item><title>同一篇的另一种链接</title><link>https://view.inews.qq.com/a/20250211A013J400</link></item>
<item><title>第二篇</title><link>https://new.qq.com/omn/20250212/20250212A0000100.html</link></item>
</channel></rss>"#;

#[tokio::test]
async fn rss_links_are_canonicalised_and_merged_and_ttl_stretches() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/rss.xml",
        RSS.as_bytes().to_vec(),
        "application/rss+xml",
    )
    .await;
    let polled = poll_feed(&server, "/rss.xml").await.unwrap();
    let urls: Vec<&str> = polled.candidates.iter().map(|c| c.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://new.qq.com/rain/a/20250211A013J400",
            "https://new.qq.com/rain/a/20250212A0000100"
        ]
    );
    assert_eq!(polled.candidates[0].title.as_deref(), Some("第一篇"));
    assert_eq!(polled.min_interval, Some(Duration::from_secs(3600)));
}

#[tokio::test]
async fn atom_and_json_feed() {
    let server = MockServer::start().await;
    let atom = r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id><updated>2025-02-11T00:00:00Z</updated>
      <entry><title>A</title><id>urn:a</id><updated>2025-02-11T00:00:00Z</updated><link rel="alternate" href="https://new.qq.com/rain/a/20250211A013J400"/></entry></feed>"#;
    serve(
        &server,
        "/atom.xml",
        atom.as_bytes().to_vec(),
        "application/atom+xml",
    )
    .await;
    let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","url":"https://new.qq.com/rain/a/20250211A013J400","title":"J"}]}"#;
    serve(
        &server,
        "/feed.json",
        json.as_bytes().to_vec(),
        "application/feed+json",
    )
    .await;
    for at in ["/atom.xml", "/feed.json"] {
        let polled = poll_feed(&server, at).await.unwrap();
        assert_eq!(polled.candidates.len(), 1, "{at}");
        assert_eq!(
            polled.candidates[0].url,
            "https://new.qq.com/rain/a/20250211A013J400"
        );
    }
}

#[tokio::test]
async fn gb2312_feed_is_decoded_from_its_declaration() {
    let server = MockServer::start().await;
    let text = RSS.replace("UTF-8", "gb2312");
    let (bytes, _, _) = encoding_rs::GBK.encode(&text);
    serve(&server, "/gb.xml", bytes.into_owned(), "text/xml").await;
    let polled = poll_feed(&server, "/gb.xml").await.unwrap();
    assert_eq!(polled.candidates[0].title.as_deref(), Some("第一篇"));
}

#[tokio::test]
async fn malformed_and_empty_feeds_are_clear_errors() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/bad.xml",
        b"<rss><channel><item><title>x".to_vec(),
        "text/xml",
    )
    .await;
    serve(&server, "/empty.xml", b"  \n".to_vec(), "text/xml").await;
    let err = poll_feed(&server, "/bad.xml")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("/bad.xml") && err.contains("not a feed"),
        "{err}"
    );
    let err = poll_feed(&server, "/empty.xml")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("empty"), "{err}");
}

#[tokio::test]
async fn conditional_get_short_circuits_on_304() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rss.xml"))
        .and(wiremock::matchers::header("if-none-match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rss.xml"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("etag", "\"v1\"")
                .insert_header("cache-control", "max-age=7200")
                .set_body_raw(RSS.as_bytes().to_vec(), "application/rss+xml"),
        )
        .mount(&server)
        .await;
    let fetcher = Fetcher::new(&fetch_config()).unwrap();
    let src = source(SourceKind::Feed, Some(format!("{}/rss.xml", server.uri())));
    let first = poll(&src, &sites(&server), &fetcher, &Validators::default())
        .await
        .unwrap();
    assert_eq!(first.validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        first.min_interval,
        Some(Duration::from_secs(7200)),
        "the longer of TTL and max-age"
    );
    let second = poll(&src, &sites(&server), &fetcher, &first.validators)
        .await
        .unwrap();
    assert!(second.not_modified && second.candidates.is_empty());
}

fn channel_item(i: usize, kind: &str) -> serde_json::Value {
    serde_json::json!({
        "article_id": format!("20250211A{i:05}00"),
        "title": format!("频道文章{i}"),
        "url": format!("https://new.qq.com/rain/a/20250211A{i:05}00"),
        "publish_time": "2025-02-11 07:03:08",
        "article_type": kind,
    })
}

#[tokio::test]
async fn qq_channel_list_pages_until_a_short_page() {
    let server = MockServer::start().await;
    let page0: Vec<_> = (0..20)
        .map(|i| channel_item(i, if i == 3 { "4" } else { "0" }))
        .collect();
    let page1: Vec<_> = (20..25).map(|i| channel_item(i, "0")).collect();
    for (offset, list) in [("0", page0), ("20", page1)] {
        Mock::given(method("GET"))
            .and(path("/trpc.qqnews_web.kv_srv.kv_srv_http_proxy/list"))
            .and(query_param("sub_srv_id", "tech"))
            .and(query_param("offset", offset))
            .and(wiremock::matchers::header(
                "referer",
                "https://news.qq.com/",
            ))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"ret": 0, "data": {"list": list}})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let fetcher = Fetcher::new(&fetch_config()).unwrap();
    let mut src = source(SourceKind::QqChannel, None);
    src.exclude = vec!["频道文章24".into()];
    let polled = poll(&src, &sites(&server), &fetcher, &Validators::default())
        .await
        .unwrap();
    assert_eq!(polled.candidates.len(), 24, "25 listed, one excluded");
    assert_eq!(polled.filtered_out, 1);
    let video = &polled.candidates[3];
    assert_eq!(video.kind, ItemKind::Video);
    assert!(
        video.listing.is_some(),
        "non-text items keep what the list gives"
    );
}

#[tokio::test]
async fn qq_author_list_follows_the_cursor() {
    let server = MockServer::start().await;
    let item = |i: usize, t: &str| serde_json::json!({"id": format!("20250211A{i:05}00"), "title": format!("作者文章{i}"), "url": format!("https://new.qq.com/rain/a/20250211A{i:05}00"), "articletype": t, "timestamp": 1739228588});
    let pages = [
        (
            "",
            serde_json::json!({"ret": 0, "newslist": [item(1, "0"), item(2, "118")], "hasNext": true, "offsetInfo": "c1"}),
        ),
        (
            "c1",
            serde_json::json!({"ret": 0, "newslist": [item(3, "0")], "hasNext": false, "offsetInfo": "c2"}),
        ),
    ];
    for (cursor, body) in pages {
        Mock::given(method("GET"))
            .and(path("/getSubNewsMixedList"))
            .and(query_param("guestSuid", "8QMc2XZf7IAfsD3Z"))
            .and(query_param("offset_info", cursor))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
    }
    let fetcher = Fetcher::new(&fetch_config()).unwrap();
    let polled = poll(
        &source(SourceKind::QqAuthor, None),
        &sites(&server),
        &fetcher,
        &Validators::default(),
    )
    .await
    .unwrap();
    let kinds: Vec<&str> = polled.candidates.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, ["text", "video", "text"]);
    assert_eq!(
        polled.candidates[0].published.as_deref(),
        Some("2025-02-11 07:03:08")
    );
}

#[tokio::test]
async fn robots_txt_forbids_a_path_and_its_crawl_delay_spaces_requests() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/robots.txt",
        b"User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n".to_vec(),
        "text/plain",
    )
    .await;
    serve(&server, "/public/a", b"ok".to_vec(), "text/html").await;
    serve(&server, "/public/b", b"ok".to_vec(), "text/html").await;
    serve(&server, "/private/x", b"secret".to_vec(), "text/html").await;
    let config = FetchConfig {
        respect_robots: true,
        ..fetch_config()
    };
    let fetcher = Fetcher::new(&config).unwrap();
    let url = |p: &str| url::Url::parse(&format!("{}{p}", server.uri())).unwrap();
    let err = fetcher
        .get(&url("/private/x"), &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::RobotsDisallowed { .. }), "{err}");
    assert!(!err.is_transient());
    let started = Instant::now();
    fetcher
        .get(&url("/public/a"), &Validators::default())
        .await
        .unwrap();
    fetcher
        .get(&url("/public/b"), &Validators::default())
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "Crawl-delay 1 s between requests"
    );
    let requests = server.received_requests().await.unwrap();
    assert!(
        !requests.iter().any(|r| r.url.path() == "/private/x"),
        "the forbidden path is never requested"
    );
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.url.path() == "/robots.txt")
            .count(),
        1,
        "robots.txt cached"
    );
}

#[tokio::test]
async fn an_unreachable_robots_txt_is_transient() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/robots.txt"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let fetcher = Fetcher::new(&FetchConfig {
        respect_robots: true,
        ..fetch_config()
    })
    .unwrap();
    let url = url::Url::parse(&format!("{}/a", server.uri())).unwrap();
    let err = fetcher.get(&url, &Validators::default()).await.unwrap_err();
    assert!(
        matches!(err, FetchError::RobotsUnavailable { .. }) && err.is_transient(),
        "{err}"
    );
}
