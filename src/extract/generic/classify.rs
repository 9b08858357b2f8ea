//! What elements are by their tag, role and class names: invisible, furniture, text blocks,
//! unlikely candidates, and the class weight Readability gives article-like names.

use std::sync::LazyLock;

use regex::Regex;
use scraper::ElementRef;

use crate::extract::attr;

/// Elements whose content is never visible text.
pub(super) fn is_invisible(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "noscript" | "template" | "head" | "svg" | "math" | "canvas"
    )
}

/// Elements that are page furniture by their tag.
pub(super) fn is_furniture_tag(name: &str) -> bool {
    matches!(
        name,
        "nav"
            | "footer"
            | "aside"
            | "iframe"
            | "object"
            | "embed"
            | "button"
            | "select"
            | "textarea"
            | "dialog"
            | "video"
            | "audio"
            | "map"
    )
}

/// Elements whose own text is one block (a paragraph of their own).
pub(super) fn is_text_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "td"
            | "th"
            | "li"
            | "dd"
            | "dt"
            | "blockquote"
            | "pre"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "body"
            | "html"
            | "header"
            | "footer"
            | "figure"
            | "figcaption"
            | "form"
            | "center"
            | "address"
            | "font"
            | "table"
            | "ul"
            | "ol"
            | "dl"
            | "tr"
            | "tbody"
    )
}

/// Class and id names of furniture (Readability's "unlikely candidates", plus the names Chinese
/// portals use: 相关 xiangguan, 推荐 tuijian, 评论 pinglun, ...).
pub(super) static UNLIKELY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)-ad-|ai2html|banner|breadcrumb|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|yom-remote|share|recommend|hotnews|hot-news|hot_news|ranking|toolbar|copyright|login|subscribe|newsletter|tuijian|xiangguan|pinglun|qrcode|erweima|navbar|^nav|-nav|_nav|topbar|crumb",
    )
    .expect("static regex")
});
/// Names that keep an element even when [`UNLIKELY`] matches.
pub(super) static MAYBE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)and|article|body|column|content|main|shadow|zhengwen|正文")
        .expect("static regex")
});
pub(super) static POSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story|detail|txt|zhengwen|正文|endtext").expect("static regex")
});
pub(super) static NEGATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget|recommend|(?:^|[^p])hot|rank|nav|tuijian|xiangguan")
        .expect("static regex")
});

pub(super) fn class_and_id(el: &scraper::node::Element) -> String {
    let mut s = String::new();
    if let Some(c) = attr(el, "class") {
        s.push_str(c);
    }
    if let Some(id) = attr(el, "id") {
        s.push(' ');
        s.push_str(id);
    }
    s
}

/// Readability's class weight: +25 for article-like names, −25 for furniture-like ones.
pub(super) fn class_weight(el: &scraper::node::Element) -> f64 {
    let mut w = 0.0;
    for part in [attr(el, "class"), attr(el, "id")].into_iter().flatten() {
        if part.is_empty() {
            continue;
        }
        if POSITIVE.is_match(part) {
            w += 25.0;
        }
        if NEGATIVE.is_match(part) {
            w -= 25.0;
        }
    }
    w
}

/// Class names of text shown to screen readers only (WordPress, Bootstrap, Drupal, the
/// HTML5 Boilerplate): "Skip to content", "Posted on", "(opens in a new window)".
const SCREEN_READER_ONLY: &[&str] = &[
    "screen-reader-text",
    "sr-only",
    "visually-hidden",
    "visuallyhidden",
    "element-invisible",
    "screen-reader-only",
];

/// Text for screen readers only, unless it stands for visible text that is hidden from screen
/// readers beside it (`20<span class=sr-only> minutes</span><span aria-hidden=true>mins</span>`,
/// where the visible word is dropped as hidden and the spoken one keeps its meaning).
pub(super) fn is_screen_reader_only(el: ElementRef<'_>) -> bool {
    // The attribute's words, not `classes()`: this runs on every element, and the class set is
    // built (its names interned) on first use.
    let named = attr(el.value(), "class").is_some_and(|class| {
        class
            .split_ascii_whitespace()
            .any(|c| SCREEN_READER_ONLY.contains(&c))
    });
    if !named {
        return false;
    }
    let aria_hidden = |e: ElementRef<'_>| e.value().attr("aria-hidden") == Some("true");
    let beside_hidden = |e: ElementRef<'_>| {
        e.prev_siblings()
            .chain(e.next_siblings())
            .filter_map(ElementRef::wrap)
            .any(aria_hidden)
    };
    !(beside_hidden(el)
        || el
            .parent()
            .and_then(ElementRef::wrap)
            .is_some_and(beside_hidden))
}

/// Whether an image is a tracking pixel: declared 2 pixels wide or high, or less.
pub(super) fn is_tracking_pixel(el: &scraper::node::Element) -> bool {
    ["width", "height"]
        .iter()
        .any(|at| crate::extract::declared_pixels(el, at).is_some_and(|px| px <= 2))
}

