//! Candidate scoring (Readability's scheme, GNE's punctuation measure) and the pick of the body
//! containers: the best candidate and the siblings that belong with it.

use std::sync::LazyLock;

use ego_tree::NodeId;
use regex::Regex;
use scraper::{ElementRef, Html, Node};

use super::MIN_BLOCK_CHARS;
use super::analysis::{Analysis, NodeMap};
use super::classify::{class_and_id, class_weight, is_noise, is_noise_el};
use super::cleaning::is_furniture_box;
use crate::extract::meta;

/// Readability's starting score of a candidate: class weight and a bonus by tag.
pub(super) fn initial_score(el: &scraper::node::Element) -> f64 {
    let tag = match el.name() {
        "div" | "article" | "section" | "main" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    };
    tag + class_weight(el)
}

/// Scores of the candidate containers, link density applied.
pub(super) fn score(doc: &Html, a: &Analysis) -> NodeMap<f64> {
    let mut scores: NodeMap<f64> = NodeMap::default();
    // Summed in document order: float sums in a HashMap's random order differ in the last bits,
    // enough to flip a near tie, and one page must always give one document.
    let mut in_order: Vec<_> = a.stats.iter().collect();
    in_order.sort_unstable_by_key(|(id, st)| (st.open, **id));
    for (&id, st) in in_order {
        if st.noise || st.own_text < MIN_BLOCK_CHARS {
            continue;
        }
        let Some(node) = doc.tree.get(id) else {
            continue;
        };
        let Some(el) = node.value().as_element() else {
            continue;
        };
        if matches!(
            el.name(),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "a" | "th" | "dt"
        ) {
            continue;
        }
        let own_ld = f64::from(st.own_link_text) / f64::from(st.own_text);
        if own_ld > 0.5 {
            continue;
        }
        let value = (1.0 + f64::from(st.own_punct) + f64::from((st.own_text / 100).min(3)))
            * (1.0 - own_ld);
        // A paragraph scores its ancestors; a container holding text directly (a `<div>` with
        // `<br>`s) holds a virtual paragraph, so it scores itself first.
        let mut target = if matches!(
            el.name(),
            "p" | "pre" | "li" | "dd" | "td" | "blockquote" | "font"
        ) {
            node.parent()
        } else {
            Some(node)
        };
        for level in 0..5u32 {
            let Some(t) = target else { break };
            let Some(tel) = t.value().as_element() else {
                break;
            };
            if a.stats.get(&t.id()).is_some_and(|s| s.noise) {
                break;
            }
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                n => f64::from(n) * 3.0,
            };
            *scores.entry(t.id()).or_insert_with(|| initial_score(tel)) += value / divider;
            target = t.parent();
        }
    }
    for (id, s) in scores.iter_mut() {
        if let Some(st) = a.stats.get(id) {
            *s *= 1.0 - st.link_density();
        }
    }
    scores
}

/// Author boxes beside a body: bylines, bios, signatures.
pub(super) static AUTHOR_BOX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)byline|author|(?-u:\b)bio(?-u:\b)|-bio(?-u:\b)|(?-u:\b)bio-|sig-line|signature",
    )
    .expect("static regex")
});

/// The body containers, in document order: the best candidate and the siblings that belong with
/// it.
pub(super) fn pick_containers<'a>(
    doc: &'a Html,
    a: &Analysis,
    scores: &NodeMap<f64>,
) -> Vec<ElementRef<'a>> {
    let Some(best) = best_block(doc, a, scores) else {
        return Vec::new();
    };
    let best_score = scores[&best];
    let Some(best_node) = doc.tree.get(best) else {
        return Vec::new();
    };
    let top = climb(best_node, scores, best_score);
    let top_score = scores.get(&top.id()).copied().unwrap_or(best_score);
    let Some(parent) = top.parent().filter(|p| !is_root(p)) else {
        return ElementRef::wrap(top).into_iter().collect();
    };
    let siblings = Siblings {
        a,
        scores,
        top_score,
        threshold: (top_score * 0.2).max(10.0),
        top_class: top
            .value()
            .as_element()
            .and_then(|e| e.attr("class"))
            .unwrap_or(""),
    };
    let mut out = Vec::new();
    for child in parent.children() {
        let Some(el) = ElementRef::wrap(child) else {
            continue;
        };
        if child.id() == top.id() || siblings.joins(&el) {
            out.push(el);
        }
    }
    out.extend(same_kind_blocks_around(top, a));
    out.sort_by_key(|e| a.stats.get(&e.id()).map_or(0, |s| s.open));
    out
}

