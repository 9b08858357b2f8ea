//! A mutation fuzzer on stable Rust, for the parsers and the server's request paths.
//!
//! `cargo bench --bench fuzz -- TARGET SECONDS` mutates the target's seed corpus (fixtures and
//! `tests/fixtures/fuzz/seeds/TARGET/`) for SECONDS and runs every mutant under
//! `catch_unwind`. A panicking input is written to `tests/fixtures/fuzz/regressions/TARGET/`
//! (replayed by `tests/fuzz_regressions.rs` from then on). An input that aborts the process
//! (stack overflow) or hangs is caught too: the input under test is always in
//! `$CARGO_TARGET_DIR/fuzz-current-TARGET`, and a watchdog aborts after 20 s on one input.
//! Mutants that are new in length or outcome join the corpus (no coverage feedback: stable
//! Rust has no instrumentation for it). Prints executions per second and crashes at the end.
//! `cargo bench --bench fuzz -- all SECONDS` runs every target in turn.

#[path = "fuzz/targets.rs"]
mod fuzz_targets;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Tokens worth splicing into inputs: markup, feed, HTTP and front-matter syntax.
const DICTIONARY: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "<item>",
    "</item>",
    "<entry>",
    "<link>",
    "</link>",
    "<ttl>",
    "<![CDATA[",
    "]]>",
    "&amp;",
    "&#x110000;",
    "&#0;",
    "<script>",
    "<table>",
    "<p>",
    "<br>",
    "<img src=",
    "href=",
    "javascript:",
    "file:///",
    "http://",
    "https://",
    "data:",
    "---\n",
    "\n---\n",
    "title: ",
    "date: ",
    "\"",
    "'",
    "\\",
    "\\u0000",
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "null",
    "true",
    "1e999",
    "-1",
    "18446744073709551615",
    "4294967295",
    "\u{feff}",
    "\u{0}",
    "\r\n",
    "\n\n",
    "%00",
    "%",
    "?",
    "&",
    "=",
    "/a/qq/",
    ".atom",
    "?before=",
    "?v=",
    "/diff?a=1&b=",
    "GET ",
    "POST ",
    "HEAD ",
    "Content-Type: application/x-www-form-urlencoded\n",
    "If-None-Match: ",
    "If-Modified-Since: ",
    "[[sources]]\n",
    "kind = \"feed\"\n",
    "interval = \"",
    "[sites.",
    "timezone = \"",
    "\u{00e4}",
    "中文",
    "charset=",
    "<meta charset=",
    "encoding=\"gb2312\"",
    "window.DATA = ",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(rng: &mut Rng, corpus: &[Vec<u8>], input: &mut Vec<u8>) {
    const MAX_LEN: usize = 256 << 10;
    for _ in 0..1 + rng.below(8) {
        let len = input.len();
        match rng.below(9) {
            0 if len > 0 => {
                let at = rng.below(len);
                input[at] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let at = rng.below(len);
                input[at] = [0, 0xff, 0x7f, 0x80, b'<', b'>', b'"', b'&', b'\n'][rng.below(9)];
            }
            2 if len > 0 => {
                let at = rng.below(len);
                let n = 1 + rng.below((len - at).min(64));
                input.drain(at..at + n);
            }
            3 if len > 0 && len < MAX_LEN => {
                // Duplicate a range, sometimes many times (deep nesting, long runs).
                let at = rng.below(len);
                let n = 1 + rng.below((len - at).min(256));
                let chunk = input[at..at + n].to_vec();
                let times = if rng.below(8) == 0 {
                    1 + rng.below(500)
                } else {
                    1
                };
                let insert_at = rng.below(len + 1);
                let repeated: Vec<u8> = chunk.iter().copied().cycle().take(n * times).collect();
                input.splice(insert_at..insert_at, repeated);
            }
            4 => {
                let token = DICTIONARY[rng.below(DICTIONARY.len())].as_bytes();
                let at = rng.below(len + 1);
                input.splice(at..at, token.iter().copied());
            }
            5 if !corpus.is_empty() => {
                // Splice: a piece of another input.
                let other = &corpus[rng.below(corpus.len())];
                if !other.is_empty() {
                    let from = rng.below(other.len());
                    let n = 1 + rng.below((other.len() - from).min(4096));
                    let at = rng.below(len + 1);
                    input.splice(at..at, other[from..from + n].iter().copied());
                }
            }
            6 if len > 0 => input.truncate(rng.below(len)),
            7 => {
                let at = rng.below(len + 1);
                let bytes: Vec<u8> = (0..1 + rng.below(16)).map(|_| rng.next() as u8).collect();
                input.splice(at..at, bytes);
            }
            _ if len > 1 => {
                // Swap two ranges' first bytes: reorders tags and fields.
                let (a, b) = (rng.below(len), rng.below(len));
                input.swap(a, b);
            }
            _ => input.push(rng.next() as u8),
        }
    }
    input.truncate(MAX_LEN);
}

