//! The generic extractor: the article of any page without a site module.
//!
//! Body: Mozilla Readability's scheme (text blocks score their ancestors, class and id names
//! weigh in, link density discounts, siblings of the best container join it, then conditional
//! cleaning of link lists, forms and share bars), measured the way GNE measures Chinese portals:
//! text blocks are found by their own text (bodies laid out as `<div>`s with `<br>`s count), and
//! the score of a block grows with its punctuation (`，。！？；：、` as well as `,;!?`), which
//! navigation, related lists and footers lack. All statistics come from one iterative pass over
//! the DOM, so deeply nested markup costs no recursion.
//!
//! The body goes through the same [`Converter`] as the site modules, so its Markdown follows the
//! archive format; headings, lists, quotes, tables, images with captions and links are kept;
//! copyright, disclaimer, editor and byline lines are dropped. Metadata comes from
//! [`super::meta`]. Pages that are not articles (home and list pages, login walls, empty
//! shells, binary data) come out as [`Extraction::NotArticle`] with the reason.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use regex::Regex;
use scraper::{ElementRef, Html, Node, Selector};
use url::Url;

use super::markdown::{Body, Converter};
use super::meta;
use super::{Article, Extraction};
use crate::sites::generic::{beijing, is_chinese_site};
use crate::sites::{ArticleRef, GenericSite};

/// Pages larger than this are refused unparsed: no article page is near it (the largest saved
/// portal pages are under 1 MB), and parsing costs about ten times the page in memory.
pub const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;

/// Text blocks shorter than this (in characters) do not score their ancestors.
const MIN_BLOCK_CHARS: u32 = 20;

/// Elements whose content is never visible text.
fn is_invisible(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "noscript" | "template" | "head" | "svg" | "math" | "canvas"
    )
}

/// Elements that are page furniture by their tag.
fn is_furniture_tag(name: &str) -> bool {
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
fn is_text_block(name: &str) -> bool {
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
static UNLIKELY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)-ad-|ai2html|banner|breadcrumb|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|yom-remote|share|recommend|hotnews|hot-news|hot_news|ranking|toolbar|copyright|login|subscribe|newsletter|tuijian|xiangguan|pinglun|qrcode|erweima|navbar|^nav|-nav|_nav|topbar|crumb",
    )
    .expect("static regex")
});
/// Names that keep an element even when [`UNLIKELY`] matches.
static MAYBE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)and|article|body|column|content|main|shadow|zhengwen|正文")
        .expect("static regex")
});
static POSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story|detail|txt|zhengwen|正文|endtext").expect("static regex")
});
static NEGATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget|recommend|(?:^|[^p])hot|rank|nav|tuijian|xiangguan")
        .expect("static regex")
});

fn class_and_id(el: &scraper::node::Element) -> String {
    let mut s = String::new();
    if let Some(c) = el.attr("class") {
        s.push_str(c);
    }
    if let Some(id) = el.attr("id") {
        s.push(' ');
        s.push_str(id);
    }
    s
}

