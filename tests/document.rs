//! The archive document format against the reference file (shared/golden, copied into
//! tests/fixtures/golden): reading it and writing it back must be byte-for-byte exact.

use newsvault::document::{Document, content_path, summarize};
use std::path::{Path, PathBuf};

const GOLDEN_ID: &str = "20250211A013J400";

fn golden_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/golden")
        .join(format!("{GOLDEN_ID}.zh-CN.md"))
}

fn golden() -> String {
    std::fs::read_to_string(golden_path()).expect("golden fixture is readable")
}

#[test]
fn golden_round_trips_byte_for_byte() {
    let text = golden();
    let doc = Document::parse(&text).expect("golden parses");
    assert_eq!(doc.render(), text);
}

#[test]
fn golden_fields() {
    let doc = Document::parse(&golden()).unwrap();
    assert_eq!(doc.title, "赵明昊：摆脱“输赢视角”，共促AI发展");
    assert_eq!(doc.date, "2025-02-11 07:03:08");
    assert_eq!(doc.site, "qq");
    assert_eq!(doc.lang, "zh-CN");
    assert_eq!(doc.thumbnail, "");
    assert_eq!(
        doc.source_url,
        format!("https://new.qq.com/rain/a/{GOLDEN_ID}")
    );
    assert!(doc.body.starts_with("近期，中国人工智能企业DeepSeek"));
    assert!(doc.body.ends_with("教授）"));
    assert_eq!(doc.body.split("\n\n").count(), 11);
    assert_eq!(doc, doc.clone().normalized());
}

/// The summary is the plain text of the body (paragraphs joined with nothing between them)
/// under the summary rule.
#[test]
fn golden_summary_follows_the_rule() {
    let doc = Document::parse(&golden()).unwrap();
    let plain: String = doc.body.split("\n\n").collect();
    assert_eq!(summarize(&plain, &doc.lang), doc.summary);
    assert!(doc.summary.ends_with("..."));
    assert_eq!(doc.summary.chars().count(), 53);
}

#[test]
fn golden_reads_the_same_with_crlf_and_bom() {
    let text = golden();
    let windows = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    assert_eq!(Document::parse(&windows), Document::parse(&text));
}

#[test]
fn golden_lives_at_its_content_path() {
    let doc = Document::parse(&golden()).unwrap();
    let path = content_path(&doc.lang, &doc.site, GOLDEN_ID).unwrap();
    assert_eq!(
        path,
        PathBuf::from(format!("content/zh-CN/news/qq/{GOLDEN_ID}.zh-CN.md"))
    );
}

#[test]
fn damaged_golden_reports_the_line() {
    let text = golden();
    let no_link = text.replace("[qq](https://new.qq.com/rain/a/20250211A013J400)\n", "");
    let err = Document::parse(&no_link).unwrap_err();
    assert_eq!(err.line, 48);
    assert_eq!(
        err.to_string(),
        "line 48: the last line must be the source link [site](url)"
    );

    let unterminated = text.replacen("共促AI发展\"", "共促AI发展", 1);
    let err = Document::parse(&unterminated).unwrap_err();
    assert_eq!(err.to_string(), "line 2: unterminated double-quoted string");
}
