//! Full-text search at 100,000 articles and 1,000,000 versions (the feeds bench's archive,
//! `benches/support/big_archive.rs`), on SQLite and on PostgreSQL (a throwaway cluster on a
//! unix socket, fsync off): the index rebuilt from scratch (time, size), then searches through
//! the storage interface one at a time, median and p99 of each: a rare word (one article's
//! number, in its title), the same as `第12345号` (a phrase whose last lone character is a
//! prefix), a common word (`中美`, in every version), a common phrase, an absent word, and an
//! absent phrase of two words that are everywhere (`"中美 美国"`), each over the latest
//! versions and over every version. The archives are written with plain SQL (no index), so
//! the rebuild indexes everything.
//! Run with `cargo bench --bench search`; `NEWSVAULT_BENCH_BACKENDS=sqlite` (or `postgres`)
//! runs one.

use std::path::Path;
use std::time::{Duration, Instant};

use newsvault::archive::postgres::throwaway;
use newsvault::archive::{Archive, Mode, SearchOptions, SearchScope, connect};
use newsvault::search::Query;

#[path = "support/big_archive.rs"]
mod big_archive;

use big_archive::{ARTICLES, VERSIONS_PER_ARTICLE, generate, generate_postgres};

const RUNS: usize = 200;

/// The searches: label, query, and how many results a page of 20 must hold.
const SEARCHES: &[(&str, &str, usize)] = &[
    ("rare word (one article's title)", "12345", 1),
    ("rare, ending in a lone character", "第12345号", 1),
    ("common word (every version)", "中美", 20),
    ("common phrase", "\"非零和视角看待中美科技竞争\"", 20),
    ("absent word", "不存在", 0),
    ("absent phrase of common words", "\"中美 美国\"", 0),
];

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let backends = std::env::var("NEWSVAULT_BENCH_BACKENDS").unwrap_or("sqlite,postgres".into());
    println!(
        "{ARTICLES} articles, {} versions",
        ARTICLES * VERSIONS_PER_ARTICLE
    );
    if backends.contains("sqlite") {
        sqlite();
    }
    if backends.contains("postgres") {
        postgres();
    }
}

fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    drop(Archive::open(&path).unwrap());
    let started = Instant::now();
    generate(&path);
    let size = |path: &Path| {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        std::fs::metadata(path).unwrap().len()
    };
    let before = size(&path);
    println!(
        "SQLite: generated in {:.0} s ({:.0} MB)",
        started.elapsed().as_secs_f64(),
        before as f64 / 1e6
    );
    let mut archive = connect(&path, Mode::ReadWrite).unwrap();
    rebuild("SQLite", &mut archive);
    drop(archive);
    println!(
        "SQLite: index size {:.0} MB (file growth)",
        (size(&path) - before) as f64 / 1e6
    );
    let archive = connect(&path, Mode::ReadOnly).unwrap();
    searches("SQLite", &archive);
}

fn postgres() {
    let url = throwaway::fresh_database();
    let mut archive = connect(Path::new(&url), Mode::ReadWrite).unwrap();
    let started = Instant::now();
    generate_postgres(&url);
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client.batch_execute("VACUUM ANALYZE").unwrap();
    println!(
        "PostgreSQL: generated in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    rebuild("PostgreSQL", &mut archive);
    client.batch_execute("VACUUM ANALYZE").unwrap();
    let row = client
        .query_one(
            "SELECT pg_total_relation_size('search_articles')
                 + pg_total_relation_size('search_versions') AS bytes",
            &[],
        )
        .unwrap();
    let bytes: i64 = row.get("bytes");
    println!(
        "PostgreSQL: index size {:.0} MB (tables and GIN indexes)",
        bytes as f64 / 1e6
    );
    searches("PostgreSQL", &archive);
}

fn rebuild(backend: &str, archive: &mut Archive) {
    let started = Instant::now();
    let counts = archive.rebuild_search_index().unwrap();
    println!(
        "{backend}: rebuilt the index of {} articles and {} versions in {:.0} s",
        counts.articles,
        counts.versions,
        started.elapsed().as_secs_f64()
    );
}

fn searches(backend: &str, archive: &Archive) {
    for scope in [SearchScope::Latest, SearchScope::AllVersions] {
        for (label, text, expected) in SEARCHES {
            let query = Query::parse(text).unwrap();
            let options = SearchOptions {
                scope,
                limit: 20,
                ..SearchOptions::default()
            };
            let mut samples: Vec<Duration> = (0..RUNS + 5)
                .map(|_| {
                    let started = Instant::now();
                    let found = archive.search(&query, &options).unwrap();
                    let took = started.elapsed();
                    assert_eq!(found.results.len(), *expected, "{label}");
                    took
                })
                .skip(5)
                .collect();
            samples.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1e3;
            println!(
                "{backend:<10} {scope:<12} {label:<34} median {:>7.2} ms   p99 {:>7.2} ms",
                ms(samples[RUNS / 2]),
                ms(samples[RUNS * 99 / 100]),
                scope = format!("{scope:?}"),
            );
        }
    }
}
