//! Atom feeds (RFC 4287) of the archive; reads the archive only.
//!
//! - `/feed.atom` and `/sites/<site>.atom`: one entry per article, newest archived first;
//!   a removed article is announced with an RFC 6721 `at:deleted-entry` instead.
//! - `/changes.atom`: one entry per event (new article, edit with its diff inline, removal
//!   with its evidence, restoration, import); minor versions are not edits and stay out.
//! - `/a/<site>/<id>.atom`: one article's history, every version.
//!
//! Paging follows RFC 5005: the subscription document holds the newest [`PAGE_SIZE`] entries
//! and links `next` and `prev-archive` to `?before=<key>`, the page below its last entry. Keys
//! only grow and nothing is deleted, so the entries of such a page never change: it is an
//! archive document (`fh:archive`), and it costs one index range to build.
//!
//! Entry ids are `urn:uuid:` UUIDv5 in the URL namespace of the canonical URL (events: of
//! `<canonical URL>#v<seq>`), so they never change across versions, feeds or host names.
//! The XML is written by hand: every text goes through [`render::escape`], which also drops
//! what XML cannot carry, so hostile titles and bodies still make well-formed, valid Atom.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::archive::{Archive, ArchiveError, ArticleSummary, VersionEvent, VersionKind};
use crate::diff::DocumentDiff;
use crate::document::Document;
use crate::render::{self, escape, parse_stored_time, published_rfc3339, rfc3339};
use crate::sites::{SitesConfig, published_zone};

/// Entries per feed document.
pub const PAGE_SIZE: usize = 50;

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
const TOMBSTONES_NS: &str = "http://purl.org/atompub/tombstones/1.0";
const HISTORY_NS: &str = "http://purl.org/syndication/history/1.0";

/// Which feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedKind {
    /// Newest archived articles, of all sites or of one.
    Articles { site: Option<String> },
    /// Every event but minor versions.
    Changes,
    /// One article's versions; `id` is the site's article id (or `_<row id>`).
    History { site: String, id: String },
}

impl FeedKind {
    /// The feed's path on the server.
    pub fn path(&self) -> String {
        match self {
            FeedKind::Articles { site: None } => "/feed.atom".to_owned(),
            FeedKind::Articles { site: Some(s) } => format!("/sites/{}.atom", path_segment(s)),
            FeedKind::Changes => "/changes.atom".to_owned(),
            FeedKind::History { site, id } => {
                format!("/a/{}/{}.atom", path_segment(site), path_segment(id))
            }
        }
    }
}

/// A built feed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    pub xml: String,
    /// The newest `updated` in the document (for Last-Modified).
    pub updated: DateTime<Utc>,
    /// A strong validator: a hash of the document.
    pub etag: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("not found: {0}")]
    NotFound(String),
}

/// Percent-encodes one path segment (everything but RFC 3986 unreserved characters).
pub fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The path of an article's page in the web UI.
pub fn article_path(site: &str, site_article_id: &str, row_id: i64) -> String {
    let id = if site_article_id.is_empty() {
        format!("_{row_id}")
    } else {
        site_article_id.to_owned()
    };
    format!("/a/{}/{}", path_segment(site), path_segment(&id))
}

/// The stable id of an article's entry.
pub fn article_entry_id(canonical_url: &str) -> String {
    format!(
        "urn:uuid:{}",
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, canonical_url.as_bytes())
    )
}

/// The stable id of the entry for version `seq` of an article (changes and history feeds).
pub fn event_entry_id(canonical_url: &str, seq: u32) -> String {
    article_entry_id(&format!("{canonical_url}#v{seq}"))
}

/// What a version kind is called in titles.
pub fn kind_label(kind: VersionKind) -> &'static str {
    match kind {
        VersionKind::New => "New",
        VersionKind::Edit => "Edited",
        VersionKind::Minor => "Minor edit",
        VersionKind::Recapture => "Re-captured, unchanged since the import",
        VersionKind::Removed => "Removed",
        VersionKind::Restored => "Restored",
        VersionKind::Import => "Imported",
    }
}

