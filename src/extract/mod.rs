//! Extraction: HTML in, article (or the reason there is none) out. Pure and synchronous: no I/O,
//! and the DOM never outlives the call (scraper's DOM is not `Send`).

pub mod generic;
pub mod markdown;
pub mod meta;
pub mod parse;
pub mod qq;

use chrono::{DateTime, FixedOffset, Utc};
use scraper::{ElementRef, Html, Selector};
use url::Url;

use self::parse::Page;
use crate::document::{Document, summarize};
use crate::sites::{ArticleRef, Site};

/// Version of the extraction rules, recorded with every version so that a later `reprocess`
/// knows which documents an improved extractor would change.
pub const EXTRACTOR_VERSION: &str = "16";

/// An extracted article, before it becomes a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub title: String,
    /// Publish time as the site shows it, in the site's zone: `YYYY-MM-DD HH:MM:SS`. Empty
    /// when the page shows none (`date_found` false) until [`Article::date_from_capture`] fills
    /// in the first capture time.
    pub published: String,
    /// Whether `published` was found on the page. When it was not, the archive's date is the
    /// first capture time, and the archive records that so a later `reprocess` can correct it.
    pub date_found: bool,
    /// The site's zone, for rendering a capture time as the page would show it (`None`: UTC).
    pub zone: Option<FixedOffset>,
    /// The media or author name, when the page names one.
    pub author: Option<String>,
    /// Cover image URL, when the page has one.
    pub cover: Option<String>,
    pub lang: String,
    /// The link the page names as its canonical one (`<link rel="canonical">`, `og:url`,
    /// JSON-LD `url`), absolute; the site decides whether to adopt it
    /// ([`crate::sites::generic::adopt_canonical`]). Site modules that know their canonical
    /// form leave it `None`.
    pub canonical: Option<String>,
    pub body: markdown::Body,
}

/// What a page turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "one Extraction per page, moved once: boxing the article would buy nothing"
)]
pub enum Extraction {
    Article(Article),
    /// The article is gone; `signal` is the evidence.
    Removed {
        signal: String,
    },
    /// An anti-bot interstitial stood in for the page.
    Blocked {
        signal: String,
    },
    /// The page is not an article we can archive, and why.
    NotArticle {
        reason: String,
    },
}

impl Article {
    /// When the page shows no publish time: the first capture time `first_capture` stands in
    /// for it, in the site's zone. A date found on the page is kept.
    pub fn date_from_capture(&mut self, first_capture: DateTime<Utc>) {
        if !self.date_found {
            let zone = self
                .zone
                .unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"));
            self.published = first_capture
                .with_timezone(&zone)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string();
        }
    }

    /// The archive document for this article.
    pub fn to_document(&self, target: &ArticleRef) -> Document {
        Document {
            title: self.title.clone(),
            date: self.published.clone(),
            summary: summarize(self.summary_source(), &self.lang),
            site: target.site.key().to_owned(),
            lang: self.lang.clone(),
            thumbnail: self.cover.clone().unwrap_or_default(),
            body: self.body.markdown.clone(),
            source_url: target.canonical_url.clone(),
        }
    }
}

impl Article {
    /// The text the summary is cut from: the site's own source if it has one, else the body's
    /// plain text.
    pub fn summary_source(&self) -> &str {
        self.body
            .summary_text
            .as_deref()
            .unwrap_or(&self.body.plain_text)
    }
}

/// Extracts the article of `target` from its page, fetched from `final_url`.
pub fn extract(html: &str, target: &ArticleRef, final_url: &Url) -> Extraction {
    extract_page(&Page::new(html), target, final_url)
}

/// As [`extract`], for a page whose tree the caller may have parsed already.
pub fn extract_page(page: &Page<'_>, target: &ArticleRef, final_url: &Url) -> Extraction {
    match &target.site {
        Site::Qq => qq::extract_page(page, target, final_url),
        Site::Generic(site) => generic::extract_page(page, target, final_url, site),
    }
}

/// Whether a Content-Type names an HTML (or unknown, hence sniffable) document.
pub fn is_html_content_type(content_type: Option<&str>) -> bool {
    let Some(ct) = content_type else { return true };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime.is_empty()
        || matches!(
            mime.as_str(),
            "text/html" | "application/xhtml+xml" | "text/plain" | "application/octet-stream"
        )
}

/// The JSON object assigned to `var` in an inline script (`window.DATA = {...};`).
/// `None` when no script assigns it; `Some(Err)` when the object is not valid JSON.
pub(crate) fn assigned_json(doc: &Html, var: &str) -> Option<Result<serde_json::Value, String>> {
    let scripts = Selector::parse("script").expect("static selector");
    for script in doc.select(&scripts) {
        let text: String = script.text().collect();
        let Some(pos) = text.find(var) else { continue };
        let after = &text[pos + var.len()..];
        let Some(eq) = after.trim_start().strip_prefix('=') else {
            continue;
        };
        let Some(start) = eq.find('{') else {
            return Some(Err(format!("{var} is not assigned an object")));
        };
        let object = &eq[start..];
        return Some(match balanced_object(object) {
            Some(json) => {
                serde_json::from_str(json).map_err(|e| format!("{var} is not valid JSON: {e}"))
            }
            None => Err(format!("{var} has no closing brace")),
        });
    }
    None
}

