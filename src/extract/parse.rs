//! HTML parsing with a cap on the depth of the tree.
//!
//! html5ever follows the standard's tree construction, which scans the stack of open elements on
//! many start tags (a `<div>` first closes any `<p>` "in button scope", walking the whole stack
//! when there is none), so n elements nested n deep cost n² steps: 40,000 nested `<div>`s took
//! 5 s. Browsers cap the depth of the tree they build (Blink at 512); so do we, one step earlier:
//! start tags that would open an element deeper than [`MAX_DEPTH`] are dropped before the tree
//! builder sees them, with as many of their end tags, so their content joins the deepest element
//! and the stack the tree builder scans never grows beyond the cap. Pages within the cap (every
//! real page) parse exactly as `Html::parse_document` parses them (identical trees on the 1,223
//! pages of the shared corpora and fixtures; `tests/corpus.rs` checks the repository's own).
//!
//! Flat hostile input (100,000 sibling `<p>`s) is shallow but costs about 250 bytes an element:
//! past [`MAX_ELEMENTS`] further start tags are dropped the same way, so their text joins the
//! element open at that point and the tree's size stays bounded. The largest real page of the
//! corpora has about 10,000 elements.
//!
//! The text of a `<script>` or `<style>` (a quarter and a fifth of the bytes of the corpora's
//! pages) is read by the tokenizer a byte at a time and handed on line by line. Once the tree
//! builder has switched the tokenizer to that raw text, [`raw_text_len`] finds its end tag as
//! the tokenizer would, and the text goes to the tree builder in one piece, shared with the
//! input rather than copied; text whose end is not certain that way (a `<!--` in a script) is
//! left to the tokenizer.

use std::cell::{Cell, OnceCell, Ref, RefCell};

use ego_tree::NodeId;
use html5ever::interface::{ElementFlags, NodeOrText, QuirksMode, Tracer, TreeSink};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::{RawKind, State};
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{TreeBuilder, create_element};
use html5ever::{Attribute, LocalName, QualName, TokenizerResult, local_name, ns};
use scraper::Html;

use super::meta::PageMeta;
use scraper::html::HtmlTreeSink;

/// The deepest an element may sit in the tree (the document's `<html>` is at depth 1).
pub const MAX_DEPTH: usize = 512;

/// The most elements the parser creates from start tags of the page (the tree builder's own
/// implied elements come on top).
pub const MAX_ELEMENTS: usize = 50_000;

/// A page's HTML and its tree, parsed on first use: callers that need the tree before
/// extraction (reading a saved page's own link) share the one parse with the extractor.
pub struct Page<'a> {
    html: &'a str,
    doc: OnceCell<Html>,
    meta: OnceCell<PageMeta>,
}

impl<'a> Page<'a> {
    pub fn new(html: &'a str) -> Self {
        Self {
            html,
            doc: OnceCell::new(),
            meta: OnceCell::new(),
        }
    }

    pub fn html(&self) -> &'a str {
        self.html
    }

    /// The tree, parsed with [`parse_document`] the first time it is asked for.
    pub fn doc(&self) -> &Html {
        self.doc.get_or_init(|| parse_document(self.html))
    }

    /// The page's metadata, read by `read` the first time it is asked for: reading a saved
    /// page's own link and extracting it share one reading.
    pub fn meta_with(&self, read: impl FnOnce() -> PageMeta) -> &PageMeta {
        self.meta.get_or_init(read)
    }
}

/// Parses a whole document, as `Html::parse_document` does, with the depth cap.
pub fn parse_document(html: &str) -> Html {
    let mut doc = Html::new_document();
    doc.tree = ego_tree::Tree::with_capacity(scraper::Node::Document, node_estimate(html));
    let sink = DepthSink::new(HtmlTreeSink::new(doc));
    run(TreeBuilder::new(sink, Default::default()), None, html)
}

/// About how many nodes the tree of `html` will have: one per tag (an element, or the text
/// after it), at most 64Ki. Sized once, the tree's node vector is not copied as it grows (a
/// page of 5,000 elements copied it 13 times).
fn node_estimate(html: &str) -> usize {
    memchr::memchr_iter(b'<', html.as_bytes())
        .count()
        .min(1 << 16)
}

