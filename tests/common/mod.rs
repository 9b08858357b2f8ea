//! Helpers shared by the integration tests: fixture files, Tencent News page templates, a local
//! HTTP server (wiremock on 127.0.0.1) and running the real binary.
#![allow(dead_code)]

pub mod text_score;
pub mod tree;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

pub const GOLDEN_ID: &str = "20250211A013J400";

pub fn fixture_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

pub fn fixture_bytes(relative: &str) -> Vec<u8> {
    std::fs::read(fixture_path(relative)).unwrap_or_else(|e| panic!("fixture {relative}: {e}"))
}

pub fn fixture_text(relative: &str) -> String {
    String::from_utf8(fixture_bytes(relative)).expect("UTF-8 fixture")
}

pub fn golden() -> String {
    fixture_text(&format!("golden/{GOLDEN_ID}.zh-CN.md"))
}

/// One real article body as served (tests/fixtures/qq/bodies.jsonl).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ServedBody {
    pub id: String,
    pub title: String,
    pub pub_date: String,
    pub description: String,
    /// The list's cover image ('' when none).
    #[serde(default)]
    pub image: String,
    pub link: String,
}

pub fn served_bodies() -> Vec<ServedBody> {
    fixture_text("qq/bodies.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("bodies.jsonl line"))
        .collect()
}

/// The form a body is served in (tencent-news.md §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The body container in the static HTML, as captured.
    Dom,
    /// An empty `#article-content`; the body only in `window.DATA.originContent.text`, its
    /// images replaced by `<!--IMG_n-->` comments described in `originAttribute` (no `alt`).
    JsonOnly,
}

/// A current-template Tencent News page carrying `body_html` in the given form.
pub fn qq_page(
    id: &str,
    title: &str,
    pubtime: &str,
    media: &str,
    body_html: &str,
    form: Form,
) -> String {
    qq_page_with_cover(id, title, pubtime, media, None, body_html, form)
}

/// The body's images as the JSON-only form carries them: `<!--IMG_n-->` in the text, and
/// `originAttribute.IMG_n.imgurl0` holding the URL (`data-src`, else `src`).
pub fn json_placeholders(body_html: &str) -> (String, serde_json::Value) {
    let img = regex::Regex::new(r"<img\b[^>]*>").unwrap();
    let attr = regex::Regex::new(r#"\b(data-src|src)="([^"]*)""#).unwrap();
    let mut attributes = serde_json::Map::new();
    let mut n = 0;
    let text = img.replace_all(body_html, |caps: &regex::Captures<'_>| {
        let tag = &caps[0];
        let urls: Vec<(String, String)> = attr
            .captures_iter(tag)
            .map(|c| (c[1].to_owned(), c[2].replace("&amp;", "&")))
            .collect();
        let url = urls
            .iter()
            .find(|(name, _)| name == "data-src")
            .or_else(|| urls.first())
            .map(|(_, u)| u.clone())
            .unwrap_or_default();
        let key = format!("IMG_{n}");
        n += 1;
        attributes.insert(
            key.clone(),
            serde_json::json!({"imgurl0": url, "style": ""}),
        );
        format!("<!--{key}-->")
    });
    (text.into_owned(), serde_json::Value::Object(attributes))
}

/// [`qq_page`] with an `og:image` cover.
pub fn qq_page_with_cover(
    id: &str,
    title: &str,
    pubtime: &str,
    media: &str,
    cover: Option<&str>,
    body_html: &str,
    form: Form,
) -> String {
    let (text, attributes) = match form {
        Form::Dom => (body_html.to_owned(), serde_json::json!({})),
        Form::JsonOnly => json_placeholders(body_html),
    };
    let data = serde_json::json!({
        "article_id": id,
        "article_type": "0",
        "title": title,
        "media": media,
        "pubtime": pubtime,
        "originContent": {"text": text},
        "originAttribute": attributes,
    });
    let data = serde_json::to_string(&data).unwrap().replace("</", "<\\/");
    let content = match form {
        Form::Dom if body_html.starts_with("<div id=\"article-content\"") => body_html.to_owned(),
        Form::Dom => format!("<div id=\"article-content\">{body_html}</div>"),
        Form::JsonOnly => "<div id=\"article-content\"></div>".to_owned(),
    };
    let cover = cover
        .map(|c| format!("<meta property=\"og:image\" content=\"{c}\">"))
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{title}_腾讯新闻</title>{cover}</head>\
         <body><div class=\"nav\"><a href=\"/\">首页</a></div><h1 id=\"article-title\">{title}</h1>\
         <div id=\"article-author\"><p class=\"media-name\">{media}</p></div>{content}\
         <div class=\"statement\">免责声明：本内容来自腾讯平台创作者，不代表腾讯新闻或腾讯网的观点和立场。</div>\
         <script>window.DATA = {data};</script></body></html>"
    )
}

