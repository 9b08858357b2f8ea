//! RSS 0.9x/1.0/2.0, Atom and JSON Feed sources, parsed by feed-rs from the raw bytes so that
//! the feed's own encoding declaration (GB2312 RSS...) is honoured.

use std::time::Duration;

use super::{Candidate, Polled, SourceError};
use crate::config::SourceConfig;
use crate::fetch::{Fetcher, Validators};
use crate::sites::qq::lists::ItemKind;

pub(super) async fn poll(
    source: &SourceConfig,
    fetcher: &Fetcher,
    validators: &Validators,
) -> Result<Polled, SourceError> {
    let raw = source.url.as_deref().unwrap_or_default();
    let url = url::Url::parse(raw).map_err(|e| SourceError::Config {
        name: source.name.clone(),
        message: format!("bad feed URL {raw:?}: {e}"),
    })?;
    let got = fetcher.get(&url, validators).await?;
    let kept_validators = Validators {
        etag: got.etag.clone(),
        last_modified: got.last_modified.clone(),
    };
    if got.status == 304 {
        return Ok(Polled {
            not_modified: true,
            validators: validators.clone(),
            min_interval: max_age(got.cache_control.as_deref()),
            ..Polled::default()
        });
    }
    if !(200..300).contains(&got.status) {
        return Err(SourceError::Status {
            url: url.to_string(),
            status: got.status,
        });
    }
    let invalid = |message: String| SourceError::Invalid {
        url: url.to_string(),
        message,
    };
    if got.body.iter().all(u8::is_ascii_whitespace) {
        return Err(invalid("the feed is empty".into()));
    }
    let parsed = feed_rs::parser::Builder::new()
        .base_uri(Some(got.final_url.as_str()))
        .build()
        .parse(got.body.as_slice())
        .map_err(|e| invalid(format!("not a feed: {e}")))?;
    let ttl = parsed
        .ttl
        .map(|minutes| Duration::from_secs(u64::from(minutes) * 60));
    let min_interval = match (ttl, max_age(got.cache_control.as_deref())) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let candidates = parsed
        .entries
        .into_iter()
        .filter_map(|entry| {
            // Key on the link, never on the entry id: feed-rs invents ids for entries without one.
            let link = entry
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or(entry.links.first())?
                .href
                .trim()
                .to_owned();
            let resolved = got.final_url.join(&link).ok()?;
            if !matches!(resolved.scheme(), "http" | "https") {
                return None;
            }
            let published = entry.published.or(entry.updated).map(|t| t.to_rfc3339());
            Some(Candidate {
                url: resolved.to_string(),
                title: entry.title.map(|t| t.content.trim().to_owned()),
                published,
                kind: ItemKind::Text,
                listing: None,
            })
        })
        .collect();
    Ok(Polled {
        candidates,
        validators: kept_validators,
        min_interval,
        ..Polled::default()
    })
}

/// `max-age` of a Cache-Control header.
fn max_age(cache_control: Option<&str>) -> Option<Duration> {
    cache_control?
        .split(',')
        .filter_map(|d| d.trim().strip_prefix("max-age="))
        .find_map(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}