/// Parses a fragment (in a `<body>`), as `Html::parse_fragment` does, with the depth cap.
pub fn parse_fragment(html: &str) -> Html {
    let sink = DepthSink::new(HtmlTreeSink::new(Html::new_fragment()));
    let body = QualName::new(None, ns!(html), local_name!("body"));
    let context = create_element(&sink, body, Vec::new());
    let tree = TreeBuilder::new_for_fragment(sink, context, None, Default::default());
    let state = tree.tokenizer_state_for_context_elem(false);
    run(tree, Some(state), html)
}

fn run(tree: TreeBuilder<NodeId, DepthSink>, state: Option<State>, html: &str) -> Html {
    let builder = CappedBuilder {
        tree,
        dropped: RefCell::new(Vec::new()),
        input: BufferQueue::default(),
    };
    let opts = TokenizerOpts {
        initial_state: state,
        ..Default::default()
    };
    let tokenizer = Tokenizer::new(builder, opts);
    // The builder holds the input so that it can take a raw text out of it.
    let input = &tokenizer.sink.input;
    input.push_back(StrTendril::from_slice(html));
    // The tokenizer pauses at each `</script>` (for a script engine we do not have) and at a
    // `<meta charset>` (for a decoder that would restart): both are done with already.
    while !matches!(tokenizer.feed(input), TokenizerResult::Done) {}
    tokenizer.end();
    tokenizer.sink.tree.sink.inner.finish()
}

/// Start tags that are never dropped: elements whose content the tokenizer reads as raw text
/// (dropping those would parse a script's strings as markup), and the document's own structure,
/// which the tree builder merges rather than nests.
fn never_dropped(name: &LocalName) -> bool {
    matches!(
        &**name,
        "script"
            | "style"
            | "textarea"
            | "title"
            | "xmp"
            | "iframe"
            | "noembed"
            | "noframes"
            | "noscript"
            | "plaintext"
            | "html"
            | "head"
            | "body"
            | "frameset"
    )
}

/// Void elements: they hold nothing, so they never nest content deeper and have no end tag to
/// drop with them.
fn is_void(name: &LocalName) -> bool {
    matches!(
        &**name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
            | "param"
            | "keygen"
    )
}

/// Stands between the tokenizer and the tree builder and drops the start tags the cap refuses.
struct CappedBuilder {
    tree: TreeBuilder<NodeId, DepthSink>,
    /// Names of the dropped start tags with how many are still unclosed: their end tags are
    /// dropped too, so that they do not close an element the cap kept.
    dropped: RefCell<Vec<(LocalName, usize)>>,
    /// What the tokenizer has still to read.
    input: BufferQueue,
}

impl CappedBuilder {
    /// Whether the tag is to be dropped (and counted, or uncounted for an end tag).
    fn drops(&self, kind: TagKind, name: &LocalName) -> bool {
        let mut dropped = self.dropped.borrow_mut();
        match kind {
            TagKind::StartTag => {
                if never_dropped(name) {
                    return false;
                }
                let void = is_void(name);
                let over_count = self.tree.sink.elements.get() >= MAX_ELEMENTS;
                if !over_count && (void || !self.at_the_cap()) {
                    return false;
                }
                if void {
                    return true;
                }
                match dropped.iter_mut().find(|(n, _)| n == name) {
                    Some((_, count)) => *count += 1,
                    None => dropped.push((name.clone(), 1)),
                }
                true
            }
            TagKind::EndTag => match dropped.iter_mut().find(|(n, _)| n == name) {
                Some((_, count)) if *count > 0 => {
                    *count -= 1;
                    true
                }
                _ => {
                    self.tree.sink.path_fresh.set(false);
                    false
                }
            },
        }
    }

    /// Whether the current node is [`MAX_DEPTH`] deep. The sink's path says so after an
    /// append; after end tags it may be deeper than the current node, so it is checked against
    /// the tree builder's own state (its handles: the stack of open elements and a few more),
    /// which costs the depth of the stack, only there, at the cap.
    fn at_the_cap(&self) -> bool {
        let sink = &self.tree.sink;
        if sink.depth() < MAX_DEPTH {
            return false;
        }
        if sink.path_fresh.get() {
            return true;
        }
        let handles = HandleCount(Cell::new(0));
        self.tree.trace_handles(&handles);
        handles.0.get() > MAX_DEPTH
    }

