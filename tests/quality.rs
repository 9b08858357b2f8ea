//! The quality suite: real saved pages (tests/fixtures/quality/pages.toml) with title, date,
//! author and body written down by hand, extracted offline and scored.
//!
//! Body score: the longest common subsequence (LCS) of the extracted and the expected body as
//! token sequences, where a token is one CJK character (character level for Chinese) or one
//! lower-cased run of Latin letters and digits (word level for Latin text); punctuation and
//! whitespace are not tokens. Precision = LCS / extracted tokens, recall = LCS / expected
//! tokens. LCS (not a bag of tokens) so that text in the wrong order or repeated counts as wrong.
//!
//! `baseline.tsv` records each page's scores and which metadata fields came out right; the test
//! fails when a score drops below its recorded value or a field that was right no longer is.
//! `NEWSVAULT_QUALITY_WRITE=1 cargo test --test quality` records the current results.
//! `cargo test --test quality -- --nocapture` prints the table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use newsvault::config::Config;
use newsvault::extract::Extraction;
use newsvault::pipeline::extract_saved_page;

mod common;
use common::text_score;

#[derive(Debug, serde::Deserialize)]
struct Pages {
    page: Vec<Page>,
}

#[derive(Debug, serde::Deserialize)]
struct Page {
    name: String,
    url: String,
    title: String,
    date: String,
    author: String,
}

#[derive(Debug, Clone, PartialEq)]
struct Score {
    precision: f64,
    recall: f64,
    title: bool,
    date: bool,
    author: bool,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quality")
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn score(page: &Page) -> Score {
    let bytes = std::fs::read(dir().join("pages").join(format!("{}.html", page.name)))
        .unwrap_or_else(|e| panic!("{}: {e}", page.name));
    let expected =
        std::fs::read_to_string(dir().join("expected").join(format!("{}.txt", page.name)))
            .unwrap_or_else(|e| panic!("{}: {e}", page.name));
    let saved = extract_saved_page(&bytes, &page.url, &Config::default()).unwrap();
    let Extraction::Article(a) = saved.extraction else {
        println!("{:<22} not extracted: {:?}", page.name, saved.extraction);
        return Score {
            precision: 0.0,
            recall: 0.0,
            title: false,
            date: false,
            author: false,
        };
    };
    let (precision, recall) = text_score::overlap(&a.body.plain_text, &expected);
    let s = Score {
        precision,
        recall,
        title: collapse(&a.title) == collapse(&page.title),
        date: a.published == page.date,
        author: a.author.as_deref().map(collapse) == Some(collapse(&page.author)),
    };
    if std::env::var_os("NEWSVAULT_QUALITY_VERBOSE").is_some() {
        println!(
            "{}: title {:?} date {:?} author {:?}",
            page.name, a.title, a.published, a.author
        );
    }
    s
}

fn read_baseline() -> BTreeMap<String, Score> {
    let text = std::fs::read_to_string(dir().join("baseline.tsv")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 6, "baseline.tsv line: {l}");
            (
                f[0].to_owned(),
                Score {
                    precision: f[1].parse().unwrap(),
                    recall: f[2].parse().unwrap(),
                    title: f[3] == "1",
                    date: f[4] == "1",
                    author: f[5] == "1",
                },
            )
        })
        .collect()
}

fn write_baseline(scores: &[(String, Score)]) {
    let mut out = String::from(
        "# name\tprecision\trecall\ttitle\tdate\tauthor (minimums; see tests/quality.rs)\n",
    );
    let floor = |x: f64| (x * 1000.0).floor() / 1000.0;
    for (name, s) in scores {
        out.push_str(&format!(
            "{name}\t{:.3}\t{:.3}\t{}\t{}\t{}\n",
            floor(s.precision),
            floor(s.recall),
            u8::from(s.title),
            u8::from(s.date),
            u8::from(s.author)
        ));
    }
    std::fs::write(dir().join("baseline.tsv"), out).unwrap();
}