fn corpus_for(target: &str) -> Vec<Vec<u8>> {
    let mut corpus: Vec<Vec<u8>> = fuzz_targets::seed_files(target)
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .collect();
    if corpus.is_empty() {
        corpus.push(Vec::new());
    }
    corpus
}

fn regressions_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz/regressions")
        .join(target)
}

fn current_path(target: &str) -> PathBuf {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    dir.join(format!("fuzz-current-{target}"))
}

fn fuzz(target: &str, seconds: u64) {
    let mut corpus = corpus_for(target);
    let seeds = corpus.len();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ std::process::id() as u64 ^ seconds);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let execs = Arc::new(AtomicU64::new(0));
    let (mut crashes, mut crash_kinds) = (0u64, HashSet::new());
    let current = current_path(target);
    let mut seen_lengths = HashSet::new();
    // A watchdog: an input that runs 20 s is a hang; the process aborts, leaving the input.
    {
        let execs = Arc::clone(&execs);
        let target = target.to_owned();
        std::thread::spawn(move || {
            let mut last = u64::MAX;
            loop {
                std::thread::sleep(Duration::from_secs(20));
                let now = execs.load(Ordering::Relaxed);
                if now == last {
                    eprintln!(
                        "fuzz {target}: one input ran over 20 s (a hang); it is in {}",
                        current_path(&target).display()
                    );
                    std::process::abort();
                }
                last = now;
            }
        });
    }
    // Silence the panic message of every caught crash; they are summed up below.
    std::panic::set_hook(Box::new(|_| {}));
    while Instant::now() < deadline {
        let mut input = corpus[rng.below(corpus.len())].clone();
        mutate(&mut rng, &corpus, &mut input);
        let _ = std::fs::write(&current, &input);
        let result = std::panic::catch_unwind(|| fuzz_targets::run(target, &input));
        execs.fetch_add(1, Ordering::Relaxed);
        match result {
            Ok(()) => {
                // No coverage here: keep inputs of new lengths, up to a bounded corpus.
                if corpus.len() < 4096 && seen_lengths.insert(input.len()) && rng.below(4) == 0 {
                    corpus.push(input);
                }
            }
            Err(payload) => {
                crashes += 1;
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                let kind: String = message.chars().take(80).collect();
                if crash_kinds.insert(kind.clone()) {
                    let dir = regressions_dir(target);
                    let _ = std::fs::create_dir_all(&dir);
                    let name = format!("crash-{:016x}", fxhash(&input));
                    let _ = std::fs::write(dir.join(&name), &input);
                    eprintln!("fuzz {target}: new crash ({kind}) saved as {name}");
                }
            }
        }
    }
    let total = execs.load(Ordering::Relaxed);
    let secs = started.elapsed().as_secs_f64();
    println!(
        "fuzz {target}: {total} executions in {secs:.0}s = {:.0} exec/s; {seeds} seeds, corpus {}; \
         {crashes} crashing executions, {} distinct crashes",
        total as f64 / secs,
        corpus.len(),
        crash_kinds.len()
    );
    let _ = std::fs::remove_file(&current);
}

fn fxhash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    // `cargo test --benches` runs bench targets without --bench: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        for target in fuzz_targets::TARGETS {
            for seed in corpus_for(target) {
                fuzz_targets::run(target, &seed);
            }
        }
        return;
    }
    let target = args.first().map(String::as_str).unwrap_or("all");
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(60);
    if target == "all" {
        for t in fuzz_targets::TARGETS {
            fuzz(t, seconds);
        }
    } else {
        fuzz(target, seconds);
    }
}