/// [`is_noise`], or text for screen readers only ([`is_screen_reader_only`]).
pub(super) fn is_noise_el(el: ElementRef<'_>, strip_unlikely: bool) -> bool {
    is_noise(el.value(), strip_unlikely) || is_screen_reader_only(el)
}

pub(super) fn is_hidden(el: &scraper::node::Element) -> bool {
    if attr(el, "hidden").is_some() || attr(el, "aria-hidden").is_some_and(|v| v == "true") {
        return true;
    }
    attr(el, "style").is_some_and(|s| {
        let s: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        s.contains("display:none") || s.contains("visibility:hidden")
    })
}

/// Whether an element is furniture: by tag, by role, hidden, or (when `strip_unlikely`) by its
/// class and id names.
pub(super) fn is_noise(el: &scraper::node::Element, strip_unlikely: bool) -> bool {
    let name = el.name();
    // Without the names (Readability's retry) an `<aside>` may hold the article: some pages
    // put the whole story in one.
    if (is_furniture_tag(name) && (strip_unlikely || name != "aside")) || is_hidden(el) {
        return true;
    }
    if attr(el, "role").is_some_and(|r| {
        matches!(
            r,
            "menu"
                | "menubar"
                | "complementary"
                | "navigation"
                | "alert"
                | "alertdialog"
                | "dialog"
        )
    }) {
        return true;
    }
    if !strip_unlikely
        || matches!(
            name,
            "body"
                | "html"
                | "article"
                | "main"
                | "a"
                | "table"
                | "tbody"
                | "tr"
                | "td"
                | "code"
                | "pre"
        )
    {
        return false;
    }
    let names = class_and_id(el);
    !names.is_empty() && UNLIKELY.is_match(&names) && !MAYBE.is_match(&names)
}

pub(super) fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{3040}'..='\u{30FF}' | '\u{AC00}'..='\u{D7AF}')
}

/// Punctuation that marks running text (clauses and sentences), in Chinese and Latin script.
pub(super) fn is_text_punct(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '！' | '？' | '；' | '：' | '、' | ',' | ';' | '!' | '?' | '.'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn first(html: &str, name: &str) -> scraper::node::Element {
        let doc = Html::parse_fragment(html);
        doc.tree
            .nodes()
            .find_map(|n| n.value().as_element().filter(|e| e.name() == name).cloned())
            .unwrap()
    }

    #[test]
    fn text_for_screen_readers_only_is_hidden() {
        let hidden = |html: &str| {
            let doc = Html::parse_fragment(html);
            let el = doc
                .root_element()
                .descendent_elements()
                .find(|e| e.value().attr("class").is_some())
                .unwrap();
            is_screen_reader_only(el)
        };
        for class in ["skip-link screen-reader-text", "sr-only", "visually-hidden"] {
            let html = format!(r##"<p><a class="{class}" href="#c">Skip</a></p>"##);
            assert!(hidden(&html), "{class}");
        }
        // A name that only contains one of them is not one.
        assert!(!hidden(r#"<p><a class="no-sr-only-x">Skip</a></p>"#));
        // The spoken words of visible ones hidden from screen readers stay.
        assert!(!hidden(
            r#"<p><span class="sr-only">Rating: 4 of 5</span><span aria-hidden="true">*</span></p>"#
        ));
        assert!(!hidden(
            r#"<p><span>20<span class="sr-only"> minutes</span></span><i aria-hidden="true">mins</i></p>"#
        ));
    }

    #[test]
    fn furniture_by_tag_role_hidden_and_names() {
        assert!(is_noise(&first("<nav>x</nav>", "nav"), false));
        assert!(is_noise(
            &first(r#"<div role="navigation">x</div>"#, "div"),
            false
        ));
        assert!(is_noise(
            &first(r#"<p style="display: none">x</p>"#, "p"),
            false
        ));
        let sidebar = first(r#"<div class="sidebar">x</div>"#, "div");
        assert!(is_noise(&sidebar, true));
        assert!(
            !is_noise(&sidebar, false),
            "names count only when stripping"
        );
        // Readability's retry without names also lets an `<aside>` hold the article.
        let aside = first("<aside>x</aside>", "aside");
        assert!(is_noise(&aside, true));
        assert!(!is_noise(&aside, false));
        let kept = first(
            r#"<div class="comment-body article-content">x</div>"#,
            "div",
        );
        assert!(!is_noise(&kept, true), "MAYBE names keep an element");
    }

    #[test]
    fn class_weight_rewards_article_names() {
        assert_eq!(
            class_weight(&first(r#"<div class="entry-content">x</div>"#, "div")),
            25.0
        );
        assert_eq!(
            class_weight(&first(r#"<div id="sidebar">x</div>"#, "div")),
            -25.0
        );
        assert_eq!(class_weight(&first("<div>x</div>", "div")), 0.0);
    }
}
