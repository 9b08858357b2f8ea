//! Turning archived text into markup that is safe to publish: escaping for HTML and XML,
//! stripping characters XML cannot carry, Markdown bodies to sanitised HTML, stored diffs to
//! HTML, and dates in RFC 3339. Pure; shared by the feeds and the web UI.
//!
//! Archived pages are hostile input: a body may carry raw HTML, scripts, event handlers and
//! `javascript:` links, and titles may hold control characters. Raw HTML in a Markdown body is
//! shown as text, never interpreted, and the HTML that Markdown produces is then cleaned by
//! ammonia against an allowlist (http(s) links and images only), so only the article's own
//! images survive.

use std::fmt::Write as _;
use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::diff::{DocumentDiff, Op};

/// Whether XML 1.0 can carry `c` (and we want it to): its Char production minus the C0/C1
/// controls other than tab and line feed (carriage returns are dropped too: parsers fold them
/// away anyway), and minus the non-characters U+FFFE/U+FFFF.
fn xml_allowed(c: char) -> bool {
    match c {
        '\t' | '\n' => true,
        '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' => false,
        '\u{FFFE}' | '\u{FFFF}' => false,
        _ => true,
    }
}

/// Escapes text for XML or HTML element content and attribute values (both quotes too), and
/// drops characters XML cannot carry.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_escaped(&mut out, text);
    out
}

/// [`escape`] appending to `out`.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if xml_allowed(c) => out.push(c),
            _ => {}
        }
    }
}

/// Text without the characters XML cannot carry (before escaping or sanitising).
pub fn strip_invalid(text: &str) -> String {
    text.chars().filter(|&c| xml_allowed(c)).collect()
}

/// The cleaner for bodies: an allowlist of text markup, http(s) links and images only.
fn cleaner(base: Option<&url::Url>) -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::empty();
    b.add_tags([
        "p",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "b",
        "i",
        "del",
        "ins",
        "s",
        "code",
        "pre",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "hr",
        "sup",
        "sub",
    ])
    .add_tag_attributes("a", ["href", "title"])
    .add_tag_attributes("img", ["src", "alt", "title"])
    .add_tag_attributes("ol", ["start"])
    .add_url_schemes(["http", "https"])
    .link_rel(Some("noopener noreferrer nofollow"))
    // Image hosts such as Tencent's refuse hot-linked requests that carry a referrer.
    .set_tag_attribute_value("img", "referrerpolicy", "no-referrer")
    .strip_comments(true);
    match base {
        Some(base) => b.url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone())),
        None => b.url_relative(ammonia::UrlRelative::Deny),
    };
    b
}

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| cleaner(None));

/// Renders a Markdown body to sanitised HTML. Raw HTML in the Markdown is shown as text;
/// relative links and images resolve against `source_url` (the article's page) when given.
pub fn markdown_to_html(markdown: &str, source_url: Option<&str>) -> String {
    markdown_to_html_with_images(markdown, source_url, &ArchivedCopies::default())
}

/// The archived copies of an article's images: each image URL (absolute, as
/// [`crate::media::resolve`] gives it) with its blob hash, and where the server answers
/// `/media/<hash>` (`/media/` on the web UI, an absolute URL in a feed).
#[derive(Debug, Clone, Default)]
pub struct ArchivedCopies {
    pub by_url: std::collections::HashMap<String, String>,
    pub media_prefix: String,
}

impl ArchivedCopies {
    /// The copies the archive lists for an article ([`crate::archive::Images::archived_images`]).
    pub fn new(rows: Vec<crate::archive::ImageRow>, media_prefix: &str) -> ArchivedCopies {
        ArchivedCopies {
            by_url: rows
                .into_iter()
                .filter_map(|row| Some((row.url, row.blob_hash?)))
                .collect(),
            media_prefix: media_prefix.to_owned(),
        }
    }
}

/// Stands in for the media prefix while the cleaner runs: an absolute https URL it keeps as
/// written (a relative `/media/` would be resolved against the article's site, or dropped).
/// `.invalid` is reserved: no real link points there.
const MEDIA_PLACEHOLDER: &str = "https://newsvault-media.invalid/";

/// [`markdown_to_html`], with every image that has an archived copy pointing at that copy
/// (the rest at their original address). The Markdown itself is not changed.
pub fn markdown_to_html_with_images(
    markdown: &str,
    source_url: Option<&str>,
    copies: &ArchivedCopies,
) -> String {
    let markdown = strip_invalid(markdown);
    let base = source_url
        .and_then(|u| url::Url::parse(u).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    let archived = |dest: &str| {
        let url = crate::media::resolve(base.as_ref(), dest)?;
        let hash = copies.by_url.get(&url)?;
        Some(format!("{MEDIA_PLACEHOLDER}{hash}"))
    };
    let events = Parser::new_ext(
        &markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        // The archived page's own markup is never interpreted.
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) if !copies.by_url.is_empty() => Event::Start(Tag::Image {
            link_type,
            dest_url: archived(&dest_url).map_or(dest_url, Into::into),
            title,
            id,
        }),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 5 / 4 + 64);
    pulldown_cmark::html::push_html(&mut html, events);
    let cleaned = match &base {
        Some(base) => cleaner(Some(base)).clean(&html).to_string(),
        None => CLEANER.clean(&html).to_string(),
    };
    if copies.by_url.is_empty() {
        return cleaned;
    }
    cleaned.replace(MEDIA_PLACEHOLDER, &escape(&copies.media_prefix))
}

