//! Load with idle connections: 5,000 idle TCP connections are opened to the real server (on
//! 127.0.0.1) and held while 200 clients each fetch `/feed.atom` 10 times over keep-alive
//! connections. Every request must be answered; prints the p50 and p99 of the fetches and how
//! many idle connections were still open at the end. Run with
//! `cargo bench --bench server_load` (`NEWSVAULT_BENCH_IDLE=N` changes the idle count).
//!
//! The client and the server share this process, so it needs twice the idle count in file
//! descriptors: when the soft limit is lower, the bench runs itself again under
//! `sh -c 'ulimit -n <hard limit>'`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use newsvault::config::Config;

const CLIENTS: usize = 200;
const FETCHES_PER_CLIENT: usize = 10;

/// The soft and hard open-file limits, from /proc (no libc call needed).
fn open_file_limits() -> Option<(u64, String)> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let fields: Vec<&str> = line.split_whitespace().collect();
    Some((fields.get(3)?.parse().ok()?, fields.get(4)?.to_string()))
}

fn rerun_with_more_descriptors(needed: u64) {
    let Some((soft, hard)) = open_file_limits() else {
        return;
    };
    if soft >= needed || std::env::var_os("NEWSVAULT_BENCH_RERUN").is_some() {
        return;
    }
    println!("open-file limit {soft} < {needed}: running again with `ulimit -n {hard}`");
    let args: Vec<String> = std::env::args().collect();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -n {hard} && exec \"$@\""))
        .arg("sh")
        .args(&args)
        .env("NEWSVAULT_BENCH_RERUN", "1")
        .status()
        .expect("run sh");
    std::process::exit(status.code().unwrap_or(1));
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    // `cargo test --benches` runs bench targets with --bench absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let idle_count: usize = std::env::var("NEWSVAULT_BENCH_IDLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    rerun_with_more_descriptors((idle_count * 2 + CLIENTS * 2 + 200) as u64);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(run(idle_count));
}

async fn run(idle_count: usize) {
    let dir = tempfile::tempdir().unwrap();
    let db = common::history_archive(dir.path(), 200);
    let mut config = Config::default();
    // Idle connections must stay open for the whole run to count.
    config.server.header_read_timeout = Duration::from_secs(300);
    let server = common::TestServer::start(&db, config).await;
    let addr = server.base.trim_start_matches("http://").to_owned();

    let started = Instant::now();
    let mut idle = Vec::with_capacity(idle_count);
    for _ in 0..idle_count {
        idle.push(
            tokio::net::TcpStream::connect(&addr)
                .await
                .expect("idle connection"),
        );
    }
    println!(
        "{} idle connections open in {:.2}s",
        idle.len(),
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CLIENTS {
        let url = server.url("/feed.atom");
        tasks.spawn(async move {
            let client = reqwest::Client::new();
            let mut times = Vec::with_capacity(FETCHES_PER_CLIENT);
            for _ in 0..FETCHES_PER_CLIENT {
                let t = Instant::now();
                let r = client.get(&url).send().await.expect("answered");
                assert_eq!(r.status(), 200);
                let body = r.bytes().await.expect("body");
                assert!(body.starts_with(b"<?xml"));
                times.push(t.elapsed());
            }
            times
        });
    }
    let mut times = Vec::new();
    // Each client's first fetch also opens its connection; the later ones reuse it.
    let mut reusing = Vec::new();
    while let Some(client) = tasks.join_next().await {
        let client = client.expect("a client failed");
        reusing.extend_from_slice(&client[1..]);
        times.extend(client);
    }
    let wall = started.elapsed();
    times.sort();
    reusing.sort();

    // Idle connections the server still holds: nothing to read, and not closed.
    let mut still_open = 0;
    for stream in &idle {
        let mut buf = [0u8; 1];
        if let Err(e) = stream.try_read(&mut buf)
            && e.kind() == std::io::ErrorKind::WouldBlock
        {
            still_open += 1;
        }
    }
    println!(
        "{} of {} fetches of /feed.atom answered by {CLIENTS} clients in {:.2}s ({:.0}/s) \
         while {still_open} of {idle_count} idle connections stayed open: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        times.len(),
        CLIENTS * FETCHES_PER_CLIENT,
        wall.as_secs_f64(),
        times.len() as f64 / wall.as_secs_f64(),
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3,
    );
    println!(
        "the fetches on an open connection (all but each client's first): p50 {:.1} ms, p99 {:.1} ms",
        percentile(&reusing, 0.5).as_secs_f64() * 1e3,
        percentile(&reusing, 0.99).as_secs_f64() * 1e3,
    );
    drop(idle);
    server.stop().await;
}