/// The best-scoring block; its names are weighed again only when it is a small one (most
/// pages: never).
fn best_block(doc: &Html, a: &Analysis, scores: &NodeMap<f64>) -> Option<NodeId> {
    let by_score =
        |x: &(NodeId, f64), y: &(NodeId, f64)| x.1.total_cmp(&y.1).then_with(|| y.0.cmp(&x.0));
    let raw_best = scores.iter().map(|(id, s)| (*id, *s)).max_by(by_score)?;
    if unearned_weight(doc, a, raw_best.0) > 0.0 {
        let reweighed = scores
            .iter()
            .map(|(id, s)| (*id, s - unearned_weight(doc, a, *id)))
            .max_by(by_score);
        Some(reweighed.map_or(raw_best.0, |b| b.0))
    } else {
        Some(raw_best.0)
    }
}

fn is_root(n: &ego_tree::NodeRef<'_, Node>) -> bool {
    n.value()
        .as_element()
        .is_none_or(|e| matches!(e.name(), "body" | "html"))
}

/// From the best block up: as Readability, while the parent scores close to or above the
/// candidate; then an only child stands for its parent.
fn climb<'a>(
    best: ego_tree::NodeRef<'a, Node>,
    scores: &NodeMap<f64>,
    best_score: f64,
) -> ego_tree::NodeRef<'a, Node> {
    let mut top = best;
    let threshold = best_score / 3.0;
    let mut last = best_score;
    let mut parent = top.parent();
    while let Some(p) = parent {
        if is_root(&p) {
            break;
        }
        match scores.get(&p.id()) {
            None => parent = p.parent(),
            Some(&ps) if ps < threshold => break,
            Some(&ps) if ps > last => {
                top = p;
                break;
            }
            Some(&ps) => {
                last = ps;
                parent = p.parent();
            }
        }
    }
    while let Some(p) = top.parent() {
        if is_root(&p) || p.children().filter(|c| c.value().is_element()).count() != 1 {
            break;
        }
        top = p;
    }
    top
}

/// What decides whether a sibling of the top block joins the body.
struct Siblings<'s> {
    a: &'s Analysis,
    scores: &'s NodeMap<f64>,
    top_score: f64,
    threshold: f64,
    top_class: &'s str,
}

impl Siblings<'_> {
    fn joins(&self, el: &ElementRef<'_>) -> bool {
        let Some(st) = self.a.stats.get(&el.id()) else {
            return false;
        };
        // Furniture, link lists and author boxes never join, whatever their score.
        if st.noise || st.link_density() >= 0.5 || AUTHOR_BOX.is_match(&class_and_id(el.value())) {
            return false;
        }
        let bonus = if same_kind(self.top_class, el.value().attr("class").unwrap_or("")) {
            self.top_score * 0.2
        } else {
            0.0
        };
        let s = self.scores.get(&el.id()).copied().unwrap_or(0.0);
        if s + bonus >= self.threshold {
            true
        } else if st.img > 0
            && st.link_text == 0
            && (20..=500).contains(&st.text)
            && has_caption(el)
        {
            // A picture with its caption beside the body.
            true
        } else if el.value().name() == "p" {
            let ld = st.link_density();
            let text = meta::element_text(el);
            (st.text > 80 && ld < 0.25)
                || (st.text > 0
                    && st.text <= 80
                    && ld == 0.0
                    && text.ends_with(['.', '。', '！', '？']))
        } else {
            false
        }
    }
}

