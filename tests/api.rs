//! The JSON API over real HTTP (a real archive file, the server on 127.0.0.1:0): every
//! endpoint, paging to the end and past it, unknown ids, bad parameters, the write rules
//! (token, target, rate), and conditional requests answered from the change counter.

mod common;

use std::collections::HashSet;

use common::{EDITED_ID, GOLDEN_ID, REMOVED_ID, TestServer, history_archive, search_archive};
use newsvault::config::Config;
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FILLER: usize = 9;
/// Articles in [`history_archive`] besides the filler: edited, hostile, removed, restored.
const STORIES: usize = 4;

/// A client that neither follows redirects nor decompresses (tests see the bytes sent).
fn raw_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_gzip()
        .no_brotli()
        .no_deflate()
        .build()
        .unwrap()
}

/// GETs `path` and returns the status and the JSON body, checking the API's headers.
async fn get_json(server: &TestServer, path: &str) -> (u16, Value) {
    let r = raw_client().get(server.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    assert_eq!(r.headers()["content-type"], "application/json", "{path}");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff", "{path}");
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'"),
        "{path}"
    );
    let body: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    (status, body)
}

/// The message of an error answer, checking its status.
async fn error_of(server: &TestServer, path: &str, status: u16) -> String {
    let (got, body) = get_json(server, path).await;
    assert_eq!(got, status, "{path}: {body}");
    body["error"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn articles_are_listed_paged_searched_and_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = history_archive(dir.path(), FILLER);
    let server = TestServer::start(&db, Config::default()).await;

    // Every article exactly once across the pages, newest archived first.
    let mut next = Some("/api/v1/articles?limit=4".to_owned());
    let mut ids = Vec::new();
    let mut pages = 0;
    while let Some(path) = next {
        let (status, page) = get_json(&server, &path).await;
        assert_eq!(status, 200, "{path}: {page}");
        let articles = page["articles"].as_array().unwrap();
        assert!(articles.len() <= 4);
        ids.extend(
            articles
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_owned()),
        );
        next = page["next"].as_str().map(str::to_owned);
        pages += 1;
        assert!(pages < 10, "paging must end");
    }
    assert_eq!(ids.len(), FILLER + STORIES);
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "no article twice"
    );
    assert_eq!(pages, (FILLER + STORIES).div_ceil(4));

    let (_, first) = get_json(&server, "/api/v1/articles").await;
    let newest = &first["articles"][0];
    assert_eq!(
        first["articles"].as_array().unwrap().len(),
        FILLER + STORIES
    );
    assert_eq!(first["next"], Value::Null);
    assert_eq!(newest["site"], "qq");
    assert_eq!(newest["status"], "live");
    assert_eq!(
        newest["links"]["self"],
        format!("/api/v1/articles/qq/{}", newest["id"].as_str().unwrap())
    );
    let removed = first["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == REMOVED_ID)
        .unwrap();
    assert_eq!(removed["status"], "removed");
    assert_eq!(removed["removal"]["signal"], "redirect to the home page");
    assert_eq!(removed["removal"]["seq"], 2);

    // Past the end: the oldest article's row id as cursor leaves nothing.
    let (status, past) = get_json(&server, "/api/v1/articles?cursor=1").await;
    assert_eq!(status, 200);
    assert_eq!(past["articles"], Value::Array(vec![]));
    assert_eq!(past["next"], Value::Null);

    // A site filter and the title search.
    let (_, qq) = get_json(&server, "/api/v1/articles?site=qq&limit=200").await;
    assert_eq!(qq["articles"].as_array().unwrap().len(), FILLER + STORIES);
    let (_, found) = get_json(&server, "/api/v1/articles?q=%E6%8B%9C%E7%99%BB").await;
    let found: Vec<&str> = found["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        found,
        [EDITED_ID],
        "拜登 is only in the edited article's title"
    );

    // Refusals name what is wrong.
    let m = error_of(&server, "/api/v1/articles?site=nosuch", 404).await;
    assert!(m.contains("nosuch"), "{m}");
    for (query, named) in [
        ("cursor=abc", "cursor"),
        ("cursor=0", "cursor"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=-3", "limit"),
        ("page=2", "page"),
        ("limit=2&limit=3", "limit"),
    ] {
        let m = error_of(&server, &format!("/api/v1/articles?{query}"), 400).await;
        assert!(m.contains(&format!("\"{named}\"")), "{query}: {m}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_article_its_versions_documents_raw_captures_and_diffs() {
    let dir = tempfile::tempdir().unwrap();
    let db = history_archive(dir.path(), 0);
    let server = TestServer::start(&db, Config::default()).await;
    let article = format!("/api/v1/articles/qq/{EDITED_ID}");

    let (status, a) = get_json(&server, &article).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(
        a["article"]["canonical_url"],
        format!("https://new.qq.com/rain/a/{EDITED_ID}")
    );
    assert_eq!(a["article"]["title"], "美国总统拜登表示");
    assert_eq!(a["article"]["latest_seq"], 3);
    let kinds: Vec<&str> = a["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["new", "edit", "minor"]);
    assert_eq!(a["versions"][1]["url"], format!("{article}/versions/2"));

    // One version: its document and its raw capture's description.
    let (status, v) = get_json(&server, &format!("{article}/versions/1")).await;
    assert_eq!(status, 200, "{v}");
    let document = v["document"].as_str().unwrap();
    assert!(
        document.contains("特朗普") && !document.contains("拜登"),
        "{document}"
    );
    let raw = &v["raw"];
    assert_eq!(raw["content_type"], "text/html; charset=utf-8");
    assert_eq!(raw["url"], format!("{article}/versions/1/raw"));
    assert_eq!(raw["fetched_at"], v["version"]["fetched_at"]);

    // The raw bytes: a download, never a page.
    let r = raw_client()
        .get(server.url(raw["url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert_eq!(
        r.headers()["content-disposition"],
        format!("attachment; filename=\"qq-{EDITED_ID}-v1.raw\"")
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let bytes = r.bytes().await.unwrap();
    assert_eq!(raw["size"], bytes.len());
    assert_eq!(raw["hash"], blake3::hash(&bytes).to_hex().as_str());
    // (The test archive stores the rendered document as the raw capture.)
    assert_eq!(&bytes[..], document.as_bytes());

    // A removal: no document; its raw capture is the page served in the article's place.
    let removal = format!("/api/v1/articles/qq/{REMOVED_ID}/versions/2");
    let (_, v) = get_json(&server, &removal).await;
    assert_eq!(v["version"]["kind"], "removed");
    assert_eq!(v["document"], Value::Null);
    let r = raw_client()
        .get(server.url(&format!("{removal}/raw")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert!(
        String::from_utf8(r.bytes().await.unwrap().to_vec())
            .unwrap()
            .contains("宝贝回家")
    );

    // Diffs: the last two by default, any pair on request, none with a removal.
    let (_, d) = get_json(&server, &format!("{article}/diff?a=1&b=2")).await;
    let spans = d["diff"]["body"].as_array().unwrap();
    let text_of = |op: &str| -> String {
        spans
            .iter()
            .filter(|s| s[0] == op)
            .map(|s| s[1].as_str().unwrap())
            .collect()
    };
    assert!(text_of("-").contains("特朗普"), "{d}");
    assert!(text_of("+").contains("拜登"), "{d}");
    assert_eq!(d["a"]["seq"], 1);
    assert_eq!(d["b"]["seq"], 2);
    let (_, d) = get_json(&server, &format!("{article}/diff")).await;
    assert_eq!(
        (d["a"]["seq"].as_u64(), d["b"]["seq"].as_u64()),
        (Some(2), Some(3))
    );
    let (_, d) = get_json(&server, &format!("/api/v1/articles/qq/{REMOVED_ID}/diff")).await;
    assert_eq!(d["b"]["kind"], "removed");
    assert_eq!(d["diff"], Value::Null);

    // Unknown ids are 404s, malformed ones 400s, each saying which.
    let m = error_of(&server, "/api/v1/articles/qq/nosuch", 404).await;
    assert!(m.contains("qq/nosuch"), "{m}");
    let m = error_of(&server, &format!("{article}/versions/9"), 404).await;
    assert!(m.contains("no version 9"), "{m}");
    let m = error_of(&server, &format!("{article}/versions/9/raw"), 404).await;
    assert!(m.contains("raw capture"), "{m}");
    let m = error_of(&server, &format!("{article}/versions/x"), 400).await;
    assert!(m.contains("\"x\""), "{m}");
    let m = error_of(&server, &format!("{article}/versions/0"), 400).await;
    assert!(m.contains("\"0\""), "{m}");
    let m = error_of(&server, &format!("{article}/diff?a=9"), 404).await;
    assert!(m.contains("no version 9"), "{m}");
    let m = error_of(&server, &format!("{article}/diff?b=two"), 400).await;
    assert!(m.contains("\"b\""), "{m}");
    let m = error_of(&server, &format!("{article}?v=1"), 400).await;
    assert!(m.contains("\"v\""), "{m}");
    let m = error_of(&server, "/api/v1/nothing/here", 404).await;
    assert!(m.contains("/api/v1/nothing/here"), "{m}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sources_and_queue() {
    let dir = tempfile::tempdir().unwrap();
    let db = history_archive(dir.path(), 0);
    {
        let mut a = newsvault::archive::Archive::open(&db).unwrap();
        a.register_source("polled-feed", "feed").unwrap();
        let items = [
            newsvault::archive::ToQueue {
                url: "https://new.qq.com/rain/a/20250212A0QUEUE0",
                kind: "text",
                title: Some("排队的文章"),
                published: None,
                listing: None,
            },
            newsvault::archive::ToQueue {
                url: "https://new.qq.com/rain/a/20250212A0VIDEO0",
                kind: "video",
                title: None,
                published: None,
                listing: None,
            },
        ];
        let poll = newsvault::archive::PollRecord {
            at: common::at(300),
            error: None,
            etag: None,
            last_modified: None,
            interval: std::time::Duration::from_secs(600),
            next_poll_at: common::at(310),
            listed: 2,
            queued: 2,
        };
        a.record_poll("polled-feed", &items, &poll).unwrap();
    }
    let config: Config = toml::from_str(
        "[[sources]]\nname = \"polled-feed\"\nkind = \"feed\"\nurl = \"https://feeds.example.com/a.xml\"\n\
         [[sources]]\nname = \"new-feed\"\nkind = \"feed\"\nurl = \"https://feeds.example.com/b.xml\"\n",
    )
    .unwrap();
    let server = TestServer::start(&db, config).await;

    let (status, s) = get_json(&server, "/api/v1/sources").await;
    assert_eq!(status, 200, "{s}");
    let sources = s["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2, "{s}");
    assert_eq!(sources[0]["name"], "polled-feed");
    assert_eq!(sources[0]["polled"], true);
    assert_eq!(sources[0]["items_listed"], 2);
    assert_eq!(sources[0]["next_poll_at"], "2025-02-11T05:10:00.000Z");
    assert_eq!(sources[1]["name"], "new-feed");
    assert_eq!(sources[1]["polled"], false);
    assert_eq!(sources[1]["last_poll_at"], Value::Null);

    let (status, q) = get_json(&server, "/api/v1/queue").await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(
        q["pending"].as_u64().unwrap() + q["skipped"].as_u64().unwrap(),
        2,
        "{q}"
    );
    assert_eq!(q["done"], 0);
    let m = error_of(&server, "/api/v1/queue?all=1", 400).await;
    assert!(m.contains("\"all\""), "{m}");
    server.stop().await;
}

/// A server whose qq articles are fetched from a local mock, with a token set.
async fn writable_server(db: &std::path::Path, site: &MockServer, per_minute: u32) -> TestServer {
    let mut config = Config::default();
    config.sites.qq.fetch_base = site.uri();
    config.fetch.per_host_interval = std::time::Duration::ZERO;
    config.fetch.allow_private_hosts = vec!["127.0.0.1".into()];
    config.archive.images = false;
    config.server.token = "s3cret-token".into();
    config.server.writes_per_minute = per_minute;
    TestServer::start(db, config).await
}

async fn post_json(
    server: &TestServer,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = raw_client().post(server.url(path)).body(body.to_owned());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let r = request.send().await.unwrap();
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    assert_eq!(
        headers["content-type"], "application/json",
        "{path} {status}"
    );
    assert!(headers.contains_key("content-security-policy"), "{path}");
    let value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    (status, headers, value)
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_need_the_token_a_public_target_and_their_turn() {
    let site = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/rain/a/{GOLDEN_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            common::fixture_text("qq/golden-rich.html").into_bytes(),
            "text/html; charset=utf-8",
        ))
        .mount(&site)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let db = history_archive(dir.path(), 0);
    let server = writable_server(&db, &site, 100).await;
    let golden = format!("https://new.qq.com/rain/a/{GOLDEN_ID}");
    let archive_body = format!("{{\"url\": \"{golden}\"}}");

    // No token: 401 asking for one; a wrong one: 403. Nothing is archived.
    let (status, headers, e) = post_json(&server, "/api/v1/archive", None, &archive_body).await;
    assert_eq!(status, 401, "{e}");
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let (status, _, e) = post_json(&server, "/api/v1/archive", Some("wrong"), &archive_body).await;
    assert_eq!(status, 403, "{e}");
    let wrong_in_body = format!("{{\"url\": \"{golden}\", \"token\": \"wrong\"}}");
    let (status, _, _) = post_json(&server, "/api/v1/archive", None, &wrong_in_body).await;
    assert_eq!(status, 403);
    let (status, _) = get_json(&server, &format!("/api/v1/articles/qq/{GOLDEN_ID}")).await;
    assert_eq!(status, 404);

    // Private and local targets are refused even with the token; bad bodies are named.
    for target in [
        "http://127.0.0.2:8080/x",
        "http://localhost/",
        "http://[::1]/",
    ] {
        let body = format!("{{\"url\": \"{target}\"}}");
        let (status, _, e) =
            post_json(&server, "/api/v1/archive", Some("s3cret-token"), &body).await;
        assert_eq!(status, 400, "{target}: {e}");
        assert!(e["error"].as_str().unwrap().contains("refused"), "{e}");
    }
    for body in ["url=x", "{\"link\": \"https://example.com/\"}", "{}"] {
        let (status, _, e) =
            post_json(&server, "/api/v1/archive", Some("s3cret-token"), body).await;
        assert_eq!(status, 400, "{body}: {e}");
        assert!(e["error"].as_str().unwrap().contains("request body"), "{e}");
    }
    let big = format!(
        "{{\"url\": \"{}\"}}",
        "x".repeat(newsvault::server::MAX_BODY_BYTES)
    );
    let (status, _, e) = post_json(&server, "/api/v1/archive", Some("s3cret-token"), &big).await;
    assert_eq!(status, 413, "{e}");

    // The wrong method and an unknown check target.
    let (status, e) = get_json(&server, "/api/v1/archive").await;
    assert_eq!(status, 405, "{e}");
    assert!(e["error"].as_str().unwrap().contains("GET"), "{e}");
    let (status, _, e) = post_json(
        &server,
        "/api/v1/check",
        Some("s3cret-token"),
        "{\"article\": \"https://new.qq.com/rain/a/20250101A0NONE00\"}",
    )
    .await;
    assert_eq!(status, 404, "{e}");

    // With the token (bearer or body field): archived, then re-checked.
    let (status, _, done) = post_json(
        &server,
        "/api/v1/archive",
        Some("s3cret-token"),
        &archive_body,
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["outcome"], "archived");
    assert_eq!(done["article"], format!("/api/v1/articles/qq/{GOLDEN_ID}"));
    let (status, a) = get_json(&server, done["article"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(a["article"]["title"], "赵明昊：摆脱“输赢视角”，共促AI发展");
    let check = format!("{{\"article\": \"{golden}\", \"token\": \"s3cret-token\"}}");
    let (status, _, checked) = post_json(&server, "/api/v1/check", None, &check).await;
    assert_eq!(status, 200, "{checked}");
    assert_eq!(checked["outcome"], "archived");
    assert!(
        checked["summary"].as_str().unwrap().contains("unchanged"),
        "{checked}"
    );
    server.stop().await;

    // The write limit applies to the API as to the forms, in JSON.
    let server = writable_server(&db, &site, 1).await;
    let (status, _, _) = post_json(&server, "/api/v1/archive", None, &archive_body).await;
    assert_eq!(status, 401);
    let (status, headers, e) = post_json(&server, "/api/v1/archive", None, &archive_body).await;
    assert_eq!(status, 429, "{e}");
    assert!(headers.contains_key("retry-after"));
    assert!(e["error"].as_str().unwrap().contains("at most 1"), "{e}");
    server.stop().await;

    // No token configured: writing is off.
    let server = TestServer::start(&db, Config::default()).await;
    let (status, _, e) =
        post_json(&server, "/api/v1/archive", Some("anything"), &archive_body).await;
    assert_eq!(status, 403);
    assert!(e["error"].as_str().unwrap().contains("disabled"), "{e}");
    server.stop().await;
}

/// The counter in a validator `W/"<counter hex>-<hash>"`.
fn counter_of(etag: &str) -> u64 {
    let hex = etag.trim_start_matches("W/\"").split('-').next().unwrap();
    u64::from_str_radix(hex, 16).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_requests_are_answered_from_the_change_counter() {
    let dir = tempfile::tempdir().unwrap();
    let db = history_archive(dir.path(), 3);
    let server = TestServer::start(&db, Config::default()).await;
    let client = raw_client();
    let paths = [
        "/feed.atom".to_owned(),
        "/changes.atom".to_owned(),
        "/".to_owned(),
        "/?q=%E6%8B%9C%E7%99%BB".to_owned(),
        "/status".to_owned(),
        format!("/a/qq/{EDITED_ID}"),
        format!("/a/qq/{EDITED_ID}/diff?a=1&b=2"),
        "/api/v1/articles".to_owned(),
        format!("/api/v1/articles/qq/{EDITED_ID}/versions/1/raw"),
    ];
    let mut etags = Vec::new();
    for path in &paths {
        let first = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(first.status(), 200, "{path}");
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        assert!(etag.starts_with("W/\""), "{path}: {etag}");
        assert_eq!(first.headers()["vary"], "accept-encoding", "{path}");
        let plain = first.bytes().await.unwrap();

        // The validator gives a 304, with the security headers and no body.
        let r = client
            .get(server.url(path))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 304, "{path}");
        assert_eq!(r.headers()["etag"], etag.as_str());
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert!(r.headers().contains_key("content-security-policy"));
        assert!(r.bytes().await.unwrap().is_empty());

        // Again without it: the same answer; compressed as asked, decompressing to it.
        let again = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(again.headers()["etag"], etag.as_str());
        assert_eq!(again.bytes().await.unwrap(), plain, "{path}");
        for (coding, decode) in [
            ("br", decode_br as fn(&[u8]) -> Vec<u8>),
            ("gzip", decode_gzip),
        ] {
            let r = client
                .get(server.url(path))
                .header("accept-encoding", coding)
                .send()
                .await
                .unwrap();
            assert_eq!(r.headers()["etag"], etag.as_str(), "{path} {coding}");
            if plain.len() >= 256 {
                assert_eq!(r.headers()["content-encoding"], coding, "{path}");
                assert_eq!(decode(&r.bytes().await.unwrap()), plain, "{path} {coding}");
            }
        }
        etags.push(etag);
    }
    assert_eq!(
        etags.iter().collect::<HashSet<_>>().len(),
        etags.len(),
        "each request has its own validator"
    );
    let other_host = client
        .get(server.url("/feed.atom"))
        .header("host", "feeds.example.com")
        .send()
        .await
        .unwrap();
    assert_ne!(
        other_host.headers()["etag"],
        etags[0].as_str(),
        "links differ by host"
    );

    // A write (another connection, as another process would) moves the counter: every
    // validator is stale, and the answers show the change.
    {
        let mut a = newsvault::archive::Archive::open(&db).unwrap();
        common::record(
            &mut a,
            &common::qq_document("20250212A0NEWS00", "新文章", "新的正文。"),
            None,
            common::at(10_000),
        );
    }
    for (path, old) in paths.iter().zip(&etags) {
        let r = client
            .get(server.url(path))
            .header("if-none-match", old)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let new = r.headers()["etag"].to_str().unwrap().to_owned();
        assert!(
            counter_of(&new) > counter_of(old),
            "{path}: {old} then {new}"
        );
    }
    let feed = client
        .get(server.url("/feed.atom"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(feed.contains("新文章"));
    let (_, listed) = get_json(&server, "/api/v1/articles?limit=1").await;
    assert_eq!(listed["articles"][0]["title"], "新文章");
    server.stop().await;
}

fn decode_br(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut brotli::Decompressor::new(bytes, 4096), &mut out).unwrap();
    out
}

fn decode_gzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

/// `q` on `/articles` is the full-text search: results best first with what matched (the
/// version, the rank, title and snippet with their marks in characters), `versions=all`,
/// paging by results skipped, and refusals that say what is wrong.
#[tokio::test(flavor = "multi_thread")]
async fn articles_q_is_the_full_text_search() {
    let dir = tempfile::tempdir().unwrap();
    let db = search_archive(dir.path());
    let server = TestServer::start(&db, Config::default()).await;

    let (status, found) = get_json(&server, "/api/v1/articles?q=%E4%B8%AD%E7%BE%8E").await;
    assert_eq!(status, 200);
    assert_eq!(found["next"], Value::Null);
    let hits = found["articles"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "{found}");
    assert_eq!(hits[0]["id"], GOLDEN_ID);
    assert_eq!(hits[0]["status"], "live");
    assert_eq!(hits[0]["links"]["page"], format!("/a/qq/{GOLDEN_ID}"));
    let search = &hits[0]["search"];
    assert_eq!(search["seq"], 1);
    assert!(search["score"].as_f64().unwrap() > 0.0, "{search}");
    assert_eq!(search["title"]["marks"], serde_json::json!([]));
    let snippet = search["snippet"]["text"].as_str().unwrap();
    assert!(
        snippet.starts_with("…讶，似乎展现了美国决策者愿意用“非零和”视角看待中美科技竞争，"),
        "{snippet}"
    );
    assert_eq!(search["snippet"]["marks"], serde_json::json!([[25, 27]]));
    let marked: String = snippet.chars().skip(25).take(2).collect();
    assert_eq!(marked, "中美");

    // A word of the golden article's body and of the edited article's first version only.
    let ids = |v: &Value| -> Vec<(String, u64)> {
        v["articles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["id"].as_str().unwrap().to_owned(),
                    a["search"]["seq"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let trump = "/api/v1/articles?q=%E7%89%B9%E6%9C%97%E6%99%AE";
    let (_, latest) = get_json(&server, trump).await;
    assert_eq!(ids(&latest), [(GOLDEN_ID.to_owned(), 1)]);
    let (_, all) = get_json(&server, &format!("{trump}&versions=all")).await;
    assert_eq!(
        ids(&all),
        [(EDITED_ID.to_owned(), 1), (GOLDEN_ID.to_owned(), 1)]
    );
    // One result a page: `next` skips the results already seen, and keeps versions=all.
    let (_, first) = get_json(&server, &format!("{trump}&versions=all&limit=1")).await;
    assert_eq!(ids(&first), [(EDITED_ID.to_owned(), 1)]);
    let next = first["next"].as_str().unwrap();
    assert_eq!(
        next,
        "/api/v1/articles?q=%E7%89%B9%E6%9C%97%E6%99%AE&versions=all&cursor=1&limit=1"
    );
    let (_, second) = get_json(&server, next).await;
    assert_eq!(ids(&second), [(GOLDEN_ID.to_owned(), 1)]);
    assert_eq!(second["next"], Value::Null);
    let (_, past) = get_json(&server, &format!("{trump}&cursor=5")).await;
    assert_eq!(past["articles"], Value::Array(vec![]));
    // A removed article is found by its last good text.
    let (_, removed) = get_json(&server, "/api/v1/articles?q=%E8%A2%AB%E5%88%A0%E9%99%A4").await;
    assert_eq!(ids(&removed)[0].0, REMOVED_ID);
    assert_eq!(removed["articles"][0]["status"], "removed");
    // A site filter; search syntax is only text.
    let (_, none) = get_json(
        &server,
        "/api/v1/articles?q=%E4%B8%AD%E7%BE%8E&site=qq&versions=latest",
    )
    .await;
    assert_eq!(none["articles"].as_array().unwrap().len(), 1);
    let (status, syntax) = get_json(
        &server,
        "/api/v1/articles?q=%E4%B8%AD%E7%BE%8E%20OR%20NEAR(%22x",
    )
    .await;
    assert_eq!(
        (status, syntax["articles"].as_array().unwrap().len()),
        (200, 0)
    );

    for (path, status, says) in [
        (
            "/api/v1/articles?q=%22*%22",
            400,
            "parameter \"q\": the query has no letters, digits or CJK characters to search for",
        ),
        (
            "/api/v1/articles?q=x&versions=some",
            400,
            "parameter \"versions\" must be \"latest\" or \"all\", not \"some\"",
        ),
        (
            "/api/v1/articles?versions=all",
            400,
            "parameter \"versions\" needs \"q\"",
        ),
        (
            "/api/v1/articles?q=x&site=nosuch",
            404,
            "no archived article of site \"nosuch\"",
        ),
    ] {
        assert_eq!(error_of(&server, path, status).await, says, "{path}");
    }
}
