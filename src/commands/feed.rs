//! `newsvault feed [--site KEY | --changes | --article URL|ID] [--before KEY]`: prints a feed
//! document, exactly as `newsvault serve` would serve it.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};
use newsvault::archive::{self, Mode};
use newsvault::config::Config;
use newsvault::feed::{FeedKind, build_feed};

use super::history::find_article;

pub fn feed(
    config: &Config,
    site: Option<String>,
    changes: bool,
    article: Option<String>,
    before: Option<i64>,
) -> Result<ExitCode> {
    let archive = archive::connect(&config.archive.path, Mode::ReadOnly)?;
    let kind = match (site, changes, article) {
        (_, true, _) => FeedKind::Changes,
        (_, _, Some(key)) => {
            let url = find_article(&archive, config, &key)?;
            let row = archive.article(&url)?.expect("found above");
            let id = if row.site_article_id.is_empty() {
                bail!("{url} has no site id: use the web UI's history feed");
            } else {
                row.site_article_id
            };
            FeedKind::History { site: row.site, id }
        }
        (site, false, None) => FeedKind::Articles { site },
    };
    let base = if config.server.public_url.is_empty() {
        format!("http://{}", config.server.listen)
    } else {
        config.server.public_url.trim_end_matches('/').to_owned()
    };
    let feed = build_feed(&archive, &config.sites, &base, &kind, before)?;
    std::io::stdout().lock().write_all(feed.xml.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
