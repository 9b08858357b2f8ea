//! The Atom feeds over real HTTP: every document validates against RFC 4287's RELAX NG schema
//! (jing), hostile titles and bodies included; paging (RFC 5005) reaches every entry exactly
//! once; conditional GET answers 304; removals are tombstones (RFC 6721); and two real
//! consumers read the feeds: Python's feedparser (no bozo flag) and newsboat.
//! The tools are required: a missing one fails the test (CI installs them).

mod common;

use std::collections::HashSet;
use std::process::Command;

use common::{
    EDITED_ID, GOLDEN_ID, HOSTILE_ID, REMOVED_ID, RESTORED_ID, TestServer, history_archive,
    jing_validate,
};
use newsvault::config::Config;
use newsvault::feed::{PAGE_SIZE, article_entry_id};

const FILLER: usize = 2 * PAGE_SIZE + 7;

async fn get(url: &str) -> reqwest::Response {
    reqwest::Client::new().get(url).send().await.unwrap()
}

async fn get_text(url: &str) -> String {
    let r = get(url).await;
    assert_eq!(r.status(), 200, "{url}");
    assert_eq!(
        r.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    r.text().await.unwrap()
}

/// The href of `<link rel="REL" href="..."/>`, unescaped.
fn link(xml: &str, rel: &str) -> Option<String> {
    let tag_start = xml.find(&format!("<link rel=\"{rel}\" "))?;
    let tag = &xml[tag_start..tag_start + xml[tag_start..].find("/>")?];
    let start = tag.find("href=\"")? + 6;
    let end = start + tag[start..].find('"')?;
    Some(tag[start..end].replace("&amp;", "&"))
}

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Entry ids of a feed document, in order.
fn entry_ids(xml: &str) -> Vec<String> {
    xml.split("<entry")
        .skip(1)
        .map(|e| {
            let s = e.find("<id>").unwrap() + 4;
            let t = e.find("</id>").unwrap();
            e[s..t].to_owned()
        })
        .collect()
}

/// Follows `next` from the subscription document to the last page, validating each.
async fn walk(first: &str) -> (Vec<String>, Vec<String>) {
    let mut url = first.to_owned();
    let mut ids = Vec::new();
    let mut pages = Vec::new();
    loop {
        let xml = get_text(&url).await;
        jing_validate(&xml, &url);
        ids.extend(entry_ids(&xml));
        assert_eq!(
            link(&xml, "self").as_deref(),
            Some(url.as_str()),
            "self link"
        );
        let next = link(&xml, "next");
        assert_eq!(next, link(&xml, "prev-archive"), "next is prev-archive");
        pages.push(xml);
        match next {
            Some(n) => url = n,
            None => break,
        }
        assert!(pages.len() < 20, "paging must end");
    }
    (ids, pages)
}

#[tokio::test(flavor = "multi_thread")]
async fn feeds_validate_page_and_carry_every_event() {
    let dir = tempfile::tempdir().unwrap();
    let db = history_archive(dir.path(), FILLER);
    let server = TestServer::start(&db, Config::default()).await;

    // All articles: every live article exactly once across the pages; the removed one is a
    // tombstone instead.
    let (ids, pages) = walk(&server.url("/feed.atom")).await;
    assert_eq!(pages.len(), 3);
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no entry twice");
    assert_eq!(ids.len(), FILLER + 3, "all live articles");
    let removed_id = article_entry_id(&format!("https://new.qq.com/rain/a/{REMOVED_ID}"));
    assert!(!ids.contains(&removed_id));
    let first = &pages[0];
    assert!(
        first.contains(&format!(
            "<at:deleted-entry ref=\"{removed_id}\" when=\"2025-02-11T03:20:00Z\">"
        )),
        "{first}"
    );
    assert!(
        first.contains(
            "redirect to the home page, HTTP 200, final URL https://www.qq.com/babygohome/"
        )
    );
    assert!(
        !first.contains(
            &article_entry_id(&format!("https://new.qq.com/rain/a/{RESTORED_ID}"))
                .replace("urn", "<at:deleted-entry ref=\"urn")
        ),
        "a restored article is no longer a tombstone"
    );
    assert!(first.contains("<published>2025-02-11T07:03:08+08:00</published>"));
    assert!(
        first.contains("<author><name>环球时报</name></author>"),
        "the media name is the entry's author"
    );
    // Archive pages: fh:archive, and links back up.
    assert!(!first.contains("<fh:archive/>") && pages[1].contains("<fh:archive/>"));
    assert_eq!(link(&pages[1], "previous"), Some(server.url("/feed.atom")));
    assert_eq!(link(&pages[1], "current"), Some(server.url("/feed.atom")));
    assert_eq!(link(&pages[2], "next-archive"), link(&pages[0], "next"));

    // Hostile title and body: escaped once (markup is text), scripts and handlers gone.
    let hostile = &pages[0][pages[0].find(HOSTILE_ID).unwrap()..];
    let hostile = &hostile[..hostile.find("</entry>").unwrap()];
    let everything = pages.concat();
    for bad in ["<script", "\u{1}", "\u{FFFE}"] {
        assert!(!everything.contains(bad), "{bad:?} leaked");
    }
    // Each `content type="html"`, unescaped and parsed as HTML, holds no active element,
    // no event handler and no javascript: URL; the article's own markup is only text.
    for content in everything.split("<content type=\"html\">").skip(1) {
        let content = &content[..content.find("</content>").unwrap()];
        common::assert_inert_html(&xml_unescape(content));
    }
    assert!(
        hostile.contains("&amp;lt;script&amp;gt;document.title"),
        "shown as text: {hostile}"
    );
    assert!(
        first.contains(
            "<title type=\"text\">&lt;b&gt;粗体&lt;/b&gt; &amp; &quot;引号&quot; 标题&lt;script&gt;"
        ),
        "a title is text: markup escaped, control characters dropped"
    );
    assert!(
        hostile.contains("&lt;img src=&quot;https://inews.gtimg.com/om_bt/hostile/641&quot; alt=&quot;配图&quot; referrerpolicy=&quot;no-referrer&quot;&gt;"),
        "the article's own image survives: {hostile}"
    );

    // One site.
    let (site_ids, _) = walk(&server.url("/sites/qq.atom")).await;
    assert_eq!(site_ids, ids);
    assert_eq!(
        get(&server.url("/sites/nosuchsite.atom")).await.status(),
        404
    );

    // Changes: new, edit (diff inline), removed (evidence), restored; minor versions left out.
    let (change_ids, change_pages) = walk(&server.url("/changes.atom")).await;
    let changes = change_pages.concat();
    assert_eq!(
        change_ids.len(),
        FILLER + 1 + 1 + 1 + 2 + 3,
        "every event but the minor one"
    );
    assert!(changes.contains("<title type=\"text\">Edited: 美国总统拜登表示</title>"));
    assert!(
        changes.contains("&lt;del&gt;特朗普&lt;/del&gt;&lt;ins&gt;拜登&lt;/ins&gt;"),
        "CJK diff by character"
    );
    assert!(!changes.contains("Minor edit"));
    assert!(changes.contains("<title type=\"text\">Removed: 即将被删除的文章</title>"));
    assert!(changes.contains("<title type=\"text\">Restored: 删除后恢复的文章</title>"));
    assert!(changes.contains("<title type=\"text\">New: 填充文章 0</title>"));

    // One article's history: every version, minor included, newest first.
    let xml = get_text(&server.url(&format!("/a/qq/{EDITED_ID}.atom"))).await;
    jing_validate(&xml, "history feed");
    let titles: Vec<&str> = xml
        .split("<title type=\"text\">")
        .skip(2)
        .map(|t| &t[..t.find('<').unwrap()])
        .collect();
    assert_eq!(
        titles,
        [
            "Minor edit: 美国总统拜登表示",
            "Edited: 美国总统拜登表示",
            "New: 美国总统特朗普表示"
        ]
    );
    assert_eq!(
        entry_ids(&xml)[1],
        newsvault::feed::event_entry_id(&format!("https://new.qq.com/rain/a/{EDITED_ID}"), 2),
        "same event, same id in the changes and history feeds"
    );
    assert!(changes.contains(&entry_ids(&xml)[1]));
    for id in [REMOVED_ID, RESTORED_ID, HOSTILE_ID] {
        let xml = get_text(&server.url(&format!("/a/qq/{id}.atom"))).await;
        jing_validate(&xml, id);
    }
    assert_eq!(get(&server.url("/a/qq/nosuch.atom")).await.status(), 404);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn conditional_get_answers_304_until_the_feed_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = history_archive(dir.path(), 3);
    let server = TestServer::start(&db, Config::default()).await;
    let client = reqwest::Client::new();
    for path in [
        "/feed.atom",
        "/changes.atom",
        "/sites/qq.atom",
        &format!("/a/qq/{EDITED_ID}.atom"),
    ] {
        let first = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(first.status(), 200);
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        // One validator for the gzipped and the plain body, so it must be weak.
        assert!(etag.starts_with("W/\""), "{path}: {etag}");
        let modified = first.headers()["last-modified"]
            .to_str()
            .unwrap()
            .to_owned();
        let r = client
            .get(server.url(path))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 304, "{path}");
        assert_eq!(r.headers()["etag"], etag.as_str());
        assert!(r.bytes().await.unwrap().is_empty());
        let r = client
            .get(server.url(path))
            .header("if-modified-since", &modified)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 304, "{path}");
        let r = client
            .get(server.url(path))
            .header("if-none-match", "\"something-else\"")
            .header("if-modified-since", &modified)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "If-None-Match decides: {path}");
    }
    let etag = client
        .get(server.url("/feed.atom"))
        .send()
        .await
        .unwrap()
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let status_etag = client
        .get(server.url("/status"))
        .send()
        .await
        .unwrap()
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    // A daemon at work logs a fetch that found nothing new: the status page changes, the
    // feeds do not.
    {
        use newsvault::archive::{FetchLog, FetchOutcome};
        let mut a = newsvault::archive::Archive::open(&db).unwrap();
        let url = format!("https://new.qq.com/rain/a/{EDITED_ID}");
        a.log_fetch(&FetchLog {
            url: &url,
            canonical_url: Some(&url),
            started_at: common::at(9_000),
            duration_ms: 80,
            attempts: 1,
            http_status: Some(304),
            final_url: Some(&url),
            outcome: FetchOutcome::NotModified,
            detail: "",
            bytes: None,
            encoding: None,
            decode_errors: false,
        })
        .unwrap();
    }
    let r = client
        .get(server.url("/status"))
        .header("if-none-match", &status_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the status page shows the fetch");
    let r = client
        .get(server.url("/feed.atom"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        304,
        "a fetch that archived nothing leaves the feed as it was"
    );
    // A new article arrives (written beside the server's readers): the feed changes.
    {
        let mut a = newsvault::archive::Archive::open(&db).unwrap();
        common::record(
            &mut a,
            &common::qq_document("20250212A0NEWS00", "新文章", "新的正文。"),
            None,
            common::at(10_000),
        );
    }
    let r = client
        .get(server.url("/feed.atom"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_ne!(r.headers()["etag"], etag.as_str());
    assert!(r.text().await.unwrap().contains("新文章"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn feedparser_reads_every_feed_without_a_bozo_flag() {
    let dir = tempfile::tempdir().unwrap();
    let db = history_archive(dir.path(), 3);
    let server = TestServer::start(&db, Config::default()).await;
    let script = r#"
import json, sys, calendar
import feedparser
out = []
for url in sys.argv[1:]:
    d = feedparser.parse(url)
    out.append({
        "url": url,
        "status": d.get("status"),
        "bozo": bool(d.bozo),
        "error": str(d.get("bozo_exception", "")),
        "entries": [{
            "title": e.get("title"),
            "id": e.get("id"),
            "published": calendar.timegm(e.published_parsed) if e.get("published_parsed") else None,
            "updated": calendar.timegm(e.updated_parsed) if e.get("updated_parsed") else None,
            "link": e.get("link"),
        } for e in d.entries],
    })
print(json.dumps(out))
"#;
    let urls: Vec<String> = ["/feed.atom", "/changes.atom", "/sites/qq.atom"]
        .iter()
        .map(|p| server.url(p))
        .chain(
            [HOSTILE_ID, EDITED_ID, REMOVED_ID].map(|id| server.url(&format!("/a/qq/{id}.atom"))),
        )
        .collect();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg("-c")
            .arg(script)
            .args(&urls)
            .output()
            .expect("python3 must be installed")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "feedparser must be installed (pip install feedparser; .ci/run does): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for feed in parsed.as_array().unwrap() {
        assert_eq!(feed["bozo"], false, "{feed}");
        assert_eq!(feed["status"], 200, "{feed}");
        assert!(!feed["entries"].as_array().unwrap().is_empty(), "{feed}");
    }
    let all = &parsed[0]["entries"];
    let edited = all
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["link"] == format!("https://new.qq.com/rain/a/{EDITED_ID}"))
        .unwrap();
    assert_eq!(edited["title"], "美国总统拜登表示");
    // 2025-02-11 07:03:08 Beijing time = 2025-02-10 23:03:08 UTC.
    assert_eq!(edited["published"], 1_739_228_588);
    assert_eq!(
        edited["updated"],
        common::at(60).timestamp(),
        "last edit, not the minor change"
    );
    let hostile = &parsed[3]["entries"][0];
    assert_eq!(
        hostile["title"],
        "New: <b>粗体</b> & \"引号\" 标题<script>alert(1)</script>"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn newsboat_lists_the_entries_with_titles_and_dates() {
    let dir = tempfile::tempdir().unwrap();
    let db = history_archive(dir.path(), 3);
    let server = TestServer::start(&db, Config::default()).await;
    let home = tempfile::tempdir().unwrap();
    let urls = home.path().join("urls");
    std::fs::write(
        &urls,
        format!(
            "{}\n{}\n{}\n",
            server.url("/feed.atom"),
            server.url("/changes.atom"),
            server.url(&format!("/a/qq/{EDITED_ID}.atom"))
        ),
    )
    .unwrap();
    let config = home.path().join("config");
    std::fs::write(&config, "reload-threads 1\n").unwrap();
    let cache = home.path().join("cache.db");
    let (home_path, urls2, config2, cache2) = (
        home.path().to_owned(),
        urls.clone(),
        config.clone(),
        cache.clone(),
    );
    let out = tokio::task::spawn_blocking(move || {
        Command::new("newsboat")
            .arg("-u")
            .arg(&urls2)
            .arg("-C")
            .arg(&config2)
            .arg("-c")
            .arg(&cache2)
            .arg("-x")
            .arg("reload")
            .arg("print-unread")
            .env("HOME", &home_path)
            .env("XDG_CONFIG_HOME", home_path.join(".config"))
            .env("XDG_DATA_HOME", home_path.join(".local/share"))
            .output()
            .expect("newsboat must be installed (Debian package newsboat; .ci/run installs it)")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "newsboat failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 3 + 4 articles (the removed one is a tombstone), 3+... events, 3 history versions.
    let unread: usize = stdout.split_whitespace().next().unwrap().parse().unwrap();
    let conn = rusqlite::Connection::open(&cache).unwrap();
    let mut stmt = conn
        .prepare("SELECT feedurl, title, pubDate, url FROM rss_item ORDER BY feedurl, pubDate")
        .unwrap();
    let items: Vec<(String, String, i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(unread, items.len(), "{stdout}");
    let of = |feed: &str| -> Vec<(String, i64, String)> {
        items
            .iter()
            .filter(|i| i.0 == server.url(feed))
            .map(|i| (i.1.clone(), i.2, i.3.clone()))
            .collect()
    };
    let all = of("/feed.atom");
    assert_eq!(all.len(), 3 + 3, "{items:?}");
    let edited = all.iter().find(|i| i.2.ends_with(EDITED_ID)).unwrap();
    assert_eq!(edited.0, "美国总统拜登表示");
    // newsboat dates an entry by its publication time: 07:03:08 Beijing = 23:03:08 UTC.
    assert_eq!(edited.1, 1_739_228_588);
    let history = of(&format!("/a/qq/{EDITED_ID}.atom"));
    let titles: Vec<&str> = history.iter().map(|h| h.0.as_str()).collect();
    assert_eq!(
        titles,
        [
            "New: 美国总统特朗普表示",
            "Edited: 美国总统拜登表示",
            "Minor edit: 美国总统拜登表示"
        ]
    );
    assert_eq!(history[1].1, common::at(60).timestamp());
    // newsboat keeps one item per entry id across feeds: the edit's entry (same id in the
    // changes and the history feed) is stored once.
    for title in [
        "Removed: 即将被删除的文章",
        "Restored: 删除后恢复的文章",
        "Edited: 美国总统拜登表示",
        "New: 填充文章 0",
    ] {
        assert!(items.iter().any(|c| c.1 == title), "{title}: {items:?}");
    }
    assert!(
        !of("/changes.atom")
            .iter()
            .any(|c| c.0.starts_with("Minor edit"))
    );
    let _ = GOLDEN_ID;
    server.stop().await;
}

/// A page whose bytes are hostile: invalid UTF-8, control characters and markup in the title
/// and the body, archived through the real pipeline and binary, then printed with
/// `newsvault feed`: every feed still validates.
#[tokio::test(flavor = "multi_thread")]
async fn feeds_of_hostile_source_bytes_validate_from_the_command_line() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let page = common::fixture_text("qq/golden-rich.html");
    let mut bytes = page
        .replace(
            "赵明昊：摆脱“输赢视角”，共促AI发展",
            "赵明昊\u{1}\u{8}<i>斜体</i> & \u{1b}[31m标题@@BAD@@",
        )
        .replace(
            "近期，中国人工智能企业",
            "近期，@@BAD@@<script>alert(1)</script>\u{c}中国人工智能企业",
        )
        .into_bytes();
    // Invalid UTF-8 where the markers are: a lone continuation byte, an overlong form, 0xFF.
    while let Some(i) = bytes.windows(7).position(|w| w == b"@@BAD@@") {
        bytes.splice(i..i + 7, [0x80, 0xC0, 0xAF, 0xFF, 0xFE]);
    }
    let site = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/rain/a/{GOLDEN_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(bytes, "text/html; charset=utf-8"))
        .mount(&site)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = common::write_test_config(dir.path(), &site.uri(), "");
    let run = |args: &[&str]| {
        let mut all = vec!["--config".to_owned(), config.display().to_string()];
        all.extend(args.iter().map(|s| (*s).to_owned()));
        common::newsvault_async(all, dir.path().to_owned())
    };
    let out = run(&["archive", &format!("https://new.qq.com/rain/a/{GOLDEN_ID}")]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for args in [
        vec!["feed"],
        vec!["feed", "--site", "qq"],
        vec!["feed", "--changes"],
        vec!["feed", "--article", GOLDEN_ID],
    ] {
        let out = run(&args).await;
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let xml = String::from_utf8(out.stdout).expect("feeds are UTF-8");
        jing_validate(&xml, &format!("newsvault {args:?}"));
        assert!(xml.contains("赵明昊"), "{xml}");
        assert!(
            xml.contains('\u{FFFD}'),
            "invalid bytes became U+FFFD: {xml}"
        );
        assert!(!xml.contains('\u{1}') && !xml.contains('\u{1b}') && !xml.contains('\u{c}'));
        assert!(xml.contains(
            "<link rel=\"self\" type=\"application/atom+xml\" href=\"http://127.0.0.1:8080/"
        ));
    }
}

/// Generic sites' entries carry `<published>` with the zone their dates are written in: the
/// configured `[sites.<key>] timezone`, Beijing time for a Chinese site; a site whose zone the
/// archive cannot know gets no `<published>` rather than a wrong one.
#[test]
fn generic_sites_publish_dates_in_their_zone() {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = newsvault::archive::Archive::open(&dir.path().join("a.db")).unwrap();
    let articles = [
        ("example", "en", "https://news.example.com/world/1"),
        (
            "163",
            "zh-CN",
            "https://news.163.com/26/0101/EVJ1KQ6S000189FH.html",
        ),
        ("unzoned", "en", "https://unzoned.example.org/story/2"),
    ];
    for (i, (site, lang, url)) in articles.iter().enumerate() {
        let mut doc = common::qq_document("x", &format!("Title {site}"), "Body text.");
        doc.site = (*site).to_owned();
        doc.lang = (*lang).to_owned();
        doc.source_url = (*url).to_owned();
        let rendered = doc.render();
        archive
            .record_capture(&newsvault::archive::NewCapture {
                canonical_url: url,
                site,
                site_article_id: &format!("id{i}"),
                lang,
                title: &doc.title,
                published: "2025-02-11 07:03:08",
                document: &rendered,
                fetched_at: common::at(i as i64),
                http_status: 200,
                final_url: url,
                raw: newsvault::archive::RawBlob::new(rendered.as_bytes()).unwrap(),
                content_type: Some("text/html; charset=utf-8"),
                encoding: "UTF-8",
                etag: None,
                last_modified: None,
                extractor: "generic/1",
                author: None,
                minor: false,
                diff: None,
                date_found: true,
                search: None,
            })
            .unwrap();
    }
    let mut config = Config::default();
    config.sites.other.insert(
        "example".into(),
        newsvault::config::SiteConfig {
            hosts: vec!["news.example.com".into()],
            timezone: Some("-05:00".into()),
        },
    );
    let published_of = |site: &str| {
        let kind = newsvault::feed::FeedKind::Articles {
            site: Some(site.to_owned()),
        };
        let feed =
            newsvault::feed::build_feed(&archive, &config.sites, "http://127.0.0.1", &kind, None)
                .unwrap();
        jing_validate(&feed.xml, site);
        feed.xml
            .split("<published>")
            .nth(1)
            .map(|s| s.split('<').next().unwrap().to_owned())
    };
    assert_eq!(
        published_of("example").as_deref(),
        Some("2025-02-11T07:03:08-05:00")
    );
    assert_eq!(
        published_of("163").as_deref(),
        Some("2025-02-11T07:03:08+08:00")
    );
    assert_eq!(published_of("unzoned"), None);
}