/// Readability's class weight: +25 for article-like names, −25 for furniture-like ones.
fn class_weight(el: &scraper::node::Element) -> f64 {
    let mut w = 0.0;
    for part in [el.attr("class"), el.attr("id")].into_iter().flatten() {
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

fn is_hidden(el: &scraper::node::Element) -> bool {
    if el.attr("hidden").is_some() || el.attr("aria-hidden").is_some_and(|v| v == "true") {
        return true;
    }
    el.attr("style").is_some_and(|s| {
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
fn is_noise(el: &scraper::node::Element, strip_unlikely: bool) -> bool {
    let name = el.name();
    if is_furniture_tag(name) || is_hidden(el) {
        return true;
    }
    if el.attr("role").is_some_and(|r| {
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

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{3040}'..='\u{30FF}' | '\u{AC00}'..='\u{D7AF}')
}

/// Punctuation that marks running text (clauses and sentences), in Chinese and Latin script.
fn is_text_punct(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '！' | '？' | '；' | '：' | '、' | ',' | ';' | '!' | '?' | '.'
    )
}

/// Per-element statistics, over the element's visible, non-furniture subtree.
#[derive(Debug, Default, Clone, Copy)]
struct Stats {
    /// Non-whitespace characters.
    text: u32,
    /// Of which inside links.
    link_text: u32,
    /// Running-text punctuation outside links.
    punct: u32,
    links: u32,
    /// Links whose text is long enough to be a headline.
    headline_links: u32,
    p: u32,
    img: u32,
    inputs: u32,
    embeds: u32,
    /// Text whose nearest block ancestor is this element.
    own_text: u32,
    own_link_text: u32,
    own_punct: u32,
    /// Pre- and post-order positions: `a` contains `b` iff a.open < b.open && b.close < a.close.
    open: u32,
    close: u32,
    /// Inside furniture: counts for nothing.
    noise: bool,
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

    fn link_density(&self) -> f64 {
        if self.text == 0 {
            0.0
        } else {
            f64::from(self.link_text) / f64::from(self.text)
        }
    }
}

/// A short run of text with the position of its block, for reading bylines and dates.
#[derive(Debug)]
struct Line {
    open: u32,
    text: String,
}

struct Analysis {
    stats: HashMap<NodeId, Stats>,
    lines: Vec<Line>,
    page_text: u32,
    page_link_text: u32,
}

struct Frame {
    id: NodeId,
    stats: Stats,
    block: bool,
    noise: bool,
    link: bool,
    line: String,
}

static ARTICLE_TAG: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("article").expect("static selector"));
static ARTICLE_BODY: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse(r#"[itemprop~="articleBody"]"#).expect("static selector"));

/// The ancestors of the page's only `<article>` (or only `itemprop="articleBody"`): the page says
/// where its article is, so no class name on the way to it (`col-1 highfooter`) makes it
/// furniture.
fn article_ancestors(doc: &Html) -> HashSet<NodeId> {
    let mut keep = HashSet::new();
    for sel in [&*ARTICLE_TAG, &*ARTICLE_BODY] {
        let mut found = doc.select(sel);
        if let (Some(only), None) = (found.next(), found.next()) {
            keep.extend(only.ancestors().map(|n| n.id()));
        }
    }
    keep
}

/// One pass over the DOM: statistics of every element, and the page's short text lines.
fn analyse(doc: &Html, strip_unlikely: bool) -> Analysis {
    const LINE_CAP: usize = 600;
    let keep = if strip_unlikely {
        article_ancestors(doc)
    } else {
        HashSet::new()
    };
    let mut stats = HashMap::new();
    let mut lines = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut invisible: Option<NodeId> = None;
    let mut counter = 0u32;
    let mut links_open = 0u32;
    let (mut page_text, mut page_link_text) = (0u32, 0u32);
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                if invisible.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(el) => {
                        if is_invisible(el.name()) {
                            invisible = Some(node.id());
                            continue;
                        }
                        counter += 1;
                        let parent_noise = stack.last().is_some_and(|f| f.noise);
                        let link = el.name() == "a";
                        links_open += u32::from(link);
                        stack.push(Frame {
                            id: node.id(),
                            stats: Stats {
                                open: counter,
                                ..Stats::default()
                            },
                            block: is_text_block(el.name()),
                            noise: parent_noise
                                || is_noise(el, strip_unlikely && !keep.contains(&node.id())),
                            link,
                            line: String::new(),
                        });
                    }
                    Node::Text(text) => {
                        let (mut chars, mut punct) = (0u32, 0u32);
                        for c in text.chars() {
                            if !c.is_whitespace() {
                                chars += 1;
                                punct += u32::from(is_text_punct(c));
                            }
                        }
                        if chars == 0 {
                            if let Some(f) = stack.iter_mut().rev().take(64).find(|f| f.block)
                                && !f.line.is_empty()
                                && f.line.len() < LINE_CAP
                            {
                                f.line.push(' ');
                            }
                            continue;
                        }
                        let in_link = links_open > 0;
                        page_text += chars;
                        if in_link {
                            page_link_text += chars;
                        }
                        let Some(top) = stack.last_mut() else {
                            continue;
                        };
                        top.stats.text += chars;
                        if in_link {
                            top.stats.link_text += chars;
                        } else {
                            top.stats.punct += punct;
                        }
                        // Own text goes to the nearest block (bounded: inline nesting is shallow
                        // on real pages, and hostile nesting must stay cheap).
                        if let Some(f) = stack.iter_mut().rev().take(64).find(|f| f.block) {
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
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(id) = invisible {
                    if id == node.id() {
                        invisible = None;
                    }
                    continue;
                }
                let Node::Element(el) = node.value() else {
                    continue;
                };
                let Some(mut frame) = stack.pop() else {
                    continue;
                };
                counter += 1;
                frame.stats.close = counter;
                frame.stats.noise = frame.noise;
                match el.name() {
                    "a" => {
                        frame.stats.links += 1;
                        if frame.stats.text >= 8 {
                            frame.stats.headline_links += 1;
                        }
                    }
                    "p" => frame.stats.p += 1,
                    "img" => {
                        let tiny = ["width", "height"].iter().any(|a| {
                            el.attr(a)
                                .and_then(|v| v.trim().trim_end_matches("px").parse::<u32>().ok())
                                .is_some_and(|v| v <= 2)
                        });
                        if !tiny {
                            frame.stats.img += 1;
                        }
                    }
                    "input" => frame.stats.inputs += 1,
                    "embed" | "object" | "iframe" | "video" => frame.stats.embeds += 1,
                    _ => {}
                }
                if frame.link {
                    links_open = links_open.saturating_sub(1);
                }
                let line = meta::clean_text(&frame.line);
                if !line.is_empty() {
                    lines.push(Line {
                        open: frame.stats.open,
                        text: line,
                    });
                }
                if let Some(parent) = stack.last_mut()
                    && (!frame.noise || parent.noise)
                {
                    parent.stats.add(&frame.stats);
                }
                stats.insert(frame.id, frame.stats);
            }
        }
    }
    lines.sort_by_key(|l| l.open);
    Analysis {
        stats,
        lines,
        page_text,
        page_link_text,
    }
}

/// Readability's starting score of a candidate: class weight and a bonus by tag.
fn initial_score(el: &scraper::node::Element) -> f64 {
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
fn score(doc: &Html, a: &Analysis) -> HashMap<NodeId, f64> {
    let mut scores: HashMap<NodeId, f64> = HashMap::new();
    for (&id, st) in &a.stats {
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
static AUTHOR_BOX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)byline|author|\bbio\b|-bio\b|\bbio-|sig-line|signature").expect("static regex")
});

/// The body containers, in document order: the best candidate and the siblings that belong with
/// it.
fn pick_containers<'a>(
    doc: &'a Html,
    a: &Analysis,
    scores: &HashMap<NodeId, f64>,
) -> Vec<ElementRef<'a>> {
    let Some((&best, &best_score)) = scores
        .iter()
        .max_by(|x, y| x.1.total_cmp(y.1).then_with(|| y.0.cmp(x.0)))
    else {
        return Vec::new();
    };
    let Some(mut top) = doc.tree.get(best) else {
        return Vec::new();
    };
    let is_root = |n: &ego_tree::NodeRef<'_, Node>| {
        n.value()
            .as_element()
            .is_none_or(|e| matches!(e.name(), "body" | "html"))
    };
    // Readability: climb while the parent scores close to or above the candidate.
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
    // An only child stands for its parent.
    while let Some(p) = top.parent() {
        if is_root(&p) || p.children().filter(|c| c.value().is_element()).count() != 1 {
            break;
        }
        top = p;
    }
    let top_score = scores.get(&top.id()).copied().unwrap_or(best_score);
    let Some(parent) = top.parent().filter(|p| !is_root(p)) else {
        return ElementRef::wrap(top).into_iter().collect();
    };
    let sibling_threshold = (top_score * 0.2).max(10.0);
    let top_class = top
        .value()
        .as_element()
        .and_then(|e| e.attr("class"))
        .unwrap_or("");
    let mut out = Vec::new();
    for child in parent.children() {
        let Some(el) = ElementRef::wrap(child) else {
            continue;
        };
        if child.id() == top.id() {
            out.push(el);
            continue;
        }
        let Some(st) = a.stats.get(&child.id()) else {
            continue;
        };
        // Furniture, link lists and author boxes never join, whatever their score.
        if st.noise || st.link_density() >= 0.5 || AUTHOR_BOX.is_match(&class_and_id(el.value())) {
            continue;
        }
        let bonus = if !top_class.is_empty() && el.value().attr("class") == Some(top_class) {
            top_score * 0.2
        } else {
            0.0
        };
        let s = scores.get(&child.id()).copied().unwrap_or(0.0);
        let joins = if s + bonus >= sibling_threshold {
            true
        } else if st.img > 0
            && st.link_text == 0
            && (20..=500).contains(&st.text)
            && has_caption(&el)
        {
            // A picture with its caption beside the body.
            true
        } else if el.value().name() == "p" {
            let ld = st.link_density();
            let text = meta::element_text(&el);
            (st.text > 80 && ld < 0.25)
                || (st.text > 0
                    && st.text <= 80
                    && ld == 0.0
                    && text.ends_with(['.', '。', '！', '？']))
        } else {
            false
        };
        if joins {
            out.push(el);
        }
    }
    out
}

/// Elements inside the body that Readability's conditional cleaning would remove: link lists,
/// forms, share bars and other blocks with little running text.
fn conditional_skips(
    containers: &[ElementRef<'_>],
    a: &Analysis,
    scores: &HashMap<NodeId, f64>,
) -> HashSet<NodeId> {
    let mut skip = HashSet::new();
    for container in containers {
        for el in container.descendent_elements() {
            if el.id() == container.id() {
                continue;
            }
            let name = el.value().name();
            if !matches!(
                name,
                "div"
                    | "section"
                    | "table"
                    | "ul"
                    | "ol"
                    | "dl"
                    | "form"
                    | "fieldset"
                    | "aside"
                    | "header"
                    | "center"
            ) {
                continue;
            }
            let Some(st) = a.stats.get(&el.id()) else {
                continue;
            };
            if st.noise {
                continue;
            }
            let weight = class_weight(el.value());
            let score = scores.get(&el.id()).copied().unwrap_or(0.0);
            if weight + score < 0.0 {
                skip.insert(el.id());
                continue;
            }
            // Running text keeps a block; numbered link lists ("1、…" … "10、…") are not running
            // text, however many enumeration commas they have.
            if st.punct >= 10 && st.link_density() < 0.5 {
                continue;
            }
            let ld = st.link_density();
            let is_list = matches!(name, "ul" | "ol" | "dl");
            let remove = (st.inputs > 0 && st.inputs * 3 > st.p)
                || (st.img > 1 && ld > 0.5 && st.text < 25 * st.img)
                || (!is_list && weight < 25.0 && ld > 0.2 && st.text - st.link_text < 100)
                || (weight >= 25.0 && ld > 0.5)
                || (is_list && ld > 0.5)
                || (st.embeds > 0 && st.text < 75);
            if remove {
                skip.insert(el.id());
            }
        }
    }
    skip
}

/// Lines of boilerplate inside bodies: copyright, disclaimers, editors, sources, prompts.
const BOILERPLATE_STARTS: &[&str] = &[
    "责任编辑",
    "(责任编辑",
    "（责任编辑",
    "[责任编辑",
    "【责任编辑",
    "责编",
    "编辑：",
    "编辑:",
    "本文来源",
    "文章来源",
    "来源：",
    "来源:",
    "声明：",
    "声明:",
    "免责声明",
    "【免责声明】",
    "版权声明",
    "【版权声明】",
    "原标题：",
    "原标题:",
    "（原标题",
    "(原标题",
    "版权所有",
    "未经授权",
    "转载请注明",
    "本文系",
    "点击进入",
    "点击查看",
    "更多精彩",
    "关注我们",
    "扫描二维码",
    "长按识别",
    "打开APP",
    "举报/反馈",
    "返回搜狐",
    "相关阅读",
    "相关新闻",
    "延伸阅读",
    "推荐阅读",
    "分享到",
    "Copyright",
    "copyright",
    "©",
    "All rights reserved",
    "Share this",
    "Follow us",
    "Sign up for",
    "Advertisement",
    "ADVERTISEMENT",
    "Read more:",
    "Related:",
    "Click here",
];

/// A full date: `2019-09-07`, `2019年9月7日`, `March 13, 2015`, `13 March 2015`, `2/26/2015`.
static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}",
        r"|(?i:\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2})",
        r"|(?i:\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?,?\s+(?:19|20)\d{2})",
        r"|\b\d{1,2}/\d{1,2}/(?:19|20)\d{2}\b",
    ))
    .expect("static regex")
});
static LOGIN_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)登录|登陆|注册|订阅|会员|log ?in|sign ?in|sign up|subscribe|subscription|password",
    )
    .expect("static regex")
});
static BYLINE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"来源|來源|作者|编辑|編輯|记者|發布|发布|时间|浏览|阅读|字号|点击|^By |\bBY\s|Published|Updated|(?i:\b(?:date|created|posted)\b)",
    )
    .expect("static regex")
});

