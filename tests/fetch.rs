//! The fetcher against real sockets on 127.0.0.1 (wiremock, plus one hand-written chunked server).

use std::collections::VecDeque;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use newsvault::config::FetchConfig;
use newsvault::fetch::charset::{self, CharsetSource};
use newsvault::fetch::{FetchError, Fetcher, Validators};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const UA: &str = "newsvault-test/1.0 (+https://example.invalid/bot)";
const ZH: &str =
    "新闻联播：国务院总理今天在北京主持召开常务会议，研究部署进一步扩大内需的政策措施。";
const ZH_TW: &str = "總統府今天發布新聞稿，說明國防預算與經濟發展的最新規劃。";
const JA: &str = "東京都は本日、新しい防災計画を発表しました。ニュースをお伝えします。";

fn config() -> FetchConfig {
    FetchConfig {
        user_agent: UA.to_owned(),
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(3),
        max_body_bytes: 1024 * 1024,
        max_redirects: 10,
        retries: 2,
        retry_base_delay: Duration::from_millis(5),
        max_retry_after: Duration::from_secs(300),
        per_host_concurrency: 4,
        per_host_interval: Duration::ZERO,
        // These tests count requests; robots.txt has tests of its own (tests/politeness.rs).
        respect_robots: false,
        robots_ttl: Duration::from_secs(3600),
        hosts: Default::default(),
        // The local test server is on loopback; nothing else is ever fetched.
        allow_private_targets: false,
        allow_private_hosts: vec!["127.0.0.1".into()],
    }
}

fn fetcher(config: &FetchConfig) -> Fetcher {
    Fetcher::new(config).expect("fetcher builds")
}

fn url(server: &MockServer, p: &str) -> Url {
    Url::parse(&format!("{}{p}", server.uri())).unwrap()
}

fn encode(text: &str, encoding: &'static encoding_rs::Encoding) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

async fn get(f: &Fetcher, u: &Url) -> Result<newsvault::fetch::Fetched, FetchError> {
    f.get(u, &Validators::default()).await
}

/// Answers from a queue (then a fallback forever) and records when each request arrived.
#[derive(Clone)]
struct Script {
    arrivals: Arc<Mutex<Vec<Instant>>>,
    queue: Arc<Mutex<VecDeque<ResponseTemplate>>>,
    fallback: ResponseTemplate,
}

impl Script {
    fn new(first: Vec<ResponseTemplate>, fallback: ResponseTemplate) -> Self {
        Self {
            arrivals: Arc::default(),
            queue: Arc::new(Mutex::new(first.into())),
            fallback,
        }
    }
    fn arrivals(&self) -> Vec<Instant> {
        self.arrivals.lock().unwrap().clone()
    }
}

impl Respond for Script {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.arrivals.lock().unwrap().push(Instant::now());
        let next = self.queue.lock().unwrap().pop_front();
        next.unwrap_or_else(|| self.fallback.clone())
    }
}

async fn serve(server: &MockServer, p: &str, template: impl Respond + 'static) {
    Mock::given(method("GET"))
        .and(path(p))
        .respond_with(template)
        .mount(server)
        .await;
}

// ---- charsets ----

#[tokio::test]
async fn gbk_via_header_charset() {
    let server = MockServer::start().await;
    let html = format!("<html><body><p>{ZH}</p></body></html>");
    serve(
        &server,
        "/gbk",
        ResponseTemplate::new(200)
            .set_body_raw(encode(&html, encoding_rs::GBK), "text/html; charset=GBK"),
    )
    .await;
    let got = get(&fetcher(&config()), &url(&server, "/gbk"))
        .await
        .unwrap();
    assert_eq!(got.status, 200);
    assert_eq!(got.content_type.as_deref(), Some("text/html; charset=GBK"));
    let d = got.decode();
    assert_eq!((d.encoding, d.source), ("GBK", CharsetSource::Header));
    assert_eq!(d.text, html);
    assert!(!d.had_errors);
}

#[tokio::test]
async fn gb2312_via_meta_charset_only() {
    let server = MockServer::start().await;
    let html = format!(
        "<html><head><meta charset=gb2312><title>新闻</title></head><body>{ZH}</body></html>"
    );
    serve(
        &server,
        "/meta",
        ResponseTemplate::new(200).set_body_raw(encode(&html, encoding_rs::GBK), "text/html"),
    )
    .await;
    let fetched = get(&fetcher(&config()), &url(&server, "/meta"))
        .await
        .unwrap();
    let d = fetched.decode();
    assert_eq!((d.encoding, d.source), ("GBK", CharsetSource::Meta));
    assert_eq!(d.text, html);
}

