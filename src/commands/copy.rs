//! `newsvault copy SRC DST`

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use newsvault::archive::copy::{CopyProgress, copy_archive};
use newsvault::archive::{self, Location, Mode};

use super::import::progress_bar;

/// Copies the whole archive at `source` (an SQLite file or a database URL) into `dest`
/// (created when missing). Running it again after an interruption continues the copy.
pub fn copy(source: &Path, dest: &Path) -> Result<ExitCode> {
    let (shown_source, shown_dest) = (Location::of(source), Location::of(dest));
    let from = archive::connect(source, Mode::ReadOnly)
        .with_context(|| format!("cannot read {shown_source}"))?;
    let mut into = archive::connect(dest, Mode::ReadWrite)
        .with_context(|| format!("cannot write {shown_dest}"))?;
    let mut bar = None;
    let report = copy_archive(&from, &mut into, &mut |progress| match progress {
        CopyProgress::Total(rows) => bar = Some(progress_bar(rows)),
        CopyProgress::Done(rows) => {
            if let Some(bar) = &bar {
                bar.inc(rows);
            }
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let report = report.with_context(|| format!("copy of {shown_source} into {shown_dest}"))?;
    let rows: u64 = report.iter().map(|(_, total, _)| total).sum();
    let loaded: u64 = report.iter().map(|(_, _, loaded)| loaded).sum();
    eprintln!(
        "copied {shown_source} into {shown_dest}: {rows} rows, {loaded} new, {} already there",
        rows - loaded
    );
    for (table, total, new) in report {
        eprintln!("  {table}: {total} rows ({new} new)");
    }
    Ok(ExitCode::SUCCESS)
}