/// Builds one feed document: the subscription document (`before` = None) or the page below
/// key `before`. `base_url` (scheme and host, no trailing slash) prefixes every link.
pub fn build_feed(
    archive: &Archive,
    sites: &SitesConfig,
    base_url: &str,
    kind: &FeedKind,
    before: Option<i64>,
) -> Result<Feed, FeedError> {
    let path = kind.path();
    let mut doc = Doc::new(base_url, &path, before, sites);
    match kind {
        FeedKind::Articles { site } => {
            if let Some(site) = site
                && !archive.site_exists(site)?
            {
                return Err(FeedError::NotFound(format!(
                    "no archived article of site {site:?}"
                )));
            }
            let articles = archive.article_summaries(site.as_deref(), before, PAGE_SIZE, true)?;
            let title = match site {
                None => "newsvault: newest archived articles".to_owned(),
                Some(s) => format!("newsvault: newest archived articles of {s}"),
            };
            let newer = match articles.first() {
                Some(first) if before.is_some() => {
                    archive.articles_newer_cursor(site.as_deref(), first.id, PAGE_SIZE)?
                }
                _ => None,
            };
            let older = older_cursor(articles.len(), articles.last().map(|a| a.id));
            // Removals are announced as tombstones: the latest ones in the subscription
            // document, and in every page those of its own removed articles.
            let mut tombstones: Vec<ArticleSummary> = articles
                .iter()
                .filter(|a| a.removal.is_some())
                .cloned()
                .collect();
            if before.is_none() {
                for r in archive.recent_removals(site.as_deref(), PAGE_SIZE)? {
                    if !tombstones.iter().any(|t| t.id == r.id) {
                        tombstones.push(r);
                    }
                }
            }
            doc.head(&title, "/", newer, older);
            for t in &tombstones {
                doc.tombstone(t);
            }
            for a in articles.iter().filter(|a| a.removal.is_none()) {
                let copies = doc.copies(archive, &a.canonical_url)?;
                doc.article_entry(a, &copies);
            }
        }
        FeedKind::Changes => {
            let events = archive.change_events(before, PAGE_SIZE)?;
            let newer = match events.first() {
                Some(first) if before.is_some() => {
                    archive.changes_newer_cursor(first.id, PAGE_SIZE)?
                }
                _ => None,
            };
            let older = older_cursor(events.len(), events.last().map(|e| e.id));
            doc.head(
                "newsvault: changes (new, edited, removed, restored articles)",
                "/",
                newer,
                older,
            );
            for e in &events {
                let copies = doc.copies(archive, &e.canonical_url)?;
                doc.event_entry(e, &copies);
            }
        }
        FeedKind::History { site, id } => {
            let article = archive
                .article_summary(site, id)?
                .ok_or_else(|| FeedError::NotFound(format!("no archived article {site}/{id}")))?;
            let events = archive.history_events(article.id, before, PAGE_SIZE)?;
            let newer = match events.first() {
                Some(first) if before.is_some() => {
                    archive.history_newer_cursor(article.id, i64::from(first.seq), PAGE_SIZE)?
                }
                _ => None,
            };
            let older = older_cursor(events.len(), events.last().map(|e| i64::from(e.seq)));
            doc.head(
                &format!("newsvault: history of {}", article.title),
                &article_path(&article.site, &article.site_article_id, article.id),
                newer,
                older,
            );
            for e in &events {
                let copies = doc.copies(archive, &e.canonical_url)?;
                doc.event_entry(e, &copies);
            }
        }
    }
    Ok(doc.finish())
}

/// The cursor of the next (older) page: present when this page is full.
fn older_cursor(len: usize, last_key: Option<i64>) -> Option<i64> {
    if len == PAGE_SIZE { last_key } else { None }
}

/// A feed document being written. The head is written last (it needs the newest `updated`),
/// so entries go to `body` first.
struct Doc<'a> {
    base: &'a str,
    /// For the zone each article's publication date is written in.
    sites: &'a SitesConfig,
    path: &'a str,
    before: Option<i64>,
    head: String,
    body: String,
    updated: Option<DateTime<Utc>>,
}