#[tokio::test]
async fn big5_via_http_equiv() {
    let server = MockServer::start().await;
    let html = format!(
        "<html><head><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=big5\"></head><body>{ZH_TW}</body></html>"
    );
    serve(
        &server,
        "/big5",
        ResponseTemplate::new(200).set_body_raw(encode(&html, encoding_rs::BIG5), "text/html"),
    )
    .await;
    let fetched = get(&fetcher(&config()), &url(&server, "/big5"))
        .await
        .unwrap();
    let d = fetched.decode();
    assert_eq!((d.encoding, d.source), ("Big5", CharsetSource::Meta));
    assert_eq!(d.text, html);
}

#[tokio::test]
async fn gbk_without_declaration_is_detected_with_cn_hint() {
    let server = MockServer::start().await;
    let html = format!("<html><body><p>{ZH}</p><p>{ZH}</p></body></html>");
    serve(
        &server,
        "/bare",
        ResponseTemplate::new(200).set_body_raw(encode(&html, encoding_rs::GBK), "text/html"),
    )
    .await;
    let got = get(&fetcher(&config()), &url(&server, "/bare"))
        .await
        .unwrap();
    // The test server is 127.0.0.1, which has no TLD: pass the hint a .cn host would give.
    let d = charset::decode_html(&got.body, got.content_type.as_deref(), Some("cn"));
    assert_eq!((d.encoding, d.source), ("GBK", CharsetSource::Detected));
    assert_eq!(d.text, html);
    assert!(!d.had_errors);
}

#[tokio::test]
async fn utf8_bom() {
    let server = MockServer::start().await;
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend_from_slice(format!("<p>{ZH}</p>").as_bytes());
    serve(
        &server,
        "/bom",
        ResponseTemplate::new(200).set_body_raw(body, "text/html; charset=iso-8859-1"),
    )
    .await;
    let fetched = get(&fetcher(&config()), &url(&server, "/bom"))
        .await
        .unwrap();
    let d = fetched.decode();
    assert_eq!((d.encoding, d.source), ("UTF-8", CharsetSource::Bom));
    assert_eq!(d.text, format!("<p>{ZH}</p>"));
}

#[tokio::test]
async fn shift_jis() {
    let server = MockServer::start().await;
    let html = format!("<html><body>{JA}</body></html>");
    serve(
        &server,
        "/sjis",
        ResponseTemplate::new(200).set_body_raw(
            encode(&html, encoding_rs::SHIFT_JIS),
            "text/html; charset=Shift_JIS",
        ),
    )
    .await;
    let fetched = get(&fetcher(&config()), &url(&server, "/sjis"))
        .await
        .unwrap();
    let d = fetched.decode();
    assert_eq!((d.encoding, d.source), ("Shift_JIS", CharsetSource::Header));
    assert_eq!(d.text, html);
}

// ---- limits ----

#[tokio::test]
async fn slow_response_times_out_naming_url_and_limit() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/slow",
        ResponseTemplate::new(200).set_delay(Duration::from_secs(3)),
    )
    .await;
    let cfg = FetchConfig {
        timeout: Duration::from_millis(300),
        retries: 0,
        ..config()
    };
    let u = url(&server, "/slow");
    let started = Instant::now();
    let err = get(&fetcher(&cfg), &u).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(matches!(err, FetchError::Timeout { .. }), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(err.url(), u.as_str());
    assert_eq!(
        err.to_string(),
        format!("timed out after 300ms fetching {u}")
    );
}

#[tokio::test]
async fn body_over_cap_with_content_length() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/big",
        ResponseTemplate::new(200).set_body_raw(vec![b'x'; 5000], "text/html"),
    )
    .await;
    let cfg = FetchConfig {
        max_body_bytes: 4096,
        ..config()
    };
    let u = url(&server, "/big");
    let err = get(&fetcher(&cfg), &u).await.unwrap_err();
    assert!(
        matches!(err, FetchError::TooLarge { limit: 4096, .. }),
        "{err:?}"
    );
    assert!(!err.is_transient());
    assert!(err.to_string().contains("4096") && err.to_string().contains(u.as_str()));

    // Exactly at the cap is fine.
    let ok_cfg = FetchConfig {
        max_body_bytes: 5000,
        ..config()
    };
    assert_eq!(get(&fetcher(&ok_cfg), &u).await.unwrap().body.len(), 5000);
}