#[test]
fn quality_does_not_regress() {
    let pages: Pages =
        toml::from_str(&std::fs::read_to_string(dir().join("pages.toml")).unwrap()).unwrap();
    assert!(pages.page.len() >= 20, "the suite keeps its pages");
    let results: Vec<(String, Score)> = pages
        .page
        .iter()
        .map(|p| (p.name.clone(), score(p)))
        .collect();

    println!(
        "\n{:<22} {:>9} {:>7} {:>6}  title date author",
        "page", "precision", "recall", "F1"
    );
    let (mut sp, mut sr, mut sf) = (0.0, 0.0, 0.0);
    let mut fields = [0usize; 3];
    for (name, s) in &results {
        let f1 = if s.precision + s.recall > 0.0 {
            2.0 * s.precision * s.recall / (s.precision + s.recall)
        } else {
            0.0
        };
        sp += s.precision;
        sr += s.recall;
        sf += f1;
        fields[0] += usize::from(s.title);
        fields[1] += usize::from(s.date);
        fields[2] += usize::from(s.author);
        let mark = |b: bool| if b { "  ok " } else { "  -- " };
        println!(
            "{name:<22} {:>9.3} {:>7.3} {f1:>6.3} {}{}{}",
            s.precision,
            s.recall,
            mark(s.title),
            mark(s.date),
            mark(s.author)
        );
    }
    let n = results.len() as f64;
    for (label, prefix) in [("all", ""), ("zh", "zh-"), ("en", "en-")] {
        let group: Vec<&(String, Score)> = results
            .iter()
            .filter(|(name, _)| name.starts_with(prefix))
            .collect();
        if group.is_empty() {
            continue;
        }
        let k = group.len() as f64;
        let p = group.iter().map(|(_, s)| s.precision).sum::<f64>() / k;
        let r = group.iter().map(|(_, s)| s.recall).sum::<f64>() / k;
        println!("mean {label:<17} {p:>9.3} {r:>7.3} ({} pages)", group.len());
    }
    println!(
        "mean F1 {:.3}; title {}/{n}, date {}/{n}, author {}/{n} (P {:.3}, R {:.3})\n",
        sf / n,
        fields[0],
        fields[1],
        fields[2],
        sp / n,
        sr / n
    );

    if std::env::var_os("NEWSVAULT_QUALITY_WRITE").is_some() {
        write_baseline(&results);
        return;
    }
    let baseline = read_baseline();
    let mut failures = Vec::new();
    for (name, s) in &results {
        let Some(b) = baseline.get(name) else {
            failures.push(format!(
                "{name}: no baseline (NEWSVAULT_QUALITY_WRITE=1 records one)"
            ));
            continue;
        };
        if s.precision + 1e-9 < b.precision {
            failures.push(format!(
                "{name}: precision {:.3} < {:.3}",
                s.precision, b.precision
            ));
        }
        if s.recall + 1e-9 < b.recall {
            failures.push(format!("{name}: recall {:.3} < {:.3}", s.recall, b.recall));
        }
        for (what, now, was) in [
            ("title", s.title, b.title),
            ("date", s.date, b.date),
            ("author", s.author, b.author),
        ] {
            if was && !now {
                failures.push(format!("{name}: the {what} is no longer right"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "quality regressed:\n{}",
        failures.join("\n")
    );
}

#[test]
fn tokens_are_cjk_characters_and_latin_words() {
    assert_eq!(
        text_score::tokens("新闻 News-day, 2019年!"),
        ["新", "闻", "news", "day", "2019", "年"]
    );
    let a = text_score::tokens("一二三四");
    let b = text_score::tokens("一三四五");
    assert_eq!(text_score::lcs(&a, &b), 3);
    assert_eq!(text_score::overlap("一二三四", "一三四五"), (0.75, 0.75));
}
