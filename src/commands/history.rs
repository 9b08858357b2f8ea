//! `newsvault history <URL|ID>` and the article lookup shared with `diff`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};
use newsvault::archive::{self, Archive, Mode, VersionKind};
use newsvault::config::Config;

/// The canonical URL of the archived article a person named by URL (any form) or id.
pub fn find_article(archive: &Archive, config: &Config, key: &str) -> Result<String> {
    let key = key.trim();
    if let Ok(target) = newsvault::sites::resolve(key, &config.sites)
        && archive.article(&target.canonical_url)?.is_some()
    {
        return Ok(target.canonical_url);
    }
    let found = archive.find_articles(key)?;
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("no archived article for {key:?}"),
        many => bail!(
            "{key:?} names {} articles; give the URL: {}",
            many.len(),
            many.join(", ")
        ),
    }
}

pub fn history(config: &Config, key: &str, json: bool) -> Result<ExitCode> {
    let archive = archive::connect(&config.archive.path, Mode::ReadOnly)?;
    let url = find_article(&archive, config, key)?;
    let article = archive.article(&url)?.expect("found above");
    if json {
        for v in archive.version_details(&url)? {
            super::json::print_line(&super::json::version(&article, &v))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{url}  ({} {}, {})",
        article.site, article.site_article_id, article.status
    )?;
    writeln!(
        out,
        " seq  time (UTC)           kind       HTTP  size      title"
    )?;
    for v in archive.version_details(&url)? {
        let time = v
            .fetched_at
            .get(..19)
            .unwrap_or(&v.fetched_at)
            .replace('T', " ");
        let status = v.http_status.map_or("-".to_owned(), |s| s.to_string());
        let size = if v.kind == VersionKind::Removed {
            "-".to_owned()
        } else {
            human_size(v.size)
        };
        let what = match (&v.removal_signal, &v.import_path) {
            (Some(signal), _) if v.kind == VersionKind::Removed => format!("removed: {signal}"),
            (_, Some(path)) if v.kind == VersionKind::Import => {
                format!("{}  (from {path})", v.title)
            }
            _ if v.kind == VersionKind::Recapture => format!(
                "{}  (first capture since the import: the article is unchanged)",
                v.title
            ),
            _ => v.title.clone(),
        };
        let what = if v.date_found || v.kind == VersionKind::Removed {
            what
        } else {
            format!(
                "{what}  (date {}: not on the page, first capture time)",
                v.published
            )
        };
        writeln!(
            out,
            "{:>4}  {time}  {:<9}  {status:<4}  {size:<8}  {what}",
            v.seq, v.kind
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn human_size(bytes: usize) -> String {
    if bytes < 1000 {
        format!("{bytes} B")
    } else {
        format!("{:.1} kB", bytes as f64 / 1000.0)
    }
}
