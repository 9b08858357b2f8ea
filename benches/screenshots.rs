//! What a screenshot costs per page (`[capture] screenshot`): time and PNG bytes, over real
//! pages (tests/fixtures/qq and tests/fixtures/quality/pages), each rendered by the real
//! browser from its stored bytes exactly as the pipeline does. `cargo bench --bench
//! screenshots` (needs `chromium`); `SCREENSHOT_PDF=1` also prints each page to PDF.
//!
//! Offline: each page is served under http://127.0.0.1:1/ (nothing listens there) and the
//! target policy refuses loopback, so every subresource is refused without a DNS lookup. The
//! figures are the browser's own cost (start, layout, paint, encode), without the page's
//! images and stylesheets, which a live capture also downloads.

use std::path::Path;
use std::time::Instant;

use newsvault::archive::ShotKind;
use newsvault::capture::{Plan, capture};
use newsvault::config::CaptureConfig;
use newsvault::fetch::target::TargetPolicy;

fn pages() -> Vec<(String, Vec<u8>)> {
    let roots = ["tests/fixtures/qq", "tests/fixtures/quality/pages"];
    let mut pages = Vec::new();
    for root in roots {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
        for entry in walkdir::WalkDir::new(dir)
            .max_depth(1)
            .into_iter()
            .flatten()
        {
            if entry.path().extension().is_some_and(|e| e == "html") {
                let name = entry.file_name().to_string_lossy().into_owned();
                pages.push((name, std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    pages.sort();
    pages
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let config = CaptureConfig {
        screenshot: true,
        pdf: std::env::var_os("SCREENSHOT_PDF").is_some(),
        ..CaptureConfig::default()
    };
    let policy = TargetPolicy::default();
    let (mut times, mut sizes, mut heights, mut pdf_sizes) = (vec![], vec![], vec![], vec![]);
    let start = Instant::now();
    for (name, body) in pages() {
        let plan = Plan {
            page_url: format!("http://127.0.0.1:1/{name}").parse().unwrap(),
            content_type: if name.contains(".gbk.") {
                "text/html; charset=gbk"
            } else {
                "text/html"
            }
            .into(),
            body,
            image_hosts: Vec::new(),
        };
        for shot in capture(&plan, &config, &policy) {
            match (&shot.result, shot.kind) {
                (Ok(picture), ShotKind::Png) => {
                    let (w, h) = picture.size.unwrap();
                    println!(
                        "{name:40} {:>6} ms {:>9} bytes {w}x{h}",
                        shot.took_ms,
                        picture.bytes.len()
                    );
                    times.push(shot.took_ms as f64);
                    sizes.push(picture.bytes.len() as f64);
                    heights.push(f64::from(h));
                }
                (Ok(picture), ShotKind::Pdf) => pdf_sizes.push(picture.bytes.len() as f64),
                (Err(e), kind) => println!("{name:40} {kind}: {e}"),
            }
        }
    }
    let n = times.len() as f64;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    println!(
        "\n{} pages in {:.1} s: time per page mean {:.0} ms, median {:.0} ms; PNG mean {:.0} KB, median {:.0} KB, total {:.1} MB; height mean {:.0} px",
        n,
        start.elapsed().as_secs_f64(),
        mean(&times),
        median(&mut times.clone()),
        mean(&sizes) / 1024.0,
        median(&mut sizes.clone()) / 1024.0,
        sizes.iter().sum::<f64>() / 1_048_576.0,
        mean(&heights),
    );
    if !pdf_sizes.is_empty() {
        println!(
            "PDF mean {:.0} KB (time above includes it)",
            mean(&pdf_sizes) / 1024.0
        );
    }
}
