//! Tencent News (qq.com): everything newsvault knows of the site, in one place.
//!
//! See docs/tencent-news.md. URL forms (§1.1) are merged into one canonical link,
//! `https://new.qq.com/rain/a/<ID>`; pages are read from `window.DATA` and the body container of
//! whichever template the site served (§1.2–1.4); removals and anti-bot pages are told apart
//! from articles (§2).

pub mod lists;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::{ArticleRef, Site, SiteError};
use crate::config::QqConfig;
use crate::extract::markdown::{Body, Converter};
use crate::extract::{Article, Extraction, assigned_json, clean_line, first_text, meta_content};

pub const SITE_KEY: &str = "qq";
const LANG: &str = "zh-CN";
const CANONICAL_BASE: &str = "https://new.qq.com/rain/a/";

/// Anti-bot interstitials carry one of these in their `<title>`.
const BLOCK_TITLES: &[&str] = &["安全验证", "人机验证", "滑动验证"];
/// Titles of the pages removed articles land on (the home page, its 404 "宝贝回家" page).
const REMOVED_TITLES: &[&str] = &["腾讯首页", "腾讯网"];
/// Words of a "not found" page; only read as removal when the page has no article body.
const NOT_FOUND_WORDS: &[&str] = &["404", "页面不存在", "找不到", "内容不存在", "已被删除"];
/// Paths removed articles are redirected to.
const REMOVED_PATHS: &[&str] = &["notfound", "babygohome", "/404"];
/// Page furniture inside or around the body containers.
const FURNITURE: &[&str] = &[
    ".article-top-content",
    ".ac-ask-ai",
    ".introduction",
    "#Status",
    ".article-status",
    ".statement",
    ".txp_player",
    "txpdiv",
    ".videoPlayer",
    "#qqcom-comment",
    ".qqcom-comment",
    "#Comment",
    "#Recomend",
    ".a_share",
    ".shareBtn16",
    "#backqqcom",
];
/// Body paragraphs that are Tencent's boilerplate, not the article.
const FURNITURE_TEXT: &[&str] = &[
    "免责声明：本文来自腾讯新闻客户端",
    "免责声明：本文来自腾讯网",
];

pub fn is_qq_host(host: &str) -> bool {
    host == "qq.com" || host.ends_with(".qq.com")
}

/// An article id in one of the site's generations.
#[derive(Debug, Clone, PartialEq, Eq)]
enum QqId {
    /// 2018 onwards: `20250211A013J400` (16 characters; the 14-character 2019 form gets `00`).
    Current(String),
    /// Channel pages until ~2019: `finance.qq.com/a/20190923/000843.htm`.
    Legacy {
        channel: String,
        date: String,
        number: String,
    },
}

impl QqId {
    fn id(&self) -> String {
        match self {
            QqId::Current(id) => id.clone(),
            QqId::Legacy { date, number, .. } => format!("{date}{number}"),
        }
    }

    fn canonical_url(&self) -> String {
        match self {
            QqId::Current(id) => format!("{CANONICAL_BASE}{id}"),
            QqId::Legacy {
                channel,
                date,
                number,
            } => format!("https://{channel}.qq.com/a/{date}/{number}.htm"),
        }
    }
}

/// `20250211A013J400`, or the 14-character 2019 form (`20190907A081B0`), canonicalised to 16
/// characters: the 2019 pages' `cms_id` was the short id with `00` appended (§1.1).
fn parse_current_id(s: &str) -> Option<String> {
    let s = s.strip_suffix(".html").unwrap_or(s).to_ascii_uppercase();
    let bytes = s.as_bytes();
    let shape_ok = (s.len() == 14 || s.len() == 16)
        && bytes[..8].iter().all(u8::is_ascii_digit)
        && bytes[8].is_ascii_uppercase()
        && bytes[9..]
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
    if !shape_ok {
        return None;
    }
    Some(if s.len() == 14 { format!("{s}00") } else { s })
}