/// Text (non-whitespace characters) a block needs before its article-like name can make it the
/// body: a rating widget (`div#post-ratings-1.post-ratings`, 26 characters) or a `likes-text`
/// line would otherwise outscore the article's paragraphs on its names alone.
const MIN_NAMED_TEXT: u32 = 100;

/// The part of a candidate's score that its names gave it without the text to back them: its
/// positive class weight when it holds less than [`MIN_NAMED_TEXT`]. It does not count when the
/// best candidate is chosen (it still does when siblings join: a short lead `div.teaser-text`).
fn unearned_weight(doc: &Html, a: &Analysis, id: NodeId) -> f64 {
    match (a.stats.get(&id), doc.tree.get(id)) {
        (Some(st), Some(node)) if st.text < MIN_NAMED_TEXT => node
            .value()
            .as_element()
            .map_or(0.0, |el| class_weight(el).max(0.0)),
        _ => 0.0,
    }
}

/// Elements visited at most between the title and the body when looking for the lead.
const MAX_LEAD_VISITS: usize = 200;

/// The lead (standfirst, `div.article-intro`, `div.leadIn`, `p.teaser`) between the title heading
/// at `title_open` and the first body container: blocks of running text there that are neither
/// the title nor furniture. News layouts put it in the title block, outside the block of body
/// paragraphs, and without it the article starts at its second paragraph.
pub(super) fn lead_blocks<'a>(
    first: ElementRef<'a>,
    a: &Analysis,
    title_open: u32,
) -> Vec<ElementRef<'a>> {
    let Some(body_open) = a.stats.get(&first.id()).map(|s| s.open) else {
        return Vec::new();
    };
    // The lowest block holding both the title and the body.
    let Some(common) = first.ancestors().filter_map(ElementRef::wrap).find(|e| {
        a.stats
            .get(&e.id())
            .is_some_and(|s| s.open <= title_open && title_open <= s.close)
    }) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut visits = 0;
    // (element, inside a title block named like furniture: `header.entry-header`)
    let mut stack: Vec<(ElementRef<'a>, bool)> =
        common.child_elements().map(|e| (e, false)).collect();
    stack.reverse();
    while let Some((el, in_title_block)) = stack.pop() {
        visits += 1;
        let Some(st) = a.stats.get(&el.id()) else {
            continue;
        };
        if visits > MAX_LEAD_VISITS || st.open >= body_open {
            break;
        }
        if st.close <= title_open {
            continue;
        }
        let holds_title = st.open <= title_open;
        let noise = if in_title_block {
            is_noise_el(el, true)
        } else {
            st.noise
        };
        // The block around the title is furniture by its name only (`header`, `-header`):
        // Readability's unlikely names, but the lead sits in it. A header block with a heading is
        // the title block too when the title was matched to a heading above it (a breadcrumb's).
        let title_block =
            noise && !is_noise(el.value(), false) && (holds_title || is_heading_block(&el));
        if noise && !title_block {
            continue;
        }
        let holds_title_or_body = holds_title || st.close >= body_open;
        // A picture's caption is no lead, nor is any line inside it.
        if !holds_title_or_body && is_caption(el.value()) {
            continue;
        }
        if holds_title_or_body || !is_lead(&el, st) {
            // Look inside: the title block holds the lead beside the heading.
            let start = stack.len();
            let inside = in_title_block || title_block;
            stack.extend(el.child_elements().map(|c| (c, inside)));
            stack[start..].reverse();
            continue;
        }
        out.push(el);
    }
    out
}

/// A block named as a header (`header.entry-header`, `div.article-header`) that holds a heading.
fn is_heading_block(el: &ElementRef<'_>) -> bool {
    class_and_id(el.value())
        .to_ascii_lowercase()
        .contains("header")
        && el
            .descendent_elements()
            .any(|d| matches!(d.value().name(), "h1" | "h2"))
}

