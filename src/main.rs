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
    /// The archive: an SQLite file, or a postgres:// URL [default:
    /// archive.path from the config, "newsvault.db"]
    #[arg(
        long,
        global = true,
        env = "NEWSVAULT_DB",
        hide_env_values = true,
        value_name = "PATH"
    )]
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
        /// Print one JSON object per URL (its outcome) instead of the document
        #[arg(long)]
        json: bool,
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
    /// Re-check archived articles: store edits, confirm removals, note restorations
    Check {
        /// Only articles whose next check is due (the default without URLs)
        #[arg(long, conflicts_with = "all")]
        due: bool,
        /// Every archived article
        #[arg(long)]
        all: bool,
        /// Only articles of this site
        #[arg(long, value_name = "KEY")]
        site: Option<String>,
        /// Check these articles (any URL form)
        #[arg(value_name = "URL", conflicts_with_all = ["due", "all"])]
        urls: Vec<String>,
        /// Print one JSON object per checked article on stdout
        #[arg(long)]
        json: bool,
    },
    /// Every version of an article: time, kind, HTTP status, size
    History {
        /// The article's URL (any form) or id
        article: String,
        /// Print one JSON object per version
        #[arg(long)]
        json: bool,
    },
    /// The difference between two versions of an article (default: the last two)
    Diff {
        /// The article's URL (any form) or id
        article: String,
        /// The older version
        a: Option<u32>,
        /// The newer version (default: the latest)
        b: Option<u32>,
    },
    /// Re-derive documents from stored raw captures with the current extractor (no network)
    Reprocess {
        /// Only versions of this site
        #[arg(long, value_name = "KEY")]
        site: Option<String>,
    },
    /// Full-text search of titles and bodies (Chinese words, Latin words, "quoted phrases"):
    /// the best matches first, each with a snippet, matches in [brackets]
    Search {
        /// Words and "quoted phrases", all of which must appear
        #[arg(value_name = "QUERY", required = true)]
        words: Vec<String>,
        /// Only articles of this site
        #[arg(long, value_name = "KEY")]
        site: Option<String>,
        /// Search every version, not only each article's latest: finds text edited out
        #[arg(long)]
        all_versions: bool,
        /// At most this many results
        #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=1000))]
        limit: u16,
        /// Print one JSON object per result
        #[arg(long)]
        json: bool,
    },
    /// Build the full-text search index again from the stored versions
    Reindex,
    /// Run as a service: poll sources, archive what they list, re-check due articles
    Daemon,
    /// Each source's last and next poll, counts and last error; the queue and the archive
    Status {
        /// Print it as one JSON object
        #[arg(long)]
        json: bool,
    },
    /// Print an Atom feed: the newest archived articles (all sites, or --site), the changes,
    /// or one article's history
    Feed {
        /// Only articles of this site
        #[arg(long, value_name = "KEY", conflicts_with_all = ["changes", "article"])]
        site: Option<String>,
        /// The changes feed: new articles, edits, removals, restorations
        #[arg(long, conflicts_with = "article")]
        changes: bool,
        /// One article's history (its URL in any form, or its id)
        #[arg(long, value_name = "URL|ID")]
        article: Option<String>,
        /// The archive page below this key (from a feed's "next" link)
        #[arg(long, value_name = "KEY")]
        before: Option<i64>,
    },
    /// Serve the web UI and the feeds on [server] listen (default 127.0.0.1:8080)
    Serve {
        /// Listen on this address instead, e.g. 127.0.0.1:9000
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
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
        /// Also write the archived images into DIR/static/media/ and list them (URL → file) in
        /// DIR/media-manifest.json
        #[arg(long, conflicts_with = "warc")]
        images: bool,
    },
    /// Copy the archive into FILE, consistently, even while a daemon writes (SQLite's online
    /// backup)
    Backup {
        /// The new file (never overwritten)
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Copy a whole archive between backends (SQLite file or postgres:// URL), raw captures
    /// included; run it again to continue an interrupted copy
    Copy {
        /// The archive to copy (read only)
        #[arg(value_name = "SRC")]
        source: PathBuf,
        /// Where to copy it (created when missing; rows already there are kept)
        #[arg(value_name = "DST")]
        dest: PathBuf,
    },
    /// Feed sources from and to OPML (feed readers' subscription lists)
    Opml {
        #[command(subcommand)]
        action: OpmlAction,
    },
    /// Print a shell completion script (bash: `newsvault completions bash >
    /// ~/.local/share/bash-completion/completions/newsvault`)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff; `newsvault man > newsvault.1; man ./newsvault.1`)
    Man,
    /// Print the documented default configuration
    DefaultConfig,
}

#[derive(Debug, Subcommand)]
enum OpmlAction {
    /// Read an OPML file's feeds as [[sources]] tables: printed, or added to a config file
    Import {
        /// The OPML file
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Add the sources to this configuration file (feeds it has are left out; the file is
        /// only changed when the result loads)
        #[arg(long, value_name = "CONFIG")]
        append_to: Option<PathBuf>,
    },
    /// Print the configured feed sources as OPML 2.0
    Export,
}

/// Has glibc map every allocation of 256 KiB or more on its own, so that freeing it returns
/// the memory. Left alone, glibc raises that threshold to the largest block freed so far (up
/// to 32 MiB): after the first large page, page-sized buffers (bodies, DOMs, Markdown) come
/// from the heaps of the threads that allocated them and stay there once freed. `archive` of
/// 10,000 URLs peaked at 89 MB with the default, 79 MB at 1 MiB and 72 MB at 256 KiB.
fn return_large_allocations_when_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const MAPPED_FROM_BYTES: libc::c_int = 256 << 10;
        // SAFETY: mallopt only sets an allocator tunable, which glibc allows at any time; it
        // runs here before any other thread exists. A refusal (0) leaves the default, which
        // is only a matter of memory use.
        #[allow(unsafe_code)]
        let _ = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MAPPED_FROM_BYTES) };
    }
}

