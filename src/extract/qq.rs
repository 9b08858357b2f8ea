//! The Tencent News page reader: applies what [`crate::sites::qq`] knows of the site's pages
//! (templates, `window.DATA` paths, furniture, removal signals) to one page. Whatever form the
//! page was served in (body in the DOM, qnt blocks, or only in `window.DATA`), the same article
//! gives the same [`Article`]: where a form leaves something out, the site's default fills it.

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use url::Url;

use super::markdown::{Body, Converter, absolute_url};
use super::parse::Page;
use super::{Article, Extraction, assigned_json, clean_line, first_text, meta_content};
use crate::sites::ArticleRef;
use crate::sites::qq::{
    BLOCK_TITLES, BODY_CONTAINERS, DATA_ARTICLE_ID, DATA_ARTICLE_TYPE, DATA_BODY_HTML,
    DATA_IMAGE_URL_KEYS, DATA_IMAGES, DATA_MEDIA, DATA_PUBTIME, DATA_TITLE, DATA_VAR, FURNITURE,
    FURNITURE_TEXT, IMAGE_ALT, LANG, LEGACY_DATA_VAR, MEDIA_SELECTOR, NOT_FOUND_WORDS,
    REMOVED_PATHS, REMOVED_TITLES, SERVED_BODY_CONTAINERS, TIME_SELECTOR, TITLE_SELECTOR,
    parse_current_id,
};

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("static selector")
}

/// Reads a Tencent News page (any template) for `target`, fetched from `final_url`.
pub fn extract(html: &str, target: &ArticleRef, final_url: &Url) -> Extraction {
    extract_page(&Page::new(html), target, final_url)
}

/// As [`extract`], for a page whose tree the caller may have parsed already.
pub fn extract_page(page: &Page<'_>, target: &ArticleRef, final_url: &Url) -> Extraction {
    if let Some(signal) = removed_by_redirect(target, final_url) {
        return Extraction::Removed { signal };
    }
    let doc = page.doc();
    let page_title = first_text(doc, &sel("title")).unwrap_or_default();
    if let Some(word) = BLOCK_TITLES.iter().find(|w| page_title.contains(*w)) {
        return Extraction::Blocked {
            signal: format!("anti-bot page: title {page_title:?} contains {word:?}"),
        };
    }
    if REMOVED_TITLES.iter().any(|t| page_title == *t) {
        return Extraction::Removed {
            signal: format!("page title is {page_title:?}, not an article"),
        };
    }

    let data = assigned_json(doc, DATA_VAR);
    let data_ok = data.as_ref().and_then(|d| d.as_ref().ok());
    if let Some(data) = data_ok
        && let Some(article_id) = json_str(data, DATA_ARTICLE_ID)
        && let Some(id) = parse_current_id(&article_id)
        && id != target.id
    {
        return Extraction::Removed {
            signal: format!(
                "{DATA_VAR}.article_id is {article_id:?}, not the requested {}",
                target.id
            ),
        };
    }

    let mut body = match read_body(doc, data_ok, final_url) {
        Some(body) => body,
        None => return no_body(doc, &page_title, data.as_ref(), target),
    };
    body.summary_text = served_body_text(doc, data_ok);

    let Some(title) = read_title(doc, data_ok, &page_title) else {
        return Extraction::NotArticle {
            reason: "the page has a body but no title".into(),
        };
    };
    let Some(published) = read_published(doc, data_ok) else {
        let why = match &data {
            Some(Err(e)) => format!("no publish time: {e}"),
            _ => format!("no publish time in {DATA_VAR}, meta tags or the page"),
        };
        return Extraction::NotArticle { reason: why };
    };
    let author = data_ok
        .and_then(|d| json_str(d, DATA_MEDIA))
        .or_else(|| first_text(doc, &sel(MEDIA_SELECTOR)))
        .map(|a| clean_line(&a))
        .filter(|a| !a.is_empty());
    let cover = meta_content(doc, "property", "og:image").and_then(|c| absolute_url(final_url, &c));

    Extraction::Article(Article {
        title,
        published,
        date_found: true,
        zone: Some(crate::sites::generic::beijing()),
        author,
        cover,
        lang: LANG.to_owned(),
        canonical: None,
        body,
    })
}

