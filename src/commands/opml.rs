//! `newsvault opml import FILE [--append-to CONFIG]` and `newsvault opml export`

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use newsvault::config::Config;
use newsvault::opml::{read_opml, sources_toml, write_opml};

/// Reads the feeds of an OPML file as `[[sources]]` tables: printed, or appended to the
/// configuration file `append_to` once the result is known to load (the file's other contents
/// are kept as they are; feeds it already has are left out).
pub fn import(config: &Config, file: &Path, append_to: Option<&Path>) -> Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("{}: not UTF-8 ({e})", file.display()))?;
    let read = read_opml(&text).with_context(|| format!("{}", file.display()))?;
    for skipped in &read.skipped {
        eprintln!("skipped    {skipped}");
    }
    let (existing_text, existing) = match append_to {
        Some(path) if path.exists() => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let config = Config::from_toml(&text, path)?;
            (text, config.sources)
        }
        Some(_) => (String::new(), Vec::new()),
        None => (String::new(), config.sources.clone()),
    };
    let (tables, already) = sources_toml(&read.feeds, &existing);
    let added = read.feeds.len() - already;
    match append_to {
        None => std::io::stdout().lock().write_all(tables.as_bytes())?,
        Some(path) if added > 0 => append_sources(path, &existing_text, &tables)?,
        Some(_) => {}
    }
    eprintln!(
        "{added} feed source(s){}, {already} already configured, {} skipped{}",
        match append_to {
            Some(path) => format!(" added to {}", path.display()),
            None => String::new(),
        },
        read.skipped.len(),
        if read.feeds.is_empty() && read.skipped.is_empty() {
            " (no outline with an xmlUrl)"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes `existing` + `tables` to `path` atomically (keeping its mode), after checking that
/// the whole loads as a configuration: the file is either extended or left as it was.
fn append_sources(path: &Path, existing: &str, tables: &str) -> Result<()> {
    let mut text = existing.to_owned();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str("# Imported from OPML by `newsvault opml import`.\n");
    text.push_str(tables.trim_end());
    text.push('\n');
    Config::from_toml(&text, path)
        .context("the imported sources would not load; nothing written")?;
    // A new configuration is private, as it may come to hold a token.
    let mode = std::fs::metadata(path).map_or_else(
        |_| std::os::unix::fs::PermissionsExt::from_mode(0o600),
        |m| m.permissions(),
    );
    newsvault::export::write_atomically_as(path, text.as_bytes(), Some(mode))?;
    Ok(())
}

/// Prints the configuration's feed sources as OPML 2.0.
pub fn export(config: &Config) -> Result<ExitCode> {
    let feeds = config
        .sources
        .iter()
        .filter(|s| s.kind == newsvault::config::SourceKind::Feed)
        .count();
    if config.sources.is_empty() {
        bail!("no [[sources]] configured: nothing to export");
    }
    std::io::stdout()
        .lock()
        .write_all(write_opml(&config.sources, "newsvault feed sources").as_bytes())?;
    let others = config.sources.len() - feeds;
    if others > 0 {
        eprintln!(
            "{feeds} feed source(s) exported; {others} source(s) of other kinds have no feed URL"
        );
    }
    Ok(ExitCode::SUCCESS)
}
