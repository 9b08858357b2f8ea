//! The body: candidates scored, containers picked, cleaned and converted to Markdown.

use std::sync::LazyLock;

use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::MIN_BLOCK_CHARS;
use super::analysis::{Analysis, analyse, marked_article, mentions_article_body};
use super::candidates::{has_caption, is_lead, lead_blocks, pick_containers, score};
use super::classify::{POSITIVE, class_and_id, is_hidden, is_noise_el, is_tracking_pixel};
use super::cleaning::{alnum_key, conditional_skips, is_boilerplate_line};
use super::verdict::text_size;
use crate::extract::markdown::{Body, Converter};
use crate::extract::meta;

pub(super) fn has_h1(el: &ElementRef<'_>) -> bool {
    el.descendent_elements().any(|d| d.value().name() == "h1")
}

static BODY: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("body").expect("static selector"));

/// What the body search found.
pub(super) struct BodyPick {
    pub(super) body: Body,
    /// Pre/post positions of the first and last container.
    pub(super) span: (u32, u32),
    pub(super) link_density: f64,
    pub(super) headline_links: u32,
    /// The size ([`text_size`]) of the lead's text: a lead alone is no body.
    pub(super) lead_size: usize,
}

/// The body of the best candidates; `drop_furniture` drops boilerplate lines from it.
/// The script templates and `<noscript>`s that hold an article's markup: `<script
/// type="text/template">` (Google's Blogger blogs render the post from it) and `<noscript>`.
static SCRIPTED: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse(r#"script[type="text/template"], noscript"#).expect("static selector")
});

/// Characters of text `parent` shows: its own and its children's, scripts and styles aside.
fn shown_text(parent: ElementRef<'_>) -> usize {
    parent
        .children()
        .filter_map(|c| c.value().as_text().map(|t| t.trim().chars().count()))
        .sum::<usize>()
        + parent
            .children()
            .filter_map(ElementRef::wrap)
            .filter(|c| !matches!(c.value().name(), "script" | "noscript" | "style"))
            .map(|c| c.text().map(|t| t.trim().chars().count()).sum::<usize>())
            .sum::<usize>()
}

/// Non-space characters of `markup` outside its tags.
fn text_outside_tags(markup: &str) -> usize {
    let mut in_tag = false;
    markup
        .chars()
        .filter(|&c| {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ => return !in_tag && !c.is_whitespace(),
            }
            false
        })
        .count()
}

/// A page whose article is markup inside a script template or a `<noscript>` (the post body of
/// Blogger and Google's blogs, filled in by a script): the page with that markup put in the
/// template's place, when the element around it shows almost no text of its own, is named as
/// the article's body (`itemprop="articleBody"`, `post-body`, `entry-content`) and the markup
/// holds paragraphs of text. `None` for every other page.
pub(super) fn unwrap_scripted_body(html: &str, doc: &Html) -> Option<String> {
    // The cheap tests first: most pages have scripts, a few the template's place around one.
    // The selector runs only on the elements it can match (on every element, it cost a fiftieth
    // of extraction).
    let mut scripted = crate::extract::elements_in_select_order(doc)
        .filter(|el| matches!(el.value().name(), "script" | "noscript") && SCRIPTED.matches(el));
    let inner = scripted.find_map(|el| {
        let parent = el.parent().and_then(ElementRef::wrap)?;
        let names_body = parent
            .ancestors()
            .filter_map(ElementRef::wrap)
            .take(4)
            .chain([parent])
            .any(|a| {
                a.value().attr("itemprop") == Some("articleBody")
                    || POSITIVE.is_match(&class_and_id(a.value()))
            });
        if !names_body || shown_text(parent) >= 200 {
            return None;
        }
        let markup: String = el.text().collect();
        // Markup, not data (a JSON component whose captions hold `<p>`s).
        let is_markup =
            markup.trim_start().starts_with('<') && !markup.trim_start().starts_with("<![CDATA[");
        (is_markup
            && markup.to_ascii_lowercase().matches("<p").count() >= 2
            && text_outside_tags(&markup) >= 500)
            .then_some(markup)
    })?;
    let at = html.find(inner.as_str())?;
    let open = html[..at].rfind('<')?;
    let close = at + inner.len() + html[at + inner.len()..].find('>')? + 1;
    Some(format!(
        "{}<div>{inner}</div>{}",
        &html[..open],
        &html[close..]
    ))
}