/// Whether a block between the title and the body reads as a lead: sentences of text (not a
/// byline, date or kicker line), hardly any links, no picture (a caption is not a lead). A deck
/// of one sentence without commas (`<h2>In den Vereinigten Staaten trommeln Aktivisten für einen
/// Mietenstopp</h2>`) counts when it has the words of a sentence and reads as no byline or date.
pub(super) fn is_lead(el: &ElementRef<'_>, st: &super::analysis::Stats) -> bool {
    st.text >= MIN_LEAD_TEXT
        && (st.punct >= 2 || is_deck(el))
        && st.link_text * 10 <= st.text
        && st.img == 0
        && !matches!(
            el.value().name(),
            "h1" | "figure" | "figcaption" | "ul" | "ol" | "table"
        )
        && !AUTHOR_BOX.is_match(&class_and_id(el.value()))
        && !is_furniture_box(el.value())
}

/// Words a one-sentence deck needs.
const MIN_DECK_WORDS: usize = 8;

/// A sentence of at least [`MIN_DECK_WORDS`] words in one block (not a grid of fact cells) that
/// is no byline or date line.
fn is_deck(el: &ElementRef<'_>) -> bool {
    let text = meta::element_text(el);
    !el.descendent_elements()
        .skip(1)
        .any(|d| super::classify::is_text_block(d.value().name()))
        && text.split_whitespace().count() >= MIN_DECK_WORDS
        && !super::BYLINE_WORDS.is_match(&text)
        && !super::DATE_LINE.is_match(&text)
}

/// Characters of text a lead needs: one sentence (`We're about to get 20 terabyte hard drives,
/// but the path looks clear to scale up to 80TB.`).
const MIN_LEAD_TEXT: u32 = 60;

/// Whether two class lists name the same kind of block: they share at least half of the shorter
/// list's names (`grid-box grid-box-markdown` and `grid-box-first grid-box-markdown grid-box`,
/// `module module-text`, `vc_row wpb_row vc_row-fluid`).
pub(super) fn same_kind(a: &str, b: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (
        a.split_whitespace().collect(),
        b.split_whitespace().collect(),
    );
    let shorter = a.len().min(b.len());
    let shared = a.iter().filter(|t| b.contains(t)).count();
    shorter > 0 && 2 * shared >= shorter
}

/// Blocks of running text beside the body's ancestors that are the same kind of block as the
/// ancestor (page builders split one article into rows, modules and grid boxes of one class):
/// up to six levels above the body (WPBakery puts its text five deep in each row: `vc_row >
/// wpb_column > vc_column-inner > wpb_wrapper > wpb_text_column`), below the page's `<article>`,
/// `<main>` and `<body>`.
fn same_kind_blocks_around<'a>(
    top: ego_tree::NodeRef<'a, Node>,
    a: &Analysis,
) -> Vec<ElementRef<'a>> {
    let mut out = Vec::new();
    let mut level = top.parent();
    for _ in 0..6 {
        let Some(anc) = level else { break };
        let Some(anc_el) = ElementRef::wrap(anc) else {
            break;
        };
        if matches!(anc_el.value().name(), "body" | "html" | "article" | "main") {
            break;
        }
        let class = anc_el.value().attr("class").unwrap_or("");
        if !class.is_empty() {
            for sib in anc.prev_siblings().chain(anc.next_siblings()) {
                let Some(el) = ElementRef::wrap(sib) else {
                    continue;
                };
                if el.value().name() != anc_el.value().name()
                    || !same_kind(class, el.value().attr("class").unwrap_or(""))
                {
                    continue;
                }
                let teasers: Vec<ElementRef<'_>> = std::iter::once(el)
                    .chain(el.descendent_elements())
                    .filter(|d| is_author_block(d) || is_linked_heading(d))
                    .collect();
                if !teasers.is_empty() {
                    // A chunk of one article cut into rows, each with a rail of teasers
                    // beside the text, gives its copy of the body's own block. A chunk whose
                    // title or byline stands on its own is another post.
                    let blocks: Vec<ElementRef<'_>> = same_block_within(el, top)
                        .filter(|b| is_running_text(a, b.id()))
                        .collect();
                    if !blocks.is_empty() && only_in_rails(el, &blocks, &teasers) {
                        out.extend(blocks);
                    }
                    continue;
                }
                if is_running_text(a, sib.id()) {
                    out.push(el);
                }
            }
        }
        if !out.is_empty() {
            break;
        }
        level = anc.parent();
    }
    out
}

