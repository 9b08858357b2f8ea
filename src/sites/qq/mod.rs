//! Tencent News (qq.com): everything newsvault knows of the site, in one place.
//!
//! See docs/tencent-news.md. URL forms (§1.1) are merged into one canonical link,
//! `https://new.qq.com/rain/a/<ID>`; pages are read from `window.DATA` and the body container of
//! whichever template the site served (§1.2–1.4); removals and anti-bot pages are told apart
//! from articles (§2).

//! Tencent News (qq.com): everything newsvault knows of the site, in one place.
//!
//! See docs/tencent-news.md. URL forms (§1.1) are merged into one canonical link,
//! `https://new.qq.com/rain/a/<ID>`. How its pages are laid out (§1.2–1.4: `window.DATA`, the
//! body containers of each template, furniture), how removals and anti-bot pages show (§2) and
//! the defaults for what a served form leaves out are the constants below; the page reader
//! that applies them is [`crate::extract::qq`].

pub mod lists;

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use super::config::QqConfig;
use super::{ArticleRef, Site, SiteError};

pub const SITE_KEY: &str = "qq";
pub const LANG: &str = "zh-CN";
const CANONICAL_BASE: &str = "https://new.qq.com/rain/a/";

/// Anti-bot interstitials carry one of these in their `<title>`.
pub const BLOCK_TITLES: &[&str] = &["安全验证", "人机验证", "滑动验证"];
/// Titles of the pages removed articles land on (the home page, its 404 "宝贝回家" page).
pub const REMOVED_TITLES: &[&str] = &["腾讯首页", "腾讯网"];
/// Words of a "not found" page; only read as removal when the page has no article body.
pub const NOT_FOUND_WORDS: &[&str] = &["404", "页面不存在", "找不到", "内容不存在", "已被删除"];
/// Paths removed articles are redirected to.
pub const REMOVED_PATHS: &[&str] = &["notfound", "babygohome", "/404"];
/// Page furniture inside or around the body containers.
pub const FURNITURE: &[&str] = &[
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
pub const FURNITURE_TEXT: &[&str] = &[
    "免责声明：本文来自腾讯新闻客户端",
    "免责声明：本文来自腾讯网",
];

/// The body containers of the served HTML, in order of preference (§1.4, then the 2019 and
/// legacy templates of §1.3). Pages whose container is empty carry the body in
/// [`DATA_BODY_HTML`] only.
pub const BODY_CONTAINERS: &[&str] = &[
    "div.rich_media_content",
    "#article-content .comps-contentify-wrap",
    "div.content-article",
    "#Cnt-Main-Article-QQ",
];
/// The body container as the crawlers behind the existing archives took it (§4: genkin-he's
/// selectors, in their order): the summary is cut from its text. It holds the "问AI" widget of
/// the qnt form, which the existing archives' summaries therefore start with.
pub const SERVED_BODY_CONTAINERS: &[&str] = &[
    ".rich_media_content",
    ".article-content-wrap",
    "#article-content",
];
/// The headline, in the current template, then the older ones.
pub const TITLE_SELECTOR: &str = "h1#article-title, .LEFT h1, .qq_article .hd h1, .hd h1";
/// Where the page shows its publish time as text (legacy header, current author block).
pub const TIME_SELECTOR: &str = ".a_time, #article-author .media-meta span";
/// The media name shown on the page.
pub const MEDIA_SELECTOR: &str = "#article-author .media-name, .a_source, a.author > div";

/// The script variable holding the page's data (§1.2), and the paths read from it.
pub const DATA_VAR: &str = "window.DATA";
/// Legacy channel pages' metadata object (§1.3).
pub const LEGACY_DATA_VAR: &str = "ARTICLE_INFO";
pub const DATA_ARTICLE_ID: &[&str] = &["article_id"];
pub const DATA_ARTICLE_TYPE: &[&str] = &["article_type"];
pub const DATA_TITLE: &[&str] = &["title"];
pub const DATA_PUBTIME: &[&str] = &["pubtime"];
pub const DATA_MEDIA: &[&str] = &["media"];
/// The body HTML; images in it are `<!--IMG_n-->` comments described in [`DATA_IMAGES`].
pub const DATA_BODY_HTML: &[&str] = &["originContent", "text"];
/// Map from an image comment's text to the image (`imgurl0`, or `origUrl`).
pub const DATA_IMAGES: &str = "originAttribute";
pub const DATA_IMAGE_URL_KEYS: &[&str] = &["imgurl0", "origUrl"];

/// Furniture the generator behind the existing archives kept in its bodies, which a capture
/// never has: the "问AI · <question>" widget of the qnt form (§6.2; the question is short and
/// ends with a question mark) and the self-media disclaimer (§1.3, [`FURNITURE_TEXT`]).
pub static LEAKED_FURNITURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"问AI\s*·\s*[^？?\n]{0,80}[？?]|免责声明：本文来自腾讯[^\n]{0,80}?立场。")
        .expect("static regex")
});

/// The `alt` Tencent News gives every body image (`<img alt="图片">`, 128 of 128 images in the
/// sample of §1.4). The JSON-only form carries no `alt`: its images get this one, so that an
/// article reads the same whichever form the page was served in.
pub const IMAGE_ALT: &str = "图片";

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
pub fn parse_current_id(s: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_str(url: &str) -> Result<ArticleRef, SiteError> {
        super::super::resolve(url, &super::super::SitesConfig::default())
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
}
