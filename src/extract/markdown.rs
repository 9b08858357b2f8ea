//! Article body HTML → the archive format's Markdown, and the body's plain text.
//!
//! Hand-written over scraper's DOM rather than a general HTML-to-Markdown crate because the
//! archive format fixes the output to match the files existing archives already hold (written by
//! Python's markdownify): setext `h1`/`h2`, `**bold**`, `*` bullets, `  \n` line breaks, images as
//! paragraphs of their own with `data-src` preferred, and escaping of only what Markdown would
//! read as syntax. Sites pass selectors for their page furniture, which leaves no trace.

use scraper::{ElementRef, Node, Selector};
use url::Url;

/// Nesting deeper than this is flattened to its text: hostile pages nest thousands deep.
const MAX_DEPTH: usize = 200;

/// The converted body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    /// Markdown, blocks separated by one blank line, no leading or trailing whitespace.
    pub markdown: String,
    /// The text a reader sees: blocks joined with nothing between them, or a space between
    /// blocks of words. The summary is cut from it unless the site has its own source.
    pub plain_text: String,
    /// The text the summary is cut from when the site's rule differs from `plain_text`
    /// (Tencent News: the served body HTML with its tags removed, as existing archives have it).
    pub summary_text: Option<String>,
    /// The same text one block per paragraph, blocks separated by a blank line (for
    /// `extract --json`, whose readers compare paragraphs).
    pub text: String,
    /// Absolute image URLs in document order.
    pub images: Vec<String>,
    /// Number of text blocks (paragraphs, headings, list items, ...), images not counted.
    pub text_blocks: usize,
}

/// Converts body containers to Markdown, skipping elements matched by `skip`.
pub struct Converter<'s> {
    base: &'s Url,
    skip: &'s [Selector],
    /// Paragraphs starting with one of these are boilerplate, not body.
    dropped_prefixes: &'s [&'s str],
    /// Further elements to skip, decided by the caller (the generic extractor's noise rules).
    skip_if: Option<&'s dyn Fn(&ElementRef<'_>) -> bool>,
    /// Further paragraphs to drop, by their plain text.
    drop_if: Option<&'s dyn Fn(&str) -> bool>,
}

#[derive(Debug, Clone)]
enum Inline {
    Text(String),
    Strong(Vec<Inline>),
    Emphasis(Vec<Inline>),
    Code(String),
    Link {
        href: String,
        children: Vec<Inline>,
    },
    /// Wrapper-only markup (spans, fonts, unknown inline tags): only its children count.
    Span(Vec<Inline>),
    Image {
        alt: String,
        src: String,
    },
    LineBreak,
}

#[derive(Debug, Clone)]
enum Block {
    Paragraph(Vec<Inline>),
    Heading(u8, Vec<Inline>),
    Image {
        alt: String,
        src: String,
    },
    Quote(Vec<Block>),
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    Table(Vec<Vec<Vec<Inline>>>),
    Code(String),
    Rule,
}

/// Elements whose content is never article text.
fn is_dropped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "iframe"
            | "object"
            | "embed"
            | "video"
            | "audio"
            | "source"
            | "track"
            | "canvas"
            | "svg"
            | "math"
            | "button"
            | "form"
            | "input"
            | "select"
            | "textarea"
            | "nav"
            | "head"
            | "title"
            | "meta"
            | "link"
            | "base"
            | "map"
            | "area"
            | "dialog"
    )
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "header"
            | "footer"
            | "aside"
            | "figure"
            | "figcaption"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "pre"
            | "hr"
            | "center"
            | "address"
            | "details"
            | "summary"
            | "body"
            | "html"
    )
}

/// Image captions render as plain paragraphs, even when the page marks them up as italics.
fn is_caption(el: &ElementRef<'_>) -> bool {
    el.value().classes().any(|c| {
        matches!(
            c,
            "desc" | "img-desc" | "image_desc" | "imageDes" | "content-pic-desc" | "pic-desc"
        )
    })
}

/// Collects blocks, with the paragraph being built.
#[derive(Default)]
struct BlockSink {
    blocks: Vec<Block>,
    inline: Vec<Inline>,
}

impl BlockSink {
    /// Adds an inline to the paragraph being built. A second line break in a row (`<br><br>`:
    /// a blank line on the page, how older pages part their paragraphs) ends the paragraph
    /// instead, and a line break that would open one shows nothing.
    fn push(&mut self, inline: Inline) {
        if matches!(inline, Inline::LineBreak) {
            match self.inline.iter().rposition(|i| !is_blank_text(i)) {
                None => return,
                Some(at) if matches!(self.inline[at], Inline::LineBreak) => {
                    self.inline.truncate(at);
                    self.flush();
                    return;
                }
                Some(_) => {}
            }
        }
        self.inline.push(inline);
    }

    fn flush(&mut self) {
        if self.inline.is_empty() {
            return;
        }
        let inlines = std::mem::take(&mut self.inline);
        push_paragraph(&mut self.blocks, inlines);
    }

    fn finish(mut self) -> Vec<Block> {
        self.flush();
        self.blocks
    }
}

/// Drops the short headings that end a body: a heading with nothing after it introduced a box
/// the cleaning removed (`Related stories`, `Empfohlen für dich`, `Weitere Tourentipps`); it
/// heads no text of the article. Only after a body of a few blocks (a body of headings stays
/// whole), and not a sentence set as a heading (`… Es stützt seine Version.`).
fn drop_trailing_headings(blocks: &mut Vec<Block>) {
    const MIN_BLOCKS_LEFT: usize = 3;
    while blocks.last().is_some_and(is_short_heading) {
        let others = blocks
            .iter()
            .filter(|b| !matches!(b, Block::Heading(..) | Block::Image { .. } | Block::Rule))
            .count();
        if others < MIN_BLOCKS_LEFT {
            break;
        }
        blocks.pop();
    }
}

/// Characters of text (not blanks) in `inlines`, of those inside links, and whether the text
/// outside links holds a colon (a label: `此前报道：`, `Mehr dazu:`).
fn text_and_link_chars(inlines: &[Inline], in_link: bool, acc: &mut (usize, usize, bool)) {
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) => {
                let n = t.chars().filter(|c| !c.is_whitespace()).count();
                acc.0 += n;
                if in_link {
                    acc.1 += n;
                } else if t.contains([':', '：']) {
                    acc.2 = true;
                }
            }
            Inline::Strong(c) | Inline::Emphasis(c) | Inline::Span(c) => {
                text_and_link_chars(c, in_link, acc)
            }
            Inline::Link { children, .. } => text_and_link_chars(children, true, acc),
            Inline::LineBreak | Inline::Image { .. } => {}
        }
    }
}

/// A short paragraph that is one link (`<p><a href=…>Another story on the site</a></p>`): a
/// pointer to another page, not a sentence of the article. A link the article labels as its
/// own reference (`此前报道：<a>…</a>`, `Die Studie: <a>…</a>`) is the article's.
fn is_pointer_paragraph(block: &Block) -> bool {
    const MAX_CHARS: usize = 100;
    let Block::Paragraph(inlines) = block else {
        return false;
    };
    let mut acc = (0, 0, false);
    text_and_link_chars(inlines, false, &mut acc);
    let (text, link, labelled) = acc;
    !labelled && text > 0 && text < MAX_CHARS && 5 * link >= 4 * text
}

/// A pointer paragraph, or a list of nothing but pointers (`<ul><li><a>Another story</a></li>
/// …</ul>`, nested lists too).
fn is_pointer(block: &Block) -> bool {
    match block {
        Block::List { items, .. } => !items.is_empty() && items.iter().flatten().all(is_pointer),
        _ => is_pointer_paragraph(block),
    }
}

