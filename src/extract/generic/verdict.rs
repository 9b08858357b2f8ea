//! Not-an-article decisions: oversize and binary data, home pages, login walls, list pages,
//! empty shells. Missing metadata is never a reason: a page with an article body is an article.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use super::MAX_PAGE_BYTES;
use super::analysis::Analysis;
use super::body::BodyPick;
use super::classify::is_cjk;

pub(super) static LOGIN_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)登录|登陆|注册|订阅|会员|log ?in|sign ?in|sign up|subscribe|subscription|password",
    )
    .expect("static regex")
});

/// Weighted text size: a CJK character counts 1, three other characters count 1.
pub(super) fn text_size(text: &str) -> usize {
    let (mut cjk, mut other) = (0usize, 0usize);
    for c in text.chars() {
        if is_cjk(c) {
            cjk += 1;
        } else if !c.is_whitespace() {
            other += 1;
        }
    }
    cjk + other / 3
}

/// Whether a decoded page is binary data: many replacement or control characters up front.
pub(super) fn looks_binary(html: &str) -> bool {
    let sample: Vec<char> = html.chars().take(8192).collect();
    if sample.is_empty() {
        return false;
    }
    let bad = sample
        .iter()
        .filter(|&&c| c == '\u{FFFD}' || c == '\0' || (c.is_control() && !c.is_whitespace()))
        .count();
    bad * 10 > sample.len()
}

/// Text ([`text_size`]) a front page's body needs to be kept as the site's one page of text.
const MIN_HOME_TEXT: usize = 100;

/// Whether a front page's body is headlines: ten or more links of a few words, with little
/// text for each (a blog's front page showing its latest posts whole is text).
fn shows_headlines(pick: &BodyPick, body_size: usize) -> bool {
    const TEXT_PER_HEADLINE: usize = 100;
    pick.headline_links >= 10 && body_size < TEXT_PER_HEADLINE * pick.headline_links as usize
}

pub(super) fn is_home_path(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    url.query().is_none()
        && matches!(
            path.as_str(),
            "" | "/"
                | "/index.html"
                | "/index.htm"
                | "/index.shtml"
                | "/index.php"
                | "/default.aspx"
                | "/default.htm"
                | "/home"
                | "/en"
                | "/zh"
                | "/news"
                | "/news/"
        )
}

/// Why a page cannot even be parsed as an article: too large, or binary data.
pub(super) fn unparsable(html: &str) -> Option<String> {
    if html.len() > MAX_PAGE_BYTES {
        return Some(format!(
            "the page is {:.1} MB, more than the {} MB an article page can be",
            html.len() as f64 / 1e6,
            MAX_PAGE_BYTES / (1024 * 1024)
        ));
    }
    looks_binary(html)
        .then(|| "binary data, not an HTML page (replacement and control characters)".into())
}

/// The share of the page's text inside links.
fn page_link_density(a: &Analysis) -> f64 {
    if a.page_text == 0 {
        0.0
    } else {
        f64::from(a.page_link_text) / f64::from(a.page_text)
    }
}

/// Why a page on which no body was found is not an article.
pub(super) fn no_body_reason(has_password_input: bool, a: &Analysis) -> String {
    let page_ld = page_link_density(a);
    if has_password_input {
        "a login wall: a password form and no article text".to_owned()
    } else if page_ld > 0.5 {
        format!(
            "a list page: {:.0}% of the page's text is links, and no block of running text",
            page_ld * 100.0
        )
    } else if a.page_text < 200 {
        format!(
            "an empty page shell ({} characters of text; it may need JavaScript)",
            a.page_text
        )
    } else {
        "no article text on the page".to_owned()
    }
}

/// What the page says about itself.
pub(super) struct Evidence {
    /// Metadata calls it an article, or a date sits between its title heading and its body.
    pub(super) says_article: bool,
    pub(super) has_password_input: bool,
    /// The path, when it is a site's front page (`/`, `/index.html`, ...).
    pub(super) home_path: Option<String>,
}

/// Why a page with a body is still not an article: a front page, a login wall, a list page, a
/// JavaScript shell. A page whose body is running text is an article, however short, and
/// whatever metadata it lacks.
pub(super) fn refusal(evidence: &Evidence, pick: &BodyPick, a: &Analysis) -> Option<String> {
    let body = &pick.body.plain_text;
    let body_size = text_size(body);
    // A front page shows headlines; a one-page site's front page (a company, a gallery, a
    // practice) shows its text, however short.
    if let Some(path) = &evidence.home_path
        && !evidence.says_article
        && (pick.link_density > 0.25
            || shows_headlines(pick, body_size)
            || body_size < MIN_HOME_TEXT)
    {
        return Some(format!("a home page ({path}), not an article"));
    }
    // A wall asks the reader to log in and shows little else (portals keep a login box in their
    // header: the form alone says nothing).
    if evidence.has_password_input && body_size < 300 && LOGIN_WORDS.is_match(body) {
        return Some(format!(
            "a login wall: a password form and only {body_size} characters of text"
        ));
    }
    if !evidence.says_article {
        if pick.link_density > 0.5 {
            return Some(format!(
                "a list page: the main block is {:.0}% link text ({} headline links)",
                pick.link_density * 100.0,
                pick.headline_links
            ));
        }
        let page_ld = page_link_density(a);
        if page_ld > 0.75 && body_size < 100 {
            return Some(format!(
                "a list page: {:.0}% of the page's text is links and the main block is short",
                page_ld * 100.0
            ));
        }
        // Scripts and next to no text: the page is built in the browser.
        if a.scripts > 0 && body_size < 20 && a.page_text < 200 {
            return Some(format!(
                "an empty page shell ({} characters of text; it may need JavaScript)",
                a.page_text
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_oversize_pages_are_unparsable() {
        assert!(unparsable("<html><p>text</p></html>").is_none());
        let binary: String = "\u{FFFD}\u{1}".repeat(500);
        assert!(unparsable(&binary).unwrap().contains("binary"));
        let big = "a".repeat(MAX_PAGE_BYTES + 1);
        assert!(unparsable(&big).unwrap().contains("MB"));
    }

    #[test]
    fn home_paths_and_text_size() {
        assert!(is_home_path(&Url::parse("https://example.com/").unwrap()));
        assert!(is_home_path(
            &Url::parse("https://example.com/index.html").unwrap()
        ));
        assert!(!is_home_path(
            &Url::parse("https://example.com/?p=12").unwrap()
        ));
        assert!(!is_home_path(
            &Url::parse("https://example.com/2024/05/story").unwrap()
        ));
        assert_eq!(text_size("中文字abc def"), 3 + 2);
    }
}