/// Runs the real `newsvault` binary.
pub fn newsvault(args: &[&str], cwd: &Path) -> Output {
    without_newsvault_env(&mut Command::new(env!("CARGO_BIN_EXE_newsvault")))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run newsvault")
}

/// Clears the environment variables that would point a `newsvault` run at another
/// configuration or archive, or change its log output.
pub fn without_newsvault_env(command: &mut Command) -> &mut Command {
    command
        .env_remove("NEWSVAULT_CONFIG")
        .env_remove("NEWSVAULT_DB")
        .env_remove("RUST_LOG")
}

/// Starts `newsvault --config CONFIG daemon` in `dir`; its log goes to `daemon.log` there (a
/// pipe nobody reads could fill up).
pub fn start_daemon(config: &Path, dir: &Path) -> std::process::Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("daemon.log"))
        .unwrap();
    without_newsvault_env(&mut Command::new(env!("CARGO_BIN_EXE_newsvault")))
        .arg("--config")
        .arg(config)
        .arg("daemon")
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

/// A port on 127.0.0.1 that nothing listens on (just now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs the binary on a blocking thread so the test's local server keeps serving.
pub async fn newsvault_async(args: Vec<String>, cwd: PathBuf) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        newsvault(&args, &cwd)
    })
    .await
    .unwrap()
}

/// A config file pointing Tencent News at a local server, with fast retries and no politeness
/// delay so tests stay quick. Images are not fetched: the fixtures' pages show images on the
/// internet, which tests never reach (tests/images.rs turns them on, with local images).
pub fn write_test_config(dir: &Path, server_uri: &str, extra_fetch: &str) -> PathBuf {
    let path = dir.join("newsvault.toml");
    std::fs::write(
        &path,
        format!(
            "[archive]\npath = \"{}\"\nimages = false\n\n[fetch]\nretries = 2\nretry_base_delay = \"10ms\"\nper_host_interval = \"0s\"\nallow_private_hosts = [\"127.0.0.1\"]\n{extra_fetch}\n\n[sites.qq]\nfetch_base = \"{server_uri}\"\n",
            dir.join("archive.db").display()
        ),
    )
    .unwrap();
    path
}

// ---------------------------------------------------------------------------------------------
// Archives with history, and the server, for the feed and web UI tests
// ---------------------------------------------------------------------------------------------

/// A time `minutes` after 2025-02-11 00:00 UTC.
pub fn at(minutes: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2025-02-11T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc)
        + chrono::Duration::minutes(minutes)
}

/// A document of site qq with this id, title and body.
pub fn qq_document(id: &str, title: &str, body: &str) -> newsvault::document::Document {
    newsvault::document::Document {
        title: title.to_owned(),
        date: "2025-02-11 07:03:08".to_owned(),
        summary: newsvault::document::summarize(body, "zh-CN"),
        site: "qq".to_owned(),
        lang: "zh-CN".to_owned(),
        thumbnail: String::new(),
        body: body.to_owned(),
        source_url: format!("https://new.qq.com/rain/a/{id}"),
    }
}

