//! Page metadata for the generic extractor, from the most reliable source present: JSON-LD
//! (`NewsArticle`/`Article`, also inside `@graph`), OpenGraph and `article:*` meta tags, other
//! date meta tags, `<time datetime>`, and the visible Chinese and English date and byline forms.
//!
//! This module collects what the page declares ([`PageMeta`]); the choices are made by
//! [`title`] (which text a reader sees as the title), [`dates`] (the publish time),
//! [`byline`] (author, source and editor) and [`lang`] (the page's language).

pub mod byline;
pub mod dates;
pub mod elements;
pub mod lang;
pub mod software;
pub mod title;

pub use dates::PageTime;
pub use elements::Elements;
pub use title::normalize_for_match;

use std::sync::LazyLock;

use ego_tree::NodeId;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use url::Url;

/// What the page's `<head>` and JSON-LD say, before the body is looked at.
#[derive(Debug, Default, Clone)]
pub struct PageMeta {
    /// `<meta name|property|itemprop=... content=...>`, keys lower-cased, first one wins.
    pub metas: Vec<(String, String)>,
    pub ld: LdArticle,
    pub html_lang: Option<String>,
    pub page_title: Option<String>,
    pub canonical: Option<String>,
    /// `<time datetime>` values in document order.
    pub time_elements: Vec<String>,
    /// Whether the page has a password field (a login wall, when it has little else).
    pub has_password_input: bool,
}

/// The article object of the page's JSON-LD, if any.
#[derive(Debug, Default, Clone)]
pub struct LdArticle {
    /// An `Article`-like `@type` was found (not just a `WebPage` with a date).
    pub is_article: bool,
    pub headline: Option<String>,
    pub date_published: Option<String>,
    /// `dateModified`: only ever a confirmation of the day the page shows
    /// ([`dates::pick`]'s re-dated pages), never a publish time of its own.
    pub date_modified: Option<String>,
    pub authors: Vec<String>,
    pub image: Option<String>,
    pub publisher: Option<String>,
    pub url: Option<String>,
    pub in_language: Option<String>,
    /// `articleBody`: the article's text as the page declares it, entities not yet decoded and
    /// line breaks kept (it may be markup, escaped or not). Not kept from an article marked
    /// `isAccessibleForFree: false`: there it is the subscribers' text, which the page does not
    /// show (the raw capture still holds it).
    pub article_body: Option<String>,
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("static selector")
}