/// A wire credit closing an article: `(FRANCE 24 with AFP, REUTERS)`, `(AP)`.
static WIRE_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[(（].{0,60}\b(?:AFP|Reuters|REUTERS|AP|Associated Press|Bloomberg|dpa|Xinhua)\b.{0,30}[)）]$")
        .expect("static regex")
});

/// Letters and digits only, lower-cased: for finding a piece of the title.
fn alnum_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_boilerplate_line(text: &str, title_key: &str, title_alnum: &str) -> bool {
    let t = text.trim();
    if t.is_empty() {
        return false;
    }
    let len = t.chars().count();
    if !title_key.is_empty() && meta::normalize_for_match(t) == title_key {
        return true;
    }
    // A piece of the title shown as a kicker or deck ("Lupita Nyong'o", "$150K Pearl Oscar
    // Dress ... STOLEN!!!!" under "Lupita Nyong'o's $150K Pearl Oscar Dress -- STOLEN!!!").
    if len <= 80 {
        let key = alnum_key(t);
        let key_len = key.chars().count();
        if key_len >= 10
            && (title_alnum.starts_with(key.as_str())
                || title_alnum.ends_with(key.as_str())
                || 3 * key_len >= title_alnum.chars().count() && title_alnum.contains(key.as_str()))
        {
            return true;
        }
    }
    if WIRE_CREDIT.is_match(t) {
        return true;
    }
    if len <= 150 && BOILERPLATE_STARTS.iter().any(|p| t.starts_with(p)) {
        return true;
    }
    // App and account promotions: "证券时报APP", "微信公众号".
    if len <= 12
        && ["APP", "App", "公众号", "客户端"]
            .iter()
            .any(|e| t.ends_with(e))
    {
        return true;
    }
    // A date-and-source line ("2019-12-02 11:35 来源：新华网"), or a bare date.
    len <= 80 && DATE_LINE.is_match(t) && (BYLINE_WORDS.is_match(t) || len <= 24)
}

