//! The fuzz targets: each takes arbitrary bytes and must return without panicking, whatever
//! they are. Shared by the `fuzz` bench (which mutates a seed corpus) and by
//! `tests/fuzz_regressions.rs` (which replays every input once found to crash).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use newsvault::config::Config;

/// Every target, by name.
pub const TARGETS: &[&str] = &[
    "document", "qq", "generic", "charset", "feed", "lists", "config", "server",
];

/// Runs target `name` on `input`. Panics are the findings; every other outcome is fine.
pub fn run(name: &str, input: &[u8]) {
    match name {
        "document" => document(input),
        "qq" => qq(input),
        "generic" => generic(input),
        "charset" => charset(input),
        "feed" => feed(input),
        "lists" => lists(input),
        "config" => config(input),
        "server" => server(input),
        other => panic!("no fuzz target {other:?} (known: {TARGETS:?})"),
    }
}

/// The archive format: parse, and whatever parses must render and parse back to itself.
fn document(input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    if let Ok(doc) = newsvault::document::Document::parse(text) {
        let rendered = doc.render();
        let again = newsvault::document::Document::parse(&rendered)
            .unwrap_or_else(|e| panic!("a rendered document does not parse back: {e}"));
        assert_eq!(again.render(), rendered, "render is not stable");
    }
}

fn qq(input: &[u8]) {
    let url = "https://new.qq.com/rain/a/20250211A013J400";
    let target = newsvault::sites::resolve(url, &Default::default()).expect("qq url");
    let html = String::from_utf8_lossy(input);
    let final_url = url::Url::parse(url).unwrap();
    let extraction = newsvault::extract::qq::extract(&html, &target, &final_url);
    if let newsvault::extract::Extraction::Article(article) = extraction {
        let _ = article.to_document(&target).render();
    }
}

fn generic(input: &[u8]) {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    let config = CONFIG.get_or_init(Config::default);
    let saved = newsvault::pipeline::extract_saved_page(
        input,
        "https://news.example.com/2024/05/01/story-123456.html",
        config,
    )
    .expect("resolves");
    if let newsvault::extract::Extraction::Article(article) = saved.extraction {
        let target = newsvault::sites::resolve(
            "https://news.example.com/2024/05/01/story-123456.html",
            &config.sites,
        )
        .unwrap();
        let _ = article.to_document(&target).render();
    }
}

fn charset(input: &[u8]) {
    // The first byte picks a declared charset and a TLD hint, the rest is the body.
    let (choice, body) = input.split_first().unwrap_or((&0, input));
    let content_types = [
        None,
        Some("text/html"),
        Some("text/html; charset=gbk"),
        Some("text/html; charset=\"utf-8\""),
        Some("text/html; charset=utf-16le"),
        Some("text/html; charset=x-user-defined"),
        Some("text/html; charset=big5;charset=gb18030"),
        Some("text/html; charset=bogus"),
    ];
    let tlds = [None, Some("cn"), Some("tw"), Some("jp"), Some("com")];
    let ct = content_types[usize::from(choice & 7)];
    let tld = tlds[usize::from(choice >> 3) % tlds.len()];
    let decoded = newsvault::fetch::charset::decode_html(body, ct, tld);
    let _ = newsvault::fetch::charset::prescan(body);
    let _ = decoded;
}

fn feed(input: &[u8]) {
    let base = url::Url::parse("https://example.com/feeds/rss.xml").unwrap();
    if let Ok(read) = newsvault::source::read_feed(input, &base) {
        for c in &read.candidates {
            assert!(
                newsvault::source::is_http_url(&c.url),
                "a non-http link became a candidate: {}",
                c.url
            );
        }
        assert!(
            read.ttl
                .is_none_or(|t| t <= newsvault::source::MAX_FEED_HINT)
        );
    }
}

fn lists(input: &[u8]) {
    let _ = newsvault::sites::qq::lists::parse_channel_page(input);
    let _ = newsvault::sites::qq::lists::parse_author_page(input);
}

fn config(input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let _ = Config::from_toml(text, Path::new("fuzz.toml"));
}

/// The server's request paths: a request written as `METHOD target`, header lines, a blank
/// line and a body, answered by the real router over an archive holding the golden article.
/// Writing is disabled (no token), so no request can make the server fetch anything.
fn server(input: &[u8]) {
    static SERVER: OnceLock<(tokio::runtime::Runtime, axum::Router, tempfile::TempDir)> =
        OnceLock::new();
    let (runtime, router, _dir) = SERVER.get_or_init(server_fixture);
    let Some(request) = parse_request(input) else {
        return;
    };
    use tower::ServiceExt;
    let response = runtime
        .block_on(router.clone().oneshot(request))
        .expect("infallible");
    assert!(
        response
            .headers()
            .contains_key(axum::http::header::CONTENT_SECURITY_POLICY),
        "a response ({}) without the CSP header",
        response.status()
    );
    let _ = runtime.block_on(axum::body::to_bytes(response.into_body(), 16 << 20));
}

fn server_fixture() -> (tokio::runtime::Runtime, axum::Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::default();
    config.archive.path = dir.path().join("archive.db");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/golden/20250211A013J400.zh-CN.md");
    let mut archive = newsvault::archive::Archive::open(&config.archive.path).expect("archive");
    newsvault::import::import_files(&mut archive, &config.sites, &[golden], |_, _| {})
        .expect("import golden");
    drop(archive);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let state = {
        let _guard = runtime.enter();
        newsvault::server::AppState::new(config).expect("state")
    };
    (runtime, newsvault::server::router(state), dir)
}

fn parse_request(input: &[u8]) -> Option<axum::http::Request<axum::body::Body>> {
    let (head, body) = match input.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&input[..at], &input[at + 2..]),
        None => (input, &b""[..]),
    };
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.lines();
    let (method, target) = lines.next()?.split_once(' ')?;
    let mut builder = axum::http::Request::builder().method(method).uri(target);
    for line in lines {
        let (name, value) = line.split_once(':')?;
        builder = builder.header(name.trim(), value.trim());
    }
    builder.body(axum::body::Body::from(body.to_vec())).ok()
}

/// Where a target's seed inputs come from: fixture files and the files in
/// `tests/fixtures/fuzz/seeds/<target>/`.
pub fn seed_files(name: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixtures = root.join("tests/fixtures");
    let mut files: Vec<PathBuf> = match name {
        "document" => vec![fixtures.join("golden/20250211A013J400.zh-CN.md")],
        "qq" | "charset" | "generic" => [
            "golden-json.html",
            "golden-qnt.html",
            "golden-rich.html",
            "page-2019-rain-a.html",
            "page-2019-legacy-finance.gbk.html",
        ]
        .iter()
        .map(|f| fixtures.join("qq").join(f))
        .collect(),
        "config" => vec![root.join("config/newsvault.toml")],
        _ => Vec::new(),
    };
    if let Ok(entries) = std::fs::read_dir(fixtures.join("fuzz/seeds").join(name)) {
        files.extend(entries.flatten().map(|e| e.path()));
    }
    files.extend(regression_files(name));
    files.sort();
    files
}

/// Inputs that once crashed target `name` (`tests/fixtures/fuzz/regressions/<target>/`).
pub fn regression_files(name: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz/regressions")
        .join(name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}
