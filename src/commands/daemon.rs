//! `newsvault daemon` and `newsvault status`

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use newsvault::archive::{self, Mode};
use newsvault::config::Config;

/// Due articles counted at most (beyond, "at least").
const DUE_LIMIT: usize = 100_000;

pub fn daemon(config: Config, config_path: Option<PathBuf>) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(newsvault::daemon::run(config, config_path))?;
    Ok(ExitCode::SUCCESS)
}

pub fn status(config: &Config, json: bool) -> Result<ExitCode> {
    let archive = archive::connect(&config.archive.path, Mode::ReadOnly)?;
    if json {
        let sources = archive.sources_status()?;
        let not_polled: Vec<&str> = config
            .sources
            .iter()
            .map(|s| s.name.as_str())
            .filter(|name| !sources.iter().any(|s| s.name == *name))
            .collect();
        let (articles, versions, _) = archive.counts()?;
        let due = archive
            .due_articles(chrono::Utc::now(), None, DUE_LIMIT)?
            .len();
        let value = super::json::status(
            &sources,
            &not_polled,
            &archive.queue_counts()?,
            (articles, versions),
            (due, due >= DUE_LIMIT),
        );
        super::json::print_line(&value)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    let short = |t: &Option<String>| {
        t.as_deref()
            .map(|t| t.get(..19).unwrap_or(t).replace('T', " "))
            .unwrap_or_else(|| "-".to_owned())
    };
    let sources = archive.sources_status()?;
    if sources.is_empty() {
        writeln!(
            out,
            "no sources have been polled yet (configure [[sources]] and run `newsvault daemon`)"
        )?;
    } else {
        writeln!(
            out,
            "{:<20} {:<11} {:<19}  {:<19}  {:>6} {:>8} {:>7} {:>7} {:>6}  last error",
            "source",
            "kind",
            "last poll (UTC)",
            "next poll (UTC)",
            "listed",
            "archived",
            "pending",
            "skipped",
            "errors"
        )?;
        for s in &sources {
            writeln!(
                out,
                "{:<20} {:<11} {:<19}  {:<19}  {:>6} {:>8} {:>7} {:>7} {:>6}  {}",
                s.name,
                s.kind,
                short(&s.last_poll_at),
                short(&s.next_poll_at),
                s.items_listed,
                s.archived,
                s.pending,
                s.skipped,
                s.errors,
                s.last_error.as_deref().unwrap_or("-")
            )?;
        }
    }
    let configured: Vec<&str> = config.sources.iter().map(|s| s.name.as_str()).collect();
    for name in &configured {
        if !sources.iter().any(|s| s.name == *name) {
            writeln!(out, "{name:<20} (configured, not polled yet)")?;
        }
    }
    let queue = archive.queue_counts()?;
    let (articles, versions, _) = archive.counts()?;
    let due = archive
        .due_articles(chrono::Utc::now(), None, DUE_LIMIT)?
        .len();
    writeln!(
        out,
        "queue: {} pending, {} archived, {} failed, {} non-text recorded",
        queue.pending, queue.done, queue.failed, queue.skipped
    )?;
    writeln!(
        out,
        "archive: {articles} articles, {versions} versions; {}{due} due for a check",
        if due >= DUE_LIMIT { "at least " } else { "" }
    )?;
    Ok(ExitCode::SUCCESS)
}
