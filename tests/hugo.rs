//! End to end with Hugo (Debian's package; CI installs it): real Tencent News bodies, among
//! them adjacent and nested bold (`**一个产品，****三种价格**` before the fix) and bold ending
//! in punctuation before CJK text, are archived through the real binary from a local server,
//! exported as a Hugo tree, and built with a minimal layout. The HTML holds no literal `**`,
//! every article's bold is `<strong>`, and with `timeZone = "Asia/Shanghai"` Hugo reads the
//! front matter's dates as Beijing time (the README's export section says so).

mod common;

use std::path::Path;
use std::process::Command;

use common::{Form, newsvault_async, qq_page, served_bodies, write_test_config};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CONFIG: &str = r#"baseURL = "http://example.org/"
title = "newsvault test"
timeZone = "Asia/Shanghai"
contentDir = "content/zh-CN"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
"#;

const SINGLE: &str = r#"<!DOCTYPE html>
<html><head><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1><time>{{ .Date.Format "2006-01-02T15:04:05-07:00" }}</time>
<article>{{ .Content }}</article></body></html>
"#;

const LIST: &str =
    "<!DOCTYPE html>\n<html><body>{{ range .Pages }}<p>{{ .Title }}</p>{{ end }}</body></html>\n";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The text of an HTML page, tags removed (entities do not matter for asterisks).
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn hugo_builds_real_bodies_without_literal_asterisks() {
    let bodies: Vec<_> = served_bodies()
        .into_iter()
        .filter(|b| b.description.contains("<strong") || b.description.contains("qnt-strong"))
        .collect();
    assert!(bodies.len() >= 10, "{} bodies with bold", bodies.len());
    assert!(
        bodies.iter().any(|b| b.id == "20260822A03JA900"),
        "the body with adjacent bold runs"
    );
    let server = MockServer::start().await;
    for b in &bodies {
        let page = qq_page(
            &b.id,
            &b.title,
            &b.pub_date,
            "媒体",
            &b.description,
            Form::Dom,
        );
        Mock::given(method("GET"))
            .and(path(format!("/rain/a/{}", b.id)))
            .respond_with(ResponseTemplate::new(200).set_body_raw(page, "text/html; charset=utf-8"))
            .mount(&server)
            .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = write_test_config(dir.path(), &server.uri(), "");
    let run = |rest: Vec<String>| {
        let mut all = vec!["--config".to_owned(), config.display().to_string()];
        all.extend(rest);
        newsvault_async(all, dir.path().to_owned())
    };
    let mut archive = vec!["archive".to_owned()];
    archive.extend(
        bodies
            .iter()
            .map(|b| format!("https://new.qq.com/rain/a/{}", b.id)),
    );
    let out = run(archive).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let site = dir.path().join("site");
    let out = run(vec!["export".into(), site.display().to_string()]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    write(&site.join("config.toml"), CONFIG);
    write(&site.join("layouts/_default/single.html"), SINGLE);
    write(&site.join("layouts/_default/list.html"), LIST);

    let hugo = Command::new("hugo")
        .arg("--source")
        .arg(&site)
        .arg("--destination")
        .arg(site.join("public"))
        .env("HUGO_CACHEDIR", dir.path().join("hugo-cache"))
        .output()
        .expect("hugo runs (CI installs Debian's hugo)");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&hugo.stdout),
        String::from_utf8_lossy(&hugo.stderr)
    );
    assert!(hugo.status.success(), "{log}");
    assert!(!log.contains("WARN") && !log.contains("ERROR"), "{log}");

    let mut pages = 0;
    for b in &bodies {
        // Hugo names the page after the file (`<id>.zh-CN.md`), lower-cased.
        let page = walkdir::WalkDir::new(site.join("public"))
            .into_iter()
            .filter_map(Result::ok)
            .find(|e| {
                e.file_name() == "index.html"
                    && e.path()
                        .parent()
                        .and_then(|p| p.file_name())
                        .is_some_and(|n| n.to_string_lossy().starts_with(&b.id.to_lowercase()))
            })
            .unwrap_or_else(|| panic!("{}: no page built", b.id));
        let html = std::fs::read_to_string(page.path()).unwrap();
        pages += 1;
        let text = text_of(&html);
        assert!(!text.contains("**"), "{}: literal ** in\n{html}", b.id);
        assert!(html.contains("<strong>"), "{}: bold", b.id);
        // Hugo read the date as Beijing time.
        let date = format!("{}+08:00", b.pub_date.replace(' ', "T"));
        let shown = html.replace("&#43;", "+");
        assert!(
            shown.contains(&format!("<time>{date}</time>")),
            "{}: {date}\n{html}",
            b.id
        );
    }
    assert_eq!(pages, bodies.len());
}