fn main() -> ExitCode {
    return_large_allocations_when_freed();
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match run(cli) {
        Ok(code) => code,
        // The reader of our output went away (`newsvault status | head`): nothing to say.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("newsvault: {}", error_chain(&e));
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes, each said once: many errors already name their cause in their
/// own message ("cannot write X: No space left on device"), which the chain would repeat.
fn error_chain(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let cause = cause.to_string();
        if text.contains(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

fn init_logging(verbose: u8) {
    // html5ever warns about markup it repairs ("foster parenting not implemented"): news
    // about the page, not about newsvault; shown from -vv on.
    // Where a daemon or server listens is said even without -v (target newsvault::startup).
    let default = match verbose {
        0 => "warn,html5ever=error,newsvault::startup=info",
        1 => "info,newsvault=info,html5ever=error",
        _ => "debug,hyper=info,rustls=info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal, never into files, pipes or journald, and
        // never when NO_COLOR is set (no-color.org).
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        )
        .init();
}

/// The configuration, and the file it came from (the daemon re-reads it on SIGHUP).
fn load_config(cli: &Cli) -> Result<(Config, Option<PathBuf>)> {
    let path = match &cli.config {
        Some(path) => Some(path.clone()),
        None if Path::new("newsvault.toml").exists() => Some(PathBuf::from("newsvault.toml")),
        None => None,
    };
    let mut config = match &path {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    if let Some(db) = &cli.db {
        config.archive.path = db.clone();
    }
    Ok((config, path))
}

fn run(cli: Cli) -> Result<ExitCode> {
    // Generated from the command line's definition; no configuration involved.
    // Written to a buffer first: clap_complete panics on a failed write (`| head`).
    let generated = generate_from_definition(&cli.command)?;
    if !generated.is_empty() {
        std::io::Write::write_all(&mut std::io::stdout().lock(), &generated)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (config, config_path) = load_config(&cli)?;
    run_with_config(cli.command, config, config_path)
}

/// The shell completion script or the manual page; empty for every other command.
fn generate_from_definition(command: &Command) -> Result<Vec<u8>> {
    let mut generated = Vec::new();
    match command {
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut command, "newsvault", &mut generated);
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command).render(&mut generated)?;
        }
        _ => {}
    }
    Ok(generated)
}

/// Runs every command but `completions` and `man` (see [`generate_from_definition`]).
fn run_with_config(
    command: Command,
    config: Config,
    config_path: Option<PathBuf>,
) -> Result<ExitCode> {
    match command {
        Command::Archive { urls, out, json } => {
            commands::archive::archive(config, &urls, out.as_deref(), json)
        }
        Command::Extract { files, url, json } => {
            extract_command(&config, &files, url.as_deref(), json)
        }
        Command::Check {
            due: _,
            all,
            site,
            urls,
            json,
        } => commands::check::check(config, check_selection(all, urls), site.as_deref(), json),
        Command::History { article, json } => commands::history::history(&config, &article, json),
        Command::Diff { article, a, b } => commands::diff::diff(&config, &article, a, b),
        Command::Reprocess { site } => commands::reprocess::reprocess(&config, site.as_deref()),
        Command::Search {
            words,
            site,
            all_versions,
            limit,
            json,
        } => search_command(&config, &words, site.as_deref(), all_versions, limit, json),
        Command::Reindex => commands::search::reindex(&config),
        Command::Daemon => commands::daemon::daemon(config, config_path),
        Command::Status { json } => commands::daemon::status(&config, json),
        Command::Feed {
            site,
            changes,
            article,
            before,
        } => commands::feed::feed(&config, site, changes, article, before),
        Command::Serve { listen } => serve_command(config, listen),
        Command::Import { paths } => commands::import::import(&config, &paths),
        Command::Export {
            dir,
            warc,
            site,
            version,
            images,
        } => export_command(&config, dir, warc, site.as_deref(), version, images),
        Command::Copy { source, dest } => commands::copy::copy(&source, &dest),
        Command::Backup { file } => backup_command(&config, &file),
        Command::Opml { action } => opml_command(&config, action),
        Command::Completions { .. } | Command::Man => unreachable!("handled above"),
        Command::DefaultConfig => {
            print!("{}", newsvault::config::DEFAULT_CONFIG_TOML);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn extract_command(
    config: &Config,
    files: &[PathBuf],
    url: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    if json {
        commands::extract::extract_json(config, files, url)
    } else {
        commands::extract::extract(config, files, url)
    }
}

/// URLs given win; otherwise `--all`, else the articles due (`--due`, the default).
fn check_selection(all: bool, urls: Vec<String>) -> commands::check::Selection {
    if !urls.is_empty() {
        commands::check::Selection::Urls(urls)
    } else if all {
        commands::check::Selection::All
    } else {
        commands::check::Selection::Due
    }
}

fn search_command(
    config: &Config,
    words: &[String],
    site: Option<&str>,
    all_versions: bool,
    limit: u16,
    json: bool,
) -> Result<ExitCode> {
    commands::search::search(
        config,
        &commands::search::SearchArgs {
            words,
            site,
            all_versions,
            limit: usize::from(limit),
            json,
        },
    )
}

fn serve_command(mut config: Config, listen: Option<String>) -> Result<ExitCode> {
    if let Some(listen) = listen {
        config.server.listen = listen;
    }
    commands::serve::serve(config)
}

fn export_command(
    config: &Config,
    dir: Option<PathBuf>,
    warc: Option<PathBuf>,
    site: Option<&str>,
    version: commands::export::ExportVersion,
    images: bool,
) -> Result<ExitCode> {
    match (dir, warc) {
        (_, Some(file)) => commands::export::export_warc_file(config, &file, site),
        (Some(dir), None) => commands::export::export(config, &dir, site, version, images),
        // clap requires one of them.
        (None, None) => anyhow::bail!("export needs a DIR or --warc FILE"),
    }
}

fn backup_command(config: &Config, file: &Path) -> Result<ExitCode> {
    if let newsvault::archive::Location::Postgres(url) =
        newsvault::archive::Location::of(&config.archive.path)
    {
        anyhow::bail!("backup copies SQLite files; {url} is a PostgreSQL archive (use pg_dump)");
    }
    let stats = newsvault::archive::backup::backup_file(&config.archive.path, file)?;
    eprintln!(
        "backed up {} into {} ({} pages, {} bytes)",
        config.archive.path.display(),
        file.display(),
        stats.pages,
        stats.bytes
    );
    Ok(ExitCode::SUCCESS)
}

fn opml_command(config: &Config, action: OpmlAction) -> Result<ExitCode> {
    match action {
        OpmlAction::Import { file, append_to } => {
            commands::opml::import(config, &file, append_to.as_deref())
        }
        OpmlAction::Export => commands::opml::export(config),
    }
}