/// Drops the pointers to other pages that a body ends on: link-only paragraphs and lists of
/// them ([`is_pointer`]) after its last paragraph of text (`Bilder des Treffens`, `Zur
/// Diskussion im Forum`), with the short headings over them (`Weiterlesen:`); the images among
/// them stay. Pointers between paragraphs of text stay: there they are the article's own links
/// (`Hier geht's zur Veranstaltung`). Only after a body of a few blocks of text.
fn drop_trailing_pointers(blocks: &mut Vec<Block>) {
    const MIN_BLOCKS_LEFT: usize = 3;
    let is_frame = |b: &Block| matches!(b, Block::Image { .. } | Block::Rule);
    let is_text = |b: &Block| !is_frame(b) && !is_pointer(b);
    let tail_start = blocks
        .iter()
        .rposition(|b| is_text(b) && !is_short_heading(b))
        .map_or(0, |i| i + 1);
    let text_blocks = blocks[..tail_start]
        .iter()
        .filter(|b| is_text(b) && !matches!(b, Block::Heading(..)))
        .count();
    if text_blocks >= MIN_BLOCKS_LEFT && blocks[tail_start..].iter().any(is_pointer) {
        let tail = blocks.split_off(tail_start);
        blocks.extend(tail.into_iter().filter(is_frame));
    }
}

/// Drops a box of teasers that a body ends on: a heading that is one link (the box's name,
/// `#### [观察员](…/member)`, `### [Mehr aus dem Ressort](…)`) followed by nothing but pictures
/// and short paragraphs that each hold a link (a teaser's title and its column's link). Only
/// after a body of a few blocks of text, and only when such teasers follow.
fn drop_trailing_teaser_box(blocks: &mut Vec<Block>) {
    const MIN_BLOCKS_LEFT: usize = 3;
    const MAX_TEASER_CHARS: usize = 120;
    let is_linked_heading = |b: &Block| match b {
        Block::Heading(_, inlines) => {
            let shown: Vec<&Inline> = inlines
                .iter()
                .filter(|i| !is_blank(std::slice::from_ref(*i)))
                .collect();
            matches!(shown.as_slice(), [Inline::Link { .. }])
        }
        _ => false,
    };
    let is_teaser = |b: &Block| {
        let Block::Paragraph(inlines) = b else {
            return false;
        };
        let mut acc = (0, 0, false);
        text_and_link_chars(inlines, false, &mut acc);
        let (text, link, _) = acc;
        link > 0 && text <= MAX_TEASER_CHARS
    };
    let Some(at) = blocks.iter().rposition(is_linked_heading) else {
        return;
    };
    let tail = &blocks[at + 1..];
    let text_before = blocks[..at]
        .iter()
        .filter(|b| matches!(b, Block::Paragraph(_)))
        .count();
    if text_before >= MIN_BLOCKS_LEFT
        && tail.iter().any(is_teaser)
        && tail
            .iter()
            .all(|b| is_teaser(b) || matches!(b, Block::Image { .. }))
    {
        blocks.truncate(at);
    }
}

/// Drops a link marked with an arrow (`返回腾讯网首页>>`, `Zur Startseite »`) that closes the
/// body's last paragraph after a finished sentence: it leads off the page, it is navigation
/// and not the article's words.
fn drop_closing_arrow_link(blocks: &mut [Block]) {
    let Some(Block::Paragraph(inlines)) = blocks.last_mut() else {
        return;
    };
    let Some(last) = inlines
        .iter()
        .rposition(|i| !is_blank(std::slice::from_ref(i)))
    else {
        return;
    };
    let Inline::Link { children, .. } = &inlines[last] else {
        return;
    };
    let (mut label, mut before) = (String::new(), String::new());
    plain_inlines(children, &mut label);
    plain_inlines(&inlines[..last], &mut before);
    let points_on = label.trim_end().ends_with(['>', '»', '→', '›']);
    let after_sentence = before
        .trim_end()
        .ends_with(['。', '！', '？', '.', '!', '?', '”', '"', '）', ')']);
    if points_on && after_sentence {
        inlines.truncate(last);
    }
}

/// A heading of a few words that introduces what follows (`Weiterlesen:`, `Related stories`),
/// not a sentence set as a heading (`… Es stützt seine Version.`).
fn is_short_heading(block: &Block) -> bool {
    const MAX_CHARS: usize = 80;
    let Block::Heading(_, inlines) = block else {
        return false;
    };
    let mut text = String::new();
    plain_inlines(inlines, &mut text);
    let text = text.trim_matches(is_ascii_ws);
    text.chars().count() <= MAX_CHARS && !text.ends_with('.')
}

/// Adds a paragraph, lifting images out so each stands as a paragraph of its own.
fn push_paragraph(blocks: &mut Vec<Block>, inlines: Vec<Inline>) {
    for segment in split_images(inlines) {
        match segment {
            Segment::Inlines(run) => {
                if !is_blank(&run) {
                    blocks.push(Block::Paragraph(run));
                }
            }
            Segment::Image { alt, src } => blocks.push(Block::Image { alt, src }),
        }
    }
}

enum Segment {
    Inlines(Vec<Inline>),
    Image { alt: String, src: String },
}

/// Splits an inline run at its images, keeping formatting around them on both sides.
fn split_images(inlines: Vec<Inline>) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for inline in inlines {
        match inline {
            Inline::Image { alt, src } => {
                out.push(Segment::Inlines(std::mem::take(&mut current)));
                out.push(Segment::Image { alt, src });
            }
            Inline::Strong(children) if contains_image(&children) => {
                rewrap(&mut out, &mut current, children, Inline::Strong)
            }
            Inline::Emphasis(children) if contains_image(&children) => {
                rewrap(&mut out, &mut current, children, Inline::Emphasis)
            }
            Inline::Span(children) if contains_image(&children) => {
                rewrap(&mut out, &mut current, children, Inline::Span)
            }
            Inline::Link { href, children } if contains_image(&children) => {
                rewrap(&mut out, &mut current, children, |c| Inline::Link {
                    href: href.clone(),
                    children: c,
                })
            }
            other => current.push(other),
        }
    }
    out.push(Segment::Inlines(current));
    out
}

fn rewrap(
    out: &mut Vec<Segment>,
    current: &mut Vec<Inline>,
    children: Vec<Inline>,
    wrap: impl Fn(Vec<Inline>) -> Inline,
) {
    let mut parts = split_images(children).into_iter().peekable();
    while let Some(part) = parts.next() {
        match part {
            Segment::Inlines(run) => {
                if !run.is_empty() {
                    current.push(wrap(run));
                }
                if parts.peek().is_some() {
                    out.push(Segment::Inlines(std::mem::take(current)));
                }
            }
            image @ Segment::Image { .. } => out.push(image),
        }
    }
}

fn contains_image(inlines: &[Inline]) -> bool {
    inlines.iter().any(|i| match i {
        Inline::Image { .. } => true,
        Inline::Strong(c)
        | Inline::Emphasis(c)
        | Inline::Span(c)
        | Inline::Link { children: c, .. } => contains_image(c),
        _ => false,
    })
}

/// Whether `inline` is text of blanks only.
fn is_blank_text(inline: &Inline) -> bool {
    matches!(inline, Inline::Text(t) if t.trim_matches(is_ascii_ws).is_empty())
}

/// Whether two `<br>` children of `el` stand in a row (only blanks between them).
fn parts_paragraphs(el: &ElementRef<'_>) -> bool {
    let mut after_break = false;
    for child in el.children() {
        match child.value() {
            Node::Element(e) if e.name() == "br" => {
                if after_break {
                    return true;
                }
                after_break = true;
            }
            Node::Text(t) if t.trim_matches(is_ascii_ws).is_empty() => {}
            Node::Comment(_) => {}
            _ => after_break = false,
        }
    }
    false
}

/// Whether a run shows nothing: a paragraph of no-break or ideographic spaces alone (a
/// spacer, `<p>&nbsp;</p>`) is blank, though such spaces inside text are kept.
fn is_blank(inlines: &[Inline]) -> bool {
    inlines.iter().all(|i| match i {
        Inline::Text(t) => t.chars().all(char::is_whitespace),
        Inline::LineBreak => true,
        Inline::Strong(c) | Inline::Emphasis(c) | Inline::Span(c) => is_blank(c),
        Inline::Link { children, .. } => is_blank(children),
        Inline::Code(c) => c.is_empty(),
        Inline::Image { .. } => false,
    })
}