/// The headline: `window.DATA`, the page's `h1`, legacy data, `og:title`, then `<title>`.
/// Kept as the site wrote it (double spaces included), as existing archives have it.
fn read_title(doc: &Html, data: Option<&Value>, page_title: &str) -> Option<String> {
    let short_title = page_title.split(['_', '|']).next().unwrap_or("").trim();
    data.and_then(|d| json_str(d, DATA_TITLE))
        .or_else(|| first_text(doc, &sel(TITLE_SELECTOR)))
        .or_else(|| legacy_info(doc, "title"))
        .or_else(|| meta_content(doc, "property", "og:title"))
        .or_else(|| (!short_title.is_empty()).then(|| short_title.to_owned()))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The publish time in Beijing time: `window.DATA`, the meta tag, legacy data, the page text.
fn read_published(doc: &Html, data: Option<&Value>) -> Option<String> {
    data.and_then(|d| json_str(d, DATA_PUBTIME))
        .and_then(|t| normalize_beijing_time(&t))
        .or_else(|| {
            meta_content(doc, "property", "article:published_time").and_then(|t| iso_to_beijing(&t))
        })
        .or_else(|| legacy_info(doc, "pubtime").and_then(|t| normalize_beijing_time(&t)))
        .or_else(|| first_text(doc, &sel(TIME_SELECTOR)).and_then(|t| normalize_beijing_time(&t)))
}

/// A redirect that lost the article id, or landed on a known "not found" page.
fn removed_by_redirect(target: &ArticleRef, final_url: &Url) -> Option<String> {
    let path = final_url.path();
    let lowered = path.to_ascii_lowercase();
    if REMOVED_PATHS.iter().any(|p| lowered.contains(p)) {
        return Some(format!("redirected to {final_url}"));
    }
    let id_in_path = match target.id.len() {
        16 => path.contains(&target.id) || path.contains(&target.id[..14]),
        _ => path.contains(&target.id[8..]) || path.contains(&target.id[..8]),
    };
    (!id_in_path).then(|| format!("redirected away from the article to {final_url}"))
}

/// Why a page without a body is not archived.
fn no_body(
    doc: &Html,
    page_title: &str,
    data: Option<&Result<Value, String>>,
    target: &ArticleRef,
) -> Extraction {
    if let Some(word) = NOT_FOUND_WORDS.iter().find(|w| page_title.contains(*w)) {
        return Extraction::Removed {
            signal: format!("not-found page: title {page_title:?} contains {word:?}"),
        };
    }
    match data {
        Some(Err(e)) => Extraction::NotArticle {
            reason: format!("no article body in the page, and {e}"),
        },
        Some(Ok(data)) => {
            let kind = json_str(data, DATA_ARTICLE_TYPE).unwrap_or_else(|| "0".into());
            if kind != "0" {
                Extraction::NotArticle {
                    reason: format!("not a text article (article_type {kind}): no body text"),
                }
            } else {
                Extraction::Removed {
                    signal: format!("empty body in both the page and {DATA_VAR}.originContent"),
                }
            }
        }
        None if legacy_info(doc, "id").is_some() => Extraction::NotArticle {
            reason: "legacy page without an article body".into(),
        },
        None => Extraction::Removed {
            signal: format!("no {DATA_VAR} and no article body for {}", target.id),
        },
    }
}

/// The body from the first container the page has, in the order of §1.4, then older templates,
/// then the embedded JSON. `None` when none has text or images.
fn read_body(doc: &Html, data: Option<&Value>, base: &Url) -> Option<Body> {
    let skip: Vec<Selector> = FURNITURE.iter().map(|s| sel(s)).collect();
    let converter = Converter::new(base, &skip).drop_paragraphs_starting_with(FURNITURE_TEXT);
    let convert = |containers: Vec<ElementRef<'_>>| {
        let body = converter.convert(&containers);
        (body.text_blocks > 0 || !body.images.is_empty()).then_some(body)
    };
    for form in BODY_CONTAINERS {
        let containers: Vec<ElementRef<'_>> = doc.select(&sel(form)).take(1).collect();
        if !containers.is_empty()
            && let Some(body) = convert(containers)
        {
            return Some(body);
        }
    }
    // The body only in the embedded JSON (a third of pages in 2026, §1.4).
    let text = data.and_then(|d| json_str(d, DATA_BODY_HTML))?;
    let html = resolve_image_placeholders(&text, data?.get(DATA_IMAGES));
    let fragment = super::parse::parse_fragment(&html);
    convert(vec![fragment.root_element()])
}

/// The text the summary is cut from, as the existing archives' generator cut it: the served
/// body container's HTML with its tags removed and nothing put in their place (so `&`, `<` and
/// `>` read as the HTML writes them). The body in the JSON when the page's container is empty.
/// `None` for templates without such a container (the 2019 and legacy pages).
fn served_body_text(doc: &Html, data: Option<&Value>) -> Option<String> {
    let from_dom = SERVED_BODY_CONTAINERS
        .iter()
        .find_map(|css| doc.select(&sel(css)).next())
        .map(|container| html_text(container))
        .filter(|text| !text.trim().is_empty());
    from_dom.or_else(|| {
        let text = data.and_then(|d| json_str(d, DATA_BODY_HTML))?;
        Some(html_text(
            super::parse::parse_fragment(&text).root_element(),
        ))
    })
}

/// Every text node under `element`, in order, escaped as HTML text is written.
fn html_text(element: ElementRef<'_>) -> String {
    let mut out = String::new();
    for text in element.text() {
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
        }
    }
    out
}