/// Records a capture of `doc` (its id taken from the source URL) at `when`, with the diff
/// against `previous` stored as the pipeline would.
pub fn record(
    archive: &mut newsvault::archive::Archive,
    doc: &newsvault::document::Document,
    previous: Option<(u32, &newsvault::document::Document)>,
    when: chrono::DateTime<chrono::Utc>,
) -> newsvault::archive::Recorded {
    let id = doc.source_url.rsplit('/').next().unwrap().to_owned();
    let rendered = doc.render();
    let (minor, diff) = match previous {
        Some((seq, old)) => {
            let mut d = newsvault::diff::diff_documents(old, doc);
            d.base = Some(seq);
            (
                newsvault::diff::is_minor_change(&old.render(), &rendered),
                Some(d.to_json()),
            )
        }
        None => (false, None),
    };
    archive
        .record_capture(&newsvault::archive::NewCapture {
            canonical_url: &doc.source_url,
            site: "qq",
            site_article_id: &id,
            lang: "zh-CN",
            title: &doc.title,
            published: &doc.date,
            document: &rendered,
            fetched_at: when,
            http_status: 200,
            final_url: &doc.source_url,
            raw: newsvault::archive::RawBlob::new(rendered.as_bytes()).unwrap(),
            content_type: Some("text/html; charset=utf-8"),
            encoding: "UTF-8",
            etag: None,
            last_modified: None,
            extractor: "qq/1",
            author: Some("环球时报"),
            minor,
            diff: diff.as_deref(),
            date_found: true,
            search: None,
        })
        .unwrap()
}

/// Records a confirmed removal of `url` at `when`.
pub fn remove(
    archive: &mut newsvault::archive::Archive,
    url: &str,
    when: chrono::DateTime<chrono::Utc>,
) {
    let state = archive
        .record_removal(
            url,
            &newsvault::archive::RemovalSighting {
                at: when,
                http_status: 200,
                final_url: "https://www.qq.com/babygohome/?pgv_ref=apub",
                signal: "redirect to the home page",
                raw: "<html><title>腾讯网</title><body>宝贝回家</body></html>".as_bytes(),
                content_type: Some("text/html"),
            },
            1,
            std::time::Duration::ZERO,
        )
        .unwrap();
    assert!(
        matches!(state, newsvault::archive::RemovalState::Confirmed { .. }),
        "{state:?}"
    );
}

pub const HOSTILE_ID: &str = "20250211A0HOST00";
pub const EDITED_ID: &str = "20250211A0EDIT00";
pub const REMOVED_ID: &str = "20250211A0GONE00";
pub const RESTORED_ID: &str = "20250211A0BACK00";

/// A body that would run script if any of it were interpreted.
pub const HOSTILE_BODY: &str = "正文第一段，含有<b>标记</b>与控制字符\u{1}\u{8}\u{1b}和\u{FFFE}。\n\n\
<script>document.title='PWNED'</script>\n\n\
<img src=\"x\" onerror=\"document.body.innerHTML='PWNED-ONERROR'\">\n\n\
[点击这里](javascript:document.title='PWNED-LINK') and <a href=\"javascript:alert(1)\">raw link</a>\n\n\
<iframe src=\"https://evil.example/\"></iframe><style>body{display:none}</style>\n\n\
![配图](https://inews.gtimg.com/om_bt/hostile/641)";

/// An archive with a history of every kind plus `filler` plain articles (for paging):
/// an edited article (new, edit, minor), a hostile one, a removed one, a removed-then-restored
/// one. Returns the archive's path.
pub fn history_archive(dir: &Path, filler: usize) -> PathBuf {
    let path = dir.join("archive.db");
    let mut a = newsvault::archive::Archive::open(&path).unwrap();
    for i in 0..filler {
        let id = format!("20250210A{i:07}");
        record(
            &mut a,
            &qq_document(&id, &format!("填充文章 {i}"), &format!("第{i}篇的正文。")),
            None,
            at(i as i64 - 10_000),
        );
    }
    let v1 = qq_document(
        EDITED_ID,
        "美国总统特朗普表示",
        "美国总统特朗普表示，这是第一版。\n\n第二段没有变化。",
    );
    record(&mut a, &v1, None, at(0));
    let v2 = qq_document(
        EDITED_ID,
        "美国总统拜登表示",
        "美国总统拜登表示，这是第二版。\n\n第二段没有变化。",
    );
    record(&mut a, &v2, Some((1, &v1)), at(60));
    let v3 = qq_document(
        EDITED_ID,
        "美国总统拜登表示",
        "美国总统拜登表示, 这是第二版.\n\n第二段没有变化。",
    );
    assert_eq!(
        record(&mut a, &v3, Some((2, &v2)), at(90)),
        newsvault::archive::Recorded::Changed { seq: 3 }
    );
    let hostile = qq_document(
        HOSTILE_ID,
        "<b>粗体</b> & \"引号\" \u{1}\u{7}标题<script>alert(1)</script>",
        HOSTILE_BODY,
    );
    record(&mut a, &hostile, None, at(120));
    let gone = qq_document(REMOVED_ID, "即将被删除的文章", "这篇文章后来被删除了。");
    record(&mut a, &gone, None, at(150));
    remove(&mut a, &gone.source_url, at(200));
    let back = qq_document(
        RESTORED_ID,
        "删除后恢复的文章",
        "这篇文章被删除后又恢复了。",
    );
    record(&mut a, &back, None, at(160));
    remove(&mut a, &back.source_url, at(210));
    record(&mut a, &back, Some((1, &back)), at(240));
    path
}

