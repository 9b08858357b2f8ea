//! What keeping images costs: 2,000 local Tencent News pages, each showing three images from a
//! local image server (a 40 KB JPEG and a 20 KB PNG of its own, and a 5 KB logo every page
//! shares), archived by the release binary's `archive URL...` with `[archive] images` on and
//! off, alternately. Reports the time per article (images on: until every image is recorded,
//! which `archive` waits for before it exits) and the image bytes stored per article.
//! `cargo bench --bench images`; `IMAGES_BENCH_ROUNDS=N` (default 2) rounds of each.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use common::{Form, qq_page};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const ARTICLES: usize = 2_000;

fn id(i: usize) -> String {
    format!("20250301A{i:05}00")
}

/// The article pages: each body shows `/img/<n>.jpg`, `/img/<n>.png` and `/img/logo.gif`.
struct Pages {
    images: String,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = request
            .url
            .path()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_owned();
        let n = &id[9..14];
        let img = |name: &str| format!("<p><img src=\"{}/img/{name}\"></p>", self.images);
        let body = format!(
            "<p>{id}的正文，讲述了一件事情的来龙去脉。</p>{}<p>第二段：更多的细节与背景。</p>{}{}",
            img(&format!("{n}.jpg")),
            img(&format!("{n}.png")),
            img("logo.gif")
        );
        let html = qq_page(
            &id,
            &format!("标题{id}"),
            "2025-03-01 08:00:00",
            "媒体",
            &body,
            Form::Dom,
        );
        ResponseTemplate::new(200).set_body_raw(html.into_bytes(), "text/html; charset=utf-8")
    }
}

/// The images: bytes that start like their type and differ per article.
struct Images;

impl Respond for Images {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let name = request.url.path().rsplit('/').next().unwrap_or("");
        let (stem, ext) = name.split_once('.').unwrap_or((name, ""));
        let seed = stem
            .bytes()
            .fold(7u8, |a, b| a.wrapping_mul(31).wrapping_add(b));
        let (magic, size, kind): (&[u8], usize, &str) = match ext {
            "jpg" => (b"\xFF\xD8\xFF\xE0", 40_000, "image/jpeg"),
            "png" => (b"\x89PNG\r\n\x1A\n", 20_000, "image/png"),
            _ => (b"GIF89a", 5_000, "image/gif"),
        };
        let mut bytes = magic.to_vec();
        // The name makes each article's images distinct bytes (the logo is one for all).
        bytes.extend_from_slice(stem.as_bytes());
        bytes.extend((0..size).map(|i| seed.wrapping_add((i % 251) as u8)));
        ResponseTemplate::new(200).set_body_raw(bytes, kind)
    }
}

/// One `archive` of every page into a fresh archive; (seconds, image bytes stored).
fn round(site: &str, on: bool) -> (f64, u64) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db");
    let config = dir.path().join("newsvault.toml");
    std::fs::write(
        &config,
        format!(
            "[archive]\npath = \"{}\"\nimages = {on}\n\
             [fetch]\nallow_private_hosts = [\"127.0.0.1\"]\nper_host_interval = \"0s\"\nper_host_concurrency = 16\nrespect_robots = false\n\
             [check]\nmax_in_flight = 16\n[sites.qq]\nfetch_base = \"{site}\"\n",
            db.display()
        ),
    )
    .unwrap();
    let urls: Vec<String> = (0..ARTICLES)
        .map(|i| format!("https://new.qq.com/rain/a/{}", id(i)))
        .collect();
    let started = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_newsvault"))
        .arg("--config")
        .arg(&config)
        .arg("archive")
        .args(&urls)
        .output()
        .unwrap();
    let secs = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let bytes: i64 = conn
        .query_row(
            "SELECT coalesce(sum(size), 0) FROM blobs WHERE compression = 'none'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let outcomes: Vec<(String, i64)> = conn
        .prepare("SELECT outcome, count(*) FROM version_images GROUP BY outcome ORDER BY outcome")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let (versions, fetched): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM versions),
                 (SELECT coalesce(sum(size), 0) FROM version_images WHERE outcome = 'ok')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    println!(
        "  {versions} versions; image outcomes {outcomes:?}; image bytes fetched {:.1} KB/article",
        fetched as f64 / 1024.0 / ARTICLES as f64
    );
    (secs, u64::try_from(bytes).unwrap_or(0))
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rounds: usize = std::env::var("IMAGES_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (site, images) = runtime.block_on(async {
        let site = MockServer::start().await;
        let images = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path_regex("^/rain/a/"))
            .respond_with(Pages {
                images: images.uri(),
            })
            .mount(&site)
            .await;
        Mock::given(method("GET"))
            .and(path_regex("^/img/"))
            .respond_with(Images)
            .mount(&images)
            .await;
        (site, images)
    });
    let (mut off, mut on) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        for images_on in [true, false] {
            let (secs, bytes) = round(&site.uri(), images_on);
            let per = secs * 1000.0 / ARTICLES as f64;
            println!(
                "images {}: {ARTICLES} articles in {secs:.1}s ({per:.2} ms/article), image bytes stored {:.1} KB/article",
                if images_on { "on " } else { "off" },
                bytes as f64 / 1024.0 / ARTICLES as f64
            );
            if images_on {
                on.push(per)
            } else {
                off.push(per)
            }
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (on, off) = (median(&mut on), median(&mut off));
    println!(
        "median: images on {on:.2} ms/article, off {off:.2} ms/article: {:+.2} ms/article for 3 images",
        on - off
    );
    drop((site, images));
}