    /// Hands the raw text that the start tag `name` opens to the tree builder, taking it out of
    /// the input so that the tokenizer meets the end tag next; text whose end [`raw_text_len`]
    /// is not sure of stays for the tokenizer.
    fn pass_raw_text(&self, name: &LocalName, kind: RawKind, line_number: u64) {
        let Some(front) = self.input.pop_front() else {
            return;
        };
        let len = raw_text_len(&front, name, kind);
        let Some(len) = len.filter(|&len| len > 0) else {
            self.input.push_front(front);
            return;
        };
        let len = u32::try_from(len).expect("a tendril's length fits u32");
        self.input
            .push_front(front.subtendril(len, front.len32() - len));
        let text = front.subtendril(0, len);
        let text = if memchr::memchr2(b'\r', b'\0', text.as_bytes()).is_some() {
            StrTendril::from(preprocessed(&text))
        } else {
            text
        };
        let result = self
            .tree
            .process_token(Token::CharacterTokens(text), line_number);
        debug_assert!(matches!(result, TokenSinkResult::Continue));
    }
}

/// The length of the raw text (of a `<script>` or a `<style>`) at the start of `input`, up to
/// the end tag that closes it: `</name` in any case, then a space, `/` or `>`, as the tokenizer
/// reads it. None when that is not certain: no such end tag, or, in a script, a `<!--` before
/// it (which may escape the end tag).
fn raw_text_len(input: &str, name: &LocalName, kind: RawKind) -> Option<usize> {
    if !matches!(kind, RawKind::ScriptData | RawKind::Rawtext) {
        return None;
    }
    let bytes = input.as_bytes();
    let name = name.as_bytes();
    let end = memchr::memmem::find_iter(bytes, b"</").find(|&at| {
        let after = &bytes[at + 2..];
        after.len() > name.len()
            && after[..name.len()].eq_ignore_ascii_case(name)
            && matches!(
                after[name.len()],
                b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' | b'/' | b'>'
            )
    })?;
    if kind == RawKind::ScriptData && memchr::memmem::find(&bytes[..end], b"<!--").is_some() {
        return None;
    }
    Some(end)
}

/// Text as the tokenizer passes it on: line breaks (CR LF, CR) made LF, NUL made U+FFFD.
fn preprocessed(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\0', "\u{FFFD}")
}

/// Counts the handles the tree builder holds: the document, the open elements, the active
/// formatting elements, the head and form elements.
struct HandleCount(Cell<usize>);

impl Tracer for HandleCount {
    type Handle = NodeId;

    fn trace_handle(&self, _: &NodeId) {
        self.0.set(self.0.get() + 1);
    }
}

impl TokenSink for CappedBuilder {
    type Handle = NodeId;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<NodeId> {
        let mut start_tag = None;
        if let Token::TagToken(tag) = &token {
            if self.drops(tag.kind, &tag.name) {
                return TokenSinkResult::Continue;
            }
            if tag.kind == TagKind::StartTag {
                start_tag = Some(tag.name.clone());
            }
        }
        let result = self.tree.process_token(token, line_number);
        if let (Some(name), TokenSinkResult::RawData(kind)) = (start_tag, &result) {
            self.pass_raw_text(&name, *kind, line_number);
        }
        result
    }

