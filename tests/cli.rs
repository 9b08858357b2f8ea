//! End to end through the real binary: a local HTTP server on 127.0.0.1 stands in for Tencent
//! News (`[sites.qq] fetch_base`), `newsvault archive` fetches, extracts and stores into a real
//! SQLite file, and prints or writes the document.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{
    Form, GOLDEN_ID, fixture_path, fixture_text, golden, newsvault, newsvault_async, qq_page,
    write_test_config,
};
use newsvault::archive::Archive;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn html(body: impl Into<String>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.into().into_bytes(), "text/html; charset=utf-8")
}

async fn serve(server: &MockServer, id: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(format!("/rain/a/{id}")))
        .respond_with(response)
        .mount(server)
        .await;
}

fn args(config: &Path, rest: &[&str]) -> Vec<String> {
    let mut v = vec!["--config".to_owned(), config.display().to_string()];
    v.extend(rest.iter().map(|s| (*s).to_owned()));
    v
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The golden file, as each served form gives it: the qnt form's container holds the "问AI"
/// widget, which the summary (cut from the served container, as the existing archives' was)
/// starts with; the body never has it.
fn golden_from(form: &str) -> String {
    let golden = golden();
    if form != "qnt" {
        return golden;
    }
    let summary = golden.lines().find(|l| l.starts_with("summary: ")).unwrap();
    golden.replacen(
        summary,
        "summary: \"问AI · 中美人工智能竞争的关键变量有哪些？近期，中国人工智能企业DeepSeek以较低算力成本实...\"",
        1,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn golden_article_from_each_served_form() {
    for form in ["rich", "qnt", "json"] {
        let server = MockServer::start().await;
        serve(
            &server,
            GOLDEN_ID,
            html(fixture_text(&format!("qq/golden-{form}.html"))),
        )
        .await;
        let dir = tempfile::tempdir().unwrap();
        let config = write_test_config(dir.path(), &server.uri(), "");

        let out = newsvault_async(
            args(
                &config,
                &["archive", "https://new.qq.com/rain/a/20250211A013J400"],
            ),
            dir.path().into(),
        )
        .await;
        assert!(out.status.success(), "{form}: {}", stderr(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            golden_from(form),
            "{form}: stdout"
        );
        assert!(stderr(&out).contains("new "), "{}", stderr(&out));

        // Another URL form of the same article; written into a Hugo site.
        let site = dir.path().join("site");
        let out = newsvault_async(
            args(
                &config,
                &[
                    "archive",
                    "https://view.inews.qq.com/a/20250211A013J400",
                    "--out",
                    site.to_str().unwrap(),
                ],
            ),
            dir.path().into(),
        )
        .await;
        assert!(out.status.success(), "{form}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "--out prints nothing on stdout");
        let written = site.join("content/zh-CN/news/qq/20250211A013J400.zh-CN.md");
        assert_eq!(
            std::fs::read_to_string(&written).unwrap(),
            golden_from(form),
            "{form}: file"
        );

        let archive = Archive::open(&dir.path().join("archive.db")).unwrap();
        let versions = archive
            .versions("https://new.qq.com/rain/a/20250211A013J400")
            .unwrap();
        assert_eq!(versions.len(), 1, "{form}: archiving again adds no version");
        assert_eq!(
            archive
                .latest_document("https://new.qq.com/rain/a/20250211A013J400")
                .unwrap()
                .as_deref(),
            Some(golden_from(form).as_str())
        );
        let feed = newsvault_async(args(&config, &["feed"]), dir.path().into()).await;
        assert!(
            String::from_utf8_lossy(&feed.stdout)
                .contains("<author><name>环球时报</name></author>"),
            "{form}: the media name from window.DATA is the feed entry's author"
        );
        let raw = archive
            .raw_capture("https://new.qq.com/rain/a/20250211A013J400", 1)
            .unwrap()
            .unwrap();
        assert_eq!(
            raw,
            fixture_text(&format!("qq/golden-{form}.html")).into_bytes(),
            "raw capture kept"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_adds_a_version_and_updates_the_file() {
    let server = MockServer::start().await;
    let page = fixture_text("qq/golden-rich.html");
    Mock::given(method("GET"))
        .and(path(format!("/rain/a/{GOLDEN_ID}")))
        .respond_with(html(page.clone()))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    serve(
        &server,
        GOLDEN_ID,
        html(page.replace("近期，中国人工智能企业", "近日，中国人工智能企业")),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_test_config(dir.path(), &server.uri(), "");
    let site = dir.path().join("site");
    let url = "https://new.qq.com/rain/a/20250211A013J400";

    for expected in ["new ", "changed "] {
        let out = newsvault_async(
            args(&config, &["archive", url, "--out", site.to_str().unwrap()]),
            dir.path().into(),
        )
        .await;
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
    }
    let archive = Archive::open(&dir.path().join("archive.db")).unwrap();
    let kinds: Vec<String> = archive
        .versions(url)
        .unwrap()
        .into_iter()
        .map(|v| v.kind.to_string())
        .collect();
    assert_eq!(kinds, ["new", "edit"]);
    let file =
        std::fs::read_to_string(site.join("content/zh-CN/news/qq/20250211A013J400.zh-CN.md"))
            .unwrap();
    assert!(file.contains("近日，中国人工智能企业"));
    assert_eq!(
        archive.document(url, 1).unwrap().as_deref(),
        Some(golden().as_str()),
        "version 1 kept"
    );
}

/// Runs `archive` against a server answering `response`; returns stderr after checking that the
/// run failed, that nothing was stored as content, and that the fetch log recorded `outcome`.
async fn failing_case(response: ResponseTemplate, extra_fetch: &str, outcome: &str) -> String {
    let server = MockServer::start().await;
    serve(&server, GOLDEN_ID, response).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_test_config(dir.path(), &server.uri(), extra_fetch);
    let site = dir.path().join("site");
    let out = newsvault_async(
        args(
            &config,
            &[
                "archive",
                "https://new.qq.com/rain/a/20250211A013J400",
                "--out",
                site.to_str().unwrap(),
            ],
        ),
        dir.path().into(),
    )
    .await;
    let err = stderr(&out);
    assert!(!out.status.success(), "must fail: {err}");
    assert!(err.contains("20250211A013J400"), "names the URL: {err}");
    assert!(err.contains("1 of 1 URL(s) not archived"), "{err}");
    let archive = Archive::open(&dir.path().join("archive.db")).unwrap();
    let (articles, versions, blobs) = archive.counts().unwrap();
    assert_eq!(
        (articles, versions, blobs),
        (0, 0, 0),
        "no content stored: {err}"
    );
    let log = archive
        .fetch_log("https://new.qq.com/rain/a/20250211A013J400")
        .unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].outcome.as_str(), outcome, "{log:?}");
    assert!(!site.exists(), "no file written");
    err
}

#[tokio::test(flavor = "multi_thread")]
async fn removed_blocked_transient_and_limits_store_nothing() {
    let err = failing_case(
        ResponseTemplate::new(404).set_body_string("not found"),
        "",
        "removed",
    )
    .await;
    assert!(err.contains("removed") && err.contains("HTTP 404"), "{err}");

    let err = failing_case(
        ResponseTemplate::new(302).insert_header(
            "location",
            "/notfound.htm?uri=http://new.qq.com/rain/a/20250211A013J400",
        ),
        "",
        "removed",
    )
    .await;
    assert!(err.contains("removed") && err.contains("notfound"), "{err}");

    let block = "<html><head><title>安全验证</title></head><body>请完成滑块</body></html>";
    let err = failing_case(html(block), "", "blocked").await;
    assert!(err.contains("blocked") && err.contains("安全验证"), "{err}");

    let err = failing_case(ResponseTemplate::new(503), "", "transient").await;
    assert!(
        err.contains("transient") && err.contains("HTTP 503") && err.contains("3 attempt"),
        "{err}"
    );

    let err = failing_case(html("x".repeat(5000)), "max_body_bytes = 1000", "failed").await;
    assert!(err.contains("1000"), "names the limit: {err}");

    let slow = html(fixture_text("qq/golden-rich.html")).set_delay(Duration::from_secs(3));
    let err = failing_case(slow, "timeout = \"300ms\"", "transient").await;
    assert!(err.contains("timed out") && err.contains("300ms"), "{err}");

    let err = failing_case(
        ResponseTemplate::new(302).insert_header("location", "/rain/a/20250211A013J400"),
        "",
        "failed",
    )
    .await;
    assert!(err.contains("redirect loop"), "{err}");

    let malformed = "<html><head><title>x_腾讯新闻</title></head><body><div id=\"article-content\"></div>\
                     <script>window.DATA = {\"title\": \"x\", \"pubtime\": ;</script></body></html>";
    let err = failing_case(html(malformed), "", "not_article").await;
    assert!(err.contains("window.DATA"), "{err}");

    let pdf = ResponseTemplate::new(200).set_body_raw(b"%PDF-1.4".to_vec(), "application/pdf");
    let err = failing_case(pdf, "", "not_article").await;
    assert!(err.contains("application/pdf"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn several_urls_run_concurrently_and_each_gets_a_line() {
    let server = MockServer::start().await;
    let ids = ["20250211A0000100", "20250211A0000200", "20250211A0000300"];
    for id in ids {
        let page = qq_page(
            id,
            &format!("标题{id}"),
            "2025-02-11 07:03:08",
            "媒体",
            "<div class=\"rich_media_content\"><p>正文</p></div>",
            Form::Dom,
        );
        serve(
            &server,
            id,
            html(page).set_delay(Duration::from_millis(300)),
        )
        .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = write_test_config(dir.path(), &server.uri(), "per_host_concurrency = 4");
    let mut rest = vec!["archive"];
    let urls: Vec<String> = ids
        .iter()
        .map(|id| format!("https://new.qq.com/rain/a/{id}"))
        .collect();
    rest.extend(urls.iter().map(String::as_str));
    rest.push("ftp://example.com/not-http");
    rest.push("not a url");
    let out = newsvault_async(args(&config, &rest), dir.path().into()).await;
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "several URLs print no document");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("new ")).count(),
        3,
        "{err}"
    );
    assert!(err.contains("is not http(s)"), "{err}");
    assert!(err.contains("not a URL"), "{err}");
    assert!(err.contains("2 of 5 URL(s) not archived"), "{err}");
    let archive = Archive::open(&dir.path().join("archive.db")).unwrap();
    assert_eq!(archive.counts().unwrap().0, 3);
}

#[test]
fn extract_a_saved_page_offline() {
    let dir = tempfile::tempdir().unwrap();
    let page = fixture_path("qq/golden-json.html");
    let out = newsvault(
        &[
            "extract",
            page.to_str().unwrap(),
            "--url",
            "https://news.qq.com/rain/a/20250211A013J400",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), golden());
    assert!(
        !dir.path().join("newsvault.db").exists(),
        "extract does not touch the archive"
    );

    let out = newsvault(
        &[
            "extract",
            "/nonexistent/page.html",
            "--url",
            "https://new.qq.com/rain/a/20250211A013J400",
        ],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("/nonexistent/page.html"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_config_is_named_with_its_problem() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "[fetch]\ntimeout = 30\n").unwrap();
    let out = newsvault(
        &[
            "--config",
            config.to_str().unwrap(),
            "archive",
            "https://new.qq.com/rain/a/20250211A013J400",
        ],
        dir.path(),
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("bad.toml") && err.contains("timeout"), "{err}");
}

#[test]
fn a_corrupt_archive_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    std::fs::write(&db, b"this is not a database, but my notes").unwrap();
    let out = newsvault(
        &[
            "--db",
            db.to_str().unwrap(),
            "archive",
            "https://new.qq.com/rain/a/20250211A013J400",
        ],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("not an SQLite database"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        b"this is not a database, but my notes"
    );
}

/// `newsvault search` over a real article and the history archive: words in bodies with
/// their snippets, text that only an old version had, a removed article, JSON, a query with
/// nothing to search, and `reindex`.
#[test]
fn search_finds_words_in_bodies_and_old_versions() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::search_archive(dir.path());
    let db = db.to_str().unwrap();
    let run = |rest: &[&str]| {
        let mut all = vec!["--db", db, "search"];
        all.extend_from_slice(rest);
        let out = newsvault(&all, dir.path());
        (
            out.status.code(),
            String::from_utf8(out.stdout.clone()).unwrap(),
            stderr(&out),
        )
    };
    let golden_trump = "qq/20250211A013J400 v1  赵明昊：摆脱“输赢视角”，共促AI发展\n  \
        https://new.qq.com/rain/a/20250211A013J400\n  \
        …）创始人、风险投资家彼得·蒂尔等硅谷大佬也都是[特朗普]的支持者，他们试图与[特朗普]团队合力\
        开启以技术创新为导向的“新政”。在[特朗普]亲自推动下，甲骨文、OpenAI、日本软银等企业共同发起\
        “星际之门”项目，力图将美国建设成为“算力帝国”。同时，…\n\n";
    assert_eq!(
        run(&["中美"]),
        (
            Some(0),
            "qq/20250211A013J400 v1  赵明昊：摆脱“输赢视角”，共促AI发展\n  \
             https://new.qq.com/rain/a/20250211A013J400\n  \
             …讶，似乎展现了美国决策者愿意用“非零和”视角看待[中美]科技竞争，这是值得鼓励的。当然，我们也\
             不能过分乐观。美国国家安全委员会已针对DeepSeek展开调查。美国新任商务部长卢特尼克宣称，\
             DeepSeek的成就并非通过合法途径获得，“而是通过窃…\n\n"
                .to_owned(),
            String::new()
        )
    );
    // The edited article said 特朗普 only in its first version.
    assert_eq!(run(&["特朗普"]).1, golden_trump);
    assert_eq!(
        run(&["特朗普", "--all-versions"]).1,
        format!(
            "qq/20250211A0EDIT00 v1  美国总统[特朗普]表示\n  \
             https://new.qq.com/rain/a/20250211A0EDIT00\n  \
             美国总统[特朗普]表示，这是第一版。 第二段没有变化。\n\n{golden_trump}"
        )
    );
    assert_eq!(
        run(&["特朗普", "--site", "sina"]),
        (
            Some(0),
            String::new(),
            "no article matches \"特朗普\"\n".to_owned()
        )
    );
    // A removed article is found by its last good text, and says it is removed.
    let (code, out, _) = run(&["删除", "--json", "--limit", "1"]);
    assert_eq!(code, Some(0));
    let line: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
    assert_eq!(out.lines().count(), 1);
    assert_eq!(line["id"], "20250211A0GONE00");
    assert_eq!(line["article_status"], "removed");
    assert_eq!(
        (line["seq"].as_u64(), line["latest_seq"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        line["title"],
        serde_json::json!({"text": "即将被删除的文章", "marks": [[3, 5]]})
    );
    assert_eq!(
        line["snippet"],
        serde_json::json!({"text": "这篇文章后来被删除了。", "marks": [[7, 9]]})
    );
    assert_eq!(line["url"], "https://new.qq.com/rain/a/20250211A0GONE00");
    let (_, out, _) = run(&["删除", "--limit", "5"]);
    assert!(
        out.starts_with("qq/20250211A0GONE00 v1  即将被[删除]的文章  (removed)\n"),
        "{out}"
    );
    // Search syntax is text; a query with nothing to search is an error that says so.
    let (code, out, err) = run(&["\"*\" -"]);
    assert_eq!((code, out.as_str()), (Some(1), ""));
    assert!(
        err.contains("the query has no letters, digits or CJK characters to search for"),
        "{err}"
    );
    assert_eq!(run(&["NEAR(中美", "OR", "x)"]).0, Some(0));
    // reindex builds the same index again.
    let out = newsvault(&["--db", db, "reindex"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("indexed 5 article(s) and 8 version(s) in "),
        "{}",
        stderr(&out)
    );
    assert_eq!(run(&["特朗普"]).1, golden_trump);
}
