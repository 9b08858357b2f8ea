//! Import and export rates of the release binary over a generated Hugo tree. Run with
//! `cargo bench --bench import` (`NEWSVAULT_BENCH_FILES=N` changes the tree size, default
//! 10,000 files, 1% of them malformed).
//!
//! Times `newsvault import` of the tree into a fresh archive, importing it again (every file
//! already known), `newsvault export` of the archive into an empty folder, and exporting again
//! (every file unchanged). The tree and the exports are on the default temporary folder's disk.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use common::tree::{generate, write_tree};

fn timed(what: &str, files: usize, args: &[&str], cwd: &Path) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_newsvault"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NEWSVAULT_CONFIG")
        .env_remove("NEWSVAULT_DB")
        .output()
        .expect("run newsvault");
    let secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary = stderr.lines().last().unwrap_or("");
    println!(
        "{what:<28} {files} files in {secs:.2}s: {:>8.0} files/s   [{summary}]",
        files as f64 / secs
    );
}

fn main() {
    // `cargo test --benches` runs bench targets with --bench absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: usize = std::env::var("NEWSVAULT_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    let files = generate(n);
    write_tree(&tree, &files);
    let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
    println!("tree: {n} files, {:.1} MB", bytes as f64 / 1e6);

    let db = dir.path().join("archive.db");
    let db = db.to_str().unwrap();
    let tree = tree.to_str().unwrap();
    let out = dir.path().join("export");
    let out = out.to_str().unwrap();
    timed(
        "import (fresh archive)",
        n,
        &["--db", db, "import", tree],
        dir.path(),
    );
    timed(
        "import again (all known)",
        n,
        &["--db", db, "import", tree],
        dir.path(),
    );
    timed(
        "export (empty folder)",
        n,
        &["--db", db, "export", out],
        dir.path(),
    );
    timed(
        "export again (unchanged)",
        n,
        &["--db", db, "export", out],
        dir.path(),
    );
}
