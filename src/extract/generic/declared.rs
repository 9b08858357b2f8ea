//! The body a page declares in its structured data (JSON-LD `articleBody`), for pages whose
//! markup holds only a teaser of the article: a page rendered by its scripts serves the
//! standfirst and the author's box as HTML, and the whole text only as data.

use scraper::Html;
use url::Url;

use super::body::BodyPick;
use super::verdict::text_size;
use crate::extract::markdown::{Body, Converter};
use crate::extract::meta::decode_entities;
use crate::extract::parse::parse_fragment;

/// A declared body smaller than this ([`text_size`]: a Han character counts one, three other
/// letters one; about 150 words) is a summary, not the article.
const MIN_SIZE: usize = 300;
/// A declared body stands in for the found one only when it holds this many times its text:
/// the markup showed a teaser. Within that, the markup's own body wins (it keeps the headings,
/// pictures and links that the declared text lost).
const TIMES_THE_FOUND: usize = 3;

/// `pick` with its body replaced by the declared one (`declared`, as the JSON-LD string holds
/// it) when the declared text is at least [`MIN_SIZE`] and [`TIMES_THE_FOUND`] times the
/// found body's. A page where no body was found keeps the declared one, spanning `page_span()`.
pub(super) fn with_declared_body(
    pick: Option<BodyPick>,
    declared: Option<&str>,
    base: &Url,
    page_span: impl FnOnce() -> (u32, u32),
) -> Option<BodyPick> {
    let Some(declared) = declared else {
        return pick;
    };
    let found = pick.as_ref().map_or(0, |p| text_size(&p.body.plain_text));
    let needed = MIN_SIZE.max(found.saturating_mul(TIMES_THE_FOUND));
    // Markup counts its tags here: a cheap upper bound before anything is parsed.
    if text_size(declared) < needed {
        return pick;
    }
    let body = declared_body(declared, base);
    if text_size(&body.plain_text) < needed || body.text_blocks == 0 {
        return pick;
    }
    Some(match pick {
        Some(p) => BodyPick { body, ..p },
        None => BodyPick {
            body,
            span: page_span(),
            link_density: 0.0,
            headline_links: 0,
            lead_size: 0,
        },
    })
}

/// The declared text as a body: markup (also markup escaped once more, `&lt;p&gt;`) is
/// converted as the page's own would be; plain text is one paragraph a line.
fn declared_body(declared: &str, base: &Url) -> Body {
    let lower = declared.to_ascii_lowercase();
    let markup = if holds_markup(&lower) {
        declared.to_owned()
    } else if holds_markup(&lower.replace("&lt;", "<")) {
        decode_entities(declared)
    } else {
        let mut markup = String::with_capacity(declared.len() + 64);
        for line in declared.lines().map(str::trim).filter(|l| !l.is_empty()) {
            markup.push_str("<p>");
            crate::render::push_escaped(&mut markup, &decode_entities(line));
            markup.push_str("</p>");
        }
        markup
    };
    let fragment: Html = parse_fragment(&markup);
    Converter::new(base, &[]).convert(&[fragment.root_element()])
}

/// Whether lower-cased text holds paragraph or line-break markup.
fn holds_markup(lower: &str) -> bool {
    ["<p>", "<p ", "<br", "</p>", "<div"]
        .iter()
        .any(|tag| lower.contains(tag))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::markdown::Body;

    fn base() -> Url {
        Url::parse("https://news.test/a/1.html").unwrap()
    }

    fn pick_of(text: &str) -> BodyPick {
        let fragment = Html::parse_fragment(&format!("<p>{text}</p>"));
        let body: Body = Converter::new(&base(), &[]).convert(&[fragment.root_element()]);
        BodyPick {
            body,
            span: (10, 20),
            link_density: 0.1,
            headline_links: 0,
            lead_size: 0,
        }
    }

    const SENTENCE: &str = "The council met on Tuesday and voted to keep the library open. ";

    #[test]
    fn a_teaser_gives_way_to_the_declared_text() {
        let declared = format!("{}\n\n{}", SENTENCE.repeat(12), SENTENCE.repeat(12));
        let pick = with_declared_body(Some(pick_of(SENTENCE)), Some(&declared), &base(), || {
            (0, 99)
        });
        let pick = pick.unwrap();
        assert_eq!(pick.body.text_blocks, 2, "{}", pick.body.markdown);
        assert!(pick.body.markdown.starts_with("The council met"));
        assert_eq!(pick.span, (10, 20), "the found body's place is kept");
    }

    #[test]
    fn a_found_body_near_the_declared_size_stays() {
        let found = SENTENCE.repeat(8);
        let declared = SENTENCE.repeat(20);
        let pick = with_declared_body(Some(pick_of(&found)), Some(&declared), &base(), || (0, 99));
        assert_eq!(pick.unwrap().body.plain_text.trim(), found.trim());
    }

    #[test]
    fn a_short_declared_summary_is_not_a_body() {
        let pick = with_declared_body(None, Some(SENTENCE), &base(), || (0, 99));
        assert!(pick.is_none());
    }

    #[test]
    fn a_page_without_a_body_keeps_the_declared_one() {
        let declared = SENTENCE.repeat(24);
        let pick = with_declared_body(None, Some(&declared), &base(), || (3, 99)).unwrap();
        assert_eq!(pick.span, (3, 99));
        assert_eq!(pick.body.text_blocks, 1);
    }

    #[test]
    fn declared_markup_escaped_or_not_is_converted() {
        let para = SENTENCE.repeat(12);
        let markup = format!("<p>{para}</p><p>Caf&eacute; {para}</p>");
        let escaped = format!(
            "&lt;p class=&quot;texto&quot;&gt;{para}&lt;/p&gt;&lt;p&gt;Caf&amp;eacute; {para}&lt;/p&gt;"
        );
        for declared in [markup, escaped] {
            let pick = with_declared_body(None, Some(&declared), &base(), || (0, 9)).unwrap();
            assert_eq!(pick.body.text_blocks, 2, "{}", pick.body.markdown);
            assert!(
                pick.body.markdown.contains("Café The council"),
                "{}",
                pick.body.markdown
            );
            assert!(!pick.body.markdown.contains("&lt;"));
        }
    }

    #[test]
    fn plain_text_with_angle_brackets_stays_text() {
        let declared = format!(
            "{} a <b> and 1 < 2 & more\n{}",
            SENTENCE.repeat(12),
            SENTENCE.repeat(12)
        );
        let pick = with_declared_body(None, Some(&declared), &base(), || (0, 9)).unwrap();
        assert!(
            pick.body.plain_text.contains("a <b> and 1 < 2 & more"),
            "{}",
            pick.body.plain_text
        );
    }
}