/// Whether a block holds running text: sentences, hardly any links, no furniture.
fn is_running_text(a: &Analysis, id: NodeId) -> bool {
    a.stats
        .get(&id)
        .is_some_and(|st| !st.noise && st.punct >= 3 && st.text >= 60 && st.link_density() < 0.3)
}

/// Teasers (bylines, linked headings) a block beside the body's text needs to be a rail of
/// them ("Most popular", "Read more") rather than a post's own heading or byline.
const MIN_RAIL_TEASERS: usize = 3;

/// Whether every teaser of `chunk` stands in a rail: a block beside the `blocks` of body text
/// (on no path from `chunk` to them) that holds at least [`MIN_RAIL_TEASERS`] of them.
fn only_in_rails(
    chunk: ElementRef<'_>,
    blocks: &[ElementRef<'_>],
    teasers: &[ElementRef<'_>],
) -> bool {
    let body_path: std::collections::HashSet<NodeId> = blocks
        .iter()
        .flat_map(|b| {
            std::iter::once(**b)
                .chain(b.ancestors())
                .map(|n| n.id())
                .take_while(|id| *id != chunk.id())
        })
        .collect();
    let mut per_rail: std::collections::HashMap<NodeId, usize> = Default::default();
    for teaser in teasers {
        // The highest block above the teaser that is beside the body's path.
        let mut rail = **teaser;
        loop {
            if rail.id() == chunk.id() || body_path.contains(&rail.id()) {
                return false;
            }
            match rail.parent() {
                // A teaser inside a block of body text: that block is a list of teasers.
                Some(p) if blocks.iter().any(|b| b.id() == p.id()) => return false,
                Some(p) if p.id() != chunk.id() && !body_path.contains(&p.id()) => rail = p,
                _ => break,
            }
        }
        *per_rail.entry(rail.id()).or_default() += 1;
    }
    per_rail.values().all(|n| *n >= MIN_RAIL_TEASERS)
}

/// The blocks inside `chunk` of the body block's own tag and kind of class (`div.body__container
/// article__body` in each of the grid rows that a long article is cut into, between rows of
/// advertising, each row with a rail of teasers of its own). A body block without a class has no
/// kind to match.
fn same_block_within<'a>(
    chunk: ElementRef<'a>,
    body: ego_tree::NodeRef<'a, Node>,
) -> impl Iterator<Item = ElementRef<'a>> {
    let body = body.value().as_element();
    let name = body.map_or("", |e| e.name());
    let class = body.and_then(|e| e.attr("class")).unwrap_or("");
    let is_body_block = move |d: &ElementRef<'_>| {
        !class.is_empty()
            && d.value().name() == name
            && same_kind(class, d.value().attr("class").unwrap_or(""))
    };
    // The outermost ones only: a block inside another would give its text twice.
    chunk.descendent_elements().filter(move |d| {
        is_body_block(d)
            && !d
                .ancestors()
                .take_while(|n| n.id() != chunk.id())
                .filter_map(ElementRef::wrap)
                .any(|up| is_body_block(&up))
    })
}

/// An author box or byline block (not an author's link inside the text).
fn is_author_block(el: &ElementRef<'_>) -> bool {
    matches!(
        el.value().name(),
        "div" | "section" | "aside" | "footer" | "header" | "address"
    ) && AUTHOR_BOX.is_match(&class_and_id(el.value()))
}

