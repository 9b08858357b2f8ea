//! One iterative pass over the DOM: per-element text statistics (text, link text, running-text
//! punctuation, paragraphs, images, inputs, pre/post positions) and the page's short text lines.
//! Iterative, so deeply nested markup costs no recursion.
use std::sync::LazyLock;

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node, Selector};

use super::classify::{is_invisible, is_noise_el, is_text_block, is_text_punct, is_tracking_pixel};
use crate::extract::meta;

/// Per-element statistics, over the element's visible, non-furniture subtree.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Stats {
    /// Non-whitespace characters.
    pub(super) text: u32,
    /// Of which inside links.
    pub(super) link_text: u32,
    /// Running-text punctuation outside links.
    pub(super) punct: u32,
    pub(super) links: u32,
    /// Links whose text is long enough to be a headline.
    pub(super) headline_links: u32,
    pub(super) p: u32,
    pub(super) img: u32,
    pub(super) inputs: u32,
    pub(super) embeds: u32,
    /// Text whose nearest block ancestor is this element.
    pub(super) own_text: u32,
    pub(super) own_link_text: u32,
    pub(super) own_punct: u32,
    /// Pre- and post-order positions: `a` contains `b` iff a.open < b.open && b.close < a.close.
    pub(super) open: u32,
    pub(super) close: u32,
    /// Inside furniture: counts for nothing.
    pub(super) noise: bool,
}

impl Stats {
    fn add(&mut self, child: &Stats) {
        self.text += child.text;
        self.link_text += child.link_text;
        self.punct += child.punct;
        self.links += child.links;
        self.headline_links += child.headline_links;
        self.p += child.p;
        self.img += child.img;
        self.inputs += child.inputs;
        self.embeds += child.embeds;
    }

    pub(super) fn link_density(&self) -> f64 {
        if self.text == 0 {
            0.0
        } else {
            f64::from(self.link_text) / f64::from(self.text)
        }
    }
}

/// A short run of text with the position of its block, for reading bylines and dates.
#[derive(Debug)]
pub(super) struct Line {
    pub(super) open: u32,
    pub(super) text: String,
}

/// Maps and sets keyed by node: a node id is a small integer, so the hash is a multiply (the
/// default SipHash was a fifth of this pass).
pub(super) type NodeMap<V> = rustc_hash::FxHashMap<NodeId, V>;
pub(super) type NodeSet = rustc_hash::FxHashSet<NodeId>;

pub(super) struct Analysis {
    pub(super) stats: NodeMap<Stats>,
    pub(super) lines: Vec<Line>,
    pub(super) page_text: u32,
    pub(super) page_link_text: u32,
    /// `<script>` elements: pages built by JavaScript show little text without them.
    pub(super) scripts: u32,
}

pub(super) struct Frame {
    id: NodeId,
    stats: Stats,
    block: bool,
    noise: bool,
    link: bool,
    line: String,
}

pub(super) static ARTICLE_TAG: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("article").expect("static selector"));
pub(super) static ARTICLE_BODY: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse(r#"[itemprop~="articleBody"]"#).expect("static selector"));

/// Whether `el`'s `itemprop` mentions `articleBody`, in any case: a cheap test, looser than
/// [`ARTICLE_BODY`].
pub(super) fn mentions_article_body(el: &scraper::node::Element) -> bool {
    crate::extract::attr(el, "itemprop")
        .is_some_and(|p| crate::extract::contains_ignoring_ascii_case(p, "articlebody"))
}

/// Where the page says its article is: its only `<article>` and its only
/// `itemprop="articleBody"`, each `None` when the page has none or several.
pub(super) struct MarkedArticle<'a> {
    pub(super) article: Option<ElementRef<'a>>,
    pub(super) body: Option<ElementRef<'a>>,
}

