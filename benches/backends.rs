//! The two backends side by side at 100,000 articles (200,000 versions): the storage
//! interface's feed reads (first and deep pages, one article, the changes feed, a title
//! search), timed one call at a time, median and p99 of each; and `copy` of the whole archive
//! from SQLite into PostgreSQL (rows/s). The SQLite archive is written through the interface
//! (group commits of 500 captures); PostgreSQL is a throwaway cluster on a unix socket
//! (`archive::postgres::throwaway`, fsync off: it measures queries, not the disk).
//! Run with `cargo bench --bench backends`.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use newsvault::archive::copy::copy_archive;
use newsvault::archive::postgres::throwaway;
use newsvault::archive::{Archive, Mode, NewCapture, connect};

const ARTICLES: u64 = 100_000;
const RUNS: usize = 200;

fn url(i: u64) -> String {
    format!("https://new.qq.com/rain/a/2025{:04}A{:07}", i % 1231, i)
}

fn generate(archive: &mut Archive) {
    let page =
        "<html><body><p>近期，中国人工智能企业以较低算力成本实现技术突破。</p></body></html>";
    for chunk in (0..ARTICLES).collect::<Vec<_>>().chunks(500) {
        archive.begin_group().unwrap();
        for &i in chunk {
            let url = url(i);
            let id = format!("A{i:07}");
            for seq in 0..2u64 {
                let title = format!("第{i}号文章：美国总统表示（第{seq}版）");
                let document = format!("# {title}\n\n近期，第{i}号文章的正文，第{seq}版。\n");
                let raw = format!("{page}<!-- {i} {seq} -->");
                let capture = NewCapture {
                    canonical_url: &url,
                    site: if i % 10 == 0 { "sina" } else { "qq" },
                    site_article_id: &id,
                    lang: "zh-CN",
                    title: &title,
                    published: "2025-02-11 07:03:08",
                    document: &document,
                    fetched_at: Utc
                        .timestamp_opt(1_739_000_000 + (i * 2 + seq) as i64, 0)
                        .unwrap(),
                    http_status: 200,
                    final_url: &url,
                    raw: newsvault::archive::RawBlob::new(raw.as_bytes()).unwrap(),
                    content_type: Some("text/html"),
                    encoding: "utf-8",
                    etag: None,
                    last_modified: None,
                    extractor: "bench",
                    author: Some("新华社"),
                    minor: false,
                    diff: None,
                    date_found: true,
                    search: None,
                };
                archive
                    .in_unit(|a| a.record_capture(&capture).map(|_| ()))
                    .unwrap();
            }
        }
        archive.commit_group().unwrap();
    }
}

fn time(label: &str, backend: &str, mut f: impl FnMut()) {
    let mut samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect();
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{backend:<10} {label:<34} median {:>7.3} ms   p99 {:>7.3} ms",
        ms(samples[RUNS / 2]),
        ms(samples[RUNS * 99 / 100])
    );
}

fn reads(backend: &str, archive: &Archive) {
    let newest = archive.article_summaries(None, None, 1, false).unwrap()[0].id;
    time("article_summaries first page (50)", backend, || {
        assert_eq!(
            archive
                .article_summaries(None, None, 50, true)
                .unwrap()
                .len(),
            50
        );
    });
    time("article_summaries deep page (50)", backend, || {
        let page = archive.article_summaries(None, Some(newest - 90_000), 50, true);
        assert_eq!(page.unwrap().len(), 50);
    });
    time("article_summaries one site (50)", backend, || {
        let page = archive.article_summaries(Some("sina"), None, 50, true);
        assert_eq!(page.unwrap().len(), 50);
    });
    time("article_summary by site id", backend, || {
        assert!(archive.article_summary("qq", "A0054321").unwrap().is_some());
    });
    time("change_events first page (50)", backend, || {
        assert_eq!(archive.change_events(None, 50).unwrap().len(), 50);
    });
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let mut sqlite = connect(&path, Mode::ReadWrite).unwrap();
    let started = Instant::now();
    generate(&mut sqlite);
    println!(
        "SQLite: {ARTICLES} articles, {} versions written through the interface in {:.1}s",
        ARTICLES * 2,
        started.elapsed().as_secs_f64()
    );
    let url = throwaway::fresh_database();
    let mut postgres = connect(Path::new(&url), Mode::ReadWrite).unwrap();
    let started = Instant::now();
    let report = copy_archive(&sqlite, &mut postgres, &mut |_| {}).unwrap();
    let rows: u64 = report.iter().map(|(_, total, _)| total).sum();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "copy SQLite -> PostgreSQL: {rows} rows in {seconds:.1}s ({:.0} rows/s)",
        rows as f64 / seconds
    );
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client.batch_execute("VACUUM ANALYZE").unwrap();
    drop(client);
    reads("SQLite", &sqlite);
    reads("PostgreSQL", &postgres);
}