/// A heading that links elsewhere: a teaser of another post (blog pages list posts in blocks of
/// one kind).
fn is_linked_heading(el: &ElementRef<'_>) -> bool {
    matches!(el.value().name(), "h1" | "h2" | "h3" | "h4")
        && el.descendent_elements().any(|d| d.value().name() == "a")
}

/// Whether an element is or holds a caption (`<figure>`, `<figcaption>`, `class="…caption…"`).
pub(super) fn has_caption(el: &ElementRef<'_>) -> bool {
    std::iter::once(*el)
        .chain(el.descendent_elements())
        .any(|d| is_caption(d.value()))
}

/// Whether an element is a caption or a picture with one.
fn is_caption(v: &scraper::node::Element) -> bool {
    matches!(v.name(), "figure" | "figcaption")
        || v.attr("class")
            .is_some_and(|c| crate::extract::contains_ignoring_ascii_case(c, "caption"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::generic::analysis::analyse;

    const PARA: &str =
        "A paragraph of running text, long enough to score its container, with commas.";

    fn picked(html: &str) -> Vec<String> {
        let doc = Html::parse_document(html);
        let a = analyse(&doc, true);
        let scores = score(&doc, &a);
        pick_containers(&doc, &a, &scores)
            .iter()
            .map(|e| e.value().attr("id").unwrap_or("?").to_owned())
            .collect()
    }

    #[test]
    fn the_paragraphs_container_wins_over_link_lists() {
        let links: String = (0..20)
            .map(|i| format!("<li><a href=/{i}>Another headline number {i}</a></li>"))
            .collect();
        let paras: String = (0..5).map(|_| format!("<p>{PARA}</p>")).collect();
        let html = format!("<body><ul id=nav>{links}</ul><div id=story>{paras}</div></body>");
        assert_eq!(picked(&html), ["story"]);
    }

    #[test]
    fn a_name_alone_does_not_make_a_tiny_block_the_body() {
        let short = "Running text, with a comma, of the article.";
        let paras: String = (0..3).map(|_| format!("<p>{short}</p>")).collect();
        let html = format!(
            "<body><div id=story>{paras}</div>\
             <div id=post-ratings-1 class=post-ratings>Bitte gebe deine Bewertung ein</div></body>"
        );
        assert_eq!(picked(&html), ["story"]);
    }

    #[test]
    fn siblings_with_text_join_and_author_boxes_do_not() {
        let paras: String = (0..8).map(|_| format!("<p>{PARA}</p>")).collect();
        let html = format!(
            "<body><div id=wrap><p id=lead>{PARA} {PARA}</p><div id=story>{paras}</div>\
             <div id=bio class=author-bio><p>{PARA}</p></div></div></body>"
        );
        assert_eq!(picked(&html), ["lead", "story"]);
    }

    #[test]
    fn a_deck_is_one_block_of_a_sentence_and_no_byline_or_date() {
        let deck = |html: &str| {
            let doc = Html::parse_fragment(html);
            let el = doc.root_element().child_elements().next().unwrap();
            is_deck(&el)
        };
        assert!(deck(
            "<h2>Blue Tomato präsentiert die dritte Auflage des Events in diesem Jahr am See</h2>"
        ));
        assert!(!deck("<h2>Ein kurzer Untertitel</h2>"));
        assert!(!deck(
            "<p>By Jane Doe and John Smith, Staff Writers of the Example Daily News Desk</p>"
        ));
        assert!(!deck(
            "<p>Updated on March 13, 2015 at 10:00 in the morning, local time here</p>"
        ));
        assert!(!deck(
            "<div><div>Splitscreen Coop: 2 - 4</div><div>Online Coop: -</div><div>Online Multiplayer: -</div></div>"
        ));
    }

    #[test]
    fn blocks_of_the_same_kind_beside_the_body_join_it() {
        assert!(same_kind(
            "grid-box grid-box-markdown",
            "grid-box-first grid-box-markdown grid-box"
        ));
        assert!(same_kind("module module-text", "module module-text"));
        assert!(!same_kind("row article-wrapper", "sidebar widget-area"));
        assert!(!same_kind("", "row"));
        let paras: String = (0..6).map(|_| format!("<p>{PARA}</p>")).collect();
        let html = format!(
            "<body><div id=page>\
             <div class=\"row module-text\" id=one><h2>A heading</h2><div id=story>{paras}</div></div>\
             <div class=\"row module-text\" id=two><div class=inner><p>{PARA}</p></div></div>\
             <div class=\"sidebar\" id=side><p>{PARA}</p></div></div></body>"
        );
        assert_eq!(picked(&html), ["story", "two"]);
    }

    #[test]
    fn page_builder_rows_of_one_article_join_it() {
        // WPBakery nests each text five levels deep in its row: `vc_row > wpb_column >
        // vc_column-inner > wpb_wrapper > wpb_text_column`.
        let column = |id: &str, inner: &str| {
            format!(
                "<div class=\"vc_row wpb_row vc_row-fluid\" id=row-{id}><div class=\"wpb_column vc_column_container\">\
                 <div class=vc_column-inner><div class=wpb_wrapper>\
                 <div class=\"wpb_text_column wpb_content_element\" id={id}><div class=wpb_wrapper>{inner}</div></div>\
                 <div class=\"wpb_single_image\"><img src=a.jpg></div>\
                 </div></div></div></div>"
            )
        };
        let paras: String = (0..8).map(|_| format!("<p>{PARA}</p>")).collect();
        let html = format!(
            "<body><div class=entry-content>{}{}</div><div id=side><p>{PARA}</p></div></body>",
            column("intro", &format!("<p>{PARA}</p>")),
            column("story", &paras),
        );
        assert_eq!(picked(&html), ["row-intro", "story"]);
    }

    #[test]
    fn an_article_cut_into_rows_with_rails_of_teasers_joins_and_other_posts_do_not() {
        // Condé Nast's layout: each row holds a block of the body and a rail of teasers with
        // bylines; rows of advertising stand between them.
        let rail: String = (0..3)
            .map(|i| {
                format!(
                    "<li><div class=summary-item><div class=hed>Popular story {i}</div>\
                     <div class=\"bylines byline-wrapper\"><p>Some Writer</p></div></div></li>"
                )
            })
            .collect();
        let row = |id: &str, paras: usize| {
            let text: String = (0..paras).map(|_| format!("<p>{PARA}</p>")).collect();
            format!(
                "<div class=\"grid chunks-grid\" id=row-{id}><div class=\"grid-item content\" id={id}>\
                 <div class=\"body body__container\">{text}</div></div>\
                 <div class=\"grid-item rail\"><ul>{rail}</ul></div></div>\
                 <div class=ad-row><div class=ad-slot></div></div>"
            )
        };
        let html = format!(
            "<body><main>{}{}</main></body>",
            row("one", 8),
            row("two", 3)
        );
        assert_eq!(picked(&html), ["one", "two"]);

        // A list of posts: the other post's own linked title stands beside its text.
        let post = |id: &str, paras: usize| {
            let text: String = (0..paras).map(|_| format!("<p>{PARA}</p>")).collect();
            format!(
                "<div class=\"grid chunks-grid\"><div class=\"grid-item content\">\
                 <h2><a href=/{id}>Post {id}</a></h2><div class=\"body body__container\" id=body-{id}>{text}</div></div>\
                 <div class=\"grid-item rail\"><ul>{rail}</ul></div></div>"
            )
        };
        let html = format!(
            "<body><main>{}{}</main></body>",
            post("one", 8),
            post("two", 3)
        );
        assert_eq!(picked(&html), ["body-one"]);
    }
}