impl<'a> Doc<'a> {
    fn new(base: &'a str, path: &'a str, before: Option<i64>, sites: &'a SitesConfig) -> Self {
        Doc {
            base,
            sites,
            path,
            before,
            head: String::new(),
            body: String::with_capacity(64 * 1024),
            updated: None,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn page_url(&self, before: Option<i64>) -> String {
        match before {
            Some(k) => format!("{}{}?before={k}", self.base, self.path),
            None => self.url(self.path),
        }
    }

    fn saw(&mut self, t: Option<DateTime<Utc>>) {
        if let Some(t) = t {
            self.updated = Some(self.updated.map_or(t, |u| u.max(t)));
        }
    }

    /// Feed metadata: everything but `updated`, which [`Doc::finish`] adds.
    fn head(&mut self, title: &str, html_path: &str, newer: Option<i64>, older: Option<i64>) {
        let self_url = self.page_url(self.before);
        let first = self.page_url(None);
        let h = &mut self.head;
        let _ = write!(
            h,
            "<id>{}</id>\n<title type=\"text\">{}</title>\n<author><name>newsvault</name></author>\n\
             <generator uri=\"https://github.com/newsvault/newsvault\" version=\"{}\">newsvault</generator>\n",
            escape(&article_entry_id(&format!("newsvault:feed:{}", self.path))),
            escape(title),
            env!("CARGO_PKG_VERSION"),
        );
        let link = |h: &mut String, rel: &str, href: &str| {
            let _ = writeln!(h, "<link rel=\"{rel}\" href=\"{}\"/>", escape(href));
        };
        let _ = writeln!(
            h,
            "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
            escape(&self_url)
        );
        let _ = writeln!(
            h,
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            escape(&format!("{}{}", self.base, html_path))
        );
        link(h, "first", &first);
        link(h, "current", &first);
        if let Some(older) = older {
            let href = format!("{}{}?before={older}", self.base, self.path);
            link(h, "next", &href);
            link(h, "prev-archive", &href);
        }
        if self.before.is_some() {
            // A page below the subscription document: an archive document (RFC 5005 §4).
            let newer_href = match newer {
                Some(k) => format!("{}{}?before={k}", self.base, self.path),
                None => first.clone(),
            };
            link(h, "previous", &newer_href);
            link(h, "next-archive", &newer_href);
            h.push_str("<fh:archive/>\n");
        }
    }

    fn tombstone(&mut self, a: &ArticleSummary) {
        let Some(removal) = &a.removal else { return };
        let when = parse_stored_time(&removal.at);
        self.saw(when);
        let when = when
            .map(rfc3339)
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
        let evidence = removal_evidence_text(
            &removal.signal,
            removal.http_status,
            removal.final_url.as_deref(),
        );
        let _ = write!(
            self.body,
            "<at:deleted-entry ref=\"{}\" when=\"{when}\">\n\
             <at:comment>{}</at:comment>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n\
             </at:deleted-entry>\n",
            escape(&article_entry_id(&a.canonical_url)),
            escape(&format!(
                "Removed from the source: {evidence}. {}: the last good version stays in the archive.",
                a.title
            )),
            escape(&self.url(&article_path(&a.site, &a.site_article_id, a.id))),
        );
    }

    /// The archived copies of an article's images, pointed at from the feed (absolute URLs).
    fn copies(
        &self,
        archive: &Archive,
        canonical_url: &str,
    ) -> Result<render::ArchivedCopies, FeedError> {
        let rows = archive.archived_images(canonical_url)?;
        Ok(render::ArchivedCopies::new(
            rows,
            &self.url(crate::media::MEDIA_PREFIX),
        ))
    }

    fn article_entry(&mut self, a: &ArticleSummary, copies: &render::ArchivedCopies) {
        let updated = parse_stored_time(&a.updated_at);
        self.saw(updated);
        let parsed = Document::parse(&a.document).ok();
        let (body, summary) = match &parsed {
            Some(d) => (d.body.as_str(), d.summary.as_str()),
            None => (a.document.as_str(), ""),
        };
        let html = render::markdown_to_html_with_images(body, Some(&a.canonical_url), copies);
        let archived = self.url(&article_path(&a.site, &a.site_article_id, a.id));
        let e = &mut self.body;
        open_entry(e, &a.lang);
        let _ = writeln!(
            e,
            "<id>{}</id>",
            escape(&article_entry_id(&a.canonical_url))
        );
        let _ = writeln!(e, "<title type=\"text\">{}</title>", escape(&a.title));
        let zone = published_zone(&a.site, &a.canonical_url, &a.lang, self.sites);
        if let Some(p) = published_rfc3339(&a.published, zone) {
            let _ = writeln!(e, "<published>{p}</published>");
        }
        let _ = writeln!(e, "<updated>{}</updated>", time_or_epoch(updated));
        common_entry_parts(e, &a.site, a.author.as_deref(), &a.canonical_url, &archived);
        if !summary.is_empty() {
            let _ = writeln!(e, "<summary type=\"text\">{}</summary>", escape(summary));
        }
        let _ = writeln!(e, "<content type=\"html\">{}</content>", escape(&html));
        e.push_str("</entry>\n");
    }

    fn event_entry(&mut self, v: &VersionEvent, copies: &render::ArchivedCopies) {
        let updated = parse_stored_time(&v.fetched_at);
        self.saw(updated);
        let page = article_path(&v.site, &v.site_article_id, v.article_id);
        let archived = match (v.kind, stored_diff(v)) {
            (VersionKind::Edit | VersionKind::Minor | VersionKind::Restored, Some(d))
                if d.base.is_some() =>
            {
                self.url(&format!(
                    "{page}/diff?a={}&b={}",
                    d.base.unwrap_or(0),
                    v.seq
                ))
            }
            _ => self.url(&format!("{page}?v={}", v.seq)),
        };
        let html = event_html(v, &self.url(&page), &archived, copies);
        let e = &mut self.body;
        open_entry(e, &v.lang);
        let _ = writeln!(
            e,
            "<id>{}</id>",
            escape(&event_entry_id(&v.canonical_url, v.seq))
        );
        let _ = writeln!(
            e,
            "<title type=\"text\">{}</title>",
            escape(&format!("{}: {}", kind_label(v.kind), v.title))
        );
        let t = time_or_epoch(updated);
        let _ = writeln!(e, "<published>{t}</published>\n<updated>{t}</updated>");
        common_entry_parts(e, &v.site, v.author.as_deref(), &v.canonical_url, &archived);
        let _ = writeln!(e, "<content type=\"html\">{}</content>", escape(&html));
        e.push_str("</entry>\n");
    }

    fn finish(self) -> Feed {
        let updated = self.updated.unwrap_or(DateTime::UNIX_EPOCH);
        let mut xml = String::with_capacity(self.head.len() + self.body.len() + 512);
        let _ = write!(
            xml,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <feed xmlns=\"{ATOM_NS}\" xmlns:at=\"{TOMBSTONES_NS}\" xmlns:fh=\"{HISTORY_NS}\">\n\
             {}<updated>{}</updated>\n{}</feed>\n",
            self.head,
            rfc3339(updated),
            self.body
        );
        let etag = format!("\"{}\"", &crate::archive::hash_hex(xml.as_bytes())[..32]);
        Feed { xml, updated, etag }
    }
}

fn open_entry(e: &mut String, lang: &str) {
    if is_language_tag(lang) {
        let _ = writeln!(e, "<entry xml:lang=\"{lang}\">");
    } else {
        e.push_str("<entry>\n");
    }
}

/// Author, category and the two links every entry has: the source and the archived page.
fn common_entry_parts(
    e: &mut String,
    site: &str,
    author: Option<&str>,
    source: &str,
    archived: &str,
) {
    // The media name when a capture gave one; else the site key names the source.
    let name = author
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .unwrap_or(site);
    let _ = writeln!(e, "<author><name>{}</name></author>", escape(name));
    let _ = writeln!(e, "<category term=\"{}\"/>", escape(site));
    // Only an http(s) source becomes a link: feed readers run no CSP (an archive written
    // before links were checked may hold anything).
    if crate::sites::is_http_url(source) {
        let _ = writeln!(
            e,
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            escape(source)
        );
    }
    let _ = writeln!(
        e,
        "<link rel=\"related\" type=\"text/html\" title=\"Archived copy\" href=\"{}\"/>",
        escape(archived)
    );
}

fn time_or_epoch(t: Option<DateTime<Utc>>) -> String {
    rfc3339(t.unwrap_or(DateTime::UNIX_EPOCH))
}

/// RFC 3066 language tags, as the Atom schema requires for `xml:lang`.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn stored_diff(v: &VersionEvent) -> Option<DocumentDiff> {
    DocumentDiff::from_json(v.diff.as_deref()?).ok()
}

/// What showed a removal, in words: the signal, the HTTP status and where the URL led.
pub fn removal_evidence_text(signal: &str, status: Option<u16>, final_url: Option<&str>) -> String {
    let mut s = if signal.is_empty() {
        "no signal recorded".to_owned()
    } else {
        signal.to_owned()
    };
    if let Some(status) = status {
        let _ = write!(s, ", HTTP {status}");
    }
    if let Some(url) = final_url.filter(|u| !u.is_empty()) {
        let _ = write!(s, ", final URL {url}");
    }
    s
}

/// The HTML content of an event entry.
fn event_html(
    v: &VersionEvent,
    article_url: &str,
    archived: &str,
    copies: &render::ArchivedCopies,
) -> String {
    let mut html = String::new();
    match v.kind {
        VersionKind::Removed => {
            let _ = write!(
                html,
                "<p>Removed from the source, confirmed at {}: {}.</p>\
                 <p>The last good version stays readable in the archive: <a href=\"{}\">{}</a>.</p>",
                escape(&render::display_time(&v.fetched_at)),
                escape(&removal_evidence_text(
                    v.removal_signal.as_deref().unwrap_or(""),
                    v.http_status,
                    v.final_url.as_deref()
                )),
                escape(article_url),
                escape(&v.title),
            );
        }
        VersionKind::Recapture => {
            html.push_str(
                "<p>Captured from the source for the first time since the import: the article \
                 says what the imported file says (only formatting differs).</p>",
            );
            html.push_str(&document_html(v, copies));
        }
        VersionKind::Edit | VersionKind::Minor => match stored_diff(v) {
            Some(diff) => {
                let _ = write!(
                    html,
                    "<p>Changes since version {} (<a href=\"{}\">full diff</a>):</p>{}",
                    diff.base.unwrap_or(v.seq.saturating_sub(1)),
                    escape(archived),
                    render::diff_to_html(&diff, true)
                );
            }
            None => html.push_str(&document_html(v, copies)),
        },
        VersionKind::Restored => {
            html.push_str("<p>Back at the source after a removal.</p>");
            if let Some(diff) = stored_diff(v).filter(|d| !d.is_empty()) {
                let _ = write!(
                    html,
                    "<p>Changes since the last good version:</p>{}",
                    render::diff_to_html(&diff, true)
                );
            }
            html.push_str(&document_html(v, copies));
        }
        _ => html.push_str(&document_html(v, copies)),
    }
    html
}

/// A version's document body as sanitised HTML.
fn document_html(v: &VersionEvent, copies: &render::ArchivedCopies) -> String {
    let source = Some(v.canonical_url.as_str());
    match Document::parse(&v.document) {
        Ok(d) => render::markdown_to_html_with_images(&d.body, source, copies),
        Err(_) => render::markdown_to_html_with_images(&v.document, source, copies),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_ids_are_uuid5_of_the_canonical_url() {
        // Python: uuid.uuid5(uuid.NAMESPACE_URL, "https://new.qq.com/rain/a/20250211A013J400")
        let id = article_entry_id("https://new.qq.com/rain/a/20250211A013J400");
        assert!(id.starts_with("urn:uuid:") && id.len() == 45, "{id}");
        assert_ne!(
            event_entry_id("https://new.qq.com/rain/a/20250211A013J400", 2),
            id
        );
    }

    #[test]
    fn language_tags() {
        assert!(is_language_tag("zh-CN"));
        assert!(!is_language_tag("zh_CN"));
        assert!(!is_language_tag(""));
        assert!(!is_language_tag("\"><x"));
    }
}
