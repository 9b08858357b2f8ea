//! `newsvault archive URL... [--out DIR]`

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use newsvault::archive::{self, Mode};
use newsvault::config::Config;
use newsvault::document::Document;
use newsvault::export::{Written, write_document};
use newsvault::pipeline::{Outcome, Pipeline};

/// With `json`, stdout carries one JSON object per URL (its outcome) and no document.
pub fn archive(
    mut config: Config,
    urls: &[String],
    out: Option<&Path>,
    json: bool,
) -> Result<ExitCode> {
    // The user typed these URLs: they may point at this machine or the local network (every
    // other way in, the daemon's sources, the web, re-checks, keeps the target policy).
    let configured_targets = config.fetch.clone();
    config.fetch.allow_private_targets = true;
    let archive = archive::connect(&config.archive.path, Mode::ReadWrite)?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let location = config.archive.path.clone();
    let pipeline = Pipeline::new(config, archive)?
        .with_image_targets(&configured_targets)?
        .with_reader(&location);

    // Outcomes are handled as they come (in input order), so memory stays flat however many
    // URLs there are; the documents of articles found unchanged (304) are read afterwards.
    let mut failures = 0;
    let mut not_modified = Vec::new();
    let mut written: Result<()> = Ok(());
    // Printed to stdout with --json, where a single document would otherwise go.
    let print_document = !json && urls.len() == 1;
    runtime.block_on(pipeline.archive_urls_each(urls, |_, outcome| {
        if json {
            if written.is_ok() {
                written =
                    super::json::print_line(&super::json::outcome(&outcome)).map_err(Into::into);
            }
        } else {
            eprintln!("{}", outcome.summary());
        }
        match outcome {
            Outcome::Archived {
                target, document, ..
            } => {
                if written.is_ok() {
                    written = emit(&document, &target.id, out, print_document);
                }
            }
            Outcome::NotModified { target } if out.is_some() || print_document => {
                not_modified.push(target)
            }
            Outcome::NotModified { .. } => {}
            _ => failures += 1,
        }
    }));
    // The outcomes are reported; the images of what was stored are still being fetched.
    runtime.block_on(pipeline.finish_images());
    written?;
    for target in not_modified {
        let url = target.canonical_url.clone();
        let text = runtime
            .block_on(pipeline.with_archive(move |a| a.latest_document(&url)))?
            .with_context(|| format!("{}: no archived document", target.canonical_url))?;
        let document = newsvault::document::Document::parse(&text)
            .with_context(|| format!("archived document of {}", target.canonical_url))?;
        emit(&document, &target.id, out, print_document)?;
    }
    std::io::stdout().flush()?;
    if failures > 0 {
        eprintln!(
            "newsvault: {failures} of {} URL(s) not archived",
            urls.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes an archived document to `out`, or prints it when asked (one URL, no --json).
fn emit(document: &Document, id: &str, out: Option<&Path>, print: bool) -> Result<()> {
    match out {
        Some(dir) => {
            let (path, written) = write_document(dir, document, id)?;
            let what = match written {
                Written::Created => "wrote",
                Written::Updated => "updated",
                Written::Unchanged => "kept",
            };
            eprintln!("{what:<10} {}", path.display());
        }
        None if print => std::io::stdout().write_all(document.render().as_bytes())?,
        None => {}
    }
    Ok(())
}
