//! Raw capture compression on real pages: deflate (what archives hold so far) against zstd at
//! low levels, for size and speed. `cargo bench --bench blobs`. Pages: tests/fixtures (HTML),
//! plus /work/shared/fixtures and /work/shared/corpora/readability when present.

use std::io::{Read, Write};
use std::path::Path;
use std::time::Instant;

fn pages() -> Vec<Vec<u8>> {
    let roots = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"),
        "/work/shared/fixtures",
        "/work/shared/corpora/readability/html",
    ];
    let mut pages = Vec::new();
    for root in roots {
        for entry in walkdir::WalkDir::new(Path::new(root)).into_iter().flatten() {
            if entry.path().extension().is_some_and(|e| e == "html") {
                pages.push(std::fs::read(entry.path()).unwrap());
            }
        }
    }
    pages
}

/// (compressed bytes, compress MB/s, decompress MB/s) over all pages.
fn measure(
    pages: &[Vec<u8>],
    compress: impl Fn(&[u8]) -> Vec<u8>,
    decompress: impl Fn(&[u8], usize) -> Vec<u8>,
) -> (usize, f64, f64) {
    let total: usize = pages.iter().map(Vec::len).sum();
    let start = Instant::now();
    let packed: Vec<Vec<u8>> = pages.iter().map(|p| compress(p)).collect();
    let pack_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    for (p, z) in pages.iter().zip(&packed) {
        assert_eq!(&decompress(z, p.len()), p);
    }
    let unpack_s = start.elapsed().as_secs_f64();
    let size = packed.iter().map(Vec::len).sum();
    (
        size,
        total as f64 / 1e6 / pack_s,
        total as f64 / 1e6 / unpack_s,
    )
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let pages = pages();
    let total: usize = pages.iter().map(Vec::len).sum();
    println!("{} pages, {:.1} MB", pages.len(), total as f64 / 1e6);
    let deflate = |level: u32| {
        move |raw: &[u8]| {
            let mut enc =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(level));
            enc.write_all(raw).unwrap();
            enc.finish().unwrap()
        }
    };
    let inflate = |z: &[u8], n: usize| {
        let mut out = Vec::with_capacity(n);
        flate2::read::DeflateDecoder::new(z)
            .read_to_end(&mut out)
            .unwrap();
        out
    };
    let unzstd = |z: &[u8], n: usize| zstd::bulk::decompress(z, n).unwrap();
    let mut rows = vec![(
        "deflate default (6)".to_owned(),
        measure(&pages, deflate(6), inflate),
    )];
    rows.push(("deflate 1".to_owned(), measure(&pages, deflate(1), inflate)));
    for level in [1, 2, 3] {
        rows.push((
            format!("zstd {level}"),
            measure(
                &pages,
                move |raw| zstd::bulk::compress(raw, level).unwrap(),
                unzstd,
            ),
        ));
    }
    // The same levels with one compression context kept for every page, as each extraction
    // thread keeps one: a context's tables are allocated and cleared once, not per page.
    for level in [1, 2, 3] {
        let context = std::cell::RefCell::new(zstd::bulk::Compressor::new(level).unwrap());
        rows.push((
            format!("zstd {level}, kept"),
            measure(
                &pages,
                move |raw| context.borrow_mut().compress(raw).unwrap(),
                unzstd,
            ),
        ));
    }
    // Level 3 with smaller match tables (hash log, chain log): fewer cache misses per page.
    for (hash_log, chain_log) in [(16, 15), (15, 14), (14, 13)] {
        let mut compressor = zstd::bulk::Compressor::new(3).unwrap();
        compressor
            .set_parameter(zstd::zstd_safe::CParameter::HashLog(hash_log))
            .unwrap();
        compressor
            .set_parameter(zstd::zstd_safe::CParameter::ChainLog(chain_log))
            .unwrap();
        let context = std::cell::RefCell::new(compressor);
        rows.push((
            format!("zstd 3 h{hash_log} c{chain_log}"),
            measure(
                &pages,
                move |raw| context.borrow_mut().compress(raw).unwrap(),
                unzstd,
            ),
        ));
    }
    for (name, (size, pack, unpack)) in rows {
        println!(
            "{name:<20} ratio {:.2} ({:.1} MB), compress {pack:.0} MB/s, decompress {unpack:.0} MB/s",
            total as f64 / size as f64,
            size as f64 / 1e6
        );
    }
}
