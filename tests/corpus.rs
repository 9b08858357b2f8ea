//! A committed random sample of the two public labelled corpora (issue 9): 30 Mozilla
//! Readability test pages and 40 pages of trafilatura's evaluation set, drawn with a recorded
//! seed by `benches/quality/sample.py` (the full corpora are scored by `benches/quality/run.py`,
//! which needs ../shared).
//!
//! Scored as `../shared/tools/extract_eval.py` scores them:
//! - Readability pages: the Zyte article-extraction-benchmark metric. Tokens are `\w+` runs,
//!   shingles of 4 tokens compared as multisets; precision and recall are averaged over pages
//!   and F1 is taken of the two averages.
//! - trafilatura pages: the share of `with` snippets found in the body (higher is better) and of
//!   `without` snippets found (lower is better), after collapsing whitespace (the scorer also
//!   applies NFKC; the sample's snippets do not need it).
//!
//! The test fails when a figure is worse than `floor.json`, or a page is refused.
//! `NEWSVAULT_CORPUS_WRITE=1 cargo test --test corpus` records the current figures as the floor
//! (only ever upwards: see the issue). `-- --nocapture` prints them.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use newsvault::config::Config;
use newsvault::extract::Extraction;
use newsvault::extract::parse::parse_document;
use newsvault::pipeline::extract_saved_file;

#[derive(Debug, serde::Deserialize)]
struct Labels {
    #[serde(rename = "articleBody")]
    article_body: Option<String>,
    url: Option<String>,
    #[serde(default)]
    with: Vec<String>,
    #[serde(default)]
    without: Vec<String>,
}

#[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Floor {
    readability_f1: f64,
    readability_precision: f64,
    readability_recall: f64,
    trafilatura_with: f64,
    trafilatura_without: f64,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

/// The extracted body text of every page of one sample (`None`: refused), by page id.
fn extract_sample(corpus: &str) -> (BTreeMap<String, Labels>, HashMap<String, Option<String>>) {
    let root = dir().join(corpus);
    let labels: BTreeMap<String, Labels> =
        serde_json::from_str(&std::fs::read_to_string(root.join("labels.json")).unwrap()).unwrap();
    let scratch =
        std::env::temp_dir().join(format!("newsvault-corpus-{corpus}-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let config = Config::default();
    let mut bodies = HashMap::new();
    for (id, label) in &labels {
        let bytes = gunzip(&root.join(format!("{id}.html.gz")));
        // Saved under its id, as the bench extracts it: pages without a URL resolve to file://.
        let path = scratch.join(format!("{id}.html"));
        std::fs::write(&path, &bytes).unwrap();
        let url = label.url.as_deref().filter(|u| !u.is_empty());
        let saved = extract_saved_file(&bytes, &path, url, &config).unwrap();
        let body = match saved.extraction {
            Extraction::Article(a) => Some(a.body.text),
            _ => None,
        };
        bodies.insert(id.clone(), body);
    }
    std::fs::remove_dir_all(&scratch).ok();
    (labels, bodies)
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut bytes)
        .unwrap();
    bytes
}

/// The extractor's parser (with its depth cap and its shortcut for scripts' and styles' text)
/// builds the tree scraper builds, on every real page the repository holds.
#[test]
fn real_pages_parse_as_scraper_parses_them() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut pages = Vec::new();
    for sub in [
        "corpus/readability",
        "corpus/trafilatura",
        "quality/pages",
        "qq",
        "zh_layouts",
    ] {
        for entry in std::fs::read_dir(fixtures.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.to_string_lossy().into_owned();
            if name.ends_with(".html.gz") {
                pages.push((name, gunzip(&path)));
            } else if name.ends_with(".html") {
                pages.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    assert!(pages.len() > 100, "{} pages", pages.len());
    let differ: Vec<&str> = pages
        .iter()
        .filter(|(_, bytes)| {
            let html = String::from_utf8_lossy(bytes);
            parse_document(&html).root_element().html()
                != scraper::Html::parse_document(&html).root_element().html()
        })
        .map(|(name, _)| name.as_str())
        .collect();
    assert!(differ.is_empty(), "trees differ: {differ:#?}");
}

/// `\w+` runs, as Python's `re` finds them in Unicode text.
fn zyte_tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .collect()
}

/// Shingles of `n` tokens; a text shorter than `n` gives one shorter shingle, an empty one none.
fn shingles<'a>(tokens: &[&'a str], n: usize) -> HashMap<Vec<&'a str>, u32> {
    let mut out = HashMap::new();
    for i in 0..tokens.len().saturating_sub(n) + usize::from(!tokens.is_empty()) {
        let end = (i + n).min(tokens.len());
        *out.entry(tokens[i..end].to_vec()).or_insert(0) += 1;
    }
    out
}

