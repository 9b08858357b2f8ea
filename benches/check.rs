//! `check --due` selection over a large archive: 1,000,000 articles in a generated SQLite file,
//! their next checks spread over the coming 30 days with 1% overdue. Measures how long picking
//! the next batch of due articles takes (it must come from the `next_check_at` index, not a
//! scan). Run with `cargo bench --bench check`.
//!
//! The articles are inserted with plain SQL for speed: generating test data is not archive
//! logic, and the file is opened through `Archive::open` first so it has the real schema.

use std::time::Instant;

use chrono::{Duration, Utc};
use newsvault::archive::{Archive, format_time};

const ARTICLES: u64 = 1_000_000;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    drop(Archive::open(&path).unwrap());

    let started = Instant::now();
    let now = Utc::now();
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO articles (canonical_url, site, site_article_id, lang, first_seen_at,
                         last_checked_at, last_changed_at, latest_seq, next_check_at)
                     VALUES (?1, ?2, ?3, 'zh-CN', ?4, ?4, ?4, 1, ?5)",
                )
                .unwrap();
            let seen = format_time(now - Duration::days(400));
            for i in 0..ARTICLES {
                // A spread of due times: 1% overdue, the rest over the next 30 days.
                let offset = if i % 100 == 0 {
                    -((i % 3600) as i64)
                } else {
                    ((i * 7919) % (30 * 86_400)) as i64
                };
                let next = format_time(now + Duration::seconds(offset));
                let id = format!("2025{:04}A{:07}", i % 1231, i);
                let site = if i % 10 == 0 { "sina" } else { "qq" };
                insert
                    .execute(rusqlite::params![
                        format!("https://new.qq.com/rain/a/{id}"),
                        site,
                        id,
                        seen,
                        next
                    ])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    println!(
        "generated {ARTICLES} articles in {:.1}s ({:.0} MB file)",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&path).unwrap().len() as f64 / 1e6
    );

    let archive = Archive::open(&path).unwrap();
    for (label, site) in [("all sites", None), ("one site", Some("sina"))] {
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..50 {
            let t = Instant::now();
            found = archive.due_articles(now, site, 500).unwrap().len();
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "check --due selection ({label}, batch of 500, {found} returned): median {:.2} ms, p99 {:.2} ms",
            times[times.len() / 2],
            times[times.len() * 99 / 100]
        );
    }
}