/// A running `newsvault serve` (in-process) on 127.0.0.1:0.
pub struct TestServer {
    pub base: String,
    pub dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    /// Serves the archive at `db` with `config` (its archive path is replaced).
    pub async fn start(db: &Path, mut config: newsvault::config::Config) -> TestServer {
        config.archive.path = db.to_path_buf();
        // What it archives shows images on the internet, which tests never reach.
        config.archive.images = false;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = newsvault::server::AppState::new(config).unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            newsvault::server::serve_on(listener, state, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestServer {
            base: format!("http://{addr}"),
            dir: tempfile::tempdir().unwrap(),
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// Validates an Atom document against RFC 4287's RELAX NG schema with jing. Panics (the
/// test fails) when jing is missing: CI installs it.
pub fn jing_validate(xml: &str, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.xml");
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("jing")
        .arg("-c")
        .arg(fixture_path("atom.rnc"))
        .arg(&file)
        .output()
        .expect("jing must be installed (Debian package jing; .ci/run installs it)");
    assert!(
        out.status.success(),
        "{what} is not valid Atom:\n{}{}\n--- document ---\n{xml}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Panics unless the HTML has no script-capable element, no event-handler attribute and no
/// `javascript:` URL, and its only image is the article's own.
pub fn assert_inert_html(html: &str) {
    let doc = scraper::Html::parse_fragment(html);
    let all = scraper::Selector::parse("*").unwrap();
    for el in doc.select(&all) {
        let name = el.value().name();
        assert!(
            !matches!(
                name,
                "script" | "iframe" | "style" | "object" | "embed" | "link" | "meta" | "form"
            ),
            "<{name}> survived in: {html}"
        );
        for (attr, value) in el.value().attrs() {
            assert!(
                !attr.to_ascii_lowercase().starts_with("on"),
                "{attr} on <{name}> survived in: {html}"
            );
            assert!(
                !value.trim().to_ascii_lowercase().starts_with("javascript:"),
                "{attr}={value} on <{name}> survived in: {html}"
            );
        }
        if name == "img" {
            let src = el.value().attr("src").unwrap_or("");
            assert!(
                src.starts_with("https://inews.gtimg.com/"),
                "only the article's own images: {src}"
            );
        }
    }
}

/// Serves any `/rain/a/<ID>` as a Tencent News article; its text carries the current
/// `generation`, so bumping it turns every later check into an edit.
pub struct ArticlePages {
    pub generation: std::sync::Arc<std::sync::atomic::AtomicU32>,
    pub delay: std::time::Duration,
}

impl ArticlePages {
    pub fn new(delay: std::time::Duration) -> Self {
        Self {
            generation: std::sync::Arc::new(std::sync::atomic::AtomicU32::new(1)),
            delay,
        }
    }
}

impl wiremock::Respond for ArticlePages {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let id = request
            .url
            .path()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_owned();
        let generation = self.generation.load(std::sync::atomic::Ordering::SeqCst);
        let body = format!(
            "<div class=\"rich_media_content\"><p>第{generation}版。{id}的正文，讲述了一件事情的来龙去脉。</p><p>第二段：更多的细节与背景。</p></div>"
        );
        let html = qq_page(
            &id,
            &format!("标题{id}"),
            "2025-03-01 08:00:00",
            "媒体",
            &body,
            Form::Dom,
        );
        wiremock::ResponseTemplate::new(200)
            .set_body_raw(html.into_bytes(), "text/html; charset=utf-8")
            .set_delay(self.delay)
    }
}

/// Arrival times of requests at a local server, with their paths.
pub type Arrivals = std::sync::Arc<std::sync::Mutex<Vec<(std::time::Instant, String)>>>;

/// A responder that notes when each request arrived, then answers as `inner` does.
pub struct Timed<R> {
    pub inner: R,
    pub arrivals: Arrivals,
}

impl<R: wiremock::Respond> wiremock::Respond for Timed<R> {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let path = request.url.path().to_owned();
        self.arrivals
            .lock()
            .unwrap()
            .push((std::time::Instant::now(), path));
        self.inner.respond(request)
    }
}

/// Sends SIGTERM to a child process.
pub fn sigterm(child: &std::process::Child) {
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .expect("run kill");
    assert!(status.success());
}

/// Waits for a child to exit by itself, at most `limit`.
pub fn wait_exit(
    child: &mut std::process::Child,
    limit: std::time::Duration,
) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            return status;
        }
        assert!(
            started.elapsed() < limit,
            "the process did not stop within {limit:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Mounts an RSS feed at `/rss.xml` listing `links`, and [`ArticlePages`] (answering after
/// `delay`) at `/rain/a/`.
pub async fn mount_qq_feed(
    server: &wiremock::MockServer,
    links: &[String],
    delay: std::time::Duration,
) {
    use wiremock::matchers::{method, path, path_regex};
    let items: String = links
        .iter()
        .map(|link| format!("<item><title>t</title><link>{link}</link></item>"))
        .collect();
    let rss = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"
    );
    wiremock::Mock::given(method("GET"))
        .and(path("/rss.xml"))
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_raw(rss.into_bytes(), "application/rss+xml"),
        )
        .mount(server)
        .await;
    wiremock::Mock::given(method("GET"))
        .and(path_regex("^/rain/a/"))
        .respond_with(ArticlePages::new(delay))
        .mount(server)
        .await;
}

/// [`history_archive`] (no filler) and the golden article (about DeepSeek, 中美 and 芯片), for
/// the search tests. Returns the archive's path.
pub fn search_archive(dir: &Path) -> PathBuf {
    let path = history_archive(dir, 0);
    let mut a = newsvault::archive::Archive::open(&path).unwrap();
    let doc = newsvault::document::Document::parse(&golden()).unwrap();
    record(&mut a, &doc, None, at(300));
    path
}

/// Every request reached the site at least `interval` (less `jitter`, the most the way from a
/// request's start to the site's note of it may shorten a gap) after the one before, or,
/// rarely, it is the one request after a request the site noted late: a request held up
/// between its start and the site's note (a starved thread) shortens the gap after it by as
/// much as it lengthens the gap before, so the two gaps together still span twice the
/// interval, while two requests let through in one slot do not.
pub fn assert_spaced(arrivals: &Arrivals, interval: Duration, jitter: Duration) {
    let mut log = arrivals.lock().unwrap().clone();
    log.sort_by_key(|(at, _)| *at);
    let mut gaps: Vec<Duration> = log.windows(2).map(|w| w[1].0 - w[0].0).collect();
    gaps.sort();
    let early = gaps.iter().filter(|&&gap| gap < interval).count();
    let mut noted_late = 0;
    for (i, pair) in log.windows(2).enumerate() {
        let gap = pair[1].0 - pair[0].0;
        if gap + jitter >= interval {
            continue;
        }
        let before = i.checked_sub(1).map(|j| pair[1].0 - log[j].0);
        assert!(
            before.is_some_and(|span| span + jitter >= 2 * interval),
            "{} came {gap:?} after {}, closer than the {interval:?} interval, and {before:?} \
             after the request before that",
            pair[1].1,
            pair[0].1
        );
        noted_late += 1;
    }
    println!(
        "{} requests, smallest gaps {:?}, {early} closer than {interval:?}, \
         {noted_late} after a request noted late",
        log.len(),
        &gaps[..gaps.len().min(5)]
    );
    assert!(
        noted_late <= log.len().div_ceil(100),
        "{noted_late} of {} requests came too soon after the one before",
        log.len()
    );
}
