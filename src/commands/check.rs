//! `newsvault check [--due | --all] [--site KEY] [URL...]`

use std::collections::HashSet;
use std::process::ExitCode;

use anyhow::{Context, Result};
use newsvault::archive::{self, Mode, RemovalState};
use newsvault::config::Config;
use newsvault::pipeline::{Outcome, Pipeline};

/// Which articles to check.
pub enum Selection {
    Due,
    All,
    Urls(Vec<String>),
}

/// Articles taken from the archive per round.
const BATCH: usize = 500;

pub fn check(
    config: Config,
    selection: Selection,
    site: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let archive = archive::connect(&config.archive.path, Mode::ReadWrite)?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let location = config.archive.path.clone();
    let pipeline = Pipeline::new(config, archive)?.with_reader(&location);
    let mut tally = Tally::default();
    let mut printed: std::io::Result<()> = Ok(());
    let mut report = |o: &Outcome| {
        if json {
            if printed.is_ok() {
                printed = super::json::print_line(&super::json::outcome(o));
            }
        } else {
            eprintln!("{}", o.summary());
        }
        tally.add(o);
    };
    match selection {
        Selection::Urls(urls) => {
            runtime.block_on(pipeline.check_urls(urls, &mut report));
        }
        Selection::All => {
            let mut after = 0;
            loop {
                let site = site.map(str::to_owned);
                let page =
                    runtime
                        .block_on(pipeline.with_archive(move |a| {
                            a.articles_page(site.as_deref(), after, BATCH)
                        }))?;
                let Some(&(last, _)) = page.last() else { break };
                after = last;
                let urls = page.into_iter().map(|(_, url)| url).collect();
                runtime.block_on(pipeline.check_urls(urls, &mut report));
            }
        }
        Selection::Due => {
            // Each check reschedules its article, so the due set shrinks; `seen` guards against
            // an article that comes back due at once (a clock far behind, say).
            let mut seen = HashSet::new();
            loop {
                let site = site.map(str::to_owned);
                let due = runtime.block_on(pipeline.with_archive(move |a| {
                    a.due_articles(chrono::Utc::now(), site.as_deref(), BATCH)
                }))?;
                let fresh: Vec<String> =
                    due.into_iter().filter(|u| seen.insert(u.clone())).collect();
                if fresh.is_empty() {
                    break;
                }
                runtime.block_on(pipeline.check_urls(fresh, &mut report));
            }
        }
    }
    runtime.block_on(pipeline.finish_images());
    printed?;
    eprintln!("{}", tally.summary());
    Ok(if tally.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Default)]
struct Tally {
    checked: u64,
    new_versions: u64,
    unchanged: u64,
    removals_pending: u64,
    removals_recorded: u64,
    blocked_or_transient: u64,
    failed: u64,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome) {
        self.checked += 1;
        match outcome {
            Outcome::Archived { recorded, .. } => match recorded {
                newsvault::archive::Recorded::Unchanged { .. } => self.unchanged += 1,
                _ => self.new_versions += 1,
            },
            Outcome::NotModified { .. } => self.unchanged += 1,
            Outcome::Removed { state, .. } => match state {
                RemovalState::Confirmed { .. } => self.removals_recorded += 1,
                _ => self.removals_pending += 1,
            },
            Outcome::Blocked { .. } | Outcome::Transient { .. } | Outcome::NotArticle { .. } => {
                self.blocked_or_transient += 1
            }
            Outcome::Failed { .. } => self.failed += 1,
        }
    }

    fn summary(&self) -> String {
        format!(
            "checked {}: {} new version(s), {} unchanged, {} removal(s) recorded, {} removal sighting(s) pending, {} blocked/transient/skipped, {} failed",
            self.checked,
            self.new_versions,
            self.unchanged,
            self.removals_recorded,
            self.removals_pending,
            self.blocked_or_transient,
            self.failed
        )
    }
}
