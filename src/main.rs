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
    /// Import Hugo trees and single files in the archive format (no network)
    Import {
        /// Folders (walked for *.md files) and files
        #[arg(required = true, value_name = "DIR|FILE")]
        paths: Vec<PathBuf>,
    },
    /// Write the archive as a Hugo tree (DIR), or its raw captures as WARC (--warc FILE)
    Export {
        /// The Hugo site to write content/<lang>/news/<site>/<id>.<lang>.md into
        #[arg(
            value_name = "DIR",
            required_unless_present = "warc",
            conflicts_with = "warc"
        )]
        dir: Option<PathBuf>,
        /// Write the raw captures as WARC/1.1 instead (gzip per record if FILE ends in .gz)
        #[arg(long, value_name = "FILE")]
        warc: Option<PathBuf>,
        /// Only this site's articles (e.g. qq)
        #[arg(long, value_name = "KEY")]
        site: Option<String>,
        /// Which version of each article to write
        #[arg(long, value_enum, default_value = "first", conflicts_with = "warc")]
        version: commands::export::ExportVersion,
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
        Command::Extract { file, url } => commands::extract::extract(&config, &file, &url),
        Command::Import { paths } => commands::import::import(&config, &paths),
        Command::Export {
            dir,
            warc,
            site,
            version,
        } => match (dir, warc) {
            (_, Some(file)) => commands::export::export_warc_file(&config, &file, site.as_deref()),
            (Some(dir), None) => commands::export::export(&config, &dir, site.as_deref(), version),
            // clap requires one of them.
            (None, None) => anyhow::bail!("export needs a DIR or --warc FILE"),
        },
        Command::DefaultConfig => {
            print!("{}", newsvault::config::DEFAULT_CONFIG_TOML);
            Ok(ExitCode::SUCCESS)
        }
    }
}
