//! `newsvault archive URL... [--out DIR]`

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use newsvault::archive::Archive;
use newsvault::config::Config;
use newsvault::export::{Written, write_document};
use newsvault::pipeline::{Outcome, Pipeline};

pub fn archive(mut config: Config, urls: &[String], out: Option<&Path>) -> Result<ExitCode> {
    // The user typed these URLs: they may point at this machine or the local network (every
    // other way in, the daemon's sources, the web, re-checks, keeps the target policy).
    config.fetch.allow_private_targets = true;
    let archive = Archive::open(&config.archive.path)?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let pipeline = Pipeline::new(config, archive)?;
    let outcomes = runtime.block_on(pipeline.archive_urls(urls));

    let mut failures = 0;
    let mut stdout = std::io::stdout().lock();
    for outcome in &outcomes {
        eprintln!("{}", outcome.summary());
        if !outcome.is_success() {
            failures += 1;
            continue;
        }
        let Some(target) = outcome.target() else {
            continue;
        };
        let document = match outcome {
            Outcome::Archived { document, .. } => document.clone(),
            _ => {
                let url = target.canonical_url.clone();
                let text = runtime
                    .block_on(pipeline.with_archive(move |a| a.latest_document(&url)))?
                    .with_context(|| format!("{}: no archived document", target.canonical_url))?;
                newsvault::document::Document::parse(&text)
                    .with_context(|| format!("archived document of {}", target.canonical_url))?
            }
        };
        match out {
            Some(dir) => {
                let (path, written) = write_document(dir, &document, &target.id)?;
                let what = match written {
                    Written::Created => "wrote",
                    Written::Updated => "updated",
                    Written::Unchanged => "kept",
                };
                eprintln!("{what:<10} {}", path.display());
            }
            None if urls.len() == 1 => stdout.write_all(document.render().as_bytes())?,
            None => {}
        }
    }
    stdout.flush()?;
    if failures > 0 {
        eprintln!(
            "newsvault: {failures} of {} URL(s) not archived",
            urls.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