pub(super) fn find_body(
    doc: &Html,
    a: &Analysis,
    base: &Url,
    (title, title_open): (&str, Option<u32>),
    drop_furniture: bool,
) -> Option<BodyPick> {
    let scores = score(doc, a);
    let mut containers = pick_containers(doc, a, &scores);
    if containers.is_empty() {
        // No block scored (a page of a few short lines): the page's body is the article, as
        // far as there is one; the verdict decides whether it is.
        containers.extend(doc.select(&BODY).next());
    }
    let first = *containers.first()?;
    let last = *containers.last()?;
    let span = (
        a.stats.get(&first.id()).map_or(0, |s| s.open),
        a.stats.get(&last.id()).map_or(0, |s| s.close),
    );
    // Widened after the span is taken: bylines and dates are read around the picked blocks,
    // not around the whole marked body (which may end on a widget's vendor name).
    widen_to_article_body(&mut containers, a);
    // The lead joins the body's text, not its span: bylines and dates between the lead and
    // the body still read as lines before it.
    let lead = title_open.map_or_else(Vec::new, |at| lead_of(&containers, a, at));
    let lead_size = lead.iter().map(|l| text_size(&meta::element_text(l))).sum();
    let lead_ids: Vec<_> = lead.iter().map(|l| l.id()).collect();
    containers.splice(0..0, lead);
    let skips = conditional_skips(&containers, a, &scores);
    let skip_el = |el: &ElementRef<'_>| {
        let id = el.id();
        // Inside the lead (which may sit in a title block named like furniture), an element is
        // furniture by its own tag and names only.
        let noise = if !lead_ids.is_empty() && el.ancestors().any(|p| lead_ids.contains(&p.id())) {
            is_noise_el(*el, true)
        } else {
            a.stats.get(&id).is_some_and(|s| s.noise)
        };
        skips.contains(&id) || noise || is_skipped_in_body(el, a, &lead_ids, title)
    };
    let title_key = meta::normalize_for_match(title);
    let title_alnum = alnum_key(title);
    let drop_line = |text: &str| is_boilerplate_line(text, &title_key, &title_alnum);
    let converter = Converter::new(base, &[]).skip_elements_where(&skip_el);
    let body = if drop_furniture {
        converter.drop_paragraphs_where(&drop_line)
    } else {
        converter
    }
    .convert(&containers);
    let (link_density, headline_links) = link_figures(&containers, a);
    Some(BodyPick {
        body,
        span,
        link_density,
        headline_links,
        lead_size,
    })
}

/// The blocks of the lead: between the title (at `at`) and the first block of the body's text.
/// A picture above the title or beside the body (joined for its caption) does not bound it. A
/// block inside a body container is body already, unless it sits in a title block named like
/// furniture (`header.Post__header` inside the container), which the body skips.
fn lead_of<'a>(containers: &[ElementRef<'a>], a: &Analysis, at: u32) -> Vec<ElementRef<'a>> {
    let text_block = containers
        .iter()
        .find(|c| {
            a.stats
                .get(&c.id())
                .is_some_and(|s| s.open > at && !(s.img > 0 && s.text <= 500 && has_caption(c)))
        })
        .copied()
        .or_else(|| first_paragraph_after(containers, a, at));
    let Some(text_block) = text_block else {
        return Vec::new();
    };
    let mut lead = lead_blocks(text_block, a, at);
    lead.retain(|l| {
        a.stats.get(&l.id()).is_some_and(|s| s.noise)
            || !l
                .ancestors()
                .any(|p| containers.iter().any(|c| c.id() == p.id()))
    });
    lead
}

