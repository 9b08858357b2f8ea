//! RSS 0.9x/1.0/2.0, Atom and JSON Feed sources, parsed by feed-rs from the raw bytes so that
//! the feed's own encoding declaration (GB2312 RSS...) is honoured.

use std::time::Duration;

use super::{Candidate, Polled, SourceError};
use crate::config::SourceConfig;
use crate::fetch::{Fetcher, Validators};
use crate::sites::qq::lists::ItemKind;

/// A feed listing more items than this is refused before it is parsed: feed-rs builds every
/// entry in memory (hundreds of bytes each, even for an empty `<item/>`), and no news feed
/// lists anywhere near this many.
pub const MAX_FEED_ITEMS: usize = 10_000;

/// The longest a feed's TTL or Cache-Control `max-age` may stretch a source's poll interval
/// (a configured interval longer than this is kept as configured).
pub const MAX_FEED_HINT: Duration = Duration::from_secs(24 * 3600);

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
    let read = read_feed(&got.body, &got.final_url).map_err(|message| SourceError::Invalid {
        url: url.to_string(),
        message,
    })?;
    let min_interval = match (read.ttl, max_age(got.cache_control.as_deref())) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    Ok(Polled {
        candidates: read.candidates,
        validators: kept_validators,
        min_interval,
        ..Polled::default()
    })
}

/// What a feed document lists.
#[derive(Debug, Clone, Default)]
pub struct FeedRead {
    /// Items with an http(s) link, in feed order.
    pub candidates: Vec<Candidate>,
    /// The feed's `<ttl>`, capped at [`MAX_FEED_HINT`].
    pub ttl: Option<Duration>,
}

/// Parses a feed document fetched from `base` (relative links resolve against it). Items
/// without an http(s) link are passed over.
pub fn read_feed(body: &[u8], base: &url::Url) -> Result<FeedRead, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("the feed is empty".into());
    }
    let listed = count_items(body);
    if listed > MAX_FEED_ITEMS {
        return Err(format!(
            "the feed lists about {listed} items, more than the limit of {MAX_FEED_ITEMS}"
        ));
    }
    // feed-rs (through quick-xml) can panic on some malformed encoding declarations: a
    // feed must never take its poll task down, so a panic is one more way of not being a feed.
    let parse = || {
        feed_rs::parser::Builder::new()
            .base_uri(Some(base.as_str()))
            .build()
            .parse(body)
    };
    let parsed = std::panic::catch_unwind(parse)
        .map_err(|panic| format!("not a feed: the parser failed ({})", panic_message(&panic)))?
        .map_err(|e| format!("not a feed: {e}"))?;
    let ttl = parsed
        .ttl
        .map(|minutes| capped_hint(Duration::from_secs(u64::from(minutes).saturating_mul(60))));
    let candidates = parsed
        .entries
        .into_iter()
        .filter_map(|entry| candidate(entry, base))
        .collect();
    Ok(FeedRead { candidates, ttl })
}

fn candidate(entry: feed_rs::model::Entry, base: &url::Url) -> Option<Candidate> {
    // Key on the link, never on the entry id: feed-rs invents ids for entries without one.
    let link = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(entry.links.first())?
        .href
        .trim()
        .to_owned();
    let resolved = base.join(&link).ok()?;
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
}

/// An upper bound of the items a feed lists, counted without parsing it: `<item`/`<entry`
/// tags in XML, objects in JSON.
fn count_items(body: &[u8]) -> usize {
    let is_json = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if is_json {
        // Every JSON Feed item is an object; allow a few nested objects (authors,
        // attachments) per item before calling it too many.
        return body.iter().filter(|b| **b == b'{').count() / 4;
    }
    let count = |needle: &[u8]| body.windows(needle.len()).filter(|w| *w == needle).count();
    count(b"<item") + count(b"<entry")
}

/// The message of a caught panic.
pub(crate) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "panic".to_owned())
}

/// A feed's hint about how often to poll, capped at [`MAX_FEED_HINT`].
fn capped_hint(hint: Duration) -> Duration {
    hint.min(MAX_FEED_HINT)
}

/// `max-age` of a Cache-Control header, capped at [`MAX_FEED_HINT`] (a number too large for
/// a u64 counts as the cap).
fn max_age(cache_control: Option<&str>) -> Option<Duration> {
    cache_control?
        .split(',')
        .filter_map(|d| d.trim().strip_prefix("max-age="))
        .find_map(|v| {
            let v = v.trim().trim_matches('"');
            if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
                Some(v.parse::<u64>().unwrap_or(u64::MAX))
            } else {
                None
            }
        })
        .map(|secs| capped_hint(Duration::from_secs(secs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_poll_hints_are_capped() {
        for header in [
            "max-age=18446744073709551615",
            "max-age=10000000000000",
            "public, max-age=99999999999999999999999",
        ] {
            assert_eq!(max_age(Some(header)), Some(MAX_FEED_HINT), "{header}");
        }
        assert_eq!(max_age(Some("max-age=60")), Some(Duration::from_secs(60)));
        assert_eq!(max_age(Some("max-age=-1")), None);
        let rss = b"<rss version=\"2.0\"><channel><title>t</title><ttl>4294967295</ttl>\
                    <item><link>https://example.com/a</link></item></channel></rss>";
        let base = url::Url::parse("https://example.com/feed").unwrap();
        let read = read_feed(rss, &base).unwrap();
        assert_eq!(read.ttl, Some(MAX_FEED_HINT));
        assert_eq!(read.candidates.len(), 1);
    }

    #[test]
    fn only_http_links_become_candidates() {
        let rss = b"<rss version=\"2.0\"><channel><title>t</title>\
            <item><link>javascript:alert(1)//20250301A0002800</link></item>\
            <item><link>file:///etc/passwd</link></item>\
            <item><link>data:text/html,x</link></item>\
            <item><link>/relative/ok</link></item></channel></rss>";
        let base = url::Url::parse("https://example.com/feed").unwrap();
        let read = read_feed(rss, &base).unwrap();
        let urls: Vec<&str> = read.candidates.iter().map(|c| c.url.as_str()).collect();
        assert_eq!(urls, ["https://example.com/relative/ok"]);
    }

    #[test]
    fn a_feed_of_a_million_empty_items_is_refused_unparsed() {
        let mut rss = b"<rss version=\"2.0\"><channel><title>t</title>".to_vec();
        for _ in 0..1_000_000 {
            rss.extend_from_slice(b"<item/>");
        }
        rss.extend_from_slice(b"</channel></rss>");
        let base = url::Url::parse("https://example.com/feed").unwrap();
        let err = read_feed(&rss, &base).unwrap_err();
        assert!(
            err.contains("1000000 items") && err.contains("10000"),
            "{err}"
        );
        let mut json =
            br#"{"version":"https://jsonfeed.org/version/1.1","title":"t","items":["#.to_vec();
        json.extend(std::iter::repeat_n(&b"{},"[..], 1_000_000).flatten());
        json.extend_from_slice(b"{}]}");
        assert!(read_feed(&json, &base).unwrap_err().contains("limit"));
    }
}
