//! Chinese forum, blog and old portal layouts (tests/fixtures/zh_layouts): small hand-written
//! pages in the standard markup of the software that produced them, each with its expected
//! body, date and author. The body must match with F1 >= 0.95 counted one token per Han
//! character (as tests/quality.rs counts) and hold none of the page's furniture listed in
//! `not`; the date and the author must match exactly.

use std::path::{Path, PathBuf};

use newsvault::config::Config;
use newsvault::extract::Extraction;
use newsvault::pipeline::extract_saved_page;

mod common;
use common::text_score::f1;

#[derive(Debug, serde::Deserialize)]
struct Pages {
    page: Vec<Page>,
}

#[derive(Debug, serde::Deserialize)]
struct Page {
    name: String,
    url: String,
    date: String,
    author: String,
    /// Text of the page that is not body (replies, signatures, toolbars, related links).
    not: Vec<String>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zh_layouts")
}

/// What is wrong with one page's extraction, if anything.
fn check(page: &Page) -> Vec<String> {
    let bytes = std::fs::read(dir().join(format!("{}.html", page.name))).unwrap();
    let want = std::fs::read_to_string(dir().join(format!("{}.txt", page.name))).unwrap();
    let saved = extract_saved_page(&bytes, &page.url, &Config::default()).unwrap();
    let Extraction::Article(a) = saved.extraction else {
        return vec![format!(
            "{}: not extracted: {:?}",
            page.name, saved.extraction
        )];
    };
    let mut wrong = Vec::new();
    let score = f1(&a.body.plain_text, &want);
    if score < 0.95 {
        wrong.push(format!(
            "{}: body F1 {score:.3}:\n{}",
            page.name, a.body.plain_text
        ));
    }
    for phrase in page
        .not
        .iter()
        .filter(|p| a.body.plain_text.contains(p.as_str()))
    {
        wrong.push(format!("{}: body holds {phrase:?}", page.name));
    }
    if a.published != page.date {
        wrong.push(format!("{}: date {:?}", page.name, a.published));
    }
    if a.author.as_deref() != Some(page.author.as_str()) {
        wrong.push(format!("{}: author {:?}", page.name, a.author));
    }
    wrong
}

#[test]
fn chinese_forum_blog_and_portal_layouts() {
    let pages: Pages =
        toml::from_str(&std::fs::read_to_string(dir().join("pages.toml")).unwrap()).unwrap();
    let wrong: Vec<String> = pages.page.iter().flat_map(check).collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