pub(super) fn marked_article(doc: &Html) -> MarkedArticle<'_> {
    // One walk in `doc.select`'s order; a selector runs only on elements that pass a cheap
    // test it implies (two full `select` walks cost more than the rest of this pass).
    let mut found: [Vec<ElementRef<'_>>; 2] = [Vec::new(), Vec::new()];
    for el in crate::extract::elements_in_select_order(doc) {
        let v = el.value();
        if found[0].len() < 2 && v.name() == "article" && ARTICLE_TAG.matches(&el) {
            found[0].push(el);
        }
        let says_body = mentions_article_body(v);
        if found[1].len() < 2 && says_body && ARTICLE_BODY.matches(&el) {
            found[1].push(el);
        }
    }
    let [articles, bodies] = found;
    MarkedArticle {
        article: only_one(&articles),
        body: only_one(&bodies),
    }
}

fn only_one<'a>(hits: &[ElementRef<'a>]) -> Option<ElementRef<'a>> {
    match hits {
        [only] => Some(*only),
        _ => None,
    }
}

/// The ancestors of the page's only `<article>` (or only `itemprop="articleBody"`): the page says
/// where its article is, so no class name on the way to it (`col-1 highfooter`) makes it
/// furniture.
pub(super) fn article_ancestors(doc: &Html) -> NodeSet {
    let marked = marked_article(doc);
    let mut keep = NodeSet::default();
    for only in [marked.article, marked.body].into_iter().flatten() {
        keep.extend(only.ancestors().map(|n| n.id()));
    }
    keep
}

/// Characters of an element's own text line that are kept (lines are stamps, bylines, titles).
const LINE_CAP: usize = 600;

/// One pass over the DOM: statistics of every element, and the page's short text lines.
pub(super) fn analyse(doc: &Html, strip_unlikely: bool) -> Analysis {
    let keep = if strip_unlikely {
        article_ancestors(doc)
    } else {
        NodeSet::default()
    };
    let mut walk = Walk {
        strip_unlikely,
        keep,
        stats: NodeMap::with_capacity_and_hasher(doc.tree.nodes().len(), Default::default()),
        lines: Vec::new(),
        stack: Vec::new(),
        invisible: None,
        counter: 0,
        scripts: 0,
        links_open: 0,
        page_text: 0,
        page_link_text: 0,
    };
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                if walk.invisible.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(el) => walk.open_element(node, el),
                    Node::Text(text) => walk.text(text),
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(id) = walk.invisible {
                    if id == node.id() {
                        walk.invisible = None;
                    }
                    continue;
                }
                if let Node::Element(el) = node.value() {
                    walk.close_element(el);
                }
            }
        }
    }
    let Walk {
        stats,
        mut lines,
        page_text,
        page_link_text,
        scripts,
        ..
    } = walk;
    lines.sort_by_key(|l| l.open);
    Analysis {
        stats,
        lines,
        page_text,
        page_link_text,
        scripts,
    }
}

/// The state of [`analyse`]'s walk: the open elements and what is counted so far.
struct Walk {
    strip_unlikely: bool,
    /// Ancestors of the page's only article, never furniture by their names.
    keep: NodeSet,
    stats: NodeMap<Stats>,
    lines: Vec<Line>,
    stack: Vec<Frame>,
    /// The script, style or other element whose content is skipped, while inside it.
    invisible: Option<NodeId>,
    /// Pre/post-order position.
    counter: u32,
    scripts: u32,
    links_open: u32,
    page_text: u32,
    page_link_text: u32,
}

impl Walk {
    fn open_element(&mut self, node: ego_tree::NodeRef<'_, Node>, el: &scraper::node::Element) {
        if is_invisible(el.name()) {
            self.scripts += u32::from(el.name() == "script");
            self.invisible = Some(node.id());
            return;
        }
        self.counter += 1;
        let parent_noise = self.stack.last().is_some_and(|f| f.noise);
        let link = el.name() == "a";
        self.links_open += u32::from(link);
        let strip = self.strip_unlikely && !self.keep.contains(&node.id());
        self.stack.push(Frame {
            id: node.id(),
            stats: Stats {
                open: self.counter,
                ..Stats::default()
            },
            block: is_text_block(el.name()),
            noise: parent_noise || ElementRef::wrap(node).is_some_and(|e| is_noise_el(e, strip)),
            link,
            line: String::new(),
        });
    }