fn parse_id(url: &Url) -> Option<QqId> {
    let host = url.host_str()?.to_ascii_lowercase();
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    match (host.as_str(), segments.as_slice()) {
        ("new.qq.com" | "news.qq.com", ["rain", "a", id])
        | ("new.qq.com" | "news.qq.com" | "view.inews.qq.com", ["a", id])
        | ("new.qq.com", ["omn", id])
        | ("new.qq.com", ["omn", _, id]) => parse_current_id(id).map(QqId::Current),
        ("xw.qq.com", ["c", channel, digits]) if is_legacy_number(digits) => Some(QqId::Legacy {
            channel: channel.to_ascii_lowercase(),
            date: digits[..8].to_owned(),
            number: digits[8..].to_owned(),
        }),
        (_, ["a", date, file]) => {
            let channel = host.strip_suffix(".qq.com")?;
            let number = file
                .strip_suffix(".htm")
                .or_else(|| file.strip_suffix(".html"))?;
            let valid = date.len() == 8
                && date.bytes().all(|b| b.is_ascii_digit())
                && number.len() == 6
                && number.bytes().all(|b| b.is_ascii_digit())
                && !channel.contains('.');
            valid.then(|| QqId::Legacy {
                channel: channel.to_owned(),
                date: (*date).to_owned(),
                number: number.to_owned(),
            })
        }
        _ => None,
    }
}

fn is_legacy_number(s: &str) -> bool {
    s.len() == 14 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Identifies a Tencent News article URL in any of its forms.
pub fn resolve(url: &Url, config: &QqConfig) -> Result<ArticleRef, SiteError> {
    let qq_id = parse_id(url).ok_or_else(|| SiteError::NotAnArticle {
        url: url.to_string(),
        site: "Tencent News",
        reason: "expected new.qq.com/rain/a/<ID>, view.inews.qq.com/a/<ID>, \
                 new.qq.com/omn/…/<ID>.html or <channel>.qq.com/a/YYYYMMDD/NNNNNN.htm"
            .into(),
    })?;
    let fetch_url = match &qq_id {
        QqId::Current(id) => {
            let base = config.fetch_base.trim_end_matches('/');
            Url::parse(&format!("{base}/rain/a/{id}")).map_err(|e| SiteError::InvalidUrl {
                url: format!("{base}/rain/a/{id}"),
                reason: format!("sites.qq.fetch_base gives a bad URL: {e}"),
            })?
        }
        // Legacy channel pages are fetched where they always were.
        QqId::Legacy { .. } => {
            Url::parse(&qq_id.canonical_url()).map_err(|e| SiteError::InvalidUrl {
                url: qq_id.canonical_url(),
                reason: e.to_string(),
            })?
        }
    };
    Ok(ArticleRef {
        site: Site::Qq,
        id: qq_id.id(),
        canonical_url: qq_id.canonical_url(),
        fetch_url,
        lang: LANG.to_owned(),
    })
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("static selector")
}

/// Reads a Tencent News page (any template) for `target`, fetched from `final_url`.
pub fn extract(html: &str, target: &ArticleRef, final_url: &Url) -> Extraction {
    if let Some(signal) = removed_by_redirect(target, final_url) {
        return Extraction::Removed { signal };
    }
    let doc = Html::parse_document(html);
    let page_title = first_text(&doc, &sel("title")).unwrap_or_default();
    if let Some(word) = BLOCK_TITLES.iter().find(|w| page_title.contains(*w)) {
        return Extraction::Blocked {
            signal: format!("anti-bot page: title {page_title:?} contains {word:?}"),
        };
    }
    let short_title = page_title
        .split(['_', '|'])
        .next()
        .unwrap_or("")
        .trim()
        .to_owned();
    if REMOVED_TITLES.iter().any(|t| page_title == *t) {
        return Extraction::Removed {
            signal: format!("page title is {page_title:?}, not an article"),
        };
    }

    let data = assigned_json(&doc, "window.DATA");
    let data_ok = data.as_ref().and_then(|d| d.as_ref().ok());
    if let Some(data) = data_ok
        && let Some(article_id) = json_str(data, &["article_id"])
        && let Some(id) = parse_current_id(&article_id)
        && id != target.id
    {
        return Extraction::Removed {
            signal: format!(
                "window.DATA.article_id is {article_id:?}, not the requested {}",
                target.id
            ),
        };
    }

    let body = read_body(&doc, data_ok, final_url);
    let body = match body {
        Some(body) if body.text_blocks > 0 || !body.images.is_empty() => body,
        _ => return no_body(&doc, &page_title, data.as_ref(), target),
    };

    let title = data_ok
        .and_then(|d| json_str(d, &["title"]))
        .or_else(|| {
            first_text(
                &doc,
                &sel("h1#article-title, .LEFT h1, .qq_article .hd h1, .hd h1"),
            )
        })
        .or_else(|| legacy_info(&doc, "title"))
        .or_else(|| meta_content(&doc, "property", "og:title"))
        .or_else(|| (!short_title.is_empty()).then(|| short_title.clone()));
    // Kept as the site wrote it (double spaces included), as existing archives have it.
    let Some(title) = title.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) else {
        return Extraction::NotArticle {
            reason: "the page has a body but no title".into(),
        };
    };

    let published = data_ok
        .and_then(|d| json_str(d, &["pubtime"]))
        .and_then(|t| normalize_beijing_time(&t))
        .or_else(|| {
            meta_content(&doc, "property", "article:published_time")
                .and_then(|t| iso_to_beijing(&t))
        })
        .or_else(|| legacy_info(&doc, "pubtime").and_then(|t| normalize_beijing_time(&t)))
        .or_else(|| {
            first_text(&doc, &sel(".a_time, #article-author .media-meta span"))
                .and_then(|t| normalize_beijing_time(&t))
        });
    let Some(published) = published else {
        let why = match &data {
            Some(Err(e)) => format!("no publish time: {e}"),
            _ => "no publish time in window.DATA, meta tags or the page".to_owned(),
        };
        return Extraction::NotArticle { reason: why };
    };

    let author = data_ok
        .and_then(|d| json_str(d, &["media"]))
        .or_else(|| {
            first_text(
                &doc,
                &sel("#article-author .media-name, .a_source, a.author > div"),
            )
        })
        .map(|a| clean_line(&a))
        .filter(|a| !a.is_empty());
    let cover = meta_content(&doc, "property", "og:image")
        .and_then(|c| crate::extract::markdown::absolute_url(final_url, &c));

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
    data: Option<&Result<serde_json::Value, String>>,
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
            let kind = json_str(data, &["article_type"]).unwrap_or_else(|| "0".into());
            if kind != "0" {
                Extraction::NotArticle {
                    reason: format!("not a text article (article_type {kind}): no body text"),
                }
            } else {
                Extraction::Removed {
                    signal: "empty body in both the page and window.DATA.originContent".into(),
                }
            }
        }
        None if legacy_info(doc, "id").is_some() => Extraction::NotArticle {
            reason: "legacy page without an article body".into(),
        },
        None => Extraction::Removed {
            signal: format!("no window.DATA and no article body for {}", target.id),
        },
    }
}