/// Replaces `<!--IMG_0-->` comments with the images `originAttribute` describes for them. The
/// JSON gives no `alt`: the images get the one the site gives all of them in the DOM.
fn resolve_image_placeholders(html: &str, attributes: Option<&Value>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 4..];
        let Some(end) = after.find("-->") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let key = after[..end].trim();
        if key.starts_with("IMG")
            && let Some(url) = attributes
                .and_then(|a| a.get(key))
                .and_then(|a| DATA_IMAGE_URL_KEYS.iter().find_map(|k| a.get(*k)))
                .and_then(|u| u.as_str())
        {
            out.push_str(&format!(
                "<img alt=\"{}\" src=\"{}\">",
                html_escape_attr(IMAGE_ALT),
                html_escape_attr(url)
            ));
        }
        rest = &after[end + 3..];
    }
    out.push_str(rest);
    out
}

fn html_escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

/// A string (or number) at `path` in a JSON value, trimmed, if not empty.
fn json_str(value: &Value, path: &[&str]) -> Option<String> {
    let mut v = value;
    for key in path {
        v = v.get(key)?;
    }
    let s = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// A field of the legacy `ARTICLE_INFO = {site:'finance', pubtime:'2019-09-23 07:48', ...}`
/// object literal (JavaScript, not JSON: single-quoted values, bare keys).
fn legacy_info(doc: &Html, key: &str) -> Option<String> {
    let scripts = sel("script");
    let script = doc
        .select(&scripts)
        .map(|s| s.text().collect::<String>())
        .find(|t| t.contains(LEGACY_DATA_VAR))?;
    let mut rest = script.as_str();
    while let Some(pos) = rest.find(key) {
        let before_ok = rest[..pos]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || c == ',' || c == '{');
        let after = rest[pos + key.len()..].trim_start();
        if before_ok && let Some(value) = after.strip_prefix(':') {
            let value = value.trim_start();
            let quote = value.chars().next()?;
            if quote == '\'' || quote == '"' {
                let inner = &value[1..];
                let end = inner.find(quote)?;
                let v = inner[..end].trim();
                return (!v.is_empty()).then(|| v.to_owned());
            }
        }
        rest = &rest[pos + key.len()..];
    }
    None
}

/// `2025-02-11 07:03:08` kept verbatim; `2019-09-23 07:48` gets `:00`; anything else is refused.
fn normalize_beijing_time(t: &str) -> Option<String> {
    let t = t.trim();
    let with_seconds = if t.len() == 16 {
        format!("{t}:00")
    } else {
        t.to_owned()
    };
    chrono::NaiveDateTime::parse_from_str(&with_seconds, "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|_| with_seconds)
}

/// An ISO 8601 time with offset, shown in the site's zone (Beijing time) without the offset.
fn iso_to_beijing(t: &str) -> Option<String> {
    let parsed = chrono::DateTime::parse_from_rfc3339(t.trim()).ok()?;
    let beijing = crate::sites::Site::Qq.utc_offset();
    Some(
        parsed
            .with_timezone(&beijing)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_placeholders_resolve_through_origin_attribute() {
        let attrs = serde_json::json!({"IMG_0": {"imgurl0": "https://inews.gtimg.com/om_bt/a/0", "style": ""}});
        let html = resolve_image_placeholders(
            "<p>a</p><!--IMG_0--><p>b<!-- --></p><!--IMG_9-->",
            Some(&attrs),
        );
        assert_eq!(
            html,
            "<p>a</p><img alt=\"图片\" src=\"https://inews.gtimg.com/om_bt/a/0\"><p>b</p>"
        );
    }

    #[test]
    fn summary_text_is_the_served_html_without_tags() {
        let doc = Html::parse_document(
            "<div id=\"article-content\"><div class=\"rich_media_content\"><p>unsplash</p><p>8月19日 A&amp;B<!-- --></p>\n<p>\u{a0}x</p></div></div>",
        );
        assert_eq!(
            served_body_text(&doc, None).as_deref(),
            Some("unsplash8月19日 A&amp;B\n\u{a0}x")
        );
        let empty = Html::parse_document("<div id=\"article-content\"></div>");
        let data = serde_json::json!({"originContent": {"text": "<p>a</p><!--IMG_0--><p>b</p>"}});
        assert_eq!(served_body_text(&empty, Some(&data)).as_deref(), Some("ab"));
        assert_eq!(served_body_text(&empty, None), None);
    }

    #[test]
    fn times() {
        assert_eq!(
            normalize_beijing_time("2019-09-23 07:48").as_deref(),
            Some("2019-09-23 07:48:00")
        );
        assert_eq!(
            normalize_beijing_time("2025-02-11 07:03:08").as_deref(),
            Some("2025-02-11 07:03:08")
        );
        assert_eq!(normalize_beijing_time("yesterday"), None);
        assert_eq!(
            iso_to_beijing("2025-02-10T23:03:08Z").as_deref(),
            Some("2025-02-11 07:03:08")
        );
    }
}