fn is_ascii_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

/// Collapses runs of ASCII whitespace to one space, as a browser shows text. Other spaces
/// (the ideographic U+3000 used for indentation, no-break spaces) are text and stay.
fn collapse_ws(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_ws = false;
    for c in text.chars() {
        if is_ascii_ws(c) {
            if !in_ws {
                out.push(' ');
            }
            in_ws = true;
        } else {
            out.push(c);
            in_ws = false;
        }
    }
    out
}

impl<'s> Converter<'s> {
    pub fn new(base: &'s Url, skip: &'s [Selector]) -> Self {
        Self {
            base,
            skip,
            dropped_prefixes: &[],
            skip_if: None,
            drop_if: None,
        }
    }

    /// Also skips the elements for which `skip` says so.
    pub fn skip_elements_where(mut self, skip: &'s dyn Fn(&ElementRef<'_>) -> bool) -> Self {
        self.skip_if = Some(skip);
        self
    }

    /// Also drops paragraphs and headings whose plain text `drop` rejects.
    pub fn drop_paragraphs_where(mut self, drop: &'s dyn Fn(&str) -> bool) -> Self {
        self.drop_if = Some(drop);
        self
    }

    /// Drops paragraphs whose text starts with one of `prefixes` (disclaimers and the like).
    pub fn drop_paragraphs_starting_with(mut self, prefixes: &'s [&'s str]) -> Self {
        self.dropped_prefixes = prefixes;
        self
    }

    /// Converts the children of each container, in order, as one body.
    pub fn convert(&self, containers: &[ElementRef<'_>]) -> Body {
        let mut sink = BlockSink::default();
        for container in containers {
            self.children_blocks(*container, &mut sink, 0);
            sink.flush();
        }
        let mut blocks = sink.finish();
        if !self.dropped_prefixes.is_empty() || self.drop_if.is_some() {
            blocks.retain(|b| !self.is_boilerplate(b));
        }
        if self.drop_if.is_some() {
            drop_trailing_teaser_box(&mut blocks);
            drop_trailing_pointers(&mut blocks);
            drop_closing_arrow_link(&mut blocks);
            drop_trailing_headings(&mut blocks);
        }
        render_body(&blocks)
    }

    fn is_boilerplate(&self, block: &Block) -> bool {
        let inlines = match block {
            Block::Paragraph(inlines) => inlines,
            Block::Heading(_, inlines) if self.drop_if.is_some() => inlines,
            // A quote of nothing but boilerplate is boilerplate: a pointer to another story set
            // off as a quote (`<blockquote>PUEDES VER: …</blockquote>`).
            Block::Quote(blocks) if self.drop_if.is_some() => {
                return !blocks.is_empty() && blocks.iter().all(|b| self.is_boilerplate(b));
            }
            _ => return false,
        };
        let mut text = String::new();
        plain_inlines(inlines, &mut text);
        let text = text.trim_matches(is_ascii_ws);
        self.dropped_prefixes.iter().any(|p| text.starts_with(p))
            || self.drop_if.is_some_and(|drop| drop(text))
    }

    fn skipped(&self, el: &ElementRef<'_>) -> bool {
        is_dropped(el.value().name())
            || super::attr(el.value(), "hidden").is_some()
            || self.skip.iter().any(|s| s.matches(el))
            || self.skip_if.is_some_and(|skip| skip(el))
    }

    fn children_blocks(&self, el: ElementRef<'_>, sink: &mut BlockSink, depth: usize) {
        for child in el.children() {
            match child.value() {
                Node::Text(text) => sink.push(Inline::Text(collapse_ws(text))),
                Node::Element(_) => {
                    if let Some(child_el) = ElementRef::wrap(child) {
                        self.element_block(child_el, sink, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }

    fn element_block(&self, el: ElementRef<'_>, sink: &mut BlockSink, depth: usize) {
        if self.skipped(&el) {
            return;
        }
        let name = el.value().name();
        if depth > MAX_DEPTH {
            sink.push(Inline::Text(collapse_ws(&el.text().collect::<String>())));
            return;
        }
        if matches!(name, "tbody" | "thead" | "tfoot" | "tr" | "td" | "th") {
            // Parts of a table reached outside it: the container is a layout table's row (a
            // forum post's row, an old portal's story cell beside its sidebar). Each cell is a
            // frame of blocks, as in a one-column layout table, not one run of inline text.
            sink.flush();
            self.children_blocks(el, sink, depth);
            sink.flush();
            return;
        }
        if !is_block(name) && !is_caption(&el) {
            if matches!(name, "font" | "span") && parts_paragraphs(&el) {
                // A plain wrapper around paragraphs parted by `<br><br>` (`<font size=3>` of
                // an old portal's story) is no inline: its paragraphs stay paragraphs.
                self.children_blocks(el, sink, depth);
            } else if let Some(inline) = self.inline(el, depth) {
                sink.push(inline);
            }
            return;
        }
        sink.flush();
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = name.as_bytes()[1] - b'0';
                let inlines = self.inlines(el, depth);
                // A heading that only wraps an image is an image.
                let mut blocks = Vec::new();
                push_paragraph(&mut blocks, inlines);
                for block in blocks {
                    sink.blocks.push(match block {
                        Block::Paragraph(run) => Block::Heading(level, run),
                        other => other,
                    });
                }
            }
            "blockquote" => {
                let mut inner = BlockSink::default();
                self.children_blocks(el, &mut inner, depth);
                let blocks = inner.finish();
                if !blocks.is_empty() {
                    sink.blocks.push(Block::Quote(blocks));
                }
            }
            "ul" | "ol" => {
                let mut items = Vec::new();
                let mut stray = BlockSink::default();
                for child in el.child_elements() {
                    if child.value().name() == "li" && !self.skipped(&child) {
                        let mut item = BlockSink::default();
                        self.children_blocks(child, &mut item, depth + 1);
                        let blocks = item.finish();
                        if !blocks.is_empty() {
                            items.push(blocks);
                        }
                    } else {
                        self.element_block(child, &mut stray, depth + 1);
                    }
                }
                let start = el
                    .value()
                    .attr("start")
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(1);
                if !items.is_empty() {
                    sink.blocks.push(Block::List {
                        ordered: name == "ol",
                        start,
                        items,
                    });
                }
                sink.blocks.extend(stray.finish());
            }
            "table" => self.table(el, sink, depth),
            "pre" => {
                let text: String = el.text().collect();
                let text = text.trim_matches('\n').to_owned();
                if !text.trim().is_empty() {
                    sink.blocks.push(Block::Code(text));
                }
            }
            "hr" => sink.blocks.push(Block::Rule),
            _ => self.children_blocks(el, sink, depth),
        }
        sink.flush();
    }

    fn table(&self, el: ElementRef<'_>, sink: &mut BlockSink, depth: usize) {
        let mut rows = Vec::new();
        for row in el
            .descendent_elements()
            .filter(|e| e.value().name() == "tr")
        {
            let cells: Vec<Vec<Inline>> = row
                .child_elements()
                .filter(|c| matches!(c.value().name(), "td" | "th"))
                .map(|c| self.inlines(c, depth))
                .collect();
            if !cells.is_empty() {
                rows.push(cells);
            }
        }
        // A one-column layout table is only a frame: its cells are ordinary blocks.
        if rows.iter().all(|r| r.len() == 1) {
            for row in el
                .descendent_elements()
                .filter(|e| e.value().name() == "tr")
            {
                for cell in row
                    .child_elements()
                    .filter(|c| matches!(c.value().name(), "td" | "th"))
                {
                    self.children_blocks(cell, sink, depth + 1);
                    sink.flush();
                }
            }
            return;
        }
        if !rows.is_empty() {
            sink.blocks.push(Block::Table(rows));
        }
    }

    /// The inline content of an element, block children flattened into it.
    fn inlines(&self, el: ElementRef<'_>, depth: usize) -> Vec<Inline> {
        let mut out = Vec::new();
        for child in el.children() {
            match child.value() {
                Node::Text(text) => out.push(Inline::Text(collapse_ws(text))),
                Node::Element(_) => {
                    if let Some(child_el) = ElementRef::wrap(child) {
                        if self.skipped(&child_el) {
                            continue;
                        }
                        if depth > MAX_DEPTH {
                            out.push(Inline::Text(collapse_ws(
                                &child_el.text().collect::<String>(),
                            )));
                        } else if is_block(child_el.value().name()) {
                            out.push(Inline::Text(" ".into()));
                            out.extend(self.inlines(child_el, depth + 1));
                            out.push(Inline::Text(" ".into()));
                        } else if let Some(inline) = self.inline(child_el, depth + 1) {
                            out.push(inline);
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn inline(&self, el: ElementRef<'_>, depth: usize) -> Option<Inline> {
        let name = el.value().name();
        let class_strong = el.value().classes().any(|c| c == "qnt-strong");
        Some(match name {
            "br" => Inline::LineBreak,
            "img" => {
                if is_in_logo(&el) {
                    return None;
                }
                let src = self.image_src(el)?;
                let alt = collapse_ws(el.value().attr("alt").unwrap_or(""))
                    .trim()
                    .to_owned();
                Inline::Image { alt, src }
            }
            "strong" | "b" => Inline::Strong(self.inlines(el, depth)),
            _ if class_strong => Inline::Strong(self.inlines(el, depth)),
            "em" | "i" | "cite" | "dfn" => Inline::Emphasis(self.inlines(el, depth)),
            "code" | "kbd" | "samp" | "tt" => Inline::Code(el.text().collect()),
            "a" => {
                let children = self.inlines(el, depth);
                match el.value().attr("href").and_then(|h| self.link_target(h)) {
                    Some(href) => Inline::Link { href, children },
                    None => Inline::Span(children),
                }
            }
            _ => Inline::Span(self.inlines(el, depth)),
        })
    }

    fn image_src(&self, el: ElementRef<'_>) -> Option<String> {
        let attrs = ["data-src", "src", "data-original", "data-lazy-src"];
        let raw = attrs
            .iter()
            .filter_map(|a| el.value().attr(a))
            .map(str::trim)
            .find(|v| !v.is_empty() && !v.starts_with("data:"))?;
        resolve(self.base, raw)
            .filter(|src| !is_layout_image(src))
            .map(String::from)
    }

    fn link_target(&self, href: &str) -> Option<String> {
        let href = href.trim();
        if href.is_empty() || href.starts_with('#') {
            return None;
        }
        absolute_url(self.base, href)
    }
}

/// Whether an image is a logo: the image, or one of the two elements around it, is named so
/// (`<span class="ifengLogo"><a><img></a></span>` after the last paragraph, a partner's
/// `img.logo`), and the page does not declare it a picture's width (SPIP names the article's
/// own illustrations `spip_logos`, 890 pixels wide).
fn is_in_logo(img: &ElementRef<'_>) -> bool {
    const PICTURE_WIDTH: u32 = 200;
    let declared_wide =
        crate::extract::declared_pixels(img.value(), "width").is_some_and(|w| w >= PICTURE_WIDTH);
    if declared_wide {
        return false;
    }
    let named_logo = |el: &ElementRef<'_>| {
        [el.value().attr("class"), el.value().id()]
            .into_iter()
            .flatten()
            .any(|v| crate::extract::contains_ignoring_ascii_case(v, "logo"))
    };
    std::iter::successors(Some(*img), |el| el.parent().and_then(ElementRef::wrap))
        .take(3)
        .any(|el| named_logo(&el))
}

/// Whether an image is the page's own furniture rather than the article's: a site icon, or a
/// file served from the stylesheet, skin, template or theme folder of the site's layout (end
/// marks, share buttons, banners), where no CMS keeps an article's pictures.
fn is_layout_image(src: &Url) -> bool {
    let mut segments: Vec<&str> = src.path().split('/').collect();
    let file = segments.pop().unwrap_or("").to_ascii_lowercase();
    let layout_folder = |segment: &&str| {
        let name = segment.trim_end_matches(|c: char| c.is_ascii_digit());
        [
            "css",
            "skin",
            "skins",
            "template",
            "templates",
            "theme",
            "themes",
        ]
        .iter()
        .any(|folder| name.eq_ignore_ascii_case(folder))
    };
    file.starts_with("favicon") || file.ends_with(".ico") || segments.iter().any(layout_folder)
}

/// Resolves `raw` against `base`; protocol-relative URLs get `https:`. Only http(s) survive.
pub fn absolute_url(base: &Url, raw: &str) -> Option<String> {
    resolve(base, raw).map(String::from)
}

/// [`absolute_url`], before it is written out.
fn resolve(base: &Url, raw: &str) -> Option<Url> {
    let raw = raw.trim();
    let resolved = if let Some(rest) = raw.strip_prefix("//") {
        Url::parse(&format!("https://{rest}")).ok()?
    } else {
        base.join(raw).ok()?
    };
    matches!(resolved.scheme(), "http" | "https").then_some(resolved)
}

fn render_body(blocks: &[Block]) -> Body {
    let mut body = Body::default();
    let mut parts = Vec::new();
    for block in blocks {
        if let Some(md) = render_block(block, 0, &mut body) {
            parts.push(md);
        }
    }
    body.markdown = parts.join("\n\n");
    body
}

fn render_block(block: &Block, depth: usize, body: &mut Body) -> Option<String> {
    match block {
        Block::Paragraph(inlines) => render_paragraph(inlines, body),
        Block::Heading(level, inlines) => render_heading(*level, inlines, body),
        Block::Image { alt, src } => Some(render_image(alt, src, body)),
        Block::Quote(blocks) => render_quote(blocks, depth, body),
        Block::List {
            ordered,
            start,
            items,
        } => render_list(*ordered, *start, items, depth, body),
        Block::Table(rows) => Some(render_table(rows, body)),
        Block::Code(text) => Some(render_code(text, body)),
        Block::Rule => Some("---".to_owned()),
    }
}

fn render_paragraph(inlines: &[Inline], body: &mut Body) -> Option<String> {
    let md = render_inlines(inlines);
    let md = trim_paragraph(&md);
    if md.is_empty() {
        return None;
    }
    push_plain(body, inlines);
    Some(escape_line_starts(md))
}

/// Setext underlines for levels 1 and 2 (as existing archives have them), ATX `#`s below.
fn render_heading(level: u8, inlines: &[Inline], body: &mut Body) -> Option<String> {
    let text = render_inlines(inlines);
    let text = trim_paragraph(&text).replace("  \n", " ");
    if text.is_empty() {
        return None;
    }
    push_plain(body, inlines);
    Some(match level {
        1 => format!("{text}\n{}", "=".repeat(text.chars().count())),
        2 => format!("{text}\n{}", "-".repeat(text.chars().count())),
        n => format!("{} {text}", "#".repeat(usize::from(n))),
    })
}

fn render_image(alt: &str, src: &str, body: &mut Body) -> String {
    body.images.push(src.to_owned());
    format!("![{}]({})", escape_link_text(alt), escape_destination(src))
}

/// The quoted blocks with every line prefixed by `> ` (a bare `>` on blank lines).
fn render_quote(blocks: &[Block], depth: usize, body: &mut Body) -> Option<String> {
    let inner: Vec<String> = blocks
        .iter()
        .filter_map(|b| render_block(b, depth, body))
        .collect();
    if inner.is_empty() {
        return None;
    }
    let text = inner.join("\n\n");
    Some(
        text.lines()
            .map(|l| {
                if l.is_empty() {
                    ">".to_owned()
                } else {
                    format!("> {l}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// The list's items, one per line; bullets cycle `*`, `+`, `-` with the nesting depth.
fn render_list(
    ordered: bool,
    start: u64,
    items: &[Vec<Block>],
    depth: usize,
    body: &mut Body,
) -> Option<String> {
    let bullet = ['*', '+', '-'][depth % 3];
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let marker = if ordered {
            format!("{}. ", start + i as u64)
        } else {
            format!("{bullet} ")
        };
        if let Some(rendered) = render_list_item(&marker, item, depth, body) {
            out.push(rendered);
        }
    }
    (!out.is_empty()).then(|| out.join("\n"))
}

/// One item: its marker, then its blocks with continuation lines indented to the marker's
/// width (so that they stay inside the item). `None` when the item renders to nothing.
fn render_list_item(marker: &str, item: &[Block], depth: usize, body: &mut Body) -> Option<String> {
    let indent = " ".repeat(marker.len());
    let inner: Vec<String> = item
        .iter()
        .filter_map(|b| render_block(b, depth + 1, body))
        .collect();
    if inner.is_empty() {
        return None;
    }
    let text = inner.join("\n\n");
    let mut lines = text.lines();
    let mut rendered = format!("{marker}{}", lines.next().unwrap_or(""));
    for line in lines {
        rendered.push('\n');
        if !line.is_empty() {
            rendered.push_str(&indent);
            rendered.push_str(line);
        }
    }
    Some(rendered)
}

/// A pipe table, every row padded to the widest; the first row is the header.
fn render_table(rows: &[Vec<Vec<Inline>>], body: &mut Body) -> String {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let mut cells: Vec<String> = row.iter().map(|c| render_table_cell(c, body)).collect();
        cells.resize(width, String::new());
        out.push(format!("| {} |", cells.join(" | ")));
        if i == 0 {
            out.push(format!("|{}", " --- |".repeat(width)));
        }
    }
    out.join("\n")
}

/// A cell on one line: its line breaks become spaces and its pipes are escaped.
fn render_table_cell(cell: &[Inline], body: &mut Body) -> String {
    push_plain(body, cell);
    trim_paragraph(&render_inlines(cell))
        .replace("  \n", " ")
        .replace('|', "\\|")
}

/// A fenced block, the fence one backtick longer than any run inside (and at least three).
fn render_code(text: &str, body: &mut Body) -> String {
    body.text_blocks += 1;
    push_block_text(&mut body.plain_text, text);
    push_text_paragraph(&mut body.text, text);
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    format!("{fence}\n{text}\n{fence}")
}

fn push_plain(body: &mut Body, inlines: &[Inline]) {
    let mut text = String::new();
    plain_inlines(inlines, &mut text);
    let text = text.trim_matches(is_ascii_ws);
    if !text.is_empty() {
        body.text_blocks += 1;
        push_block_text(&mut body.plain_text, text);
        push_text_paragraph(&mut body.text, text);
    }
}

/// Appends a block's text as a paragraph of its own.
fn push_text_paragraph(text: &mut String, block: &str) {
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(block);
}

/// Appends a block's text: Chinese and Japanese blocks join with nothing between them, blocks
/// of words with a space (so that the last word of one and the first of the next stay two).
fn push_block_text(plain: &mut String, text: &str) {
    let spaced = |c: char| !c.is_whitespace() && !is_cjk_text(c);
    if plain.chars().next_back().is_some_and(spaced) && text.chars().next().is_some_and(spaced) {
        plain.push(' ');
    }
    plain.push_str(text);
}

/// Han, kana, hangul and their punctuation and full-width forms.
fn is_cjk_text(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}')
}

fn plain_inlines(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Strong(c)
            | Inline::Emphasis(c)
            | Inline::Span(c)
            | Inline::Link { children: c, .. } => plain_inlines(c, out),
            Inline::LineBreak => out.push(' '),
            Inline::Image { .. } => {}
        }
    }
}

/// Trims a rendered paragraph: ASCII whitespace and dangling line breaks at both ends.
fn trim_paragraph(md: &str) -> String {
    let mut s = md.trim_matches(is_ascii_ws);
    loop {
        let before = s.len();
        s = s.trim_end_matches("  \n").trim_matches(is_ascii_ws);
        s = s
            .strip_prefix("  \n")
            .unwrap_or(s)
            .trim_matches(is_ascii_ws);
        if s.len() == before {
            break;
        }
    }
    // Lines after a break must not start with spaces (they would read as code).
    s.split("  \n")
        .map(|l| l.trim_matches(is_ascii_ws))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("  \n")
}

/// The Markdown of a run of inlines, bold and italics first merged so that CommonMark reads
/// them as the page showed them ([`merge_marks`]).
fn render_inlines(inlines: &[Inline]) -> String {
    write_inlines(&merge_marks(inlines.to_vec(), false, false))
}

fn write_inlines(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for (i, inline) in inlines.iter().enumerate() {
        let next = || first_char(&inlines[i + 1..]);
        match inline {
            Inline::Text(t) => out.push_str(&escape_text(t)),
            Inline::LineBreak => out.push_str("  \n"),
            Inline::Strong(c) => wrap_marked(&mut out, &write_inlines(c), "**", next()),
            Inline::Emphasis(c) => wrap_marked(&mut out, &write_inlines(c), "*", next()),
            Inline::Code(code) => {
                if !code.is_empty() {
                    let ticks = "`".repeat(longest_run(code, '`') + 1);
                    let pad = if code.starts_with('`') || code.ends_with('`') {
                        " "
                    } else {
                        ""
                    };
                    out.push_str(&format!("{ticks}{pad}{code}{pad}{ticks}"));
                }
            }
            Inline::Span(children) => out.push_str(&write_inlines(children)),
            Inline::Link { href, children } => {
                let text = write_inlines(children);
                if !text.trim_matches(is_ascii_ws).is_empty() {
                    let (lead, core, trail) = split_ws(&text);
                    out.push_str(&format!(
                        "{lead}[{}]({}){trail}",
                        core.replace("  \n", " "),
                        escape_destination(href)
                    ));
                } else {
                    out.push_str(&text);
                }
            }
            Inline::Image { alt, src } => out.push_str(&format!(
                "![{}]({})",
                escape_link_text(alt),
                escape_destination(src)
            )),
        }
    }
    out
}

/// `**x**` with surrounding whitespace moved outside the markers; nested markers are dropped.
/// `next` is the first character written after it. Where CommonMark would not read the
/// markers as emphasis (a CJK `**…）**眼下`: a closing run after punctuation must be followed
/// by whitespace or punctuation), the punctuation at that end moves outside the markers; where
/// it cannot move, the run is written without markers rather than with literal asterisks.
fn wrap_marked(out: &mut String, inner: &str, marker: &str, next: Option<char>) {
    let (lead, core, trail) = split_ws(inner);
    if core.is_empty() {
        out.push_str(inner);
        return;
    }
    let core = core
        .strip_prefix(marker)
        .and_then(|c| c.strip_suffix(marker))
        .unwrap_or(core);
    out.push_str(lead);
    let prev = out.chars().last();
    let next = trail.chars().next().or(next);
    let Some((before, core, after)) = flanking_split(core, prev, next) else {
        out.push_str(core);
        out.push_str(trail);
        return;
    };
    out.push_str(before);
    if core.contains("  \n") {
        // A marker cannot span a line break: mark each line.
        let lines: Vec<String> = core
            .split("  \n")
            .map(|l| {
                if l.trim().is_empty() {
                    l.to_owned()
                } else {
                    format!("{marker}{l}{marker}")
                }
            })
            .collect();
        out.push_str(&lines.join("  \n"));
    } else {
        out.push_str(marker);
        out.push_str(core);
        out.push_str(marker);
    }
    out.push_str(after);
    out.push_str(trail);
}

/// Bold inside bold and italics inside italics unwrapped, wrapper spans dissolved, and
/// neighbouring bold (or italic) runs joined: `<b>0</b><b>1</b>` is one run `**01**`, never
/// `**0****1**`, which CommonMark shows with its asterisks.
fn merge_marks(inlines: Vec<Inline>, in_strong: bool, in_em: bool) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for inline in inlines {
        match inline {
            // Wrappers, and bold in bold or italics in italics, count for their children only.
            Inline::Span(c) => merge_marks(c, in_strong, in_em)
                .into_iter()
                .for_each(|i| push_merged(&mut out, i)),
            Inline::Strong(c) if in_strong => merge_marks(c, in_strong, in_em)
                .into_iter()
                .for_each(|i| push_merged(&mut out, i)),
            Inline::Emphasis(c) if in_em => merge_marks(c, in_strong, in_em)
                .into_iter()
                .for_each(|i| push_merged(&mut out, i)),
            Inline::Strong(c) => push_merged(&mut out, Inline::Strong(merge_marks(c, true, in_em))),
            Inline::Emphasis(c) => {
                push_merged(&mut out, Inline::Emphasis(merge_marks(c, in_strong, true)))
            }
            Inline::Link { href, children } => out.push(Inline::Link {
                href,
                children: merge_marks(children, in_strong, in_em),
            }),
            Inline::Text(t) if t.is_empty() => {}
            other => out.push(other),
        }
    }
    out
}

/// Appends `inline`, joining it to a bold (italic) run just before it when it is one too.
fn push_merged(out: &mut Vec<Inline>, inline: Inline) {
    match (out.last_mut(), inline) {
        (Some(Inline::Strong(prev)), Inline::Strong(c))
        | (Some(Inline::Emphasis(prev)), Inline::Emphasis(c)) => prev.extend(c),
        (_, inline) => out.push(inline),
    }
}

/// The first character [`write_inlines`] writes for these inlines (a marker's `*` for bold
/// or italics), for the flanking rule of a run just before them.
fn first_char(inlines: &[Inline]) -> Option<char> {
    inlines.iter().find_map(|inline| match inline {
        Inline::Text(t) => t.chars().next(),
        Inline::LineBreak => Some(' '),
        Inline::Strong(c) | Inline::Emphasis(c) if is_blank(c) => first_char(c),
        Inline::Strong(_) | Inline::Emphasis(_) => Some('*'),
        Inline::Code(code) => (!code.is_empty()).then_some('`'),
        Inline::Span(c) => first_char(c),
        Inline::Link { .. } => Some('['),
        Inline::Image { .. } => Some('!'),
    })
}

/// Splits a marked run's Markdown into what goes before the opening marker, between the
/// markers and after the closing one, so that both markers flank as CommonMark requires: an
/// opening run followed by punctuation must follow whitespace or punctuation (and the mirror
/// for a closing run). A punctuation mark in the way moves outside; `None` when one cannot
/// (Markdown syntax, not text) or nothing but punctuation would stay marked.
fn flanking_split(
    core: &str,
    prev: Option<char>,
    next: Option<char>,
) -> Option<(&str, &str, &str)> {
    // Unicode spaces (a trailing no-break space) stand outside the markers too.
    let ws_start = core.len() - core.trim_start().len();
    let ws_end = core.trim_end().len();
    let inner = core.get(ws_start..ws_end)?;
    let prev = if ws_start > 0 { Some(' ') } else { prev };
    let next = if ws_end < core.len() { Some(' ') } else { next };
    let is_word = |c: Option<char>| c.is_some_and(|c| !c.is_whitespace() && !is_md_punctuation(c));
    let (mut start, mut end) = (0, inner.len());
    let first = inner.trim_start_matches('*').chars().next()?;
    if is_md_punctuation(first) && is_word(prev) {
        if !inner.starts_with(first) || !is_movable(first) {
            return None;
        }
        start = first.len_utf8();
    }
    let last = match inner.trim_end_matches('*') {
        stripped if stripped.ends_with('\\') => '*',
        stripped => stripped.chars().last()?,
    };
    if is_md_punctuation(last) && is_word(next) {
        let rest = &inner[..inner.len() - last.len_utf8()];
        if !inner.ends_with(last) || !is_movable(last) || rest.ends_with('\\') {
            return None;
        }
        end = rest.len();
    }
    let marked = inner.get(start..end)?;
    let edges_ok = marked.chars().next().is_some_and(|c| !c.is_whitespace())
        && marked.chars().last().is_some_and(|c| !c.is_whitespace())
        && marked.chars().any(|c| !is_md_punctuation(c));
    edges_ok.then(|| (&core[..ws_start + start], marked, &core[ws_start + end..]))
}

/// CommonMark's punctuation (Unicode P and S categories, approximated as neither letter,
/// digit nor whitespace).
fn is_md_punctuation(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace()
}

/// Punctuation that is plain text wherever it stands, so it can move across a marker.
fn is_movable(c: char) -> bool {
    !c.is_ascii() || matches!(c, ',' | '.' | ';' | ':' | '?' | '!' | '%' | '"' | '\'')
}

fn split_ws(s: &str) -> (&str, &str, &str) {
    let core_start = s.len() - s.trim_start_matches(is_ascii_ws).len();
    let core_end = s.trim_end_matches(is_ascii_ws).len();
    if core_start >= core_end {
        return (s, "", "");
    }
    (&s[..core_start], &s[core_start..core_end], &s[core_end..])
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in s.chars() {
        run = if c == ch { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Escapes what Markdown would read as inline syntax in text, and nothing else.
fn escape_text(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let escape = match c {
            '*' | '`' => true,
            // Intraword underscores are never emphasis.
            '_' => !(prev.is_some_and(is_word_char) && next.is_some_and(is_word_char)),
            '\\' => next.is_some_and(|n| n.is_ascii_punctuation()) || next.is_none(),
            // `](` or `][` would close a link; escaping the `]` keeps brackets literal.
            ']' => matches!(next, Some('(' | '[' | ':')),
            '[' => prev == Some('!'),
            '<' => next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')),
            '&' => starts_entity(&chars[i + 1..]),
            '~' => next == Some('~') || prev == Some('~'),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn is_word_char(c: char) -> bool {
    !c.is_whitespace() && !c.is_ascii_punctuation() && !is_unicode_punctuation(c)
}

fn is_unicode_punctuation(c: char) -> bool {
    matches!(c, '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' | '\u{FF3B}'..='\u{FF40}' | '\u{FF5B}'..='\u{FF65}')
}

/// `&name;` or `&#123;` would be read as a character reference.
fn starts_entity(rest: &[char]) -> bool {
    let mut len = 0;
    for (i, &c) in rest.iter().enumerate() {
        if c == ';' {
            return len > 0;
        }
        if c.is_ascii_alphanumeric() || (i == 0 && c == '#') {
            len += 1;
            if len > 32 {
                return false;
            }
        } else {
            return false;
        }
    }
    false
}

/// Escapes block syntax at the start of each line of a paragraph.
fn escape_line_starts(md: String) -> String {
    if !md.contains("  \n") {
        return escape_line_start(&md);
    }
    md.split("  \n")
        .map(escape_line_start)
        .collect::<Vec<_>>()
        .join("  \n")
}

fn escape_line_start(line: &str) -> String {
    let needs = |rest: &str| rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t');
    let mut chars = line.chars();
    let first = chars.next();
    let rest = chars.as_str();
    let escaped = match first {
        Some('#') => {
            let hashes = line.chars().take_while(|&c| c == '#').count();
            hashes <= 6 && needs(&line[hashes..])
        }
        Some('>') => true,
        Some('-' | '+') => needs(rest) || line.chars().all(|c| c == '-' || c == ' '),
        Some('=') => line.chars().all(|c| c == '='),
        Some('|') => true,
        _ => false,
    };
    if escaped {
        return format!("\\{line}");
    }
    // `1. ` or `1) ` starts an ordered list.
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let after = &line[digits..];
        if (after.starts_with(". ") || after.starts_with(") ") || after == "." || after == ")")
            && !after.is_empty()
        {
            return format!("{}\\{}", &line[..digits], after);
        }
    }
    line.to_owned()
}

fn escape_link_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Keeps a URL one valid link destination.
fn escape_destination(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            ' ' => out.push_str("%20"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn convert(html: &str) -> Body {
        let base = Url::parse("https://example.com/a/b.html").unwrap();
        let doc = Html::parse_fragment(html);
        let root = doc.root_element();
        Converter::new(&base, &[]).convert(&[root])
    }

    fn convert_dropping(html: &str, drop: &dyn Fn(&str) -> bool) -> Body {
        let base = Url::parse("https://example.com/a/b.html").unwrap();
        let doc = Html::parse_fragment(html);
        let root = doc.root_element();
        Converter::new(&base, &[])
            .drop_paragraphs_where(drop)
            .convert(&[root])
    }

    #[test]
    fn short_headings_ending_a_cleaned_body_are_dropped() {
        let keep = |_: &str| false;
        let paras = "<p>One.</p><p>Two.</p><p>Three.</p>";
        // The heading of a related list the cleaning removed heads nothing.
        let body = convert_dropping(&format!("{paras}<h3>Empfohlen für dich</h3>"), &keep);
        assert_eq!(body.text, "One.\n\nTwo.\n\nThree.");
        // A sentence set as a heading, and a body of few blocks, stay whole.
        let body = convert_dropping(&format!("{paras}<h3>Er stützt seine Version.</h3>"), &keep);
        assert!(body.text.ends_with("Er stützt seine Version."));
        let body = convert_dropping("<p>One.</p><h2>Section</h2>", &keep);
        assert_eq!(body.text, "One.\n\nSection");
        // Without the generic cleaning (site modules) headings stay.
        assert!(
            convert(&format!("{paras}<h3>Next</h3>"))
                .text
                .ends_with("Next")
        );
    }

    #[test]
    fn link_only_paragraphs_ending_a_cleaned_body_are_dropped() {
        let keep = |_: &str| false;
        let paras = "<p>One.</p><p>Two.</p><p>Three.</p>";
        let pointers = "<h2>Weiterlesen:</h2><p><a href=/a>Ein Roadtrip durch das Vulkanland</a></p>\
                        <p><img src=/b.jpg></p><p><strong><a href=/c>Zur Diskussion im Forum</a></strong></p>";
        let body = convert_dropping(&format!("{paras}{pointers}"), &keep);
        assert_eq!(body.text, "One.\n\nTwo.\n\nThree.");
        assert_eq!(body.images.len(), 1, "the picture among the pointers stays");
        // Between paragraphs of text a link is the article's own; a long linked sentence with
        // text of its own around it is no pointer.
        // A link the article labels as its reference stays, last or not.
        let labelled = "<p>此前报道：<a href=/d>港媒曝陈同佳出狱前首受访</a></p>";
        let body = convert_dropping(&format!("{paras}{labelled}"), &keep);
        assert!(
            body.text.ends_with("港媒曝陈同佳出狱前首受访"),
            "{}",
            body.text
        );
        let own = "<p><a href=/e>Hier geht's zur Veranstaltung</a></p>";
        let body = convert_dropping(&format!("{paras}{own}<p>Four.</p>"), &keep);
        assert!(body.text.contains("Veranstaltung"));
        let sentence = "<p>Read <a href=/r>the report</a> the ministry published on Monday.</p>";
        let body = convert_dropping(&format!("{paras}{sentence}"), &keep);
        assert!(body.text.ends_with("published on Monday."));
        // A short body, and a body without the generic cleaning, stay whole.
        let body = convert_dropping(&format!("<p>One.</p>{own}"), &keep);
        assert!(body.text.ends_with("Veranstaltung"));
        assert!(
            convert(&format!("{paras}{own}"))
                .text
                .ends_with("Veranstaltung")
        );
    }

    #[test]
    fn link_lists_ending_a_cleaned_body_are_dropped_and_those_inside_it_stay() {
        let keep = |_: &str| false;
        let paras = "<p>One.</p><p>Two.</p><p>Three.</p>";
        let list = "<ul><li><a href=/a>Bug 1 – The window moves</a>\
                    <ul><li><a href=/b>Bug 2 – The tab closes</a></li></ul></li></ul>";
        let body = convert_dropping(&format!("{paras}<h2>Read more</h2>{list}"), &keep);
        assert_eq!(body.text, "One.\n\nTwo.\n\nThree.");
        let body = convert_dropping(&format!("{paras}{list}<p>Four.</p>"), &keep);
        assert!(
            body.text.contains("Bug 2 – The tab closes"),
            "{}",
            body.text
        );
        // A list whose items say more than their links is text.
        let fixes = "<ul><li>Jane <a href=/a>fixed the crash</a> in the parser today</li></ul>";
        let body = convert_dropping(&format!("{paras}{fixes}"), &keep);
        assert!(body.text.contains("in the parser today"), "{}", body.text);
    }

    #[test]
    fn a_quote_of_boilerplate_is_dropped() {
        let drop = |t: &str| t.starts_with("SEE ALSO:");
        let body = convert_dropping(
            "<p>One.</p><blockquote><p>SEE ALSO: Another story</p></blockquote>\
             <blockquote><p>A real quote.</p></blockquote>",
            &drop,
        );
        assert_eq!(body.text, "One.\n\nA real quote.");
    }

    #[test]
    fn paragraphs_and_inline_wrappers() {
        let body = convert(
            r#"<p>蓝鲸新闻，<span dt-eid=""><span class="qnt-link"><span class="qnt-link-text">中信证券</span></span></span>第五届<!-- -->会议</p><p style="x">  第二段  </p>"#,
        );
        assert_eq!(body.markdown, "蓝鲸新闻，中信证券第五届会议\n\n第二段");
        assert_eq!(body.plain_text, "蓝鲸新闻，中信证券第五届会议第二段");
        assert_eq!(body.text, "蓝鲸新闻，中信证券第五届会议\n\n第二段");
        assert_eq!(body.text_blocks, 2);
    }

    #[test]
    fn icons_and_images_of_the_sites_layout_are_not_the_articles() {
        let body = convert(
            r#"<p>正文第一段。<img src="http://127.0.0.1/cnews/css13/img/end_news.png" alt="编辑"></p>
            <p><img src="http://127.0.0.1/wp-content/themes/x/images/digg.gif"><img src="http://127.0.0.1/favicon.ico"></p>
            <p><img src="http://127.0.0.1/skin/ecms/img/850x118-1.jpg" alt="广告"></p>
            <p><img src="http://127.0.0.1/wp-content/uploads/2019/05/photo.jpg" alt="照片"></p>
            <p><img src="http://127.0.0.1/themed/2019/photo.png" alt="主题"></p>"#,
        );
        assert_eq!(
            body.markdown,
            "正文第一段。\n\n![照片](http://127.0.0.1/wp-content/uploads/2019/05/photo.jpg)\n\n\
             ![主题](http://127.0.0.1/themed/2019/photo.png)"
        );
        assert_eq!(body.images.len(), 2);
    }

    #[test]
    fn a_box_of_teasers_under_a_linked_heading_ends_no_body() {
        let page = |heading: &str| {
            let paragraphs: String = (0..3).map(|i| format!("<p>第{i}段正文。</p>")).collect();
            let teaser = "<p><img src=\"http://127.0.0.1/post/1.jpg\"></p>\
                 <p>【深度】越南拒用中国5G，原因和后果是...<a href=\"http://127.0.0.1/column/x\">大参考</a></p>";
            let html = format!("{paragraphs}<h4>{heading}</h4>{teaser}{teaser}");
            convert_dropping(&html, &|_| false).markdown
        };
        assert!(page(r#"<a href="http://127.0.0.1/member">观察员</a>"#).ends_with("第2段正文。"));
        // A heading of the article's own, not a link, heads text of the article.
        assert!(page("观察员").ends_with("[大参考](http://127.0.0.1/column/x)"));
    }

    #[test]
    fn a_logo_is_no_picture_of_the_article() {
        let body = convert(
            r#"<p>正文。<span class="ifengLogo"><a href="http://127.0.0.1/"><img src="http://127.0.0.1/a/w16.png"></a></span></p>
            <p><img class="spip_logos" width="890" src="http://127.0.0.1/local/photo.jpg" alt="照片"></p>"#,
        );
        assert_eq!(
            body.markdown,
            "正文。\n\n![照片](http://127.0.0.1/local/photo.jpg)"
        );
    }

    #[test]
    fn an_arrow_link_closing_the_body_is_navigation() {
        let page = |tail: &str| {
            let paragraphs: String = (0..3).map(|i| format!("<p>第{i}段正文。</p>")).collect();
            let html = format!(
                "{paragraphs}<p>整顿仍将持续。<a href=\"http://127.0.0.1/?pref=article\">\
                 <img src=\"http://127.0.0.1/img/favicon.ico\"><span>{tail}</span></a></p>"
            );
            convert_dropping(&html, &|_| false).markdown
        };
        assert!(page("返回首页&gt;&gt;").ends_with("第2段正文。\n\n整顿仍将持续。"));
        // A link without an arrow is the article's own.
        assert!(
            page("国家统计局")
                .ends_with("整顿仍将持续。[国家统计局](http://127.0.0.1/?pref=article)")
        );
    }

    #[test]
    fn a_paragraph_of_spaces_alone_is_dropped_and_spaces_inside_text_stay() {
        let body = convert(
            "<p>&nbsp;</p><p><b>\u{3000}</b> &nbsp;</p><p>\u{3000}\u{3000}第一段&nbsp;</p>",
        );
        assert_eq!(body.markdown, "\u{3000}\u{3000}第一段\u{a0}");
        assert_eq!(body.text_blocks, 1);
    }

    #[test]
    fn a_blank_line_of_breaks_parts_paragraphs_one_break_stays_a_line_break() {
        // An old portal's story: paragraphs parted by `<br><br>` inside a `<font>`.
        let body = convert(
            "<div><font size=3>\u{3000}\u{3000}第一段。<br> <br>\u{3000}\u{3000}第二段，\
             <br>同一段的下一行。<br><br><br>第三段。<br></font></div>",
        );
        assert_eq!(
            body.markdown,
            "\u{3000}\u{3000}第一段。\n\n\u{3000}\u{3000}第二段，  \n同一段的下一行。\n\n第三段。"
        );
        assert_eq!(body.text_blocks, 3);
        // A bold run's breaks stay inside it.
        let body = convert("<p><b>一<br><br>二</b></p>");
        assert_eq!(body.text_blocks, 1);
    }

    #[test]
    fn images_stand_alone_with_data_src_and_https() {
        let body = convert(
            r#"<p>前文<img alt="图片" data-src="//inews.gtimg.com/a/641" src="x.gif">后文</p><figure><img src="/pic.jpg"><figcaption>图注</figcaption></figure>"#,
        );
        assert_eq!(
            body.markdown,
            "前文\n\n![图片](https://inews.gtimg.com/a/641)\n\n后文\n\n![](https://example.com/pic.jpg)\n\n图注"
        );
        assert_eq!(body.images.len(), 2);
    }

    #[test]
    fn adjacent_and_nested_bold_is_one_run() {
        let cases = [
            ("<p><strong>0</strong><strong>1</strong>个</p>", "**01**个"),
            (
                "<section><span><strong><strong><span>一个产品，</span></strong></strong></span>\
                 <span><strong><span>三种价格</span></strong></span></section>",
                "**一个产品，三种价格**",
            ),
            (
                "<p>文<b>（</b><b>数据来源：东方晶源招股书</b><b>）</b><b></b>后文</p>",
                "文（**数据来源：东方晶源招股书**）后文",
            ),
            ("<p><b>外<b>内</b>外</b></p>", "**外内外**"),
            (
                "<p><b>蓝鲸新闻（记者 胡劼）</b>眼下</p>",
                "**蓝鲸新闻（记者 胡劼**）眼下",
            ),
            ("<p>表示<b>“保持结构”。</b></p>", "表示“**保持结构”。**"),
            ("<p>a<b>：</b>b</p>", "a：b"),
            (
                "<p><b>Bold, </b>then <i>it</i>.</p>",
                "**Bold,** then *it*.",
            ),
        ];
        for (html, md) in cases {
            assert_eq!(convert(html).markdown, md, "{html}");
        }
    }

    #[test]
    fn bold_headings_quotes_lists() {
        let body = convert(
            "<h1>大标题</h1><h2>Sub</h2><h3>三级</h3><p><strong> 记者 刘晓诺 </strong>报道</p>\
             <blockquote><p>文 | 看见美业</p><p>第二行</p></blockquote><ul><li>一</li><li>二</li></ul><ol><li>a</li></ol>",
        );
        assert_eq!(
            body.markdown,
            "大标题\n===\n\nSub\n---\n\n### 三级\n\n**记者 刘晓诺** 报道\n\n> 文 | 看见美业\n>\n> 第二行\n\n* 一\n* 二\n\n1. a"
        );
    }

    #[test]
    fn qnt_strong_is_bold() {
        let body = convert(
            r#"<div class="qnt-p"><span class="qnt-strong">报告导读：</span>正文</div><div class="qnt-p">下一段</div>"#,
        );
        // The colon stands outside the markers: `**报告导读：**正文` is not bold in CommonMark.
        assert_eq!(body.markdown, "**报告导读**：正文\n\n下一段");
    }

    #[test]
    fn escapes_only_syntax() {
        let body = convert(
            "<p>*ST威领 4.8亿 snake_case _x_ a]( 1~2 3~~4 &amp;copy; 2024. ok</p><p>1. 不是列表</p><p># 不是标题</p>",
        );
        assert_eq!(
            body.markdown,
            "\\*ST威领 4.8亿 snake_case \\_x\\_ a\\]( 1~2 3\\~\\~4 \\&copy; 2024. ok\n\n1\\. 不是列表\n\n\\# 不是标题"
        );
    }

    #[test]
    fn links_keep_targets_and_unsafe_ones_are_dropped() {
        let body = convert(
            r#"<p><a href="/x">站内</a> <a href="javascript:alert(1)">脚本</a> <a href="https://e.com/a(b)">括号</a></p>"#,
        );
        assert_eq!(
            body.markdown,
            "[站内](https://example.com/x) 脚本 [括号](https://e.com/a%28b%29)"
        );
    }

    #[test]
    fn line_breaks_and_dropped_elements() {
        let body =
            convert("<p>一<br>二<br><br></p><script>evil()</script><p><button>分享</button>三</p>");
        assert_eq!(body.markdown, "一  \n二\n\n三");
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let html = format!("{}深{}", "<div>".repeat(5000), "</div>".repeat(5000));
        let body = convert(&html);
        assert_eq!(body.markdown, "深");
    }

    #[test]
    fn tables() {
        let body =
            convert("<table><tr><th>a</th><th>b|c</th></tr><tr><td>1</td><td>2</td></tr></table>");
        assert_eq!(body.markdown, "| a | b\\|c |\n| --- | --- |\n| 1 | 2 |");
    }

    #[test]
    fn a_layout_rows_cells_are_frames_of_paragraphs() {
        // The container is the row: its cells' `<br><br>` and `<p>` still part paragraphs.
        let doc = Html::parse_document(
            "<table><tr id=\"row\"><td>name<br>rank</td><td>one<br><br>two<p>three</p></td></tr></table>",
        );
        let row = doc
            .select(&Selector::parse("#row").unwrap())
            .next()
            .unwrap();
        let base = Url::parse("http://127.0.0.1/").unwrap();
        let body = Converter::new(&base, &[]).convert(&[row]);
        assert_eq!(body.markdown, "name  \nrank\n\none\n\ntwo\n\nthree");
    }
}