/// The body from the first container the page has, in the order of §1.4, then older templates.
fn read_body(doc: &Html, data: Option<&serde_json::Value>, base: &Url) -> Option<Body> {
    let skip: Vec<Selector> = FURNITURE.iter().map(|s| sel(s)).collect();
    let converter = Converter::new(base, &skip).drop_paragraphs_starting_with(FURNITURE_TEXT);
    let convert = |containers: Vec<ElementRef<'_>>| {
        let body = converter.convert(&containers);
        (body.text_blocks > 0 || !body.images.is_empty()).then_some(body)
    };
    let dom_forms = [
        "div.rich_media_content",
        "#article-content .comps-contentify-wrap",
        "div.content-article",
        "#Cnt-Main-Article-QQ",
    ];
    for form in dom_forms {
        let containers: Vec<ElementRef<'_>> = doc.select(&sel(form)).take(1).collect();
        if !containers.is_empty()
            && let Some(body) = convert(containers)
        {
            return Some(body);
        }
    }
    // The body only in the embedded JSON (a third of pages in 2026, §1.4).
    let text = data.and_then(|d| json_str(d, &["originContent", "text"]))?;
    let html = resolve_image_placeholders(&text, data?.get("originAttribute"));
    let fragment = Html::parse_fragment(&html);
    convert(vec![fragment.root_element()])
}