static META: LazyLock<Selector> = LazyLock::new(|| sel("meta"));
/// JSON-LD blocks; some themes leave out the `type` ([`untyped_ld`] tells those apart).
static LD_JSON: LazyLock<Selector> =
    LazyLock::new(|| sel(r#"script[type="application/ld+json" i], script:not([type])"#));
static TITLE: LazyLock<Selector> = LazyLock::new(|| sel("title"));
static CANONICAL: LazyLock<Selector> = LazyLock::new(|| sel("link[rel][href]"));
static TIME: LazyLock<Selector> = LazyLock::new(|| sel("time[datetime]"));
static HTML_TAG: LazyLock<Selector> = LazyLock::new(|| sel("html[lang]"));
static PASSWORD: LazyLock<Selector> = LazyLock::new(|| sel(r#"input[type="password" i]"#));

/// JSON-LD blocks larger than this are not read (they are never an article's metadata).
const MAX_LD_BYTES: usize = 512 * 1024;
/// JSON-LD values visited at most per block, whatever its shape.
const MAX_LD_NODES: usize = 20_000;

/// Reads the page's metadata.
pub fn collect(doc: &Html) -> PageMeta {
    collect_in(&Elements::new(doc))
}

/// Reads the page's metadata from its elements of interest.
pub fn collect_in(els: &Elements<'_>) -> PageMeta {
    let mut meta = PageMeta::default();
    for m in els.head_select(&META) {
        let v = m.value();
        let Some(content) = v.attr("content").map(clean_text).filter(|c| !c.is_empty()) else {
            continue;
        };
        for attr in ["property", "name", "itemprop", "http-equiv"] {
            if let Some(key) = v.attr(attr) {
                // `property="og:title article:author"` (space-separated) names several.
                for key in key.split_whitespace() {
                    meta.metas.push((key.to_ascii_lowercase(), content.clone()));
                }
            }
        }
    }
    for script in els.head_select(&LD_JSON) {
        let text: String = script.text().collect();
        if text.len() > MAX_LD_BYTES
            || (script.value().attr("type").is_none() && !untyped_ld(&text))
        {
            continue;
        }
        read_ld(&text, &mut meta.ld);
    }
    meta.html_lang = els
        .head_select(&HTML_TAG)
        .next()
        .and_then(|h| h.value().attr("lang"))
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty());
    meta.page_title = els
        .head_select(&TITLE)
        .map(|t| clean_text(&t.text().collect::<String>()))
        .find(|t| !t.is_empty());
    meta.canonical = els
        .head_select(&CANONICAL)
        .find(|l| {
            l.value().attr("rel").is_some_and(|r| {
                r.split_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("canonical"))
            })
        })
        .and_then(|l| l.value().attr("href"))
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty());
    meta.time_elements = els
        .head_select(&TIME)
        .filter_map(|t| t.value().attr("datetime"))
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
        .take(20)
        .collect();
    meta.has_password_input = els.head_select(&PASSWORD).next().is_some();
    meta
}

/// Whether a `<script>` without a `type` holds JSON-LD rather than code: a JSON object that
/// names a schema.org `@context`.
fn untyped_ld(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('{') && t.get(..200).unwrap_or(t).contains("\"@context\"")
}

impl PageMeta {
    /// The first meta tag among `keys` (in the order given).
    pub fn get(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|k| {
            self.metas
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        })
    }

    /// Names the site calls itself, for stripping from titles.
    pub fn site_names(&self) -> Vec<String> {
        let mut names: Vec<String> = [
            self.get(&["og:site_name"]),
            self.get(&["application-name", "apple-mobile-web-app-title"]),
            self.ld.publisher.as_deref(),
        ]
        .into_iter()
        .flatten()
        .map(str::to_owned)
        .collect();
        names.dedup();
        names
    }

    /// The title that metadata gives the article alone: JSON-LD's headline, Dublin Core's,
    /// Parse.ly's.
    pub fn article_title(&self) -> Option<&str> {
        self.ld
            .headline
            .as_deref()
            .or_else(|| self.get(&["dc:title", "dc.title", "dcterms.title", "parsely-title"]))
    }

    /// The title the page gives link previews: `og:title`, else Twitter's.
    pub fn preview_title(&self) -> Option<&str> {
        self.get(&["og:title", "twitter:title"])
    }

    /// Whether the page declares a title of its own beside `<title>` ([`Self::article_title`],
    /// [`Self::preview_title`]).
    pub fn declares_title(&self) -> bool {
        self.article_title().is_some() || self.preview_title().is_some()
    }

    /// Whether the page says it is an article (JSON-LD type or `og:type`).
    pub fn says_article(&self) -> bool {
        self.ld.is_article
            || self
                .get(&["og:type"])
                .is_some_and(|t| t.eq_ignore_ascii_case("article"))
    }
}

/// One line of text: whitespace runs collapsed to a space, ends trimmed.
pub fn clean_text(s: &str) -> String {
    // Built in place: no vector of words per call (this runs on every meta tag and heading).
    let mut line = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    line
}

// ---- JSON-LD ----

fn read_ld(text: &str, out: &mut LdArticle) {
    // Raw newlines and tabs inside strings are common and invalid JSON; outside strings they
    // are whitespace anyway. Malformed blocks are skipped.
    // Some pages wrap the block in a comment or an XHTML `<![CDATA[ … ]]>` section.
    let text = text
        .trim()
        .trim_start_matches("<!--")
        .trim_end_matches("-->")
        .trim()
        .trim_start_matches("//")
        .trim_start()
        .trim_start_matches("<![CDATA[")
        .trim_end()
        .trim_end_matches("]]>")
        .trim_end()
        .trim_end_matches("//");
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let Ok(value) = serde_json::from_str::<Value>(&cleaned) else {
        return;
    };
    let mut stack = vec![&value];
    let mut visited = 0;
    let mut fallback: Option<&Value> = None;
    let mut article: Option<&Value> = None;
    // Named nodes (`{"@id": "…#/schema/person/…", "name": "…"}`), which an article's `author`
    // may point to by `@id` only, as Yoast's `@graph` does.
    let mut named: Vec<(&str, &Value)> = Vec::new();
    while let Some(v) = stack.pop() {
        visited += 1;
        if visited > MAX_LD_NODES {
            break;
        }
        match v {
            Value::Array(items) => stack.extend(items.iter().rev()),
            Value::Object(map) => {
                if let (Some(Value::String(id)), Some(_)) = (map.get("@id"), map.get("name")) {
                    named.push((id.as_str(), v));
                }
                if is_article_type(map.get("@type")) {
                    if !out.is_article {
                        fill_ld(v, out);
                        out.is_article = true;
                        article = Some(v);
                    }
                    continue;
                }
                if fallback.is_none()
                    && (map.contains_key("datePublished") || map.contains_key("headline"))
                {
                    fallback = Some(v);
                }
                for key in [
                    "@graph",
                    "mainEntity",
                    "mainEntityOfPage",
                    "itemListElement",
                ] {
                    if let Some(child) = map.get(key) {
                        stack.push(child);
                    }
                }
            }
            _ => {}
        }
    }
    if !out.is_article
        && out.date_published.is_none()
        && let Some(v) = fallback
    {
        fill_ld(v, out);
        article = Some(v);
    }
    if out.authors.is_empty()
        && let Some(article) = article
    {
        out.authors = ld_author_refs(article)
            .filter_map(|id| named.iter().find(|(n, _)| *n == id))
            .flat_map(|(_, node)| ld_names(Some(node)))
            .collect();
    }
}