    fn text(&mut self, text: &str) {
        let (mut chars, mut punct) = (0u32, 0u32);
        for c in text.chars() {
            if !c.is_whitespace() {
                chars += 1;
                punct += u32::from(is_text_punct(c));
            }
        }
        if chars == 0 {
            if let Some(f) = self.stack.iter_mut().rev().take(64).find(|f| f.block)
                && !f.line.is_empty()
                && f.line.len() < LINE_CAP
            {
                f.line.push(' ');
            }
            return;
        }
        let in_link = self.links_open > 0;
        self.page_text += chars;
        if in_link {
            self.page_link_text += chars;
        }
        let Some(top) = self.stack.last_mut() else {
            return;
        };
        top.stats.text += chars;
        if in_link {
            top.stats.link_text += chars;
        } else {
            top.stats.punct += punct;
        }
        // Own text goes to the nearest block (bounded: inline nesting is shallow on real pages,
        // and hostile nesting must stay cheap).
        if let Some(f) = self.stack.iter_mut().rev().take(64).find(|f| f.block) {
            f.stats.own_text += chars;
            if in_link {
                f.stats.own_link_text += chars;
            } else {
                f.stats.own_punct += punct;
            }
            if f.line.len() < LINE_CAP {
                f.line.push_str(text);
            }
        }
    }

    fn close_element(&mut self, el: &scraper::node::Element) {
        let Some(mut frame) = self.stack.pop() else {
            return;
        };
        self.counter += 1;
        frame.stats.close = self.counter;
        frame.stats.noise = frame.noise;
        count_element(el, &mut frame.stats);
        if frame.link {
            self.links_open = self.links_open.saturating_sub(1);
        }
        let line = meta::clean_text(&frame.line);
        if !line.is_empty() {
            self.lines.push(Line {
                open: frame.stats.open,
                text: line,
            });
        }
        if let Some(parent) = self.stack.last_mut()
            && (!frame.noise || parent.noise)
        {
            parent.stats.add(&frame.stats);
        }
        self.stats.insert(frame.id, frame.stats);
    }
}

/// Counts a closed element by its kind: links (and headline links), paragraphs, images that
/// are not tracking pixels, inputs, embeds.
fn count_element(el: &scraper::node::Element, stats: &mut Stats) {
    match el.name() {
        "a" => {
            stats.links += 1;
            if stats.text >= 8 {
                stats.headline_links += 1;
            }
        }
        "p" => stats.p += 1,
        "img" if !is_tracking_pixel(el) => stats.img += 1,
        "input" => stats.inputs += 1,
        "embed" | "object" | "iframe" | "video" => stats.embeds += 1,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_add_up_and_positions_nest() {
        let doc = Html::parse_document(
            "<body><div id=a><p>Hello, world. <a href=/x>link text</a></p><nav>menu menu</nav>\
             <script>var ignored = 1;</script></div></body>",
        );
        let a = analyse(&doc, true);
        let by_tag = |tag: &str| {
            let sel = Selector::parse(tag).unwrap();
            a.stats[&doc.select(&sel).next().unwrap().id()]
        };
        let (div, p) = (by_tag("div"), by_tag("p"));
        assert_eq!(p.text, "Hello,world.linktext".len() as u32);
        assert_eq!(p.link_text, 8);
        assert_eq!(p.punct, 2);
        assert_eq!(p.links, 1);
        assert_eq!(div.text, p.text, "the nav and the script count for nothing");
        assert_eq!(div.p, 1);
        assert!(div.open < p.open && p.close < div.close);
        assert!(by_tag("nav").noise);
        assert!(a.lines.iter().any(|l| l.text.starts_with("Hello, world.")));
    }

    #[test]
    fn a_single_article_keeps_its_ancestors_from_unlikely_names() {
        let doc = Html::parse_document(
            "<div class=\"col highfooter\"><article><p>Text of the article here.</p></article></div>",
        );
        let a = analyse(&doc, true);
        let div = doc.select(&Selector::parse("div").unwrap()).next().unwrap();
        assert!(!a.stats[&div.id()].noise);
    }
}