/// Replaces `<!--IMG_0-->` comments with the images `originAttribute` describes for them.
fn resolve_image_placeholders(html: &str, attributes: Option<&serde_json::Value>) -> String {
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
                .and_then(|a| a.get("imgurl0").or_else(|| a.get("origUrl")))
                .and_then(|u| u.as_str())
        {
            out.push_str("<img src=\"");
            out.push_str(&html_escape_attr(url));
            out.push_str("\">");
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
fn json_str(value: &serde_json::Value, path: &[&str]) -> Option<String> {
    let mut v = value;
    for key in path {
        v = v.get(key)?;
    }
    let s = match v {
        serde_json::Value::String(s) => s.trim().to_owned(),
        serde_json::Value::Number(n) => n.to_string(),
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
        .find(|t| t.contains("ARTICLE_INFO"))?;
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

/// An ISO 8601 time with offset, shown in Beijing time (UTC+8) without the offset.
fn iso_to_beijing(t: &str) -> Option<String> {
    let parsed = chrono::DateTime::parse_from_rfc3339(t.trim()).ok()?;
    let beijing = chrono::FixedOffset::east_opt(8 * 3600)?;
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

    fn resolve_str(url: &str) -> Result<ArticleRef, SiteError> {
        super::super::resolve(url, &crate::config::SitesConfig::default())
    }

    #[test]
    fn every_url_form_resolves_to_one_canonical_link() {
        let canonical = "https://new.qq.com/rain/a/20250211A013J400";
        for url in [
            "https://new.qq.com/rain/a/20250211A013J400",
            "http://new.qq.com/rain/a/20250211A013J400?utm_source=x",
            "https://news.qq.com/rain/a/20250211A013J400?id=20250211A013J400",
            "https://news.qq.com/rain/a/20250211A013J400.html",
            "https://news.qq.com/a/20250211A013J400",
            "https://view.inews.qq.com/a/20250211A013J400",
            "https://new.qq.com/omn/20250211/20250211A013J400.html",
            "https://new.qq.com/omn/20250211A013J400",
            "https://NEW.qq.com/rain/a/20250211a013j400#comments",
        ] {
            let r = resolve_str(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(r.canonical_url, canonical, "{url}");
            assert_eq!(r.id, "20250211A013J400");
            assert_eq!(r.site.key(), "qq");
            assert_eq!(r.fetch_url.as_str(), canonical);
        }
    }

    #[test]
    fn short_2019_ids_and_legacy_pages() {
        let r = resolve_str("https://new.qq.com/rain/a/20190907A081B0").unwrap();
        assert_eq!(r.id, "20190907A081B000");
        let r = resolve_str("http://finance.qq.com/a/20190923/000843.htm").unwrap();
        assert_eq!(r.id, "20190923000843");
        assert_eq!(
            r.canonical_url,
            "https://finance.qq.com/a/20190923/000843.htm"
        );
        let r = resolve_str("https://xw.qq.com/c/finance/20190923000843").unwrap();
        assert_eq!(
            r.canonical_url,
            "https://finance.qq.com/a/20190923/000843.htm"
        );
    }

    #[test]
    fn fetch_base_changes_only_where_pages_come_from() {
        let config = QqConfig {
            fetch_base: "http://127.0.0.1:8080/mirror/".into(),
            ..QqConfig::default()
        };
        let url = Url::parse("https://view.inews.qq.com/a/20250211A013J400").unwrap();
        let r = resolve(&url, &config).unwrap();
        assert_eq!(
            r.fetch_url.as_str(),
            "http://127.0.0.1:8080/mirror/rain/a/20250211A013J400"
        );
        assert_eq!(
            r.canonical_url,
            "https://new.qq.com/rain/a/20250211A013J400"
        );
    }

    #[test]
    fn non_articles_are_refused_with_a_reason() {
        for url in [
            "https://new.qq.com/ch/tech/",
            "https://new.qq.com/rain/a/123",
            "https://new.qq.com/omn/x/../../etc/passwd",
            "https://www.qq.com/",
        ] {
            let err = resolve_str(url).unwrap_err();
            assert!(
                matches!(err, SiteError::NotAnArticle { .. }),
                "{url}: {err}"
            );
        }
        // Other hosts are not Tencent's: the generic module takes them.
        assert_eq!(
            resolve_str("https://example.com/a").unwrap().site.key(),
            "example"
        );
        assert!(matches!(
            resolve_str("ftp://new.qq.com/rain/a/20250211A013J400").unwrap_err(),
            SiteError::InvalidUrl { .. }
        ));
    }

    #[test]
    fn image_placeholders_resolve_through_origin_attribute() {
        let attrs = serde_json::json!({"IMG_0": {"imgurl0": "https://inews.gtimg.com/om_bt/a/0", "style": ""}});
        let html = resolve_image_placeholders(
            "<p>a</p><!--IMG_0--><p>b<!-- --></p><!--IMG_9-->",
            Some(&attrs),
        );
        assert_eq!(
            html,
            "<p>a</p><img src=\"https://inews.gtimg.com/om_bt/a/0\"><p>b</p>"
        );
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