/// The `@id`s an article's `author` points to (`{"@id": "…"}`, or an array of them).
fn ld_author_refs(article: &Value) -> impl Iterator<Item = &str> {
    let author = article.get("author");
    let refs: Vec<&str> = match author {
        Some(Value::Array(items)) => items.iter().take(20).collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    }
    .into_iter()
    .filter_map(|a| a.get("@id")?.as_str())
    .collect();
    refs.into_iter()
}

fn is_article_type(t: Option<&Value>) -> bool {
    let is = |s: &str| {
        let s = s.rsplit(['/', ':']).next().unwrap_or(s);
        s.ends_with("Article") || s == "BlogPosting" || s == "LiveBlogPosting" || s == "Report"
    };
    match t {
        Some(Value::String(s)) => is(s),
        Some(Value::Array(items)) => items.iter().any(|i| i.as_str().is_some_and(is)),
        _ => false,
    }
}

fn fill_ld(v: &Value, out: &mut LdArticle) {
    let s = |key: &str| ld_string(v.get(key)?);
    out.headline = s("headline").or_else(|| s("name")).or(out.headline.take());
    out.date_published = s("datePublished")
        .or_else(|| s("dateCreated"))
        .or(out.date_published.take());
    out.date_modified = s("dateModified").or(out.date_modified.take());
    let authors = ld_names(v.get("author"))
        .into_iter()
        .chain(ld_names(v.get("creator")))
        .collect::<Vec<_>>();
    if !authors.is_empty() {
        out.authors = authors;
    }
    out.image = v.get("image").and_then(ld_url).or(out.image.take());
    out.publisher = ld_names(v.get("publisher"))
        .into_iter()
        .next()
        .or(out.publisher.take());
    out.url = s("url")
        .or_else(|| v.get("mainEntityOfPage").and_then(ld_url))
        .or(out.url.take());
    out.in_language = s("inLanguage").or(out.in_language.take());
    out.article_body = v
        .get("articleBody")
        .and_then(Value::as_str)
        .filter(|b| !b.trim().is_empty() && !is_paywalled(v))
        .map(str::to_owned)
        .or(out.article_body.take());
}

/// Whether an article object says it is for subscribers only (`"isAccessibleForFree": false`,
/// or the string `"False"`, as Google's paywall markup allows).
fn is_paywalled(v: &Value) -> bool {
    match v.get("isAccessibleForFree") {
        Some(Value::Bool(free)) => !free,
        Some(Value::String(free)) => free.trim().eq_ignore_ascii_case("false"),
        _ => false,
    }
}

fn ld_string(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => clean_text(&decode_entities(s)),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => return items.iter().find_map(ld_string),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// Names in a JSON-LD person/organization field: a string, `{name}`, or an array of either.
fn ld_names(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![clean_text(s)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect(),
        Some(Value::Object(map)) => map.get("name").and_then(ld_string).into_iter().collect(),
        Some(Value::Array(items)) => items
            .iter()
            .take(20)
            .flat_map(|i| ld_names(Some(i)))
            .collect(),
        _ => Vec::new(),
    }
}

fn ld_url(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Object(map) => map
            .get("url")
            .or_else(|| map.get("@id"))
            .or_else(|| map.get("contentUrl"))
            .and_then(ld_url)
            .or_else(|| map.get("@list").and_then(ld_url)),
        Value::Array(items) => items.iter().find_map(ld_url),
        _ => None,
    }
}

/// `&amp;`-style entities some sites leave in JSON-LD strings; only the common named ones and
/// numeric references, one pass (no recursive expansion).
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }
        });
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Absolute http(s) URL for an attribute value found on the page.
pub fn absolute(base: &Url, raw: &str) -> Option<String> {
    crate::extract::markdown::absolute_url(base, raw)
}

/// The visible text of an element, collapsed to one line.
pub fn element_text(el: &ElementRef<'_>) -> String {
    clean_text(&el.text().collect::<String>())
}

/// What the body finder knows of an element: the position of its start tag in document order
/// (comparable with [`Around`]'s positions), and whether it sits in page furniture.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    pub open: u32,
    pub noise: bool,
}

