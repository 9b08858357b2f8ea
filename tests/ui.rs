//! The web UI in a real browser (headless Chromium, `--dump-dom`): the list, article, history
//! and diff pages show what they should, and an archived body carrying `<script>`, `onerror=`
//! and `javascript:` links runs nothing. Then the server's rules over real HTTP: writing needs
//! the token, local targets are refused, bodies and query strings are bounded, and archiving a
//! URL from the UI runs the pipeline. Chromium is required: a missing one fails the test.

mod common;

use std::process::Command;

use common::{
    EDITED_ID, GOLDEN_ID, HOSTILE_ID, REMOVED_ID, TestServer, fixture_text, history_archive,
    search_archive,
};
use newsvault::config::Config;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The DOM Chromium builds for `url`, after scripts (if any could run) have run. Every host
/// but 127.0.0.1 resolves to nothing, so an article's images never leave the machine.
async fn dump_dom(url: &str) -> String {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let out = chromium(1280, &url, &["--dump-dom".to_owned()]);
        let dom = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success() && dom.contains("<html"),
            "chromium failed on {url}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        dom
    })
    .await
    .unwrap()
}

fn form_body(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn title_of(dom: &str) -> &str {
    let s = dom.find("<title>").map_or(0, |i| i + 7);
    &dom[s..s + dom[s..].find("</title>").unwrap_or(0)]
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_show_the_archive_in_a_browser_and_run_nothing_archived() {
    // The harness can see a script run: a page without our sanitising and CSP changes its
    // title under --dump-dom.
    let control = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/control"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "<html><head><title>before</title></head><body><script>document.title='PWNED'</script></body></html>",
            "text/html",
        ))
        .mount(&control)
        .await;
    let dom = dump_dom(&format!("{}/control", control.uri())).await;
    assert_eq!(
        title_of(&dom),
        "PWNED",
        "scripts run in this browser: {dom}"
    );

    let dir = tempfile::tempdir().unwrap();
    let db = history_archive(dir.path(), 60);
    let server = TestServer::start(&db, Config::default()).await;

    // The list: newest first, paged, with a site filter and a title search.
    let dom = dump_dom(&server.url("/")).await;
    assert!(
        dom.contains("美国总统拜登表示") && dom.contains("删除后恢复的文章"),
        "{dom}"
    );
    assert!(
        dom.find("删除后恢复的文章") < dom.find("美国总统拜登表示"),
        "newest first"
    );
    assert!(
        dom.contains("removed</span>"),
        "the removed article is marked"
    );
    assert!(
        !dom.contains("填充文章 0<"),
        "the oldest is on a later page"
    );
    let older = dom
        .find("rel=\"next\" href=\"")
        .map(|i| &dom[i + 17..])
        .unwrap();
    let older = older[..older.find('"').unwrap()].replace("&amp;", "&");
    let dom = dump_dom(&server.url(&older)).await;
    assert!(dom.contains("填充文章 0<"), "{dom}");
    let dom = dump_dom(&server.url("/?q=%E6%8B%9C%E7%99%BB&site=qq")).await;
    assert!(dom.contains("美国总统<mark>拜登</mark>表示"), "{dom}");
    assert!(
        !dom.contains("删除后恢复的文章") && !dom.contains("填充文章"),
        "{dom}"
    );

    // An article with its versions, and a diff by character.
    let dom = dump_dom(&server.url(&format!("/a/qq/{EDITED_ID}"))).await;
    assert!(
        dom.contains("美国总统拜登表示, 这是第二版."),
        "latest version: {dom}"
    );
    assert!(
        dom.contains("href=\"https://new.qq.com/rain/a/20250211A0EDIT00\""),
        "source link"
    );
    for kind in ["<td>new</td>", "<td>edit</td>", "<td>minor</td>"] {
        assert!(dom.contains(kind), "{kind}: {dom}");
    }
    let dom = dump_dom(&server.url(&format!("/a/qq/{EDITED_ID}?v=1"))).await;
    assert!(dom.contains("这是第一版"), "an older version: {dom}");
    let dom = dump_dom(&server.url(&format!("/a/qq/{EDITED_ID}/diff?a=1&b=2"))).await;
    assert!(dom.contains("<del>特朗普</del><ins>拜登</ins>"), "{dom}");
    assert!(
        dom.contains("<strong>title</strong>"),
        "changed fields first: {dom}"
    );
    let dom = dump_dom(&server.url(&format!("/a/qq/{EDITED_ID}/diff?a=1&b=3"))).await;
    assert!(
        dom.contains("<del>特朗普</del><ins>拜登</ins>"),
        "any two versions: {dom}"
    );

    // A removed article: the last good version and the evidence.
    let dom = dump_dom(&server.url(&format!("/a/qq/{REMOVED_ID}"))).await;
    assert!(dom.contains("Removed from the source"), "{dom}");
    assert!(
        dom.contains(
            "redirect to the home page, HTTP 200, final URL https://www.qq.com/babygohome/"
        )
    );
    assert!(dom.contains("这篇文章后来被删除了。"), "last good version");
    assert!(dom.contains("宝贝回家"), "the page served in its place");

    // The status page.
    let dom = dump_dom(&server.url("/status")).await;
    assert!(dom.contains("<th>Articles</th><td>64</td>"), "{dom}");

    // The hostile article: everything is text, nothing ran, nothing active is left.
    let dom = dump_dom(&server.url(&format!("/a/qq/{HOSTILE_ID}"))).await;
    assert!(!title_of(&dom).contains("PWNED"), "{}", title_of(&dom));
    assert!(
        title_of(&dom).contains("&lt;b&gt;粗体"),
        "{}",
        title_of(&dom)
    );
    assert!(
        dom.contains("<nav>") && dom.contains("正文第一段"),
        "the body was not replaced: {dom}"
    );
    let article = &dom[dom.find("<article id=\"body\">").unwrap()..];
    let article = &article[..article.find("</article>").unwrap() + 10];
    common::assert_inert_html(article);
    assert!(
        article.contains("&lt;script&gt;document.title='PWNED'&lt;/script&gt;"),
        "shown as text: {article}"
    );
    assert!(
        article.contains("src=\"https://inews.gtimg.com/om_bt/hostile/641\""),
        "{article}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn writing_needs_the_token_and_local_targets_are_refused() {
    let site = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/rain/a/{GOLDEN_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture_text("qq/golden-rich.html").into_bytes(),
            "text/html; charset=utf-8",
        ))
        .mount(&site)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let db = history_archive(dir.path(), 0);
    let mut config = Config::default();
    config.sites.qq.fetch_base = site.uri();
    config.fetch.per_host_interval = std::time::Duration::ZERO;
    config.fetch.allow_private_hosts = vec!["127.0.0.1".into()];
    config.archive.images = false;
    config.server.token = "s3cret-token".into();
    let server = TestServer::start(&db, config).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let article = format!("https://new.qq.com/rain/a/{GOLDEN_ID}");
    let post = |path: &str, form: Vec<(&str, String)>| {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        client
            .post(server.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body(&pairs))
            .send()
    };

    // Every response forbids script and remote loads.
    let r = client.get(server.url("/")).send().await.unwrap();
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.starts_with("default-src 'none'; img-src https: http:"),
        "{csp}"
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");

    // No token, a wrong token: refused, nothing archived.
    for form in [
        vec![("url", article.clone())],
        vec![("url", article.clone()), ("token", "wrong".into())],
    ] {
        let r = post("/archive", form).await.unwrap();
        assert_eq!(r.status(), 403);
    }
    let r = post(
        "/check",
        vec![("article", format!("https://new.qq.com/rain/a/{EDITED_ID}"))],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        newsvault::archive::Archive::open(&db)
            .unwrap()
            .article(&article)
            .unwrap()
            .is_none()
    );

    // Local targets are refused even with the token (only the test server's own address is
    // allowed).
    for target in [
        "http://127.0.0.2:8080/x",
        "http://localhost/",
        "http://169.254.169.254/",
        "http://[::1]/",
    ] {
        let r = post(
            "/archive",
            vec![("url", target.into()), ("token", "s3cret-token".into())],
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 400, "{target}");
        assert!(r.text().await.unwrap().contains("refused"));
    }

    // Bounded bodies and query strings.
    let big = "x".repeat(newsvault::server::MAX_BODY_BYTES + 1);
    let r = post(
        "/archive",
        vec![("url", big), ("token", "s3cret-token".into())],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 413);
    let r = client
        .get(server.url(&format!(
            "/?q={}",
            "a".repeat(newsvault::server::MAX_QUERY_BYTES + 1)
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 414);
    assert!(
        r.headers().contains_key("content-security-policy"),
        "the 414 answer carries the CSP too"
    );

    // With the token (as a form field or a bearer header): archived through the pipeline.
    let r = post(
        "/archive",
        vec![("url", article.clone()), ("token", "s3cret-token".into())],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("/a/qq/{GOLDEN_ID}"));
    let page = client
        .get(server.url(&format!("/a/qq/{GOLDEN_ID}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("赵明昊：摆脱“输赢视角”，共促AI发展"),
        "{page}"
    );
    let r = client
        .post(server.url("/check"))
        .bearer_auth("s3cret-token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[("article", article.as_str())]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let a = newsvault::archive::Archive::open(&db).unwrap();
    assert_eq!(
        a.versions(&article).unwrap().len(),
        1,
        "unchanged on re-check"
    );
    assert_eq!(
        a.fetch_log(&article).unwrap().len(),
        2,
        "the archive and the re-check both went through the pipeline"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn writing_is_disabled_without_a_configured_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = history_archive(dir.path(), 0);
    let server = TestServer::start(&db, Config::default()).await;
    let r = reqwest::Client::new()
        .post(server.url("/archive"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("url", "https://new.qq.com/rain/a/20250211A013J400"),
            ("token", ""),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("disabled"));
    server.stop().await;
}

/// Runs headless Chromium at a window `width` px wide on `url` with extra arguments.
fn chromium(width: u32, url: &str, extra: &[String]) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--window-size={width},900"))
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium must be installed (Debian package chromium; .ci/run installs it)")
}

/// The width of a PNG file (its IHDR chunk).
fn png_width(png: &[u8]) -> u32 {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    u32::from_be_bytes(png[16..20].try_into().unwrap())
}

/// What a harness page measured of a page framed at `width` px: the widest elements that go
/// past the viewport's right edge. The page and its stylesheet are copied to a plain local
/// server (no CSP, no frame-ancestors) next to the harness, so its script may look inside.
async fn overflowing_elements(
    harness: &MockServer,
    name: &str,
    html: &str,
    width: u32,
) -> Vec<String> {
    let page = format!("/copy/{name}.html");
    Mock::given(method("GET"))
        .and(path(page.clone()))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(html.to_owned(), "text/html; charset=utf-8"),
        )
        .mount(harness)
        .await;
    let script = format!(
        "<!DOCTYPE html><html><body style=\"margin:0\">\
         <iframe id=\"f\" src=\"{page}\" style=\"width:{width}px;height:900px;border:0\"></iframe>\
         <pre id=\"result\">pending</pre><script>\
         document.getElementById('f').addEventListener('load', function () {{\
           var d = this.contentDocument, w = d.documentElement.clientWidth, bad = [];\
           d.querySelectorAll('body *').forEach(function (e) {{\
             var r = e.getBoundingClientRect();\
             if (r.width > 0 && (r.right > w + 0.5 || r.left < -0.5))\
               bad.push(e.tagName + (e.id ? '#' + e.id : '') + ' ' + Math.round(r.left) + '..' + Math.round(r.right));\
           }});\
           if (d.documentElement.scrollWidth > w) bad.push('page scrolls sideways: ' + d.documentElement.scrollWidth);\
           document.getElementById('result').textContent = 'RESULT' + JSON.stringify({{width: w, bad: bad}}) + 'END';\
         }});</script></body></html>"
    );
    let harness_path = format!("/harness/{name}-{width}.html");
    Mock::given(method("GET"))
        .and(path(harness_path.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(script, "text/html; charset=utf-8"))
        .mount(harness)
        .await;
    let dom = dump_dom(&format!("{}{harness_path}", harness.uri())).await;
    let json = dom
        .split("RESULT")
        .nth(1)
        .and_then(|s| s.split("END").next())
        .unwrap_or_else(|| panic!("{name} at {width}: the harness did not measure: {dom}"));
    let json = json
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    let measured: serde_json::Value = serde_json::from_str(&json).unwrap();
    // The frame's viewport: its width less a vertical scrollbar, if any.
    let viewport = measured["width"].as_u64().unwrap();
    assert!(
        viewport <= u64::from(width) && viewport + 20 >= u64::from(width),
        "{name}: a {viewport} px viewport in a {width} px frame"
    );
    measured["bad"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// The list, an article, a diff and the status page at 1280 px and 390 px: screenshots are
/// taken (kept under the target directory to look at) and no element reaches past the
/// viewport. The article page is in the article's language, says a removal seen but not yet
/// confirmed, and pages and feeds are gzip-compressed for clients that accept it.
#[tokio::test(flavor = "multi_thread")]
async fn pages_fit_at_1280_and_390_px_in_the_articles_language() {
    let dir = tempfile::tempdir().unwrap();
    let db = history_archive(dir.path(), 30);
    {
        let mut a = newsvault::archive::Archive::open(&db).unwrap();
        let state = a
            .record_removal(
                &format!("https://new.qq.com/rain/a/{EDITED_ID}"),
                &newsvault::archive::RemovalSighting {
                    at: common::at(600),
                    http_status: 404,
                    final_url: "https://new.qq.com/rain/a/gone",
                    signal: "HTTP 404",
                    raw: b"<html>404</html>",
                    content_type: Some("text/html"),
                },
                3,
                std::time::Duration::from_secs(3600),
            )
            .unwrap();
        assert!(
            matches!(
                state,
                newsvault::archive::RemovalState::Pending { count: 1 }
            ),
            "{state:?}"
        );
    }
    let config = newsvault::config::Config::from_toml(
        "[[sources]]\nname = \"腾讯新闻 科技频道（一个很长的源名称用来检查换行）\"\nkind = \"qq-channel\"\nchannel = \"tech\"\n",
        std::path::Path::new("test.toml"),
    )
    .unwrap();
    let server = TestServer::start(&db, config).await;
    let client = reqwest::Client::builder().no_gzip().build().unwrap();
    let fetch = |p: String| {
        let client = client.clone();
        let url = server.url(&p);
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };

    let pages = [
        ("list", "/".to_owned()),
        ("article", format!("/a/qq/{EDITED_ID}")),
        ("diff", format!("/a/qq/{EDITED_ID}/diff")),
        ("status", "/status".to_owned()),
        // 美国总统 in every version: long unbroken CJK snippets.
        (
            "search",
            "/?q=%E7%BE%8E%E5%9B%BD%E6%80%BB%E7%BB%9F&versions=all".to_owned(),
        ),
    ];
    let harness = MockServer::start().await;
    let css = fetch("/style.css".into()).await;
    Mock::given(method("GET"))
        .and(path("/style.css"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(css, "text/css"))
        .mount(&harness)
        .await;
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut problems = Vec::new();
    for (name, page) in &pages {
        let html = fetch(page.clone()).await;
        for width in [1280u32, 390] {
            let file = shots.join(format!("{name}-{width}.png"));
            let _ = std::fs::remove_file(&file);
            let url = server.url(page);
            let arg = format!("--screenshot={}", file.display());
            let out = tokio::task::spawn_blocking(move || chromium(width, &url, &[arg]))
                .await
                .unwrap();
            let png = std::fs::read(&file)
                .unwrap_or_else(|e| panic!("{name} at {width}: no screenshot ({e}): {out:?}"));
            assert_eq!(png_width(&png), width, "{name}");
            for bad in overflowing_elements(&harness, name, &html, width).await {
                problems.push(format!("{name} at {width} px: {bad}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "elements past the viewport:\n{}",
        problems.join("\n")
    );

    // The article's language, and the unconfirmed removal.
    let article = fetch(format!("/a/qq/{EDITED_ID}")).await;
    assert!(
        article.contains("<html lang=\"zh-CN\">"),
        "{}",
        &article[..200]
    );
    assert!(article.contains("id=\"pending-removal\""), "{article}");
    assert!(
        article.contains("Seen removed, not yet confirmed</strong>: 1 time(s)"),
        "{article}"
    );
    assert!(fetch("/".into()).await.contains("<html lang=\"en\">"));
    // The status page: sources, queue, articles (titles linking to their pages).
    let status = fetch("/status".into()).await;
    for section in [
        "id=\"sources\"",
        "id=\"queue\"",
        "id=\"articles\"",
        "configured, not polled yet",
    ] {
        assert!(status.contains(section), "{section}: {status}");
    }
    assert!(
        status.contains(&format!("href=\"/a/qq/{EDITED_ID}\"")),
        "{status}"
    );

    // gzip for pages and feeds, when asked for.
    for p in ["/", "/status", "/feed.atom", "/changes.atom"] {
        let plain = client.get(server.url(p)).send().await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none(), "{p}");
        let plain = plain.bytes().await.unwrap();
        let zipped = client
            .get(server.url(p))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(zipped.headers()["content-encoding"], "gzip", "{p}");
        let bytes = zipped.bytes().await.unwrap();
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut unzipped)
            .unwrap();
        assert_eq!(unzipped, plain, "{p}");
        assert!(
            bytes.len() * 2 < plain.len(),
            "{p}: {} of {}",
            bytes.len(),
            plain.len()
        );
    }
    server.stop().await;
}

/// `/?q=` over real HTTP: the full-text search finds a two-character word in a real body and
/// marks it in an escaped snippet; titles are escaped around their marks; `versions=all`
/// finds a word only an old version had and links to that version; a query with nothing to
/// search is refused saying why.
#[tokio::test(flavor = "multi_thread")]
async fn search_finds_and_highlights_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let db = search_archive(dir.path());
    let server = TestServer::start(&db, Config::default()).await;
    let get = |path: &str| {
        let url = server.url(path);
        async move {
            let r = reqwest::get(url).await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, html) = get("/?q=%E4%B8%AD%E7%BE%8E").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!(
            "<h2 lang=\"zh-CN\"><a href=\"/a/qq/{GOLDEN_ID}\">赵明昊：摆脱“输赢视角”，共促AI发展</a></h2>\
             <p lang=\"zh-CN\">…讶，似乎展现了美国决策者愿意用“非零和”视角看待<mark>中美</mark>科技竞争，"
        )),
        "{html}"
    );
    assert_eq!(html.matches("<div class=\"result\">").count(), 1, "{html}");
    assert!(html.contains("<input name=\"q\" value=\"中美\">"), "{html}");
    // Titles and snippets are escaped; only the marks are markup.
    let (_, html) = get("/?q=%E7%B2%97%E4%BD%93").await;
    assert!(
        html.contains(&format!(
            "<a href=\"/a/qq/{HOSTILE_ID}\">&lt;b&gt;<mark>粗体</mark>&lt;/b&gt; &amp; &quot;引号&quot; "
        )),
        "{html}"
    );
    assert!(!html.contains("<script>alert"), "{html}");
    // 特朗普 is in the golden article and in the first version of the edited one.
    let (_, latest) = get("/?q=%E7%89%B9%E6%9C%97%E6%99%AE").await;
    assert_eq!(
        latest.matches("<div class=\"result\">").count(),
        1,
        "{latest}"
    );
    let (_, all) = get("/?q=%E7%89%B9%E6%9C%97%E6%99%AE&versions=all").await;
    assert_eq!(all.matches("<div class=\"result\">").count(), 2, "{all}");
    assert!(
        all.contains(&format!(
            "<a href=\"/a/qq/{EDITED_ID}?v=1\">美国总统<mark>特朗普</mark>表示</a>"
        )),
        "{all}"
    );
    assert!(all.contains("version 1 of 3"), "{all}");
    assert!(
        all.contains("name=\"versions\" value=\"all\" checked"),
        "{all}"
    );
    // A removed article is found by its last text, marked removed.
    let (_, removed) = get("/?q=%E5%88%A0%E9%99%A4").await;
    assert!(
        removed.contains(
            "即将被<mark>删除</mark>的文章</a> <span class=\"badge removed\">removed</span>"
        ),
        "{removed}"
    );
    let (status, refused) = get("/?q=%22*%22").await;
    assert_eq!(status, 400);
    assert!(
        refused.contains("the query has no letters, digits or CJK characters to search for"),
        "{refused}"
    );
}