    fn end(&self) {
        self.tree.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.tree
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// scraper's tree sink, watching how deep the tree builder appends.
///
/// It keeps the path from the document to the element last appended into. The tree builder
/// appends into the current node, which is on that path (after end tags) or the element appended
/// last (after a start tag), so keeping the path costs O(1) per append, amortized; anything else
/// (the adoption agency moving nodes) rebuilds the path from the tree.
struct DepthSink {
    inner: HtmlTreeSink,
    path: RefCell<Vec<NodeId>>,
    last_element: Cell<Option<NodeId>>,
    /// No end tag went to the tree builder since the last append: the path ends at the
    /// current node.
    path_fresh: Cell<bool>,
    /// Elements created so far.
    elements: Cell<usize>,
}

impl DepthSink {
    fn new(inner: HtmlTreeSink) -> Self {
        let document = inner.get_document();
        Self {
            inner,
            path: RefCell::new(vec![document]),
            last_element: Cell::new(None),
            path_fresh: Cell::new(true),
            elements: Cell::new(0),
        }
    }

    /// Depth of the element last appended into (the document is 0).
    fn depth(&self) -> usize {
        self.path.borrow().len() - 1
    }

    fn appending_into(&self, parent: NodeId) {
        self.path_fresh.set(true);
        let mut path = self.path.borrow_mut();
        if path.last() == Some(&parent) {
            return;
        }
        if self.last_element.get() == Some(parent) {
            path.push(parent);
            return;
        }
        if let Some(i) = path.iter().rposition(|&n| n == parent) {
            path.truncate(i + 1);
            return;
        }
        let html = self.inner.0.borrow();
        path.clear();
        if let Some(node) = html.tree.get(parent) {
            path.extend(std::iter::once(parent).chain(node.ancestors().map(|a| a.id())));
            path.reverse();
        }
        if path.is_empty() {
            path.push(html.tree.root().id());
        }
    }
}

impl TreeSink for DepthSink {
    type Handle = NodeId;
    type Output = Html;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Html {
        self.inner.finish()
    }

    fn parse_error(&self, msg: std::borrow::Cow<'static, str>) {
        self.inner.parse_error(msg);
    }

    fn get_document(&self) -> NodeId {
        self.inner.get_document()
    }

    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Ref<'a, QualName> {
        self.inner.elem_name(target)
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        self.elements.set(self.elements.get() + 1);
        self.inner.create_element(name, attrs, flags)
    }

    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.inner.create_comment(text)
    }

    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.inner.create_pi(target, data)
    }

    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        self.appending_into(*parent);
        if let NodeOrText::AppendNode(id) = &child {
            self.last_element.set(Some(*id));
        }
        self.inner.append(parent, child);
    }

    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        self.inner
            .append_based_on_parent_node(element, prev_element, child);
    }

    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.inner
            .append_doctype_to_document(name, public_id, system_id);
    }

    fn mark_script_already_started(&self, node: &NodeId) {
        self.inner.mark_script_already_started(node);
    }

    fn pop(&self, node: &NodeId) {
        self.inner.pop(node);
    }

    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.inner.get_template_contents(target)
    }

    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.inner.same_node(x, y)
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode);
    }

    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        self.inner.append_before_sibling(sibling, new_node);
    }

    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs);
    }

    fn associate_with_form(
        &self,
        target: &NodeId,
        form: &NodeId,
        nodes: (&NodeId, Option<&NodeId>),
    ) {
        self.inner.associate_with_form(target, form, nodes);
    }

    fn remove_from_parent(&self, target: &NodeId) {
        self.inner.remove_from_parent(target);
    }

    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.inner.reparent_children(node, new_parent);
    }

    fn is_mathml_annotation_xml_integration_point(&self, handle: &NodeId) -> bool {
        self.inner
            .is_mathml_annotation_xml_integration_point(handle)
    }

    fn set_current_line(&self, line_number: u64) {
        self.inner.set_current_line(line_number);
    }

    fn allow_declarative_shadow_roots(&self, intended_parent: &NodeId) -> bool {
        self.inner.allow_declarative_shadow_roots(intended_parent)
    }

    fn attach_declarative_shadow(
        &self,
        location: &NodeId,
        template: &NodeId,
        attrs: &[Attribute],
    ) -> bool {
        self.inner
            .attach_declarative_shadow(location, template, attrs)
    }

    fn maybe_clone_an_option_into_selectedcontent(&self, option: &NodeId) {
        self.inner
            .maybe_clone_an_option_into_selectedcontent(option);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serialized(doc: &Html) -> String {
        doc.root_element().html()
    }

    #[test]
    fn pages_within_the_cap_parse_as_scraper_parses_them() {
        for html in [
            "<!DOCTYPE html><html><head><title>t</title></head><body><p>a<p>b<div>c</div></body></html>",
            "<table><tr><td>1<td>2</table><b>x<i>y</b>z</i><ul><li>a<li>b</ul><script>if (a<b) x()</script>",
            "<p>x<svg><circle/></svg><math><mi>m</mi></math><template><div>t</div></template>",
        ] {
            assert_eq!(
                serialized(&parse_document(html)),
                serialized(&Html::parse_document(html)),
                "{html}"
            );
        }
    }

    #[test]
    fn raw_texts_parse_as_the_tokenizer_reads_them() {
        for html in [
            // Ends: any case, a space or `/` after the name, not a longer name.
            "<script>a </scripts> b</SCRIPT >c<style>p{}</style/>d",
            "<script>if (a</b) x()</script\t><p>after",
            // A `<!--` may escape the end tag: left to the tokenizer, which reads it so.
            "<script><!-- <script> </script> --></script><p>after</p>",
            "<script><!-- x </script><p>after</p>",
            // Line breaks and NUL as the tokenizer passes them on.
            "<script>a\r\nb\rc\0d</script><style>\r\n</style>",
            // No end tag: the rest of the page is the script's text.
            "<p>x<script>var a = '</scrip",
            "<p>x<style>p { color: red }",
            // Raw text elements other than script and style; RCDATA is the tokenizer's.
            "<noscript><p>n</p></noscript><xmp><b>x</b></xmp><iframe>i</iframe>",
            "<title>a &amp; </title><textarea>t &lt; </textarea>",
            // Scripts in foreign content are not raw text.
            "<svg><script>a<b/>c</script><style>s</style></svg><p>after",
            "<table><script>t</script><tr><td><style>u</style>1</table>",
            "<script></script><style></style><script>x</script>",
        ] {
            assert_eq!(
                serialized(&parse_document(html)),
                serialized(&Html::parse_document(html)),
                "{html}"
            );
        }
    }

    #[test]
    fn fragments_parse_as_scraper_parses_them() {
        for html in [
            "<p>a<b>b</p>c<table><td>x</table><script>1<2</script>",
            "<li>one<li>two<div>d</div>",
        ] {
            assert_eq!(
                parse_fragment(html).root_element().html(),
                Html::parse_fragment(html).root_element().html(),
                "{html}"
            );
        }
        let deep = format!("{}x{}", "<div>".repeat(50_000), "</div>".repeat(50_000));
        let doc = parse_fragment(&deep);
        let deepest = doc.tree.nodes().map(|n| n.ancestors().count()).max();
        assert!(deepest.is_some_and(|d| d <= MAX_DEPTH + 3), "{deepest:?}");
    }

    #[test]
    fn nesting_beyond_the_cap_is_flattened_and_its_closing_tags_balance() {
        let depth = 100_000;
        let html = format!(
            "<body>{}<p>deep</p>{}<p id=after>after</p></body>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let doc = parse_document(&html);
        let deep = doc
            .tree
            .nodes()
            .find(|n| n.value().as_text().is_some_and(|t| &**t == "deep"))
            .expect("the deep text is kept");
        let depth = deep.ancestors().count();
        assert!((MAX_DEPTH..=MAX_DEPTH + 3).contains(&depth), "{depth}");
        let after = doc
            .select(&scraper::Selector::parse("#after").unwrap())
            .next()
            .expect("the paragraph after the nesting");
        let parent = after.parent().and_then(scraper::ElementRef::wrap).unwrap();
        assert_eq!(parent.value().name(), "body");
    }

    #[test]
    fn elements_beyond_the_count_cap_are_dropped_and_their_text_kept() {
        let count = 2 * MAX_ELEMENTS;
        let html = format!(
            "<body>{}<p id=after>after</p><script>if (a<b) x()</script></body>",
            (0..count)
                .map(|i| format!("<p>para {i}<br></p>"))
                .collect::<String>()
        );
        let doc = parse_document(&html);
        let elements = doc.tree.nodes().filter(|n| n.value().is_element()).count();
        assert!(
            (MAX_ELEMENTS..MAX_ELEMENTS + 10).contains(&elements),
            "{elements}"
        );
        let text: String = doc.root_element().text().collect();
        assert!(text.contains("para 0"), "the first paragraph is kept");
        assert!(
            text.contains(&format!("para {}", count - 1)),
            "the text of dropped paragraphs is kept"
        );
        assert!(
            text.ends_with("afterif (a<b) x()"),
            "{}",
            &text[text.len() - 40..]
        );
    }

    #[test]
    fn stray_end_tags_do_not_let_the_nesting_grow_past_the_cap() {
        let html = format!("<body>{}x", "<div></x>".repeat(100_000));
        let doc = parse_document(&html);
        let deepest = doc.tree.nodes().map(|n| n.ancestors().count()).max();
        assert!(deepest.is_some_and(|d| d <= MAX_DEPTH + 3), "{deepest:?}");
    }
}