/// Whether the body skips `el`, furniture and conditional cleaning aside: the title block's
/// furniture, the title itself, tracking pixels and QR codes, hidden elements.
fn is_skipped_in_body(
    el: &ElementRef<'_>,
    a: &Analysis,
    lead_ids: &[ego_tree::NodeId],
    title: &str,
) -> bool {
    let id = el.id();
    let v = el.value();
    // A header holding the title is the title block: its kicker, byline and share bar are not
    // body, its lead picture and its lead (standfirst, found by `lead_blocks`) are.
    if !lead_ids.contains(&id)
        && el
            .parent()
            .and_then(ElementRef::wrap)
            .is_some_and(|p| p.value().name() == "header" && has_h1(&p))
    {
        // A container holding the title holds its header: the lead there is read as
        // `lead_blocks` reads one between the title and the body.
        return !(matches!(v.name(), "figure" | "img")
            || el
                .descendent_elements()
                .any(|d| matches!(d.value().name(), "figure" | "img"))
            || a.stats
                .get(&id)
                .is_some_and(|st| !st.noise && is_lead(el, st)));
    }
    match v.name() {
        // The title is not body; other `<h1>`s inside the body are its section headings.
        "h1" => title.is_empty() || meta::title::heading_matches(&meta::element_text(el), title),
        // Tracking pixels and QR codes (二维码, erweima, ewm) are not the article's images.
        "img" => {
            is_tracking_pixel(v)
                || ["src", "class", "alt"].iter().any(|at| {
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
}

/// The share of link text in the containers' text, and their headline links.
fn link_figures(containers: &[ElementRef<'_>], a: &Analysis) -> (f64, u32) {
    let (mut text, mut link_text, mut headline_links) = (0u32, 0u32, 0u32);
    for c in containers {
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
    (link_density, headline_links)
}

/// The containers inside the page's article body (`itemprop="articleBody"`) replaced by it: the
/// page says where its text is, and the best block is often one of its parts (a section, a
/// fact box) whose siblings did not score enough to join.
fn widen_to_article_body(containers: &mut Vec<ElementRef<'_>>, a: &Analysis) {
    let mut out: Vec<ElementRef<'_>> = Vec::with_capacity(containers.len());
    for c in containers.iter() {
        let body = c.ancestors().filter_map(ElementRef::wrap).find(|e| {
            mentions_article_body(e.value()) && a.stats.get(&e.id()).is_some_and(|s| !s.noise)
        });
        let pick = body.unwrap_or(*c);
        if !out.iter().any(|o| o.id() == pick.id()) {
            out.push(pick);
        }
    }
    *containers = out;
}

/// The first paragraph of text after the title at `at` inside the container that holds the
/// title (an `<article>` with its header): where the body's text starts when no container
/// starts after the title.
fn first_paragraph_after<'a>(
    containers: &[ElementRef<'a>],
    a: &Analysis,
    at: u32,
) -> Option<ElementRef<'a>> {
    let holder = containers.iter().find(|c| {
        a.stats
            .get(&c.id())
            .is_some_and(|s| s.open <= at && at <= s.close)
    })?;
    holder.descendent_elements().find(|d| {
        d.value().name() == "p"
            && a.stats
                .get(&d.id())
                .is_some_and(|s| s.open > at && !s.noise && s.text >= MIN_BLOCK_CHARS)
    })
}

/// The body found with unlikely-named elements stripped, or (Readability's retry: names can
/// mislead, a body inside `div.article-header-wrap`) without stripping them when that finds much
/// more; with the analysis it was found with.
pub(super) fn best_body(
    doc: &Html,
    strict: Analysis,
    base: &Url,
    (title, title_open): (Option<&str>, Option<u32>),
) -> (Analysis, Option<BodyPick>) {
    let title = (title.unwrap_or_default(), title_open);
    let (analysis, pick) = cleaned_body(doc, strict, base, title);
    // Everything the body holds reads like furniture (a video page's one stamp line): the page
    // keeps it rather than losing its body to the line filter.
    if pick.as_ref().is_none_or(BodyPick::is_empty) {
        let whole = find_body(doc, &analysis, base, title, false).or(pick);
        if whole.as_ref().is_none_or(BodyPick::is_empty) {
            let marked = marked_body(doc, &analysis, base);
            return (analysis, marked.or(whole));
        }
        return (analysis, whole);
    }
    (analysis, pick)
}

impl BodyPick {
    /// Neither text nor pictures: no body.
    pub(super) fn is_empty(&self) -> bool {
        self.body.text_blocks == 0 && self.body.images.is_empty()
    }
}

/// Class names a CMS gives the element that holds a post's content (WordPress's
/// `entry-content`, Drupal's and most themes' variants).
const CONTENT_CLASSES: &[&str] = &[
    "entry-content",
    "post-content",
    "article-content",
    "article-body",
    "post-body",
    "entry-body",
];

/// The element the page marks as its article's content, whole: its only
/// `itemprop="articleBody"`, else the first element inside its only `<article>` classed as a
/// post's content. The last resort for a post whose content no scoring finds, being all links
/// (a blog's link roll) or all short lines; furniture and hidden parts are still skipped, and
/// the verdict still refuses a list page that does not say it is an article.
fn marked_body(doc: &Html, a: &Analysis, base: &Url) -> Option<BodyPick> {
    let page = marked_article(doc);
    let marked = match page.body {
        Some(only) => only,
        None => page
            .article?
            .descendent_elements()
            .find(|e| e.value().classes().any(|c| CONTENT_CLASSES.contains(&c)))?,
    };
    let st = *a.stats.get(&marked.id())?;
    if st.noise {
        return None;
    }
    let skip = |el: &ElementRef<'_>| a.stats.get(&el.id()).is_some_and(|s| s.noise);
    let body = Converter::new(base, &[])
        .skip_elements_where(&skip)
        .convert(&[marked]);
    Some(BodyPick {
        body,
        span: (st.open, st.close),
        link_density: st.link_density(),
        headline_links: st.headline_links,
        lead_size: 0,
    })
}

/// The text a pick holds besides its lead, in [`text_size`] units.
fn own_size(p: &BodyPick) -> usize {
    text_size(&p.body.plain_text).saturating_sub(p.lead_size)
}

/// Whether the lead outweighs the body it leads: the text between the title and the picked
/// block is the article, and the pick is a box after it (an advertising disclosure at the page's
/// end while an ancestor named like furniture, `div.above-footer`, hid the article's block).
fn lead_outweighs_body(p: &BodyPick) -> bool {
    p.lead_size > own_size(p)
}

/// [`best_body`] with boilerplate lines dropped.
fn cleaned_body(
    doc: &Html,
    strict: Analysis,
    base: &Url,
    title: (&str, Option<u32>),
) -> (Analysis, Option<BodyPick>) {
    let pick = find_body(doc, &strict, base, title, true);
    if pick
        .as_ref()
        .is_some_and(|p| own_size(p) >= 150 && !lead_outweighs_body(p))
    {
        return (strict, pick);
    }
    let relaxed = analyse(doc, false);
    let again = find_body(doc, &relaxed, base, title, true);
    let better = match (&pick, &again) {
        (None, Some(_)) => true,
        (Some(p), Some(q)) => {
            let (p_size, q_size) = (text_size(&p.body.plain_text), text_size(&q.body.plain_text));
            // A pick that is mostly its lead gives way to any larger one.
            q_size > 2 * p_size || (lead_outweighs_body(p) && q_size > p_size)
        }
        _ => false,
    };
    if better {
        (relaxed, again)
    } else {
        (strict, pick)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The body's Markdown that `best_body` finds in `doc` under its `<h1>`, "The Title".
    fn markdown_under_title(doc: &Html) -> String {
        let base = Url::parse("https://example.com/a").unwrap();
        let a = analyse(doc, true);
        let h1 = doc.select(&Selector::parse("h1").unwrap()).next().unwrap();
        let at = a.stats.get(&h1.id()).map(|s| s.open);
        let (_, pick) = best_body(doc, a, &base, (Some("The Title"), at));
        pick.unwrap().body.markdown
    }

    #[test]
    fn the_body_keeps_section_headings_and_drops_the_title_and_boilerplate() {
        let para = "Running text of the article, with enough words and commas, to be the body.";
        let html = format!(
            "<body><article><h1>The Title</h1><p>{para}</p><h2>A section</h2><p>{para}</p>\
             <h1>Part two</h1><p>{para}</p><p>Copyright 2024 Example</p></article></body>"
        );
        let doc = Html::parse_document(&html);
        let base = Url::parse("https://example.com/a").unwrap();
        let (_, pick) = best_body(&doc, analyse(&doc, true), &base, (Some("The Title"), None));
        let md = pick.unwrap().body.markdown;
        assert!(md.contains("A section\n---"), "{md}");
        assert!(md.contains("Part two\n==="), "{md}");
        assert!(!md.contains("The Title"), "{md}");
        assert!(!md.contains("Copyright"), "{md}");
    }

    #[test]
    fn a_post_body_in_a_script_template_is_the_body() {
        let para = "Over the past few years we have seen threats on the web become more \
                    sophisticated, and we answer them with a new mode of protection today. ";
        let post = format!("<p>{para}{para}</p><p>{para}{para}</p><p>{para}</p>");
        let page = format!(
            "<html><body><h1>Title</h1><div class='post-body'><div itemprop='articleBody'>\
             <script type='text/template'>\n<span>Posted by A</span>{post}</script>\
             </div></div><p>Footer</p></body></html>"
        );
        let unwrapped = unwrap_scripted_body(&page, &Html::parse_document(&page)).unwrap();
        assert!(unwrapped.contains(&format!("<div>\n<span>Posted by A</span>{post}</div>")));
        assert!(!unwrapped.contains("text/template"));
        // Once the post shows, nothing is unwrapped again.
        assert!(unwrap_scripted_body(&unwrapped, &Html::parse_document(&unwrapped)).is_none());
        // Data in a template (a JSON component whose caption holds paragraphs) is no body.
        let data = format!(
            "<div class='entry-content'><script type='text/template'>{{\"caption\":\"{post}\"}}</script></div>"
        );
        assert!(unwrap_scripted_body(&data, &Html::parse_document(&data)).is_none());
        // A template outside an element named as the body is not unwrapped.
        let elsewhere = format!("<div id='x'><script type='text/template'>{post}</script></div>");
        assert!(unwrap_scripted_body(&elsewhere, &Html::parse_document(&elsewhere)).is_none());
    }

    #[test]
    fn the_lead_in_the_title_block_joins_the_body() {
        let para = "Running text of the article, with enough words and commas, to be the body.";
        let lead = "The lead says what happened, to whom, where and why, in one long sentence of its own, before the body begins.";
        let paras: String = (0..6).map(|_| format!("<p>{para}</p>")).collect();
        let links: String = (0..6)
            .map(|i| format!("<a href=/{i}>Section {i}</a> "))
            .collect();
        let html = format!(
            "<body><div class=page><header><h1>The Title</h1><p class=byline>By Jane Doe</p>\
             <div class=intro><p>{lead}</p></div></header><div id=story>{paras}</div>\
             <div class=links>{links}</div></div></body>"
        );
        let doc = Html::parse_document(&html);
        let md = markdown_under_title(&doc);
        assert!(md.starts_with(lead), "{md}");
        assert!(
            !md.contains("Jane Doe") && !md.contains("The Title"),
            "{md}"
        );
        // Without a title heading there is no title block to read a lead from.
        let base = Url::parse("https://example.com/a").unwrap();
        let (_, pick) = best_body(&doc, analyse(&doc, true), &base, (Some("The Title"), None));
        assert!(!pick.unwrap().body.markdown.contains(lead));
    }

    #[test]
    fn the_lead_in_a_header_named_like_furniture_joins_the_body() {
        let para = "Running text of the article, with enough words and commas, to be the body.";
        let lead =
            "Feeling tired all the time? It may not be the season, but a symptom of an illness.";
        let paras: String = (0..6).map(|_| format!("<p>{para}</p>")).collect();
        let html = format!(
            "<body><main><header class=entry-header><h1>The Title</h1>\
             <div class=entry-meta>By Jane Doe</div><div class=lead><p>{lead}</p></div>\
             <div class=social-share><p>Share this, with friends, on every network, today.</p></div>\
             </header><article class=article-body>{paras}</article></main></body>"
        );
        let doc = Html::parse_document(&html);
        let md = markdown_under_title(&doc);
        assert!(md.starts_with(lead), "{md}");
        assert!(
            !md.contains("Jane Doe") && !md.contains("Share this"),
            "{md}"
        );
    }

    #[test]
    fn a_deck_of_one_sentence_without_commas_joins_the_body() {
        let para = "Running text of the article, with enough words and commas, to be the body.";
        let deck = "In den Vereinigten Staaten trommeln Aktivisten für einen Mietenstopp in der Coronakrise";
        let paras: String = (0..6).map(|_| format!("<p>{para}</p>")).collect();
        let html = format!(
            "<body><article><h1>The Title</h1><h2>{deck}</h2><p class=meta>Von Moritz Wichmann, 29.04.2020</p>\
             <figure><img src=a.jpg><figcaption>A caption under the picture, in one line.</figcaption></figure>\
             <div class=content>{paras}</div></article></body>"
        );
        let md = markdown_under_title(&Html::parse_document(&html));
        assert!(md.starts_with(deck), "{md}");
        assert!(!md.contains("Wichmann"), "{md}");
    }

    #[test]
    fn the_lead_after_a_picture_beside_the_body_joins_it() {
        let para = "Running text of the article, with many words, commas, clauses, and more.";
        let lead =
            "The lead says what happened, to whom, where and why, in one long sentence of its own.";
        let paras: String = (0..24).map(|_| format!("<p>{para}</p>")).collect();
        let html = format!(
            "<body><article><header><h1>The Title</h1></header>\
             <figure><img src=a.jpg><figcaption>A caption under the picture, in one line.</figcaption></figure>\
             <div class=excerpt><p>{lead}</p></div><div class=entry-content>{paras}</div></article></body>"
        );
        let md = markdown_under_title(&Html::parse_document(&html));
        assert!(md.contains(lead), "{md}");
    }

    #[test]
    fn a_header_block_with_a_heading_holds_the_lead_whichever_heading_is_the_title() {
        let para = "Running text of the article, with enough words and commas, to be the body.";
        let lead =
            "Feeling tired all the time? It may not be the season, but a symptom of an illness.";
        let paras: String = (0..6).map(|_| format!("<p>{para}</p>")).collect();
        // The title is matched to the trail's heading, above the article's own header.
        let html = format!(
            "<body><div class=trail><h1>The Title</h1></div><main><header class=entry-header>\
             <h2>The Title</h2><div class=lead><p>{lead}</p></div></header>\
             <article class=article-body>{paras}</article></main></body>"
        );
        let md = markdown_under_title(&Html::parse_document(&html));
        assert!(md.starts_with(lead), "{md}");
    }

    #[test]
    fn the_lead_in_the_title_header_inside_the_body_container_stays() {
        let para = "Running text of the article, with enough words and commas, to be the body.";
        let deck = "Die Zeichen für einen reibungslosen Ablauf der Rallye stehen gut. Die Genehmigungen liegen vor.";
        let paras: String = (0..6).map(|_| format!("<p>{para}</p>")).collect();
        let html = format!(
            "<body><article><header><p class=kicker>Wo man sich trifft</p><h1>The Title</h1>\
             <div class=lead><p>{deck}</p></div><div class=meta>Redaktion - 31. Januar 2022</div>\
             </header>{paras}</article></body>"
        );
        let md = markdown_under_title(&Html::parse_document(&html));
        assert!(md.starts_with(deck), "{md}");
        assert!(!md.contains("Redaktion") && !md.contains("Wo man"), "{md}");
    }

    #[test]
    fn a_body_of_furniture_lines_only_is_kept_whole() {
        let line = "Foto: Christof Stache, 23.10.2018";
        assert!(
            is_boilerplate_line(line, "", ""),
            "the line must be furniture"
        );
        let doc = Html::parse_document(&format!(
            "<body><article><h1>A video</h1><p>{line}</p></article></body>"
        ));
        let base = Url::parse("https://example.com/v").unwrap();
        let (_, pick) = best_body(&doc, analyse(&doc, true), &base, (Some("A video"), None));
        let body = pick.unwrap().body;
        assert!(
            body.plain_text.contains("Christof Stache"),
            "{}",
            body.markdown
        );
    }

    #[test]
    fn the_lead_in_a_furniture_named_header_of_the_container_holding_the_title_stays() {
        // The container holds the title's header (Readability's unlikely name `header`), and
        // no other container starts after the title: only a teaser with its picture.
        let para = "Running text of the article, with enough words and commas, to be the body.";
        let paras: String = (0..6).map(|_| format!("<p>{para}</p>")).collect();
        let html = format!(
            "<body><div id=wrap><article><header class=Post__header><h1>The Title</h1>\
             <div class=Post__lead><h2>The lead says what happened, to whom, where, and why it matters to the readers now.</h2></div>\
             <div class=Post__meta>Redaktion</div></header>{paras}</article>\
             <div class=teaser><figure><img src=t.jpg><figcaption>Another story</figcaption></figure></div></div></body>"
        );
        let md = markdown_under_title(&Html::parse_document(&html));
        assert!(md.starts_with("The lead says what happened"), "{md}");
        assert!(!md.contains("Redaktion"), "{md}");
    }
    #[test]
    fn the_marked_article_body_holds_all_its_parts() {
        let para = "Running text of the article, with enough words and commas, to be the body.";
        let paras: String = (0..8).map(|_| format!("<p>{para}</p>")).collect();
        let html = format!(
            "<body><h1>The Title</h1><div itemprop=articleBody><div class=part-one>{paras}</div>\
             <div class=part-two><p>The second part closes the story here</p></div></div>\
             <div class=teasers><p>Another story, with its own words, elsewhere on the site.</p></div></body>"
        );
        let md = markdown_under_title(&Html::parse_document(&html));
        assert!(md.contains("The second part closes the story here"), "{md}");
        assert!(!md.contains("Another story"), "{md}");
    }

    #[test]
    fn a_pick_outweighed_by_its_lead_gives_way() {
        // The article sits in a block named like furniture (`above-footer`); the strict pass
        // picks a notice after it and reads the article's plain paragraphs as its lead.
        let plain = "Running text of the article, with enough words and commas, to be the body.";
        let linked =
            "Its <a href=/x>other paragraphs</a> link to pages, with words and commas, on.";
        let story: String = (0..4)
            .map(|_| format!("<p>{plain}</p><p>{linked}</p>"))
            .collect();
        let html = format!(
            "<body><div class=above-footer><h1>The Title</h1><div class=story>{story}</div></div>\
             <section class=notice><p>Offers on this site come from partners, who pay us, as we say.</p></section></body>"
        );
        let md = markdown_under_title(&Html::parse_document(&html));
        assert!(md.contains("other paragraphs"), "{md}");
        assert!(!md.contains("Offers on this site"), "{md}");
    }
}
