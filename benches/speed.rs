//! Issue 10's table side by side in one run: generic extraction vs trafilatura, the feed end to
//! end (`daemon`, `archive URL...`) vs a Diffengine-style Python pipeline, and `archive` of
//! 10,000 vs 100 URLs. The work is in `benches/speed.py` (which pip-installs its Python peers);
//! this runs it on the newsvault binary of this build. `cargo bench --bench speed`;
//! `NEWSVAULT_BEFORE=/path/to/old/newsvault` measures an older build alongside,
//! `SPEED_ARGS="--rows e2e --rounds 1"` passes options through.

use std::process::Command;

fn main() {
    // `cargo test --benches` runs bench targets without --bench: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/speed.py");
    let mut command = Command::new("python3");
    command
        .arg(script)
        .arg("--newsvault")
        .arg(env!("CARGO_BIN_EXE_newsvault"));
    if let Ok(before) = std::env::var("NEWSVAULT_BEFORE") {
        command.arg("--before").arg(before);
    }
    if let Ok(extra) = std::env::var("SPEED_ARGS") {
        command.args(extra.split_whitespace());
    }
    match command.status() {
        Ok(status) if status.success() => {}
        Ok(status) => println!("benches/speed.py failed: {status}"),
        Err(e) => println!("speed bench skipped: cannot run python3: {e}"),
    }
}
