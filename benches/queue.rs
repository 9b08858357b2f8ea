//! Claiming queue items over a backlog, through the storage interface: 100,000 items pending,
//! a worker claims 4 at a time and finishes them, as a daemon does; the median and p99 time of
//! one claim, on SQLite and on PostgreSQL (a throwaway cluster of Debian's server, fsync off:
//! it measures the query, not the disk). Run with `cargo bench --bench queue`.
//!
//! Before the claim-order index (`src/archive/sqlite/migrations/018_queue_claim_order.sql`)
//! a claim took 13.7 ms on SQLite and 25.3 ms on PostgreSQL (medians); with it, 0.09 and
//! 0.33 ms.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use newsvault::archive::postgres::throwaway;
use newsvault::archive::{Archive, Mode, PollRecord, QueueState, ToQueue, connect};

const PENDING: usize = 100_000;
const CLAIMS: usize = 500;

fn fill(archive: &mut Archive) {
    archive.register_source("bench", "feed").unwrap();
    let urls: Vec<String> = (0..PENDING)
        .map(|i| format!("http://127.0.0.1/news/{i:06}.html"))
        .collect();
    let items: Vec<ToQueue<'_>> = urls
        .iter()
        .map(|url| ToQueue {
            url,
            kind: "text",
            title: None,
            published: None,
            listing: None,
        })
        .collect();
    let at = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
    let poll = PollRecord {
        at,
        error: None,
        etag: None,
        last_modified: None,
        interval: Duration::from_secs(600),
        next_poll_at: at,
        listed: PENDING as u64,
        queued: 0,
    };
    archive.record_poll("bench", &items, &poll).unwrap();
}

/// (median, p99) of one claim of 4, each followed by its items' finishing.
fn claims(archive: &mut Archive) -> (Duration, Duration) {
    let now = Utc.timestamp_opt(1_700_000_100, 0).unwrap();
    let until = Utc.timestamp_opt(1_700_000_700, 0).unwrap();
    let mut times = Vec::with_capacity(CLAIMS);
    for _ in 0..CLAIMS {
        let start = Instant::now();
        let items = archive.claim_queue("bench", now, until, 4).unwrap();
        times.push(start.elapsed());
        assert_eq!(items.len(), 4);
        for item in items {
            let done = QueueState::Done;
            assert!(
                archive
                    .finish_claimed("bench", item.id, &done, "archived", now)
                    .unwrap()
            );
        }
    }
    times.sort();
    (times[CLAIMS / 2], times[CLAIMS * 99 / 100])
}

fn report(backend: &str, archive: &mut Archive) {
    let start = Instant::now();
    fill(archive);
    let filled = start.elapsed();
    let (median, p99) = claims(archive);
    println!(
        "{backend:<10} {PENDING} pending (queued in {:.1} s): claim of 4 median {:.3} ms, p99 {:.3} ms",
        filled.as_secs_f64(),
        median.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = connect(&dir.path().join("archive.db"), Mode::ReadWrite).unwrap();
    report("sqlite", &mut sqlite);
    let url = throwaway::fresh_database();
    let mut postgres = connect(Path::new(&url), Mode::ReadWrite).unwrap();
    report("postgresql", &mut postgres);
}