/// The HTML of a stored diff. `changed_only` keeps only the paragraphs that changed (feeds);
/// otherwise the whole body is shown with its changes marked (the diff page). Deleted text is
/// in `<del>`, inserted text in `<ins>`; the body is shown as its Markdown source, escaped.
pub fn diff_to_html(diff: &DocumentDiff, changed_only: bool) -> String {
    let mut out = String::new();
    if diff.is_empty() {
        out.push_str("<p>No difference.</p>");
        return out;
    }
    if !diff.fields.is_empty() {
        out.push_str("<ul class=\"fields\">");
        for f in &diff.fields {
            let _ = write!(
                out,
                "<li><strong>{}</strong>: <del>{}</del> → <ins>{}</ins></li>",
                escape(&f.name),
                escape(&f.old),
                escape(&f.new)
            );
        }
        out.push_str("</ul>");
    }
    let _ = write!(
        out,
        "<p class=\"counts\">Body: +{} −{} characters</p>",
        diff.inserted, diff.deleted
    );
    let mut paragraph = String::new();
    let mut changed = false;
    let flush = |paragraph: &mut String, changed: &mut bool, out: &mut String| {
        if (*changed || !changed_only) && !paragraph.trim().is_empty() {
            let _ = write!(out, "<p>{}</p>", paragraph.trim().replace('\n', "<br>"));
        }
        paragraph.clear();
        *changed = false;
    };
    for (op, text) in &diff.body {
        let mut parts = text.split("\n\n").peekable();
        while let Some(part) = parts.next() {
            match op {
                Op::Equal => push_escaped(&mut paragraph, part),
                Op::Delete if !part.is_empty() => {
                    changed = true;
                    paragraph.push_str("<del>");
                    push_escaped(&mut paragraph, part);
                    paragraph.push_str("</del>");
                }
                Op::Insert if !part.is_empty() => {
                    changed = true;
                    paragraph.push_str("<ins>");
                    push_escaped(&mut paragraph, part);
                    paragraph.push_str("</ins>");
                }
                _ => {}
            }
            if parts.peek().is_some() {
                flush(&mut paragraph, &mut changed, &mut out);
            }
        }
    }
    flush(&mut paragraph, &mut changed, &mut out);
    out
}

/// An article's publication date string (`YYYY-MM-DD HH:MM:SS`, the site's local time) as
/// RFC 3339 with the site's real offset (`zone`, from [`crate::sites::published_zone`]), e.g.
/// `2025-02-11T07:03:08+08:00`. `None` when the date is missing or malformed, or the site's
/// zone is unknown: better no date than a wrong one.
pub fn published_rfc3339(published: &str, zone: Option<FixedOffset>) -> Option<String> {
    let offset = zone?;
    let naive = NaiveDateTime::parse_from_str(published.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    let local = naive.and_local_timezone(offset).single()?;
    Some(local.to_rfc3339())
}

/// A stored archive time (`YYYY-MM-DDTHH:MM:SS.mmmZ`) parsed; `None` if malformed.
pub fn parse_stored_time(stored: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(stored)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A time in RFC 3339, UTC, whole seconds (what Atom readers handle best).
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A stored archive time for display: `YYYY-MM-DD HH:MM:SS UTC`.
pub fn display_time(stored: &str) -> String {
    match stored.get(..19) {
        Some(t) => format!("{} UTC", t.replace('T', " ")),
        None => stored.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_markdown_runs_nothing() {
        let html = markdown_to_html(
            "Text <script>document.title='PWNED'</script>\n\n<img src=x onerror=\"alert(1)\">\n\n\
             [click](javascript:alert(1)) ![pic](https://inews.gtimg.com/a.jpg)\u{1}\u{7}",
            Some("https://new.qq.com/rain/a/X"),
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img src=\"x\""), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains('\u{1}') && !html.contains('\u{7}'));
        assert!(
            html.contains("&lt;script&gt;"),
            "raw HTML shown as text: {html}"
        );
        assert!(
            html.contains(
                "<img src=\"https://inews.gtimg.com/a.jpg\" alt=\"pic\" referrerpolicy=\"no-referrer\">"
            ),
            "{html}"
        );
    }

    #[test]
    fn published_dates_carry_the_site_offset() {
        let beijing = FixedOffset::east_opt(8 * 3600);
        assert_eq!(
            published_rfc3339("2025-02-11 07:03:08", beijing).as_deref(),
            Some("2025-02-11T07:03:08+08:00")
        );
        assert_eq!(
            published_rfc3339("2025-02-11 07:03:08", FixedOffset::west_opt(5 * 3600)).as_deref(),
            Some("2025-02-11T07:03:08-05:00")
        );
        assert_eq!(published_rfc3339("", beijing), None);
        assert_eq!(published_rfc3339("2025-02-11 07:03:08", None), None);
        assert_eq!(published_rfc3339("2025年2月11日", beijing), None);
    }

    #[test]
    fn escaping_drops_what_xml_cannot_carry() {
        assert_eq!(
            escape("a<b>&\"'\u{0}\u{8}\u{b}\u{1b}\u{85}\u{FFFE}c\td\ne\r"),
            "a&lt;b&gt;&amp;&quot;&#39;c\td\ne"
        );
    }
}