/// A server that answers every request with a chunked body (no Content-Length).
async fn chunked_server(chunks: usize, chunk_len: usize) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b'y'; chunk_len];
                for _ in 0..chunks {
                    let mut piece = format!("{chunk_len:x}\r\n").into_bytes();
                    piece.extend_from_slice(&chunk);
                    piece.extend_from_slice(b"\r\n");
                    if socket.write_all(&piece).await.is_err() {
                        return;
                    }
                }
                let _ = socket.write_all(b"0\r\n\r\n").await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn body_over_cap_without_content_length() {
    let addr = chunked_server(20, 512).await;
    let u = Url::parse(&format!("http://{addr}/chunked")).unwrap();
    let cfg = FetchConfig {
        max_body_bytes: 4096,
        ..config()
    };
    let err = get(&fetcher(&cfg), &u).await.unwrap_err();
    assert!(
        matches!(err, FetchError::TooLarge { limit: 4096, .. }),
        "{err:?}"
    );

    // Under the cap, the same server's body arrives whole.
    let roomy = FetchConfig {
        max_body_bytes: 20 * 512,
        ..config()
    };
    assert_eq!(
        get(&fetcher(&roomy), &u).await.unwrap().body.len(),
        20 * 512
    );
}

#[tokio::test]
async fn cap_applies_after_gzip_decompression() {
    let server = MockServer::start().await;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b'z'; 200_000]).unwrap();
    let compressed = gz.finish().unwrap();
    assert!(compressed.len() < 4096);
    serve(
        &server,
        "/gz",
        ResponseTemplate::new(200)
            .insert_header("Content-Encoding", "gzip")
            .set_body_raw(compressed, "text/html"),
    )
    .await;
    let u = url(&server, "/gz");
    let cfg = FetchConfig {
        max_body_bytes: 100_000,
        ..config()
    };
    let err = get(&fetcher(&cfg), &u).await.unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err:?}");
    let roomy = FetchConfig {
        max_body_bytes: 200_000,
        ..config()
    };
    let got = get(&fetcher(&roomy), &u).await.unwrap();
    assert_eq!(got.body, vec![b'z'; 200_000]);
}

// ---- redirects ----

fn redirect_to(location: &str) -> ResponseTemplate {
    ResponseTemplate::new(302).insert_header("Location", location)
}

#[tokio::test]
async fn redirect_loop_is_detected() {
    let server = MockServer::start().await;
    serve(&server, "/a", redirect_to("/b")).await;
    serve(&server, "/b", redirect_to("/a")).await;
    let u = url(&server, "/a");
    let err = get(&fetcher(&config()), &u).await.unwrap_err();
    assert!(matches!(err, FetchError::RedirectLoop { .. }), "{err:?}");
    assert_eq!(err.url(), u.as_str());
    assert!(!err.is_transient());
}

