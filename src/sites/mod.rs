//! Site knowledge, one module per site: which URLs are its articles, their canonical form and id,
//! where pages are fetched from, and (in the same module) how its pages are read. Hosts without
//! a module of their own are handled by [`generic`].

pub mod config;
pub mod generic;
pub mod qq;

use chrono::FixedOffset;
use url::Url;

pub use config::SitesConfig;

/// The site an article belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Site {
    /// Tencent News, with a module of its own.
    Qq,
    /// Any other site, read by the generic extractor.
    Generic(GenericSite),
}

/// A site without a module: its key and what configuration says about it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GenericSite {
    /// Configured (`[sites.<key>]`) or derived from the host (`news.163.com` → `163`).
    pub key: String,
    /// `[sites.<key>] timezone`, when configured.
    pub utc_offset: Option<FixedOffset>,
}

impl Site {
    /// The site key used in documents and paths (`categories`, `content/<lang>/news/<site>/`).
    pub fn key(&self) -> &str {
        match self {
            Site::Qq => qq::SITE_KEY,
            Site::Generic(site) => &site.key,
        }
    }

    /// The site with this key, if newsvault has a module for it.
    pub fn from_key(key: &str) -> Option<Site> {
        [Site::Qq].into_iter().find(|s| s.key() == key)
    }

    /// The zone the site writes its dates in (documents keep them as the site shows them,
    /// without an offset): Tencent News dates are Beijing time; another site's are in its
    /// configured zone, else taken as UTC (the archive does not keep the offset a page declared).
    pub fn utc_offset(&self) -> chrono::FixedOffset {
        match self {
            Site::Qq => chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset"),
            Site::Generic(site) => site
                .utc_offset
                .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("valid offset")),
        }
    }
}

/// The zone an archived article's `published` (site-local wall time, no offset) is written
/// in, as far as the archive can tell: Tencent News' Beijing time, a site's configured
/// `[sites.<key>] timezone`, Beijing time for a Chinese site (what the generic extractor
/// assumes when the page declares no offset). `None` otherwise: the extractor may have used an
/// offset the page declared, which the archive does not keep.
pub fn published_zone(
    site_key: &str,
    canonical_url: &str,
    lang: &str,
    config: &SitesConfig,
) -> Option<FixedOffset> {
    if site_key == qq::SITE_KEY {
        return Some(Site::Qq.utc_offset());
    }
    if let Some(zone) = config.other.get(site_key).and_then(|s| s.utc_offset()) {
        return Some(zone);
    }
    let host = Url::parse(canonical_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    generic::is_chinese_site(&host, lang).then(generic::beijing)
}

impl Site {
    /// Page furniture that older archives of the site let into their bodies, where a capture
    /// of the same article does not have it: not a change of what the article says.
    pub fn leaked_furniture(&self) -> Option<&'static regex::Regex> {
        match self {
            Site::Qq => Some(&qq::LEAKED_FURNITURE),
            Site::Generic(_) => None,
        }
    }
}

/// One article, identified: what to fetch and what to call it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleRef {
    pub site: Site,
    /// The site's article id, used as the file name.
    pub id: String,
    /// The link documents carry; independent of where the page is fetched from.
    pub canonical_url: String,
    /// Where the page is fetched from (a configured mirror may stand in for the site).
    pub fetch_url: Url,
    /// The article's language when the site fixes it (`zh-CN` for Tencent News); empty when
    /// only the page can tell.
    pub lang: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteError {
    #[error("not a URL: {url:?} ({reason})")]
    InvalidUrl { url: String, reason: String },
    #[error("{url}: no host to tell the site by {host:?}")]
    Unsupported { url: String, host: String },
    #[error("{url}: not an article link of {site}: {reason}")]
    NotAnArticle {
        url: String,
        site: &'static str,
        reason: String,
    },
}

/// Whether `url` parses as an absolute http or https URL: the only links newsvault fetches,
/// stores as a source link or shows.
pub fn is_http_url(url: &str) -> bool {
    Url::parse(url.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// Identifies the article a URL points at: Tencent News by its module, any other http(s) URL
/// by [`generic::resolve`].
pub fn resolve(url: &str, config: &SitesConfig) -> Result<ArticleRef, SiteError> {
    let parsed = Url::parse(url.trim()).map_err(|e| SiteError::InvalidUrl {
        url: url.to_owned(),
        reason: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(SiteError::InvalidUrl {
            url: url.to_owned(),
            reason: format!("scheme {:?} is not http(s)", parsed.scheme()),
        });
    }
    let host = parsed.host_str().unwrap_or("").to_ascii_lowercase();
    if qq::is_qq_host(&host) {
        return qq::resolve(&parsed, &config.qq);
    }
    generic::resolve(&parsed, config)
}
