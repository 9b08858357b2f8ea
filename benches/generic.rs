//! Generic extraction over the quality suite's pages (tests/fixtures/quality), against
//! trafilatura on the same pages in the same run. `cargo bench --bench generic`.
//!
//! Prints pages/s of decode + extract + render on one core and the peak resident memory of a
//! child process doing only that (this bench re-runs itself with `--child`), then the same for
//! trafilatura through `benches/generic.py` (installed with pip on first use; skipped with a
//! message when pip or Python is unavailable), and the ratio.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use newsvault::config::Config;
use newsvault::extract::Extraction;
use newsvault::pipeline::extract_saved_page;

const SECONDS: u64 = 5;

fn pages() -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quality");
    #[derive(serde::Deserialize)]
    struct Pages {
        page: Vec<Page>,
    }
    #[derive(serde::Deserialize)]
    struct Page {
        name: String,
        url: String,
    }
    let pages: Pages =
        toml::from_str(&std::fs::read_to_string(dir.join("pages.toml")).unwrap()).unwrap();
    pages
        .page
        .into_iter()
        .map(|p| (dir.join("pages").join(format!("{}.html", p.name)), p.url))
        .collect()
}

/// Runs the extraction loop; returns (pages done, seconds).
fn run(pages: &[(PathBuf, String)], seconds: u64) -> (u64, f64) {
    let config = Config::default();
    let bytes: Vec<Vec<u8>> = pages
        .iter()
        .map(|(p, _)| std::fs::read(p).unwrap())
        .collect();
    let once = || {
        let mut n = 0usize;
        for (b, (_, url)) in bytes.iter().zip(pages) {
            let saved = extract_saved_page(b, url, &config).unwrap();
            if let Extraction::Article(a) = &saved.extraction {
                n += a.to_document(&saved.target).render().len();
            }
        }
        std::hint::black_box(n);
    };
    once();
    let start = Instant::now();
    let mut done = 0u64;
    while start.elapsed() < Duration::from_secs(seconds) {
        once();
        done += pages.len() as u64;
    }
    (done, start.elapsed().as_secs_f64())
}

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn trafilatura(pages: &[(PathBuf, String)]) -> Option<(f64, u64)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/generic.py");
    let have = Command::new("python3")
        .args(["-c", "import trafilatura"])
        .status()
        .ok()?
        .success();
    if !have {
        println!("trafilatura: not installed; trying `pip install trafilatura lxml_html_clean`");
        let ok = Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "trafilatura",
                "lxml_html_clean",
            ])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            println!("trafilatura: skipped (pip is unavailable or the install failed)");
            return None;
        }
    }
    let out = Command::new("python3")
        .arg(script)
        .arg(SECONDS.to_string())
        .args(pages.iter().map(|(p, _)| p))
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |k: &str| {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(k))
            .and_then(|v| v.parse::<f64>().ok())
    };
    match (field("pages="), field("seconds="), field("peak_kb=")) {
        (Some(n), Some(s), Some(kb)) => Some((n / s, kb as u64)),
        _ => {
            println!(
                "trafilatura: failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            None
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let pages = pages();
    if args.iter().any(|a| a == "--child") {
        let (n, s) = run(&pages, SECONDS);
        println!(
            "pages={n} seconds={s:.3} peak_kb={}",
            peak_rss_kb().unwrap_or(0)
        );
        return;
    }
    // `cargo test --benches` runs bench targets without --bench: keep that quick.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let bytes: u64 = pages
        .iter()
        .map(|(p, _)| std::fs::metadata(p).unwrap().len())
        .sum();
    // A child process of its own, so its peak memory is the extractor's alone.
    let out = Command::new(&args[0])
        .arg("--child")
        .output()
        .expect("run the bench child");
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |k: &str| {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(k))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let ours = field("pages=") / field("seconds=");
    println!(
        "newsvault generic: {} pages ({:.1} MB), {ours:.0} pages/s on one core, peak RSS {} KB",
        pages.len(),
        bytes as f64 / 1e6,
        field("peak_kb=")
    );
    if let Some((theirs, kb)) = trafilatura(&pages) {
        println!("trafilatura:       {theirs:.1} pages/s on one core, peak RSS {kb} KB");
        println!(
            "ratio: newsvault is {:.1}x trafilatura's throughput",
            ours / theirs
        );
    }
}