#[tokio::test]
async fn too_many_redirects() {
    let server = MockServer::start().await;
    for i in 0..12 {
        serve(
            &server,
            &format!("/r/{i}"),
            redirect_to(&format!("/r/{}", i + 1)),
        )
        .await;
    }
    serve(&server, "/r/12", ResponseTemplate::new(200)).await;
    let u = url(&server, "/r/0");
    let err = get(&fetcher(&config()), &u).await.unwrap_err();
    assert!(
        matches!(err, FetchError::TooManyRedirects { limit: 10, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("10") && err.to_string().contains(u.as_str()));

    // Ten redirects are allowed.
    let ten = url(&server, "/r/2");
    let got = get(&fetcher(&config()), &ten).await.unwrap();
    assert_eq!(got.final_url, url(&server, "/r/12"));
}

#[tokio::test]
async fn final_url_after_redirects() {
    let server = MockServer::start().await;
    serve(
        &server,
        "/start",
        ResponseTemplate::new(301).insert_header("Location", "/one"),
    )
    .await;
    serve(&server, "/one", redirect_to("/two")).await;
    serve(
        &server,
        "/two",
        ResponseTemplate::new(307).insert_header("Location", "/article?id=7"),
    )
    .await;
    serve(
        &server,
        "/article",
        ResponseTemplate::new(200).set_body_raw("<p>done</p>", "text/html; charset=utf-8"),
    )
    .await;
    let u = url(&server, "/start");
    let got = get(&fetcher(&config()), &u).await.unwrap();
    assert_eq!(got.status, 200);
    assert_eq!(got.requested_url, u);
    assert_eq!(got.final_url, url(&server, "/article?id=7"));
    assert_eq!(got.body, b"<p>done</p>");
    assert_eq!(got.attempts, 1);
}

// ---- retries ----

#[tokio::test]
async fn retries_503_then_succeeds() {
    let server = MockServer::start().await;
    let script = Script::new(
        vec![ResponseTemplate::new(503), ResponseTemplate::new(503)],
        ResponseTemplate::new(200).set_body_raw("ok", "text/plain"),
    );
    serve(&server, "/flaky", script.clone()).await;
    let got = get(&fetcher(&config()), &url(&server, "/flaky"))
        .await
        .unwrap();
    assert_eq!((got.status, got.attempts), (200, 3));
    assert_eq!(got.body, b"ok");
    assert_eq!(script.arrivals().len(), 3);
}

#[tokio::test]
async fn persistent_503_comes_back_as_ok_after_all_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/down"))
        .respond_with(ResponseTemplate::new(503).set_body_raw("down", "text/plain"))
        .expect(3)
        .mount(&server)
        .await;
    let got = get(&fetcher(&config()), &url(&server, "/down"))
        .await
        .unwrap();
    assert_eq!((got.status, got.attempts), (503, 3));
    assert_eq!(got.body, b"down");
    server.verify().await;
}

#[tokio::test]
async fn not_found_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let got = get(&fetcher(&config()), &url(&server, "/gone"))
        .await
        .unwrap();
    assert_eq!((got.status, got.attempts), (404, 1));
    server.verify().await;
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    let script = Script::new(
        vec![ResponseTemplate::new(429).insert_header("Retry-After", "1")],
        ResponseTemplate::new(200),
    );
    serve(&server, "/limited", script.clone()).await;
    let got = get(&fetcher(&config()), &url(&server, "/limited"))
        .await
        .unwrap();
    assert_eq!((got.status, got.attempts), (200, 2));
    assert_eq!(
        got.retry_after, None,
        "the final response had no Retry-After"
    );
    let arrivals = script.arrivals();
    assert_eq!(arrivals.len(), 2);
    let gap = arrivals[1] - arrivals[0];
    assert!(
        gap >= Duration::from_secs(1),
        "second attempt after {gap:?}"
    );
    assert!(gap < Duration::from_secs(3), "second attempt after {gap:?}");
}

#[tokio::test]
async fn retry_after_beyond_the_limit_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let cfg = FetchConfig {
        max_retry_after: Duration::from_secs(300),
        ..config()
    };
    let u = url(&server, "/later");
    let started = Instant::now();
    let err = get(&fetcher(&cfg), &u).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    match &err {
        FetchError::RetryAfterTooLong {
            url,
            status,
            retry_after,
            limit,
        } => {
            assert_eq!(url, u.as_str());
            assert_eq!(*status, 429);
            assert_eq!(*retry_after, Duration::from_secs(3600));
            assert_eq!(*limit, Duration::from_secs(300));
        }
        other => panic!("expected RetryAfterTooLong, got {other:?}"),
    }
    assert!(
        err.to_string().contains("1h") && err.to_string().contains("5m"),
        "{err}"
    );
    server.verify().await;
}

#[tokio::test]
async fn connection_refused_is_a_transient_connect_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let u = Url::parse(&format!("http://127.0.0.1:{port}/nothing")).unwrap();
    let err = get(&fetcher(&config()), &u).await.unwrap_err();
    assert!(matches!(err, FetchError::Connect { .. }), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(err.url(), u.as_str());
    assert!(err.to_string().contains(u.as_str()), "{err}");
}