/// Weighted text size: a CJK character counts 1, three other characters count 1.
fn text_size(text: &str) -> usize {
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
fn looks_binary(html: &str) -> bool {
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

/// Whether an element is or holds a caption (`<figure>`, `<figcaption>`, `class="…caption…"`).
fn has_caption(el: &ElementRef<'_>) -> bool {
    std::iter::once(*el)
        .chain(el.descendent_elements())
        .any(|d| {
            let v = d.value();
            matches!(v.name(), "figure" | "figcaption")
                || v.attr("class")
                    .is_some_and(|c| c.to_ascii_lowercase().contains("caption"))
        })
}

fn has_h1(el: &ElementRef<'_>) -> bool {
    el.descendent_elements().any(|d| d.value().name() == "h1")
}

/// What the body search found.
struct BodyPick {
    body: Body,
    /// Pre/post positions of the first and last container.
    span: (u32, u32),
    link_density: f64,
    headline_links: u32,
}

fn find_body(doc: &Html, a: &Analysis, base: &Url, title: &str) -> Option<BodyPick> {
    let scores = score(doc, a);
    let containers = pick_containers(doc, a, &scores);
    let first = containers.first()?;
    let last = containers.last()?;
    let span = (
        a.stats.get(&first.id()).map_or(0, |s| s.open),
        a.stats.get(&last.id()).map_or(0, |s| s.close),
    );
    let skips = conditional_skips(&containers, a, &scores);
    let skip_el = |el: &ElementRef<'_>| {
        let id = el.id();
        if skips.contains(&id) || a.stats.get(&id).is_some_and(|s| s.noise) {
            return true;
        }
        let v = el.value();
        // A header holding the title is the title block: its kicker, standfirst, byline and share
        // bar are not body, its lead picture is.
        if el
            .parent()
            .and_then(ElementRef::wrap)
            .is_some_and(|p| p.value().name() == "header" && has_h1(&p))
        {
            return !(matches!(v.name(), "figure" | "img")
                || el
                    .descendent_elements()
                    .any(|d| matches!(d.value().name(), "figure" | "img")));
        }
        match v.name() {
            // The title is not body.
            "h1" => true,
            // Tracking pixels and QR codes (二维码, erweima, ewm) are not the article's images.
            "img" => {
                ["width", "height"].iter().any(|at| {
                    v.attr(at)
                        .and_then(|x| x.trim().trim_end_matches("px").parse::<u32>().ok())
                        .is_some_and(|x| x <= 2)
                }) || ["src", "class", "alt"].iter().any(|at| {
                    v.attr(at).is_some_and(|x| {
                        let x = x.to_ascii_lowercase();
                        x.contains("qrcode")
                            || x.contains("erweima")
                            || x.contains("/ewm")
                            || x.contains("二维码")
                    })
                })
            }
            _ => is_hidden(v),
        }
    };
    let title_key = meta::normalize_for_match(title);
    let title_alnum = alnum_key(title);
    let drop_line = |text: &str| is_boilerplate_line(text, &title_key, &title_alnum);
    let converter = Converter::new(base, &[])
        .skip_elements_where(&skip_el)
        .drop_paragraphs_where(&drop_line);
    let body = converter.convert(&containers);
    let (mut text, mut link_text, mut headline_links) = (0u32, 0u32, 0u32);
    for c in &containers {
        if let Some(st) = a.stats.get(&c.id()) {
            text += st.text;
            link_text += st.link_text;
            headline_links += st.headline_links;
        }
    }
    let link_density = if text == 0 {
        0.0
    } else {
        f64::from(link_text) / f64::from(text)
    };
    Some(BodyPick {
        body,
        span,
        link_density,
        headline_links,
    })
}

/// Where the body finder saw each element, for the metadata pickers.
fn placed(a: &Analysis) -> impl Fn(NodeId) -> Option<meta::Placed> + '_ {
    |id| {
        a.stats.get(&id).map(|s| meta::Placed {
            open: s.open,
            noise: s.noise,
        })
    }
}