/// The prefix of `s` up to the brace closing its first `{`, skipping braces inside strings.
fn balanced_object(s: &str) -> Option<&str> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in s.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(&s[..=i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// The value of an element's attribute `name` (no namespace), as `Element::attr` gives it.
/// The document's elements in the order `Html::select` visits them (the tree's node order,
/// attached elements only): a walk in which a selector runs only on the elements a cheap test
/// lets through finds what `doc.select` finds, in the same order.
pub(crate) fn elements_in_select_order(doc: &Html) -> impl Iterator<Item = ElementRef<'_>> {
    doc.tree
        .nodes()
        .filter_map(ElementRef::wrap)
        .filter(|el| el.parent().is_some())
}

/// scraper's `attr` interns `name` on every call (a hash and a table lookup), which made
/// attribute tests the largest cost per element on large pages; this compares the few names an
/// element has.
pub(crate) fn attr<'a>(el: &'a scraper::node::Element, name: &str) -> Option<&'a str> {
    el.attrs
        .iter()
        .find(|(q, _)| q.prefix.is_none() && q.ns == html5ever::ns!() && &*q.local == name)
        .map(|(_, v)| &**v)
}

/// The pixels an attribute declares (`width="2"`, `height="300px"`), if it is a number.
pub(crate) fn declared_pixels(el: &scraper::node::Element, name: &str) -> Option<u32> {
    attr(el, name)?.trim().trim_end_matches("px").parse().ok()
}

/// Whether `text` contains `needle` (ASCII, lower case) in any ASCII case, without the lower-cased
/// copy that `to_ascii_lowercase().contains(…)` makes.
pub(crate) fn contains_ignoring_ascii_case(text: &str, needle: &str) -> bool {
    let needle = needle.as_bytes();
    needle.is_empty()
        || text
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// The `content` of the first `<meta {attr}="{name}">`, trimmed, if not empty.
pub(crate) fn meta_content(doc: &Html, attr: &str, name: &str) -> Option<String> {
    let metas = Selector::parse("meta").expect("static selector");
    doc.select(&metas)
        .find(|m| {
            m.value()
                .attr(attr)
                .is_some_and(|v| v.trim().eq_ignore_ascii_case(name))
        })
        .and_then(|m| m.value().attr("content"))
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
}

/// The collapsed text of the first element matching `selector`, if not empty.
pub(crate) fn first_text(doc: &Html, selector: &Selector) -> Option<String> {
    doc.select(selector)
        .map(|e| clean_line(&e.text().collect::<String>()))
        .find(|t| !t.is_empty())
}

/// One line of text: whitespace runs collapsed to a space, ends trimmed.
pub(crate) fn clean_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_pixels_and_case_blind_contains() {
        let doc = Html::parse_fragment(r#"<img width=" 2px" height="x" alt="a">"#);
        let img = doc
            .root_element()
            .descendent_elements()
            .find(|e| e.value().name() == "img")
            .unwrap();
        assert_eq!(declared_pixels(img.value(), "width"), Some(2));
        assert_eq!(declared_pixels(img.value(), "height"), None);
        assert_eq!(declared_pixels(img.value(), "alt"), None);
        assert!(contains_ignoring_ascii_case("site-LOGO-top", "logo"));
        assert!(contains_ignoring_ascii_case("articleBody", "articlebody"));
        assert!(!contains_ignoring_ascii_case("lo", "logo"));
        assert!(!contains_ignoring_ascii_case("标题", "title"));
    }

    #[test]
    fn assigned_json_finds_the_object_and_reports_bad_json() {
        let doc = Html::parse_document(
            r#"<script>var x=1;</script><script>window.DATA = {"a": "}{\"", "b": {"c": 2}};</script>"#,
        );
        let v = assigned_json(&doc, "window.DATA").unwrap().unwrap();
        assert_eq!(v["b"]["c"], 2);
        assert_eq!(v["a"], "}{\"");

        let bad = Html::parse_document(r#"<script>window.DATA = {"a": undefined};</script>"#);
        let err = assigned_json(&bad, "window.DATA").unwrap().unwrap_err();
        assert!(err.contains("not valid JSON"), "{err}");

        let none = Html::parse_document("<p>x</p>");
        assert!(assigned_json(&none, "window.DATA").is_none());
    }

    #[test]
    fn attr_reads_attributes_as_scraper_does() {
        let doc = Html::parse_document(
            r#"<div id=a class="x y" data-v="1" HIDDEN style=""><svg><use xlink:href="h" href="i"/></svg></div><p>"#,
        );
        let names = [
            "id",
            "class",
            "hidden",
            "data-v",
            "style",
            "href",
            "xlink:href",
            "role",
        ];
        for el in doc.tree.nodes().filter_map(|n| n.value().as_element()) {
            for name in names {
                assert_eq!(attr(el, name), el.attr(name), "{name} of {}", el.name());
            }
        }
    }

    #[test]
    fn html_content_types() {
        assert!(is_html_content_type(Some("text/html; charset=gbk")));
        assert!(is_html_content_type(None));
        assert!(!is_html_content_type(Some("application/pdf")));
        assert!(!is_html_content_type(Some("image/jpeg")));
        assert!(!is_html_content_type(Some("application/json")));
    }
}