/// True positives, false positives and false negatives of 4-token shingles, as fractions.
fn tp_fp_fn(truth: &str, predicted: &str) -> (f64, f64, f64) {
    let (t, p) = (zyte_tokens(truth), zyte_tokens(predicted));
    let (t, p) = (shingles(&t, 4), shingles(&p, 4));
    let (mut tp, mut fp, mut fn_) = (0u32, 0u32, 0u32);
    for key in t.keys().chain(p.keys().filter(|k| !t.contains_key(*k))) {
        let (tc, pc) = (
            t.get(key).copied().unwrap_or(0),
            p.get(key).copied().unwrap_or(0),
        );
        tp += tc.min(pc);
        fp += pc.saturating_sub(tc);
        fn_ += tc.saturating_sub(pc);
    }
    let sum = f64::from(tp + fp + fn_);
    if sum == 0.0 {
        return (0.0, 0.0, 0.0);
    }
    (
        f64::from(tp) / sum,
        f64::from(fp) / sum,
        f64::from(fn_) / sum,
    )
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

/// Averaged precision, averaged recall and the F1 of the two, as the Zyte benchmark computes.
fn zyte_scores(pages: &[(f64, f64, f64)]) -> (f64, f64, f64) {
    let precision: Vec<f64> = pages
        .iter()
        .filter(|(tp, fp, _)| tp + fp > 0.0)
        .map(|&(tp, fp, fn_)| match () {
            _ if fp == 0.0 && fn_ == 0.0 => 1.0,
            _ => tp / (tp + fp),
        })
        .collect();
    let recall: Vec<f64> = pages
        .iter()
        .filter(|(tp, _, fn_)| tp + fn_ > 0.0)
        .map(|&(tp, fp, fn_)| match () {
            _ if fp == 0.0 && fn_ == 0.0 => 1.0,
            _ => tp / (tp + fn_),
        })
        .collect();
    let (p, r) = (mean(&precision), mean(&recall));
    let f1 = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (f1, p, r)
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The share of `with` and of `without` snippets found in the bodies.
fn snippet_rates(
    labels: &BTreeMap<String, Labels>,
    bodies: &HashMap<String, Option<String>>,
) -> (f64, f64) {
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for (id, label) in labels {
        let body = collapse(bodies[id].as_deref().unwrap_or(""));
        let found = |s: &String| f64::from(u8::from(body.contains(&collapse(s))));
        with.extend(label.with.iter().map(found));
        without.extend(label.without.iter().map(found));
    }
    (mean(&with), mean(&without))
}

#[test]
fn zyte_metric_matches_the_benchmark_on_small_cases() {
    assert_eq!(
        zyte_tokens("Hello, wörld_1 — 中文"),
        ["Hello", "wörld_1", "中文"]
    );
    assert_eq!(tp_fp_fn("a b c d e", "a b c d e"), (1.0, 0.0, 0.0));
    // Truth shingles abcd, bcde; predicted abcd only: 1 tp, 1 fn.
    assert_eq!(tp_fp_fn("a b c d e", "a b c d"), (0.5, 0.0, 0.5));
    // Shorter than a shingle: one short shingle each.
    assert_eq!(tp_fp_fn("a b", "a b"), (1.0, 0.0, 0.0));
    assert_eq!(tp_fp_fn("a b c d", ""), (0.0, 0.0, 1.0));
    let (f1, p, r) = zyte_scores(&[(0.5, 0.0, 0.5), (1.0, 0.0, 0.0)]);
    assert_eq!((p, r), (1.0, 0.75));
    assert!((f1 - 2.0 * 0.75 / 1.75).abs() < 1e-12);
}

#[test]
fn corpus_sample_scores_do_not_drop() {
    let (r_labels, r_bodies) = extract_sample("readability");
    let pages: Vec<(f64, f64, f64)> = r_labels
        .iter()
        .map(|(id, l)| {
            tp_fp_fn(
                l.article_body.as_deref().unwrap_or(""),
                r_bodies[id].as_deref().unwrap_or(""),
            )
        })
        .collect();
    let (f1, precision, recall) = zyte_scores(&pages);
    let (t_labels, t_bodies) = extract_sample("trafilatura");
    let (with, without) = snippet_rates(&t_labels, &t_bodies);
    let now = Floor {
        readability_f1: f1,
        readability_precision: precision,
        readability_recall: recall,
        trafilatura_with: with,
        trafilatura_without: without,
    };
    println!("{now:#?}");
    let refused: Vec<&String> = r_bodies
        .iter()
        .chain(&t_bodies)
        .filter(|(_, b)| b.is_none())
        .map(|(id, _)| id)
        .collect();
    let floor_path = dir().join("floor.json");
    if std::env::var_os("NEWSVAULT_CORPUS_WRITE").is_some() {
        let round = |x: f64| (x * 1000.0).floor() / 1000.0;
        let floor = Floor {
            readability_f1: round(now.readability_f1),
            readability_precision: round(now.readability_precision),
            readability_recall: round(now.readability_recall),
            trafilatura_with: round(now.trafilatura_with),
            trafilatura_without: (now.trafilatura_without * 1000.0).ceil() / 1000.0,
        };
        std::fs::write(
            &floor_path,
            serde_json::to_string_pretty(&floor).unwrap() + "\n",
        )
        .unwrap();
    }
    let floor: Floor =
        serde_json::from_str(&std::fs::read_to_string(&floor_path).unwrap()).unwrap();
    assert!(refused.is_empty(), "refused as not articles: {refused:?}");
    let mut worse = Vec::new();
    for (what, value, limit, higher_is_better) in [
        (
            "readability body F1",
            now.readability_f1,
            floor.readability_f1,
            true,
        ),
        (
            "readability precision",
            now.readability_precision,
            floor.readability_precision,
            true,
        ),
        (
            "readability recall",
            now.readability_recall,
            floor.readability_recall,
            true,
        ),
        (
            "trafilatura with-found",
            now.trafilatura_with,
            floor.trafilatura_with,
            true,
        ),
        (
            "trafilatura without-found",
            now.trafilatura_without,
            floor.trafilatura_without,
            false,
        ),
    ] {
        if (higher_is_better && value < limit) || (!higher_is_better && value > limit) {
            worse.push(format!("{what}: {value:.4} (floor {limit:.3})"));
        }
    }
    assert!(
        worse.is_empty(),
        "scores dropped below the floor: {worse:#?}"
    );
}