fn is_home_path(url: &Url) -> bool {
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

/// Extracts the article of a page on a site without a module. `site` carries the configured
/// zone; `final_url` is where the page came from (links and images resolve against it).
pub fn extract(html: &str, target: &ArticleRef, final_url: &Url, site: &GenericSite) -> Extraction {
    if html.len() > MAX_PAGE_BYTES {
        return Extraction::NotArticle {
            reason: format!(
                "the page is {:.1} MB, more than the {} MB an article page can be",
                html.len() as f64 / 1e6,
                MAX_PAGE_BYTES / (1024 * 1024)
            ),
        };
    }
    if looks_binary(html) {
        return Extraction::NotArticle {
            reason: "binary data, not an HTML page (replacement and control characters)".into(),
        };
    }
    let doc = Html::parse_document(html);
    let meta = meta::collect(&doc);
    let mut analysis = analyse(&doc, true);
    let (title, title_open) = meta::title::pick(&doc, &meta, &placed(&analysis));
    let title_text = title.clone().unwrap_or_default();
    let mut pick = find_body(&doc, &analysis, final_url, &title_text);
    // Readability's retry: names can mislead (a body inside `div.article-header-wrap`).
    if pick
        .as_ref()
        .is_none_or(|p| text_size(&p.body.plain_text) < 150)
    {
        let relaxed = analyse(&doc, false);
        let again = find_body(&doc, &relaxed, final_url, &title_text);
        let better = match (&pick, &again) {
            (None, Some(_)) => true,
            (Some(p), Some(q)) => text_size(&q.body.plain_text) > 2 * text_size(&p.body.plain_text),
            _ => false,
        };
        if better {
            pick = again;
            analysis = relaxed;
        }
    }
    let body_size = pick.as_ref().map_or(0, |p| text_size(&p.body.plain_text));
    let says_article = meta.says_article();

    // ---- Not an article? ----
    if is_home_path(final_url) && !says_article {
        return Extraction::NotArticle {
            reason: format!("a home page ({}), not an article", final_url.path()),
        };
    }
    let page_ld = if analysis.page_text == 0 {
        0.0
    } else {
        f64::from(analysis.page_link_text) / f64::from(analysis.page_text)
    };
    let Some(pick) = pick.filter(|p| p.body.text_blocks > 0 || !p.body.images.is_empty()) else {
        let reason = if meta.has_password_input {
            "a login wall: a password form and no article text".to_owned()
        } else if page_ld > 0.5 {
            format!(
                "a list page: {:.0}% of the page's text is links, and no block of running text",
                page_ld * 100.0
            )
        } else if analysis.page_text < 200 {
            format!(
                "an empty page shell ({} characters of text; it may need JavaScript)",
                analysis.page_text
            )
        } else {
            "no article text on the page".to_owned()
        };
        return Extraction::NotArticle { reason };
    };
    // ---- Bylines and dates near the article ----
    let (body_open, body_close) = pick.span;
    let lines = &analysis.lines;
    let start = title_open.unwrap_or(0);
    let mut near: Vec<&str> = lines
        .iter()
        .filter(|l| l.open > start && l.open < body_open)
        .map(|l| l.text.as_str())
        .collect();
    near.reverse(); // closest to the body first
    if title_open.is_none() {
        near.truncate(15);
    } else {
        let before_title = lines
            .iter()
            .filter(|l| l.open < start)
            .rev()
            .take(3)
            .map(|l| l.text.as_str());
        near.extend(before_title);
    }
    let inside: Vec<&str> = lines
        .iter()
        .filter(|l| l.open >= body_open && l.open <= body_close)
        .take(3)
        .map(|l| l.text.as_str())
        .collect();
    let after: Vec<&str> = lines
        .iter()
        .filter(|l| l.open > body_close)
        .take(6)
        .map(|l| l.text.as_str())
        .collect();

    let place = placed(&analysis);
    let around = meta::Around {
        title_open,
        body_close,
        near: &near,
        inside: &inside,
        after: &after,
    };
    let addresses: Vec<Url> = [final_url.clone()]
        .into_iter()
        .chain(Url::parse(&target.canonical_url))
        .collect();
    let dates = meta::dates::pick(&doc, &meta, &place, &around, &addresses);
    let published = dates.published;
    // A heading that shows the title with a date between it and the body is an article's
    // layout, whatever the share of links around it.
    let near_date = title_open.is_some()
        && near
            .iter()
            .any(|l| DATE_LINE.is_match(l) && meta::dates::parse_time(l).is_some());
    let evidence = says_article || near_date;
    // Portals keep a login box in their header: only a page with little else is a wall.
    if meta.has_password_input
        && body_size < 300
        && (!evidence || LOGIN_WORDS.is_match(&pick.body.plain_text))
    {
        return Extraction::NotArticle {
            reason: format!(
                "a login wall: a password form and only {body_size} characters of text"
            ),
        };
    }
    if !evidence {
        if pick.link_density > 0.5 || pick.headline_links >= 15 && pick.link_density > 0.3 {
            return Extraction::NotArticle {
                reason: format!(
                    "a list page: the main block is {:.0}% link text ({} headline links)",
                    pick.link_density * 100.0,
                    pick.headline_links
                ),
            };
        }
        if page_ld > 0.6 && body_size < 300 {
            return Extraction::NotArticle {
                reason: format!(
                    "a list page: {:.0}% of the page's text is links and the main block is short",
                    page_ld * 100.0
                ),
            };
        }
    }
    let min_size = if evidence { 20 } else { 50 };
    if body_size < min_size {
        return Extraction::NotArticle {
            reason: format!("too little text for an article ({body_size} characters)"),
        };
    }
    let Some(title) = title else {
        return Extraction::NotArticle {
            reason: "the page has a body but no title".into(),
        };
    };

    let Some(published) = published else {
        return Extraction::NotArticle {
            reason: "no publish time in JSON-LD, meta tags, <time> or near the title".into(),
        };
    };

    let author = meta::byline::pick(&doc, &meta, &place, &around);

    let lang_text = format!("{title}\n{}", pick.body.plain_text);
    let declared = meta
        .html_lang
        .as_deref()
        .or(meta.ld.in_language.as_deref())
        .or_else(|| meta.get(&["content-language", "og:locale", "language"]));
    let lang = meta::lang::language(declared, &lang_text);

    let host = final_url.host_str().unwrap_or("");
    let zone = site
        .utc_offset
        .or(dates.page_offset)
        .or_else(|| is_chinese_site(host, &lang).then(beijing));

    let cover = [
        meta.get(&["og:image", "og:image:url", "og:image:secure_url"]),
        meta.get(&["twitter:image", "twitter:image:src"]),
        meta.ld.image.as_deref(),
    ]
    .into_iter()
    .flatten()
    .find_map(|c| meta::absolute(final_url, c));
    let canonical = [
        meta.canonical.as_deref(),
        meta.get(&["og:url"]),
        meta.ld.url.as_deref(),
    ]
    .into_iter()
    .flatten()
    .find_map(|c| meta::absolute(final_url, c));

    Extraction::Article(Article {
        title,
        published: published.render(zone),
        author,
        cover,
        lang,
        canonical,
        body: pick.body,
    })
}

/// The page's own http(s) link (`<link rel="canonical">`, `og:url`, JSON-LD `url`), for saved
/// pages whose address is not given.
pub fn page_link(html: &str) -> Option<String> {
    if html.len() > MAX_PAGE_BYTES {
        return None;
    }
    let doc = Html::parse_document(html);
    let meta = meta::collect(&doc);
    [
        meta.canonical.as_deref(),
        meta.get(&["og:url"]),
        meta.ld.url.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .find(|l| l.starts_with("http://") || l.starts_with("https://"))
    .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SitesConfig;

    fn run(html: &str, url: &str) -> Extraction {
        let target = crate::sites::resolve(url, &SitesConfig::default()).unwrap();
        let crate::sites::Site::Generic(site) = &target.site else {
            panic!()
        };
        extract(html, &target, &Url::parse(url).unwrap(), site)
    }

    fn article(html: &str, url: &str) -> Article {
        match run(html, url) {
            Extraction::Article(a) => a,
            other => panic!("expected an article, got {other:?}"),
        }
    }

    const PARA: &str =
        "这是一段足够长的正文，用来检验通用抽取器能否找到文章的主体内容，而不是导航或者推荐列表。";

    #[test]
    fn chinese_portal_page() {
        let body: String = (0..6).map(|i| format!("<p>{PARA}第{i}段。</p>")).collect();
        let html = format!(
            "<html><head><title>测试标题_某某新闻</title></head><body>\
             <div class=\"nav\"><a href=\"/\">首页</a><a href=\"/a\">国内</a><a href=\"/b\">国际</a></div>\
             <h1>测试标题</h1><div class=\"info\">2019-12-02 11:35:08 来源：新华网 作者：张三</div>\
             <div id=\"endText\">{body}<p>责任编辑：李四_NF</p>\
             <ul class=\"list\"><li><a href=\"/x\">相关新闻一：这里是一个很长的链接标题</a></li><li><a href=\"/y\">相关新闻二：这里是另一个很长的链接标题</a></li></ul></div>\
             <div class=\"footer\">Copyright © 2019 某某新闻 版权所有</div></body></html>"
        );
        let a = article(
            &html,
            "https://news.example.cn/19/1202/11/ABCDEF123456.html",
        );
        assert_eq!(a.title, "测试标题");
        assert_eq!(a.published, "2019-12-02 11:35:08");
        assert_eq!(a.author.as_deref(), Some("张三"));
        assert_eq!(a.lang, "zh-CN");
        assert_eq!(a.body.text_blocks, 6, "{}", a.body.markdown);
        assert!(!a.body.markdown.contains("责任编辑"), "{}", a.body.markdown);
        assert!(!a.body.markdown.contains("相关新闻"), "{}", a.body.markdown);
        assert!(!a.body.markdown.contains("首页"));
    }

    #[test]
    fn english_page_with_json_ld() {
        let paras: String = (0..5)
            .map(|i| format!("<p>This is paragraph {i} of a long story, with commas, clauses, and enough words to count as running text.</p>"))
            .collect();
        let html = format!(
            r#"<html lang="en-GB"><head><title>A story - Example News</title>
            <meta property="og:site_name" content="Example News">
            <meta property="og:image" content="/img/cover.jpg">
            <link rel="canonical" href="https://www.example.co.uk/news/a-story-123456">
            <script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"A story","datePublished":"2015-07-24T05:36:09+01:00","author":{{"@type":"Person","name":"Jane Doe"}}}}</script>
            </head><body><header><nav><a href="/">Home</a></nav></header>
            <article><h1>A story</h1><div class="story-body">{paras}<figure><img src="/p.jpg" alt="A picture"><figcaption>The caption</figcaption></figure>
            <h2>A subheading</h2><ul><li>First point, in words</li><li>Second point, in words</li></ul>
            <div class="share-tools"><a href="https://twitter.com/x">Share on Twitter</a></div></div></article>
            <aside>Most read</aside><footer>© Example</footer></body></html>"#
        );
        let a = article(
            &html,
            "https://www.example.co.uk/news/a-story-123456?utm_source=feed",
        );
        assert_eq!(a.title, "A story");
        assert_eq!(a.published, "2015-07-24 05:36:09");
        assert_eq!(a.author.as_deref(), Some("Jane Doe"));
        assert_eq!(a.lang, "en");
        assert_eq!(
            a.cover.as_deref(),
            Some("https://www.example.co.uk/img/cover.jpg")
        );
        assert_eq!(
            a.canonical.as_deref(),
            Some("https://www.example.co.uk/news/a-story-123456")
        );
        let md = &a.body.markdown;
        assert!(
            md.contains("![A picture](https://www.example.co.uk/p.jpg)\n\nThe caption"),
            "{md}"
        );
        assert!(md.contains("A subheading\n---"), "{md}");
        assert!(md.contains("* First point, in words"), "{md}");
        assert!(
            !md.contains("Share on Twitter") && !md.contains("Most read"),
            "{md}"
        );
    }

    #[test]
    fn english_page_without_metadata() {
        let paras: String = (0..5)
            .map(|i| format!("<p>This is paragraph {i} of a long story, with commas, clauses, and enough words to count as running text.</p>"))
            .collect();
        // A time shown without its year, the day in the address; the sidebar's live-news times
        // are not the article's; the deck repeats the end of the title; a bio box and a wire
        // credit close the article.
        let html = format!(
            r#"<html lang="en"><head><title>Lupita Nyong'o's Pearl Oscar Dress Stolen - Example</title></head><body>
            <div class="col-1 highfooter"><article><header><h1>Lupita Nyong'o's Pearl Oscar Dress Stolen</h1>
            <p class="byline"><a rel="author" href="/a">Jane Doe</a> - March 18 at 12:22 PM</p></header>
            <div class="body"><h4>Pearl Oscar Dress Stolen</h4>{paras}<p>(Example with AFP, REUTERS)</p></div></article>
            <div class="author-bio">Jane Doe covers the courts. Since joining us, she has covered crime, money, and more.</div></div>
            <aside><time datetime="2015-03-19T10:25:21+02:00">10:25</time> Live news</aside></body></html>"#
        );
        let a = article(
            &html,
            "https://www.example.com/2015/03/18/pearl-dress-stolen/",
        );
        assert_eq!(a.published, "2015-03-18 12:22:00");
        assert_eq!(a.author.as_deref(), Some("Jane Doe"));
        let md = &a.body.markdown;
        assert!(md.starts_with("This is paragraph 0"), "{md}");
        assert!(
            !md.contains("Pearl Oscar") && !md.contains("REUTERS") && !md.contains("covers"),
            "{md}"
        );
        assert!(a.body.plain_text.contains("text. This is paragraph 1"));
    }

    #[test]
    fn numbered_link_lists_are_not_running_text() {
        let body: String = (0..6).map(|i| format!("<p>{PARA}第{i}段。</p>")).collect();
        let list: String = (1..=10)
            .map(|i| format!("<li>{i}、<a href=\"/n{i}\">这是第{i}条时报观察的标题</a></li>"))
            .collect();
        let html = format!(
            "<html><head><title>测试标题</title></head><body><div class=\"content\">\
             <div class=\"box_left\"><h2>测试标题</h2><div class=\"info\">2019-09-26 12:11</div>\
             <div class=\"txt\">{body}</div></div>\
             <div class=\"box_maj\"><div class=\"title\">时报观察</div><ul class=\"list\">{list}</ul></div>\
             </div></body></html>"
        );
        let a = article(
            &html,
            "https://company.example.cn/gsxw/201909/t20190926_1234567.html",
        );
        assert!(!a.body.markdown.contains("时报观察"), "{}", a.body.markdown);
    }

    #[test]
    fn not_articles() {
        let links: String = (0..40)
            .map(|i| format!("<li><a href=\"/news/{i}.html\">第{i}条新闻的标题在这里，足够长</a><span>2019-12-02</span></li>"))
            .collect();
        let list = format!(
            "<html><head><title>国内新闻_列表</title></head><body><ul>{links}</ul></body></html>"
        );
        let r = run(&list, "https://news.example.cn/china/list_2.html");
        assert!(
            matches!(&r, Extraction::NotArticle { reason } if reason.contains("list page")),
            "{r:?}"
        );
        let r = run(&list, "https://news.example.cn/");
        assert!(
            matches!(&r, Extraction::NotArticle { reason } if reason.contains("home page")),
            "{r:?}"
        );
        let shell = "<html><head><title>App</title></head><body><div id=\"app\"></div><script>boot()</script></body></html>";
        let r = run(shell, "https://example.com/a/123456");
        assert!(
            matches!(&r, Extraction::NotArticle { reason } if reason.contains("empty page shell")),
            "{r:?}"
        );
        let login = "<html><head><title>Sign in</title></head><body><form><p>Please sign in to continue reading this article.</p>\
                     <input name=u><input type=password name=p><button>Sign in</button></form></body></html>";
        let r = run(login, "https://example.com/a/123456");
        assert!(
            matches!(&r, Extraction::NotArticle { reason } if reason.contains("login wall")),
            "{r:?}"
        );
    }
}
