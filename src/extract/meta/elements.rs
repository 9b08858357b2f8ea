//! The elements the metadata pickers look at, found in one walk over the page.
//!
//! `Html::select` walks every node of the tree and runs the selector machinery on each element;
//! the pickers used to do that a dozen times per page. [`Elements`] walks the nodes once, in
//! the order `Html::select` visits them (the tree's node order, attached elements only), and
//! keeps the few kinds of element the pickers ask about. A picker's selector then runs only on
//! those, after a cheap test that every element it can match passes, so what it finds, and in
//! which order, is what `doc.select` found.

use html5ever::{local_name, ns};
use regex::Regex;
use scraper::{ElementRef, Html, Selector};

/// The page's elements of interest, each list in `Html::select` order.
#[derive(Debug, Default)]
pub struct Elements<'a> {
    /// `<html>`, `<meta>`, `<title>`, `<link>`, `<script>`, `<time>` and `<input>`.
    pub head: Vec<ElementRef<'a>>,
    /// `<h1>` to `<h6>`.
    pub headings: Vec<ElementRef<'a>>,
    /// Elements with a `class`, `id`, `itemprop`, `rel` or `property` attribute, and `<abbr>`.
    pub marked: Vec<Marked<'a>>,
    /// `<a>` elements whose address names an author's page ([`is_author_page`]).
    pub author_links: Vec<ElementRef<'a>>,
}

/// An element with the attributes the pickers' selectors test, read once.
#[derive(Debug, Clone, Copy)]
pub struct Marked<'a> {
    pub el: ElementRef<'a>,
    pub class: Option<&'a str>,
    pub id: Option<&'a str>,
    pub itemprop: Option<&'a str>,
    pub rel: Option<&'a str>,
    pub property: Option<&'a str>,
}

impl<'a> Marked<'a> {
    fn read(el: ElementRef<'a>) -> Option<Self> {
        let mut m = Marked {
            el,
            class: None,
            id: None,
            itemprop: None,
            rel: None,
            property: None,
        };
        // As `Element::attr` reads them (no namespace), without interning each name asked for;
        // names compared as atoms (one integer each), not as strings.
        for (name, value) in &el.value().attrs {
            if name.prefix.is_some() || name.ns != ns!() {
                continue;
            }
            let slot = match name.local {
                local_name!("class") => &mut m.class,
                local_name!("id") => &mut m.id,
                local_name!("itemprop") => &mut m.itemprop,
                local_name!("rel") => &mut m.rel,
                local_name!("property") => &mut m.property,
                _ => continue,
            };
            *slot = Some(&**value);
        }
        let marked = [m.class, m.id, m.itemprop, m.rel, m.property]
            .iter()
            .any(Option::is_some);
        (marked || el.value().name.local == local_name!("abbr")).then_some(m)
    }
}

/// Whether `value` holds a match of `words` (a cheap test before a selector's `[a*="w" i]`).
pub fn has(value: Option<&str>, words: &Regex) -> bool {
    value.is_some_and(|v| words.is_match(v))
}

/// Path segments that open an author's page on a site (`/author/jane-doe/`, `/autor/frank_g`,
/// `/profil/207/Name`), as CMSs link a byline's name.
const AUTHOR_PAGE_SEGMENTS: &[&str] = &[
    "author",
    "authors",
    "autor",
    "autoren",
    "autorin",
    "profil",
    "profile",
    "redakteur",
];

/// Whether `href` is an author's page: an [`AUTHOR_PAGE_SEGMENTS`] segment followed by another
/// (the author's slug or number; a bare `/autoren/` lists them all).
pub fn is_author_page(href: &str) -> bool {
    let path = href.split(['?', '#']).next().unwrap_or("");
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    while let Some(seg) = segments.next() {
        if AUTHOR_PAGE_SEGMENTS
            .iter()
            .any(|a| seg.eq_ignore_ascii_case(a))
        {
            return segments.next().is_some();
        }
    }
    false
}

impl<'a> Elements<'a> {
    /// One walk over `doc`.
    pub fn new(doc: &'a Html) -> Self {
        let mut found = Elements::default();
        for el in crate::extract::elements_in_select_order(doc) {
            let v = el.value();
            match v.name.local {
                local_name!("html")
                | local_name!("meta")
                | local_name!("title")
                | local_name!("link")
                | local_name!("script")
                | local_name!("time")
                | local_name!("input") => found.head.push(el),
                local_name!("h1")
                | local_name!("h2")
                | local_name!("h3")
                | local_name!("h4")
                | local_name!("h5")
                | local_name!("h6") => found.headings.push(el),
                _ => {}
            }
            if v.name.local == local_name!("a") && v.attr("href").is_some_and(is_author_page) {
                found.author_links.push(el);
            }
            found.marked.extend(Marked::read(el));
        }
        found
    }

    /// The head elements `selector` matches.
    pub fn head_select<'s>(
        &'s self,
        selector: &'s Selector,
    ) -> impl Iterator<Item = ElementRef<'a>> + 's {
        self.head.iter().copied().filter(|e| selector.matches(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_follow_select_order() {
        let doc = Html::parse_document(concat!(
            r#"<html lang="en"><head><title>T</title><meta name="a" content="b"></head>"#,
            r#"<body><h2 class="x">A</h2><table><h1>B</h1><tr><td><abbr>c</abbr></td></tr>"#,
            r#"</table><p rel="author">d</p><span>e</span></body></html>"#,
        ));
        let els = Elements::new(&doc);
        let all = Selector::parse("h1, h2, h3, h4, h5, h6").unwrap();
        let ids = |v: &[ElementRef<'_>]| v.iter().map(|e| e.id()).collect::<Vec<_>>();
        let selected: Vec<_> = doc.select(&all).collect();
        assert_eq!(ids(&els.headings), ids(&selected));
        let heads = Selector::parse("html, meta, title").unwrap();
        let selected: Vec<_> = doc.select(&heads).collect();
        let indexed: Vec<_> = els.head_select(&heads).collect();
        assert_eq!(ids(&indexed), ids(&selected));
        let marked = Selector::parse("[class], [rel], abbr").unwrap();
        let selected: Vec<_> = doc.select(&marked).collect();
        let marked_ids: Vec<_> = els.marked.iter().map(|m| m.el.id()).collect();
        assert_eq!(marked_ids, ids(&selected));
        assert_eq!(els.marked[0].class, Some("x"));
        assert_eq!(els.marked[2].rel, Some("author"));
        let words = Regex::new("(?i-u)byline|date").unwrap();
        assert!(has(Some("Post-BYLINE"), &words));
        assert!(!has(Some("by"), &words));
        assert!(!has(None, &words));
    }

    #[test]
    fn author_pages() {
        for href in [
            "https://gay.ch/author/dominique",
            "/autor/frank_g",
            "/profil/207/Klausmartin_Friedrich",
            "https://x.de/blog/author/jane-doe/?ref=1",
        ] {
            assert!(is_author_page(href), "{href}");
        }
        for href in [
            "/autoren/",
            "https://x.de/authorities/a",
            "/news/author-of-the-year",
            "/blog?author=3",
        ] {
            assert!(!is_author_page(href), "{href}");
        }
        let doc = Html::parse_document(r#"<a href="/author/x/">X</a><a href="/a/">Y</a>"#);
        assert_eq!(Elements::new(&doc).author_links.len(), 1);
    }
}
