//! The `newsvault` command: parses the command line, sets up logging, and hands each
//! subcommand to the library. All the logic lives in the library.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use newsvault::archive::Archive;
use newsvault::config::Config;
use newsvault::export::{Written, write_document};
use newsvault::extract::Extraction;
use newsvault::pipeline::{Outcome, Pipeline, extract_saved_page};

/// A feed and archive crawler for news: every version of every article, in SQLite and Hugo.
#[derive(Debug, Parser)]
#[command(name = "newsvault", version, about)]
struct Cli {
    /// Configuration file [default: ./newsvault.toml when present, else built-in defaults]
    #[arg(long, global = true, env = "NEWSVAULT_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// The SQLite archive [default: archive.path from the config, "newsvault.db"]
    #[arg(long, global = true, env = "NEWSVAULT_DB", value_name = "PATH")]
    db: Option<PathBuf>,
    /// More log output (-v info, -vv debug); RUST_LOG overrides
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Fetch, extract and archive articles; print the document (one URL) or write it under --out
    Archive {
        /// Article URLs (any Tencent News form)
        #[arg(required = true, value_name = "URL")]
        urls: Vec<String>,
        /// Write documents into this Hugo site as content/<lang>/news/<site>/<id>.<lang>.md
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Extract a saved page offline, without the archive, and print its document
    Extract {
        /// The saved HTML page
        file: PathBuf,
        /// The URL the page was saved from
        #[arg(long)]
        url: String,
    },
    /// Print the documented default configuration
    DefaultConfig,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("newsvault: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info,newsvault=info",
        _ => "debug,hyper=info,rustls=info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn load_config(cli: &Cli) -> Result<Config> {
    let mut config = match &cli.config {
        Some(path) => Config::load(path)?,
        None if Path::new("newsvault.toml").exists() => Config::load(Path::new("newsvault.toml"))?,
        None => Config::default(),
    };
    if let Some(db) = &cli.db {
        config.archive.path = db.clone();
    }
    Ok(config)
}

fn run(cli: Cli) -> Result<ExitCode> {
    let config = load_config(&cli)?;
    match cli.command {
        Command::Archive { urls, out } => archive(config, &urls, out.as_deref()),
        Command::Extract { file, url } => extract(&config, &file, &url),
        Command::DefaultConfig => {
            print!("{}", newsvault::config::DEFAULT_CONFIG_TOML);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn archive(config: Config, urls: &[String], out: Option<&Path>) -> Result<ExitCode> {
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

fn extract(config: &Config, file: &Path, url: &str) -> Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let (target, extraction) = extract_saved_page(&bytes, url, config)?;
    match extraction {
        Extraction::Article(article) => {
            print!("{}", article.to_document(&target).render());
            Ok(ExitCode::SUCCESS)
        }
        Extraction::Removed { signal } => bail!("{}: removed: {signal}", file.display()),
        Extraction::Blocked { signal } => bail!("{}: blocked: {signal}", file.display()),
        Extraction::NotArticle { reason } => bail!("{}: not an article: {reason}", file.display()),
    }
}
