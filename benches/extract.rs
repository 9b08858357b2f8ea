//! Extraction + rendering throughput over the fixture pages, on one core, and the binary's peak
//! memory archiving them from a local server. Run with `cargo bench --bench extract`.
//!
//! Prints pages/s and MB/s of `extract` + `Document::render` (single thread, after a warm-up),
//! then runs the release binary under `/usr/bin/time` (when present) archiving every fixture page
//! served on 127.0.0.1, and prints its peak resident memory.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Form, fixture_text, qq_page, served_bodies};
use newsvault::config::SitesConfig;
use newsvault::extract::{Extraction, extract};
use newsvault::sites::resolve;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// (article id, page HTML) for every fixture page.
fn pages() -> Vec<(String, String)> {
    let mut pages = Vec::new();
    for form in ["rich", "qnt", "json"] {
        pages.push((
            common::GOLDEN_ID.to_owned(),
            fixture_text(&format!("qq/golden-{form}.html")),
        ));
    }
    pages.push((
        "20190907A081B0".to_owned(),
        fixture_text("qq/page-2019-rain-a.html"),
    ));
    for body in served_bodies() {
        for form in [Form::Dom, Form::JsonOnly] {
            pages.push((
                body.id.clone(),
                qq_page(
                    &body.id,
                    &body.title,
                    &body.pub_date,
                    "媒体",
                    &body.description,
                    form,
                ),
            ));
        }
    }
    pages
}

fn throughput(pages: &[(String, String)]) {
    let config = SitesConfig::default();
    let targets: Vec<_> = pages
        .iter()
        .map(|(id, _)| resolve(&format!("https://new.qq.com/rain/a/{id}"), &config).unwrap())
        .collect();
    let bytes: usize = pages.iter().map(|(_, html)| html.len()).sum();
    let run_once = || {
        let mut rendered = 0usize;
        for ((_, html), target) in pages.iter().zip(&targets) {
            match extract(html, target, &target.fetch_url) {
                Extraction::Article(a) => rendered += a.to_document(target).render().len(),
                other => panic!("{}: {other:?}", target.id),
            }
        }
        std::hint::black_box(rendered);
    };
    run_once(); // warm-up
    let started = Instant::now();
    let mut rounds = 0u32;
    while started.elapsed() < Duration::from_secs(5) {
        run_once();
        rounds += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    let n = pages.len() as f64 * f64::from(rounds);
    println!(
        "extract+render: {} pages ({:.1} MB) x {rounds} rounds in {secs:.2}s: {:.0} pages/s, {:.1} MB/s (one core)",
        pages.len(),
        bytes as f64 / 1e6,
        n / secs,
        bytes as f64 * f64::from(rounds) / secs / 1e6
    );
}

async fn peak_memory(pages: &[(String, String)]) {
    if !std::path::Path::new("/usr/bin/time").exists() {
        println!("peak memory: skipped (no /usr/bin/time)");
        return;
    }
    let server = MockServer::start().await;
    let mut urls = Vec::new();
    for (i, (_, html)) in pages.iter().enumerate() {
        // Distinct ids so every page is a new article.
        let id = format!("20250101A{:05}00", i);
        let html = html
            .replace("\"article_id\":", "\"_article_id\":")
            .replace("\"article_id\": ", "\"_article_id\": ");
        Mock::given(method("GET"))
            .and(path(format!("/rain/a/{id}")))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(html.into_bytes(), "text/html; charset=utf-8"),
            )
            .mount(&server)
            .await;
        urls.push(format!("https://new.qq.com/rain/a/{id}"));
    }
    let dir = tempfile::tempdir().unwrap();
    let config = common::write_test_config(dir.path(), &server.uri(), "per_host_concurrency = 8");
    let binary = env!("CARGO_BIN_EXE_newsvault");
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("/usr/bin/time")
            .arg("-f")
            .arg("PEAK_RSS_KB=%M")
            .arg(binary)
            .arg("--config")
            .arg(&config)
            .arg("archive")
            .args(&urls)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let archived = stderr.lines().filter(|l| l.starts_with("new ")).count();
    let peak = stderr
        .lines()
        .find_map(|l| l.strip_prefix("PEAK_RSS_KB="))
        .unwrap_or("?");
    println!(
        "archive command: {archived}/{} pages archived from 127.0.0.1 in {:.2}s, peak RSS {peak} KB",
        pages.len(),
        started.elapsed().as_secs_f64()
    );
}

fn main() {
    // `cargo test --benches` runs bench targets with --bench absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let pages = pages();
    throughput(&pages);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(peak_memory(&pages));
}