/// Where an element sits on the page, when the body finder saw it.
pub type Place<'a> = &'a dyn Fn(NodeId) -> Option<Placed>;

/// The page around the article, as the body finder laid it out: where the title heading and the
/// body are, and the short text lines near them (each line one block's text).
/// The default is a page with nothing around the article: no title heading, no lines.
#[derive(Debug, Clone, Copy, Default)]
pub struct Around<'a> {
    /// Start of the heading that shows the title, when one does.
    pub title_open: Option<u32>,
    /// End of the body.
    pub body_close: u32,
    /// Lines between the title and the body, closest to the body first, then (when a heading
    /// shows the title) up to three lines above it.
    pub near: &'a [&'a str],
    /// The first lines of the body, and its last short ones.
    pub inside: &'a [&'a str],
    /// The body's short lines after its first three, to its twentieth (stamp lines under a
    /// kicker and the author's name).
    pub deeper: &'a [&'a str],
    /// The lines after the body.
    pub after: &'a [&'a str],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_graph_and_malformed() {
        let mut ld = LdArticle::default();
        read_ld(
            r#"{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"X"},{"@type":["NewsArticle"],"headline":"Hi &amp; bye","datePublished":"2020-01-02T03:04:05Z","author":[{"@type":"Person","name":"A B"},{"name":"C D"}],"image":{"url":"https://x/i.jpg"},"publisher":{"name":"X News"}}]}"#,
            &mut ld,
        );
        assert!(ld.is_article);
        assert_eq!(ld.headline.as_deref(), Some("Hi & bye"));
        assert_eq!(ld.authors, ["A B", "C D"]);
        assert_eq!(ld.image.as_deref(), Some("https://x/i.jpg"));
        assert_eq!(ld.publisher.as_deref(), Some("X News"));
        let mut bad = LdArticle::default();
        read_ld(r#"{"@type":"NewsArticle","headline":"x",,}"#, &mut bad);
        read_ld(&"[".repeat(100_000), &mut bad);
        assert!(!bad.is_article);
        // A CDATA section around the block is no part of it.
        let mut cdata = LdArticle::default();
        read_ld(
            "\n  <![CDATA[\n {\"@type\":\"NewsArticle\",\"datePublished\":\"2015-10-15\"}\n ]]>\n",
            &mut cdata,
        );
        assert_eq!(cdata.date_published.as_deref(), Some("2015-10-15"));
        // Raw newlines inside strings are tolerated.
        let mut nl = LdArticle::default();
        read_ld("{\"@type\":\"Article\",\"headline\":\"a\nb\"}", &mut nl);
        assert_eq!(nl.headline.as_deref(), Some("a b"));
    }

    #[test]
    fn json_ld_article_body_unless_for_subscribers() {
        let mut ld = LdArticle::default();
        read_ld(
            r#"{"@type":"NewsArticle","articleBody":"First line.\nCaf&eacute; second."}"#,
            &mut ld,
        );
        assert_eq!(
            ld.article_body.as_deref(),
            Some("First line.\nCaf&eacute; second.")
        );
        for free in ["false", r#""False""#] {
            let mut paid = LdArticle::default();
            read_ld(
                &format!(
                    r#"{{"@type":"NewsArticle","isAccessibleForFree":{free},"articleBody":"x"}}"#
                ),
                &mut paid,
            );
            assert!(paid.is_article);
            assert_eq!(paid.article_body, None, "{free}");
        }
    }

    #[test]
    fn json_ld_author_by_reference() {
        let mut ld = LdArticle::default();
        read_ld(
            r#"{"@context":"https://schema.org","@graph":[{"@type":"Article","headline":"H","author":{"@id":"https://x/#/schema/person/1"}},{"@type":"Person","@id":"https://x/#/schema/person/1","name":"Doris Schuppe"},{"@type":"Person","@id":"https://x/#/schema/person/2","name":"Other"}]}"#,
            &mut ld,
        );
        assert_eq!(ld.authors, ["Doris Schuppe"]);
    }

    #[test]
    fn json_ld_in_a_script_without_type() {
        let doc = Html::parse_document(concat!(
            r#"<script>var x = {"@context": 1};</script>"#,
            r#"<script>{"@context": "https://schema.org", "@type": "NewsArticle", "#,
            r#""datePublished": "2022-01-28T06:00:00+01:00"}</script>"#,
            r#"<script type="text/javascript">{"@context": "https://schema.org", "#,
            r#""@type": "NewsArticle", "headline": "not read"}</script>"#,
        ));
        let meta = collect(&doc);
        assert!(meta.ld.is_article);
        assert_eq!(
            meta.ld.date_published.as_deref(),
            Some("2022-01-28T06:00:00+01:00")
        );
        assert_eq!(meta.ld.headline, None);
    }
}
