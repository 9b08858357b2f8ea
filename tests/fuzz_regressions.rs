//! Every input the fuzz bench (`cargo bench --bench fuzz`) once found crashing a target,
//! replayed through the same target: none may panic again. The inputs live in
//! `tests/fixtures/fuzz/regressions/<target>/`; the seeds are replayed too.

#[path = "../benches/fuzz/targets.rs"]
mod targets;

fn replay(target: &str) -> usize {
    let files = targets::seed_files(target);
    for file in &files {
        let input = std::fs::read(file).unwrap();
        let outcome = std::panic::catch_unwind(|| targets::run(target, &input));
        assert!(outcome.is_ok(), "{target}: {} panics", file.display());
    }
    files.len()
}

#[test]
fn crash_inputs_found_by_fuzzing_no_longer_crash() {
    let mut regressions = 0;
    for target in targets::TARGETS {
        replay(target);
        regressions += targets::regression_files(target).len();
    }
    assert!(regressions >= 2, "the committed crash inputs are replayed");
}

#[test]
fn the_feed_parser_panic_is_an_error() {
    for file in targets::regression_files("feed") {
        let input = std::fs::read(&file).unwrap();
        let base = url::Url::parse("https://example.com/feed").unwrap();
        // Whatever it is, it is an answer: a feed or an error saying why not.
        let _ = newsvault::source::read_feed(&input, &base);
    }
}
