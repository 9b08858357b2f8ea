//! Pages without a publish time (issue 9): archived all the same, dated by their first capture,
//! and saying so in `extract --json`, `history` and the archive; `reprocess` of a version made
//! by the previous extractor brings the current one's improvements.

mod common;

use common::{newsvault, write_test_config};
use newsvault::archive::{Archive, NewCapture};
use newsvault::config::Config;

const URL: &str = "https://news.example.com/story/one-page";

/// An article page with no date anywhere (no meta, no `<time>`, none in the URL or the text) and
/// a section heading as `<h1>` inside its body.
fn undated_page() -> String {
    let para = "The council met on a wet evening, argued for three hours, and agreed on nothing \
                but the date of the next meeting, which pleased nobody at all.";
    format!(
        "<html><head><title>A long evening at the council</title></head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>\
         <article><h1>A long evening at the council</h1><p>{para}</p><p>{para}</p>\
         <h1>What comes next</h1><p>{para}</p><p>{para}</p></article>\
         <footer>© Example News</footer></body></html>"
    )
}

#[test]
fn extract_json_says_when_the_date_was_not_on_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.html");
    std::fs::write(&file, undated_page()).unwrap();
    let out = newsvault(&["extract", "--json", file.to_str().unwrap()], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(record["outcome"], "article");
    assert_eq!(record["date_found"], false);
    assert_eq!(record["title"], "A long evening at the council");
    // The file's modification time (just now) stands in for the date.
    let modified: chrono::DateTime<chrono::Utc> =
        std::fs::metadata(&file).unwrap().modified().unwrap().into();
    assert_eq!(
        record["date"],
        modified.format("%Y-%m-%d %H:%M:%S").to_string()
    );
    assert!(
        record["text"]
            .as_str()
            .unwrap()
            .contains("\n\nWhat comes next\n\n"),
        "{record}"
    );
}

#[test]
fn reprocess_brings_the_new_extractor_and_dates_by_first_capture() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = write_test_config(dir.path(), "http://127.0.0.1:9", "");
    let config = Config::load(&config_path).unwrap();
    let target = newsvault::sites::resolve(URL, &config.sites).unwrap();
    let first_capture = common::at(0);
    // What the previous extractor stored: no section heading, and a date it made up.
    let old = newsvault::document::Document {
        title: "A long evening at the council".into(),
        date: "2020-01-01 00:00:00".into(),
        summary: String::new(),
        site: target.site.key().into(),
        lang: "en".into(),
        thumbnail: String::new(),
        body: "The council met.".into(),
        source_url: URL.into(),
    };
    let raw = undated_page();
    {
        let mut archive = Archive::open(&config.archive.path).unwrap();
        archive
            .record_capture(&NewCapture {
                canonical_url: URL,
                site: target.site.key(),
                site_article_id: &target.id,
                lang: "en",
                title: &old.title,
                published: &old.date,
                document: &old.render(),
                fetched_at: first_capture,
                http_status: 200,
                final_url: URL,
                raw: newsvault::archive::RawBlob::new(raw.as_bytes()).unwrap(),
                content_type: Some("text/html; charset=utf-8"),
                encoding: "UTF-8",
                etag: None,
                last_modified: None,
                extractor: &format!("{}/2", target.site.key()),
                author: None,
                minor: false,
                diff: None,
                date_found: true,
                search: None,
            })
            .unwrap();
    }
    let config_arg = config_path.to_str().unwrap();
    let out = newsvault(&["--config", config_arg, "reprocess"], dir.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.contains("1 re-derived"),
        "{err}"
    );

    let archive = Archive::open(&config.archive.path).unwrap();
    let document = archive.document(URL, 1).unwrap().unwrap();
    let parsed = newsvault::document::Document::parse(&document).unwrap();
    assert!(parsed.body.contains("What comes next"), "{}", parsed.body);
    assert_eq!(
        parsed.date,
        first_capture.format("%Y-%m-%d %H:%M:%S").to_string(),
        "no date on the page: the first capture time, in the site's zone (UTC here)"
    );
    let versions = archive.version_details(URL).unwrap();
    assert!(!versions[0].date_found);
    assert_eq!(
        versions[0].extractor,
        Some(format!(
            "{}/{}",
            target.site.key(),
            newsvault::extract::EXTRACTOR_VERSION
        ))
    );
    drop(archive);

    let out = newsvault(&["--config", config_arg, "history", URL], dir.path());
    let history = String::from_utf8_lossy(&out.stdout);
    assert!(
        history.contains("not on the page, first capture time"),
        "{history}"
    );
}
