//! `newsvault reprocess [--site KEY]`

use std::process::ExitCode;

use anyhow::Result;
use newsvault::archive::{self, Mode};
use newsvault::config::Config;

pub fn reprocess(config: &Config, site: Option<&str>) -> Result<ExitCode> {
    let mut archive = archive::connect(&config.archive.path, Mode::ReadWrite)?;
    let report = newsvault::pipeline::reprocess(&mut archive, config, site)?;
    for (url, seq, why) in &report.failed {
        eprintln!("kept       {url} version {seq}: the current extractor cannot read it: {why}");
    }
    eprintln!(
        "reprocessed {} version(s): {} re-derived (old documents kept), {} unchanged, {} unreadable; \
         {} edit(s) found to change nothing the article says, now minor",
        report.unchanged + report.rederived + report.failed.len() as u64,
        report.rederived,
        report.unchanged,
        report.failed.len(),
        report.downgraded
    );
    Ok(ExitCode::SUCCESS)
}
