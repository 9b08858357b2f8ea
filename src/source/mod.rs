//! Sources: where candidate article URLs come from. A poll fetches a feed or a list API (with
//! conditional GET), and turns its items into [`Candidate`]s: canonicalised URLs, filtered by the
//! source's include/exclude patterns, with what the listing says of each.

mod feed;

pub(crate) use feed::panic_message;
pub use feed::{FeedRead, MAX_FEED_HINT, MAX_FEED_ITEMS, read_feed};

use std::time::Duration;

use regex::Regex;

use crate::config::{SitesConfig, SourceConfig, SourceKind};
use crate::fetch::{FetchError, Fetcher, Validators};
pub use crate::sites::is_http_url;
use crate::sites::qq::lists::{self, ItemKind};

/// One item a source lists.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The canonical article URL (tracking parameters removed, id forms merged).
    pub url: String,
    pub title: Option<String>,
    pub published: Option<String>,
    /// Only text articles are archived; other items are recorded from the listing.
    pub kind: ItemKind,
    /// The item as listed (JSON), kept for non-text items.
    pub listing: Option<serde_json::Value>,
}

/// The result of one poll.
#[derive(Debug, Clone, Default)]
pub struct Polled {
    pub candidates: Vec<Candidate>,
    /// Items the patterns left out.
    pub filtered_out: usize,
    /// The feed answered 304: nothing new.
    pub not_modified: bool,
    /// Validators for the next poll of a feed.
    pub validators: Validators,
    /// How long the feed asks to be left alone (TTL, Cache-Control max-age); it can only
    /// stretch the configured interval.
    pub min_interval: Option<Duration>,
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: {message}")]
    Invalid { url: String, message: String },
    #[error("source {name}: {message}")]
    Config { name: String, message: String },
}

/// Include/exclude patterns of a source, matched against an item's URL and title.
#[derive(Debug, Clone)]
pub struct Filter {
    include: Vec<Regex>,
    exclude: Vec<Regex>,
}

impl Filter {
    pub fn new(source: &SourceConfig) -> Result<Self, SourceError> {
        let compile = |patterns: &[String]| {
            patterns
                .iter()
                .map(|p| Regex::new(p))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| SourceError::Config {
                    name: source.name.clone(),
                    message: format!("bad pattern: {e}"),
                })
        };
        Ok(Self {
            include: compile(&source.include)?,
            exclude: compile(&source.exclude)?,
        })
    }

    pub fn accepts(&self, url: &str, title: &str) -> bool {
        let hit = |r: &Regex| r.is_match(url) || r.is_match(title);
        (self.include.is_empty() || self.include.iter().any(hit)) && !self.exclude.iter().any(hit)
    }
}

/// Polls `source` once.
pub async fn poll(
    source: &SourceConfig,
    sites: &SitesConfig,
    fetcher: &Fetcher,
    validators: &Validators,
) -> Result<Polled, SourceError> {
    let filter = Filter::new(source)?;
    let mut polled = match source.kind {
        SourceKind::Feed => feed::poll(source, fetcher, validators).await?,
        SourceKind::QqChannel => poll_qq_channel(source, sites, fetcher).await?,
        SourceKind::QqAuthor => poll_qq_author(source, sites, fetcher).await?,
        SourceKind::Hugo => {
            return Err(SourceError::Config {
                name: source.name.clone(),
                message: "hugo sources are imported by the daemon, not polled".into(),
            });
        }
    };
    // Canonicalise (merging the qq id forms, dropping tracking parameters), then filter.
    let mut seen = std::collections::HashSet::new();
    let before = polled.candidates.len();
    polled.candidates = polled
        .candidates
        .into_iter()
        .filter_map(|mut c| {
            // Only http(s) links are ever fetched or shown (a list API may say anything).
            if !is_http_url(&c.url) {
                return None;
            }
            if let Ok(target) = crate::sites::resolve(&c.url, sites) {
                c.url = target.canonical_url;
            }
            let keep = filter.accepts(&c.url, c.title.as_deref().unwrap_or(""));
            (keep && seen.insert(c.url.clone())).then_some(c)
        })
        .collect();
    polled.filtered_out = before - polled.candidates.len();
    Ok(polled)
}

fn from_list_item(item: lists::ListItem) -> Candidate {
    let keep_listing = item.kind != ItemKind::Text;
    Candidate {
        url: item.url,
        title: (!item.title.is_empty()).then_some(item.title),
        published: item.published,
        kind: item.kind,
        listing: keep_listing.then_some(item.listing),
    }
}

async fn get_json(fetcher: &Fetcher, url: &url::Url) -> Result<Vec<u8>, SourceError> {
    let got = fetcher
        .get_with_headers(url, &Validators::default(), &[("referer", lists::REFERER)])
        .await?;
    if !(200..300).contains(&got.status) {
        return Err(SourceError::Status {
            url: url.to_string(),
            status: got.status,
        });
    }
    Ok(got.body)
}

async fn poll_qq_channel(
    source: &SourceConfig,
    sites: &SitesConfig,
    fetcher: &Fetcher,
) -> Result<Polled, SourceError> {
    let channel = source.channel.as_deref().unwrap_or_default();
    let api = &sites.qq.api_base;
    // The channel list pages by offset: `page` counts pages.
    page_through(
        source,
        fetcher,
        0u32,
        |page| lists::channel_page_url(api, channel, *page),
        |page, body| {
            let (items, more) = lists::parse_channel_page(body)?;
            Ok((items, more.then_some(page + 1)))
        },
    )
    .await
}

async fn poll_qq_author(
    source: &SourceConfig,
    sites: &SitesConfig,
    fetcher: &Fetcher,
) -> Result<Polled, SourceError> {
    let suid = source.author.as_deref().unwrap_or_default();
    let api = &sites.qq.api_base;
    // The author list pages by an opaque cursor, passed back unchanged.
    page_through(
        source,
        fetcher,
        None::<String>,
        |cursor| lists::author_page_url(api, suid, cursor.as_deref()),
        |cursor, body| {
            let (items, next) = lists::parse_author_page(body)?;
            Ok((items, next.filter(|n| Some(n) != cursor.as_ref()).map(Some)))
        },
    )
    .await
}

/// Reads up to `max_pages` pages of a list API: `url` builds a page's address from its
/// position, `parse` gives the page's items and the next position (None: last page).
async fn page_through<P>(
    source: &SourceConfig,
    fetcher: &Fetcher,
    first: P,
    url: impl Fn(&P) -> Result<url::Url, url::ParseError>,
    parse: impl Fn(&P, &[u8]) -> Result<(Vec<lists::ListItem>, Option<P>), String>,
) -> Result<Polled, SourceError> {
    let mut polled = Polled::default();
    let mut position = first;
    for _ in 0..source.max_pages.max(1) {
        let page_url = url(&position).map_err(|e| SourceError::Config {
            name: source.name.clone(),
            message: e.to_string(),
        })?;
        let body = get_json(fetcher, &page_url).await?;
        let (items, next) = parse(&position, &body).map_err(|message| SourceError::Invalid {
            url: page_url.to_string(),
            message,
        })?;
        polled
            .candidates
            .extend(items.into_iter().map(from_list_item));
        match next {
            Some(next) => position = next,
            None => break,
        }
    }
    Ok(polled)
}
