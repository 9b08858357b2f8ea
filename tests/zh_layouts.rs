//! Chinese forum, blog and old portal layouts (tests/fixtures/zh_layouts): small hand-written
//! pages in the standard markup of the software that produced them, each with its expected
//! body, date and author. The body must match with F1 >= 0.95 counted one token per Han
//! character (as tests/quality.rs counts) and hold none of the page's furniture listed in
//! `not`; the date and the author must match exactly.

use std::path::{Path, PathBuf};

use newsvault::config::Config;
use newsvault::extract::Extraction;
use newsvault::pipeline::extract_saved_page;

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

/// Han characters one by one, other letters and digits as lower-cased words.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        let han = matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}');
        if han || !c.is_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            if han {
                out.push(c.to_string());
            }
        } else {
            word.extend(c.to_lowercase());
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn lcs(a: &[String], b: &[String]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for x in a {
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                cur[j].max(prev[j + 1])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

fn f1(got: &str, want: &str) -> f64 {
    let (got, want) = (tokens(got), tokens(want));
    let common = lcs(&got, &want) as f64;
    if common == 0.0 {
        return 0.0;
    }
    let (p, r) = (common / got.len() as f64, common / want.len() as f64);
    2.0 * p * r / (p + r)
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
