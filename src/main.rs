//! The `newsvault` command: parses the command line, sets up logging, and hands each
//! subcommand to the library. All the logic lives in the library.

mod commands;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use newsvault::config::Config;

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
        /// Article URLs (any Tencent News form, or any other http(s) article link)
        #[arg(required = true, value_name = "URL")]
        urls: Vec<String>,
        /// Write documents into this Hugo site as content/<lang>/news/<site>/<id>.<lang>.md
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Extract saved pages offline, without the archive: print the document, or with --json one
    /// JSON record per file
    Extract {
        /// The saved HTML page(s); several need --json
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The URL the page was saved from [default: the page's canonical link, else file://]
        #[arg(long)]
        url: Option<String>,
        /// Print the whole extracted record as JSON, one object per line per file
        #[arg(long)]
        json: bool,
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
        Command::Archive { urls, out } => commands::archive::archive(config, &urls, out.as_deref()),
        Command::Extract { files, url, json } => {
            if json {
                commands::extract::extract_json(&config, &files, url.as_deref())
            } else {
                commands::extract::extract(&config, &files, url.as_deref())
            }
        }
        Command::DefaultConfig => {
            print!("{}", newsvault::config::DEFAULT_CONFIG_TOML);
            Ok(ExitCode::SUCCESS)
        }
    }
}
