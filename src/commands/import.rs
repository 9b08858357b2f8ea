//! `newsvault import DIR|FILE...`

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use newsvault::archive::{self, Mode};
use newsvault::config::Config;
use newsvault::import::{FileOutcome, find_files, import_files};

/// Bad files are reported (`path:line: what is wrong`) and counted, and the exit status stays 0:
/// an import of thousands of old files is expected to meet a few bad ones. Only a fatal error
/// (the archive cannot be opened or written) gives exit status 1.
pub fn import(config: &Config, inputs: &[PathBuf]) -> Result<ExitCode> {
    let mut archive = archive::connect(&config.archive.path, Mode::ReadWrite)?;
    let found = find_files(inputs);
    let (files, problems) = (found.files, found.problems);
    for problem in &problems {
        eprintln!("{problem}");
    }
    for hidden in &found.hidden {
        eprintln!("{}: passed over (hidden)", hidden.display());
    }
    let bar = progress_bar(files.len() as u64);
    let summary = import_files(&mut archive, &config.sites, &files, |_, outcome| {
        if let FileOutcome::Skipped(problem) = outcome {
            bar.suspend(|| eprintln!("{problem}"));
        }
        bar.inc(1);
    });
    bar.finish_and_clear();
    let mut summary = summary?;
    summary.skipped += problems.len() as u64;
    summary.hidden = found.hidden.len() as u64;
    eprintln!("{summary}");
    Ok(ExitCode::SUCCESS)
}

/// A progress bar on stderr when it is a terminal; hidden otherwise (logs, CI, pipes).
pub fn progress_bar(len: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{wide_bar} {human_pos}/{human_len}, eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