/// With robots.txt respected, a host that cannot be reached is reported as unreachable, about
/// the page asked for, never as a robots.txt problem; and it is asked again next time.
#[tokio::test]
async fn unreachable_host_is_not_a_robots_problem() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let u = Url::parse(&format!("http://127.0.0.1:{port}/article/1")).unwrap();
    let f = fetcher(&FetchConfig {
        respect_robots: true,
        ..config()
    });
    for _ in 0..2 {
        let err = get(&f, &u).await.unwrap_err();
        assert!(matches!(err, FetchError::Connect { .. }), "{err:?}");
        assert_eq!(err.url(), u.as_str());
        let text = err.to_string();
        assert!(
            text.starts_with("cannot connect to fetch http://127.0.0.1"),
            "{text}"
        );
        assert!(
            !text.contains("robots.txt of"),
            "not a robots.txt problem: {text}"
        );
        assert!(err.is_transient());
    }
}

#[tokio::test]
async fn tls_failure_is_not_transient() {
    // https:// to a plain-HTTP server: the handshake fails, and retrying would not help.
    let server = MockServer::start().await;
    let u = Url::parse(&server.uri().replace("http://", "https://")).unwrap();
    let err = get(&fetcher(&config()), &u).await.unwrap_err();
    assert!(matches!(err, FetchError::Client { .. }), "{err:?}");
    assert!(!err.is_transient());
    assert!(server.received_requests().await.unwrap().is_empty());
}

// ---- conditional requests, politeness, headers ----

#[tokio::test]
async fn validators_are_sent_and_304_returned() {
    let server = MockServer::start().await;
    let lm = "Wed, 21 Oct 2015 07:28:00 GMT";
    Mock::given(method("GET"))
        .and(path("/cond"))
        .and(header("if-none-match", "\"v1\""))
        // Not `header(..)`: wiremock splits values on commas, and HTTP-dates contain one.
        .and(move |r: &Request| r.headers.get("if-modified-since").is_some_and(|v| v == lm))
        .respond_with(ResponseTemplate::new(304).insert_header("ETag", "\"v1\""))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cond"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("ETag", "\"v1\"")
                .insert_header("Last-Modified", lm)
                .set_body_raw("fresh", "text/html"),
        )
        .mount(&server)
        .await;
    let f = fetcher(&config());
    let u = url(&server, "/cond");

    let first = get(&f, &u).await.unwrap();
    assert_eq!(first.status, 200);
    assert_eq!(first.etag.as_deref(), Some("\"v1\""));
    assert_eq!(first.last_modified.as_deref(), Some(lm));

    let validators = Validators {
        etag: first.etag.clone(),
        last_modified: first.last_modified.clone(),
    };
    let second = f.get(&u, &validators).await.unwrap();
    assert_eq!(second.status, 304);
    assert!(second.body.is_empty());
    assert_eq!(second.attempts, 1);
    server.verify().await;
}

#[tokio::test]
async fn per_host_interval_spaces_request_starts() {
    let server = MockServer::start().await;
    let script = Script::new(Vec::new(), ResponseTemplate::new(200));
    serve(&server, "/p", script.clone()).await;
    let cfg = FetchConfig {
        // Arrivals are timed at the server, so each carries the scheduling jitter of a loaded
        // machine (tens of ms under CI's parallel tests): the interval is long enough that the
        // slack allowed below cannot hide a missing interval (which would put all three within
        // a few ms).
        per_host_interval: Duration::from_millis(400),
        per_host_concurrency: 3,
        ..config()
    };
    let f = fetcher(&cfg);
    let u = url(&server, "/p");
    let (a, b, c) = tokio::join!(get(&f, &u), get(&f, &u), get(&f, &u));
    for r in [a, b, c] {
        assert_eq!(r.unwrap().status, 200);
    }
    let mut arrivals = script.arrivals();
    arrivals.sort();
    assert_eq!(arrivals.len(), 3);
    let spread = arrivals[2] - arrivals[0];
    assert!(
        spread >= Duration::from_millis(700),
        "3 starts within {spread:?}"
    );
    for pair in arrivals.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(300),
            "{arrivals:?}"
        );
    }
}

#[tokio::test]
async fn user_agent_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("user-agent", UA))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400))
        .mount(&server)
        .await;
    let got = get(&fetcher(&config()), &url(&server, "/ua"))
        .await
        .unwrap();
    assert_eq!(got.status, 200);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].headers["user-agent"], UA);
    assert!(got.elapsed > Duration::ZERO);
}
