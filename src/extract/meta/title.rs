//! The title a reader sees: the heading that shows the `<title>`, `og:title` or JSON-LD
//! headline, else the article's own `<h1>`, else the declared title without the site-name
//! suffix, else the first `<h1>`. Headings that show the site's name never count.

use std::sync::LazyLock;

use scraper::{ElementRef, Selector};

use super::{Elements, PageMeta, Place, clean_text, element_text};

/// `title` without the site-name suffix (`…_网易新闻`, `… - BBC News`, `…|公园_新浪新闻`).
pub fn strip_site_suffix(title: &str, site_names: &[String]) -> String {
    let mut t = clean_text(title);
    for _ in 0..4 {
        let Some((head, tail)) = split_last_separator(&t) else {
            break;
        };
        let head = head.trim();
        let tail = tail.trim();
        let names_site = site_names
            .iter()
            .any(|n| !n.is_empty() && (tail.contains(n.as_str()) || n.contains(tail)));
        let head_len = head.chars().count();
        let tail_len = tail.chars().count();
        let short_tail = tail_len <= 30 && tail_len * 2 <= head_len + 4;
        if head_len >= 4 && (names_site || short_tail) {
            t = head.to_owned();
        } else {
            break;
        }
    }
    t
}

/// The text before and after the last title separator. A bare `-` separates only when the part
/// after it is not plain ASCII (`标题-新华网`), so hyphenated English words stay whole.
fn split_last_separator(t: &str) -> Option<(&str, &str)> {
    const SEPARATORS: &[&str] = &[
        " | ", " - ", " – ", " — ", "_", "|", "｜", " :: ", "--", "—",
    ];
    let mut best: Option<(usize, usize)> = None;
    for sep in SEPARATORS {
        if let Some(pos) = t.rfind(sep)
            && best.is_none_or(|(b, _)| pos > b)
        {
            best = Some((pos, sep.len()));
        }
    }
    if let Some(pos) = t.rfind('-') {
        let tail = &t[pos + 1..];
        if !tail.is_ascii() && best.is_none_or(|(b, _)| pos > b) {
            best = Some((pos, 1));
        }
    }
    let (pos, len) = best?;
    // A run of dashes separates as a whole (`标题--人民网`, `标题---人民网`), not its last ones.
    let head = &t[..pos];
    let head = if t[pos..pos + len].starts_with('-') {
        head.trim_end_matches('-')
    } else {
        head
    };
    Some((head, &t[pos + len..]))
}

/// Whether a heading's text is the title that `reference` (the `<title>` or `og:title`) holds:
/// most of it.
/// A heading that shows the title after a kicker (`Klimaschutz: Bohren, bis es heiß wird` for
/// `Bohren, bis es heiß wird`, [`heading_title_text`]) matches too.
pub fn heading_matches(heading: &str, reference: &str) -> bool {
    let h = normalize_for_match(heading);
    let r = normalize_for_match(reference);
    let r_len = r.chars().count();
    shows_most(&h, &r) || (r_len >= 8 && h.ends_with(&r) && r_len * 2 >= h.chars().count())
}

/// Whether a heading's text (`h`, [`normalize_for_match`]ed) is most of the reference `r`.
fn shows_most(h: &str, r: &str) -> bool {
    let len = h.chars().count();
    len >= 4 && r.contains(h) && len * 5 >= r.chars().count() * 2
}

/// Class words of the line a heading shows above its title (a kicker, `Dachzeile`, overline,
/// roofline, topic label): no part of the title.
const KICKER_CLASSES: &[&str] = &[
    "kicker",
    "dachzeile",
    "overline",
    "roofline",
    "topline",
    "toptitle",
    "eyebrow",
    "spitzmarke",
    "topic-label",
    "subtitle",
];

/// Whether an element's class names a kicker ([`KICKER_CLASSES`]).
fn is_kicker(e: &ElementRef<'_>) -> bool {
    e.value().attr("class").is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        KICKER_CLASSES.iter().any(|k| c.contains(k))
    })
}

/// The text of a title heading without the kicker that opens it (`<h1><span
/// class="dachzeile">Interne Unterlagen im Netz</span> <span class="headline">Daten von
/// Rheinmetall gehackt</span></h1>`: the second part), inside the heading or a lone wrapper in
/// it (`<h1><a>…</a></h1>`); the separator after the kicker (`: `) goes too. Readers and sites
/// (`og:title`) give the title without it.
pub fn heading_title_text(h: &ElementRef<'_>) -> String {
    let mut el = *h;
    loop {
        let mut kids = el
            .children()
            .filter(|n| !n.value().as_text().is_some_and(|t| t.trim().is_empty()));
        let Some(first) = kids.next().and_then(ElementRef::wrap) else {
            break;
        };
        if is_kicker(&first) {
            let rest: String = kids
                .flat_map(|n| n.descendants())
                .filter_map(|n| n.value().as_text().map(|t| t.to_string()))
                .collect();
            let rest = clean_text(&rest);
            let rest = rest.trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, ':' | '：' | '-' | '–' | '—' | '|')
            });
            if rest.chars().count() >= 4 {
                return rest.to_owned();
            }
            break;
        }
        // A lone wrapper (`<h1><a>…</a></h1>`): look inside it.
        if kids.next().is_some() {
            break;
        }
        el = first;
    }
    element_text(h)
}

/// Whether a heading's text is one whole part of `reference` between separators (`Vom Boden
/// aus gedacht` in `Vom Boden aus gedacht - Ann Cotten verwebt … : literaturkritik.de`).
fn heading_is_segment(heading: &str, reference: &str) -> bool {
    let h = normalize_for_match(heading);
    h.chars().count() >= 8 && segments(reference).any(|s| normalize_for_match(s) == h)
}

/// The parts of a declared title between separators (`A | B - C`: `A`, `B`, `C`).
fn segments(title: &str) -> impl Iterator<Item = &str> {
    const SEPARATORS: &[&str] = &[
        " | ", " - ", " – ", " — ", " :: ", " » ", " « ", " · ", " • ", " : ", "_", "|", "｜",
    ];
    let mut parts = vec![title];
    for sep in SEPARATORS {
        parts = parts.into_iter().flat_map(|p| p.split(sep)).collect();
    }
    parts.into_iter().map(str::trim).filter(|p| !p.is_empty())
}

/// Text reduced for comparing titles: no whitespace, one kind of quote and dash.
pub fn normalize_for_match(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '“' | '”' | '„' | '＂' | '«' | '»' => '"',
            '‘' | '’' | '‚' => '\'',
            '–' | '—' | '‐' | '‑' => '-',
            c => c,
        })
        .collect()
}

/// Lower-cased words of four or more letters, for telling whether two titles speak of the same
/// thing.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .collect()
}

static HEADINGS: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("h1, h2, h3").expect("static selector"));
static LINKS: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("a[href]").expect("static selector"));

/// The page's `<h1>` to `<h3>`, in `Html::select` order.
fn headings<'a>(els: &Elements<'a>) -> impl Iterator<Item = ElementRef<'a>> {
    els.headings.iter().copied().filter(|h| HEADINGS.matches(h))
}

/// Class and id words of a site's name block (`h1.site-title`, `div.logo h1`).
const SITE_NAME_CLASSES: &[&str] = &[
    "site-title",
    "site-name",
    "sitename",
    "site-branding",
    "blog-title",
    "logo",
    "brand",
    "masthead",
];

/// Whether a heading shows the site's name rather than an article's title: it is one of the
/// names the site declares, sits in a name block, or links to the site's home page.
fn is_site_heading(h: &ElementRef<'_>, text: &str, names: &[String]) -> bool {
    if names.iter().any(|n| n.eq_ignore_ascii_case(text)) {
        return true;
    }
    let named_block = std::iter::successors(Some(*h), |e| e.parent().and_then(ElementRef::wrap))
        .take(3)
        .any(|e| {
            let v = e.value();
            let words = format!(
                "{} {}",
                v.attr("class").unwrap_or(""),
                v.attr("id").unwrap_or("")
            )
            .to_ascii_lowercase();
            SITE_NAME_CLASSES.iter().any(|c| words.contains(c))
        });
    named_block
        || h.select(&LINKS).any(|a| {
            let href = a.value().attr("href").unwrap_or("").trim();
            let path = href
                .strip_prefix("https://")
                .or_else(|| href.strip_prefix("http://"))
                .map_or(href, |rest| rest.find('/').map_or("/", |i| &rest[i..]));
            // `index.html` relative to the page: the home of a manual or a section.
            let path = path.strip_prefix("./").unwrap_or(path);
            matches!(
                path.trim_start_matches('/'),
                "" | "index.html" | "index.htm" | "index.php"
            ) && !href.is_empty()
        })
}

/// The title, and the position of the heading that shows it (if one does): the heading that
/// shows the declared title (an `<h1>` first), else the article's `<h1>` when it speaks of
/// what the declared title does (sites give `<title>` a search-engine wording), else the
/// declared title without the site's name, else the first `<h1>`.
pub fn pick(
    els: &Elements<'_>,
    meta: &PageMeta,
    place: Place<'_>,
) -> (Option<String>, Option<u32>) {
    let names = meta.site_names();
    let references: Vec<&str> = [
        meta.page_title.as_deref(),
        meta.preview_title(),
        meta.ld.headline.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let reference_keys: Vec<String> = references.iter().map(|r| normalize_for_match(r)).collect();
    let mut best: Option<(String, u32, usize)> = None;
    for h in headings(els).take(50) {
        let placed = place(h.id());
        if placed.is_some_and(|p| p.noise) && h.value().name() != "h1" {
            continue;
        }
        let full = element_text(&h);
        if full.chars().count() > 300 || is_site_heading(&h, &full, &names) {
            continue;
        }
        // A heading ending in a colon leads into what follows it; it is no title.
        if full.ends_with([':', '：']) {
            continue;
        }
        let text = heading_title_text(&h);
        let (key, full_key) = (normalize_for_match(&text), normalize_for_match(&full));
        let most = reference_keys
            .iter()
            .any(|r| shows_most(&key, r) || shows_most(&full_key, r));
        if most || references.iter().any(|r| heading_is_segment(&text, r)) {
            let len = text.chars().count();
            // Most of a declared title before a part of one (which may be the site's name);
            // then h1 first; among equals the longest.
            let rank =
                len + if h.value().name() == "h1" {
                    len + 1000
                } else {
                    0
                } + if most { 10_000 } else { 0 };
            if best.as_ref().is_none_or(|(_, _, r)| rank > *r) {
                let open = placed.map_or(0, |p| p.open);
                best = Some((text, open, rank));
            }
        }
    }
    if let Some((text, open, _)) = best {
        let text = declared_wording(&text, meta, &names).unwrap_or(text);
        return (Some(text), Some(open));
    }
    // Metadata that names only the article (JSON-LD, Dublin Core, Parse.ly), then the page's
    // titles for search engines and feeds.
    let article_meta = meta.article_title();
    let from_meta = article_meta
        .or_else(|| meta.preview_title())
        .or(meta.page_title.as_deref())
        .map(|t| strip_site_suffix(t, &names))
        .filter(|t| !t.is_empty());
    if let Some(declared) = from_meta {
        let strict = article_meta.is_some();
        let shown = article_h1(els, place, &declared, strict, &names)
            .or_else(|| title_box_showing_part(els, place, &declared));
        return match shown {
            Some((text, open)) => (Some(text), Some(open)),
            None => (Some(declared), None),
        };
    }
    let h1 = headings(els)
        .find(|h| h.value().name() == "h1")
        .map(|h| element_text(&h))
        .filter(|t| !t.is_empty());
    (h1, None)
}

/// Elements (in document order) at most between the heading [`heading_above`] takes and the
/// body: the heading's block, a date and source line, the body's wrappers.
const HEADING_GAP: u32 = 30;

/// The heading just above the body (`body_open`) when it reads as a headline: the title of a
/// page whose `<title>` names only its section (`新闻动态--中国地理学会官网`, the article's
/// title in an `<h5>` over the date line), as small CMS sites of institutions write them.
pub fn heading_above(
    els: &Elements<'_>,
    place: Place<'_>,
    body_open: u32,
) -> Option<(String, u32)> {
    let (h, open) = els
        .headings
        .iter()
        .filter_map(|h| {
            place(h.id())
                .filter(|p| !p.noise && p.open < body_open)
                .map(|p| (h, p.open))
        })
        .max_by_key(|(_, open)| *open)?;
    let text = heading_title_text(h);
    (body_open - open <= HEADING_GAP && reads_as_headline(&text)).then_some((text, open))
}

/// A headline rather than a label: six Han characters or four words, at most 150 characters,
/// not leading into what follows (`:`), no breadcrumb (`首页 - 新闻动态`, `Home > News`).
fn reads_as_headline(text: &str) -> bool {
    let han = text
        .chars()
        .filter(|c| matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}'))
        .count();
    (han >= 6 || text.split_whitespace().count() >= 4)
        && text.chars().count() <= 150
        && !text.ends_with([':', '：'])
        && !text.contains(['>', '»', '›'])
        && !text.starts_with("首页")
}

/// The site's declared title (`og:title`, `twitter:title`, JSON-LD headline) when the heading
/// that shows the title adds a word or a kicker before it (`The seven secrets …` for `Seven
/// secrets …`, `Tunesien Große Aufgaben …`): readers take the declared wording then. Only a
/// declared title that is most of the heading counts, so a short label never wins.
fn declared_wording(heading: &str, meta: &PageMeta, names: &[String]) -> Option<String> {
    let declared = meta
        .preview_title()
        .or(meta.ld.headline.as_deref())
        .map(|t| strip_site_suffix(t, names))?;
    let (h, d) = (
        normalize_for_match(heading).to_lowercase(),
        normalize_for_match(&declared).to_lowercase(),
    );
    let d_len = d.chars().count();
    (d_len >= 12 && h.len() > d.len() && h.ends_with(&d) && d_len * 3 >= h.chars().count() * 2)
        .then_some(declared)
}

/// Whether a heading with the words `heading` speaks of what a declared title with the words
/// `declared` does ([`words`]): it shares one of them. A title from metadata that names only
/// the article (`strict`: JSON-LD, Dublin Core, Parse.ly) is no search-engine wording of the
/// heading, so one shared word is chance there (`Test document title` and `Dublin Core
/// property title`): the heading shares two then, or holds none the declared title lacks
/// (`Blockhaus 3` for `Blockhaus Typ 3 in Ludorf`).
fn speaks_of(heading: &[String], declared: &[String], strict: bool) -> bool {
    let shared = heading.iter().filter(|w| declared.contains(w)).count();
    shared >= 1 && (!strict || shared >= 2 || shared == heading.len())
}

/// The page's `<h1>` that words the article's title differently from `declared` (`Der
/// Nervenkrieg um den Brexit geht in die nächste Runde` for `Brexit: Nervenkrieg geht in
/// nächste Runde`): the first one outside furniture that is not the site's name and speaks of
/// what it does ([`speaks_of`], `strict` for a title from article metadata). An `<h1>` that
/// holds the whole declared title and more (a kicker before it) yields to the declared title.
fn article_h1(
    els: &Elements<'_>,
    place: Place<'_>,
    declared: &str,
    strict: bool,
    names: &[String],
) -> Option<(String, u32)> {
    let declared_words = words(declared);
    let declared_key = normalize_for_match(declared);
    for h in headings(els).filter(|h| h.value().name() == "h1") {
        let Some(at) = place(h.id()).filter(|p| !p.noise) else {
            continue;
        };
        let text = heading_title_text(&h);
        let len = text.chars().count();
        if !(4..=300).contains(&len) || is_site_heading(&h, &element_text(&h), names) {
            continue;
        }
        if normalize_for_match(&text).contains(&declared_key) {
            return None;
        }
        if speaks_of(&words(&text), &declared_words, strict) {
            return Some((text, at.open));
        }
    }
    None
}

/// The text of a title box that is not a heading (`<span class="Title">`, `<div
/// class="title">`) when it shows the declared title without a last word the `<title>` adds
/// after a space: the section's or the institution's name (`… 东区办事处`, `… 某某医院`), which
/// small CMS sites of China append so. The rest is one name, at most half as long as what the
/// box shows.
fn title_box_showing_part(
    els: &Elements<'_>,
    place: Place<'_>,
    declared: &str,
) -> Option<(String, u32)> {
    const MAX_REST: usize = 30;
    els.marked.iter().find_map(|m| {
        let names_title = [m.class, m.id]
            .into_iter()
            .flatten()
            .any(|v| crate::extract::contains_ignoring_ascii_case(v, "title"));
        if !names_title {
            return None;
        }
        let at = place(m.el.id()).filter(|p| !p.noise)?;
        let text = element_text(&m.el);
        let rest = declared.strip_prefix(text.as_str())?;
        let rest = rest.strip_prefix(char::is_whitespace)?.trim_start();
        let rest_len = rest.chars().count();
        (reads_as_headline(&text)
            && !rest.contains(char::is_whitespace)
            && (1..=MAX_REST).contains(&rest_len)
            && rest_len * 2 <= text.chars().count())
        .then_some((text, at.open))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    /// The title `pick` finds in `html`, every element placed at the same spot of the page.
    fn picked_title(html: &str) -> Option<String> {
        let place = |_| {
            Some(crate::extract::meta::Placed {
                open: 7,
                noise: false,
            })
        };
        let doc = Html::parse_document(html);
        let meta = super::super::collect(&doc);
        pick(&Elements::new(&doc), &meta, &place).0
    }

    #[test]
    fn a_title_box_showing_the_title_without_the_units_name_is_the_title() {
        let page = |title: &str, shown: &str| {
            format!(
                "<html><head><title>{title}</title></head><body>\
                 <span class=\"Title\"><b>{shown}</b></span><p>正文。</p></body></html>"
            )
        };
        let headline = "顺德区大良街道党工委委员一行到众创金融街开展调研工作";
        let title = format!("{headline} 东区办事处_中山网");
        assert_eq!(
            picked_title(&page(&title, headline)).as_deref(),
            Some(headline)
        );
        // A box showing only a few words of a longer title is no title.
        let long = format!("{headline} 并召开座谈会研究下一步工作安排");
        assert_eq!(picked_title(&page(&long, headline)), Some(long));
    }

    #[test]
    fn titles_lose_site_suffixes() {
        let names = vec!["BBC News".to_owned()];
        for (raw, want) in [
            (
                "Obama admits US gun laws are his 'biggest frustration' - BBC News",
                "Obama admits US gun laws are his 'biggest frustration'",
            ),
            (
                "多地项目连环爆雷 狂奔的龙湖集团\"暗伤\"曝露？_网易财经",
                "多地项目连环爆雷 狂奔的龙湖集团\"暗伤\"曝露？",
            ),
            (
                "共享充电宝涨价告别1元时代：是“收割韭菜”还是回归理性_10%公司_澎湃新闻-The Paper",
                "共享充电宝涨价告别1元时代：是“收割韭菜”还是回归理性",
            ),
            (
                "法国全国大罢工再次严重影响交通-新华网",
                "法国全国大罢工再次严重影响交通",
            ),
            // Older portals separate with a run of dashes.
            ("总理会见外国客人--人民网", "总理会见外国客人"),
            ("总理会见外国客人---时政频道--人民网", "总理会见外国客人"),
            (
                "A well-known long-running story about things",
                "A well-known long-running story about things",
            ),
        ] {
            assert_eq!(strip_site_suffix(raw, &names), want, "{raw}");
        }
    }

    #[test]
    fn a_heading_that_links_to_the_home_page_is_the_sites_name() {
        // A manual's pages (Sphinx) head each page with the manual's name, linked to its
        // `index.html`; the page's own title is the next `<h1>`.
        for home in ["index.html", "./", "/", "https://example.org", "/index.php"] {
            let html = format!(
                "<title>Shared History — the manual of the project</title>\
                 <h1><a href=\"{home}\">the manual of the project</a></h1><h1>Shared History</h1>"
            );
            assert_eq!(
                picked_title(&html).as_deref(),
                Some("Shared History"),
                "{home}"
            );
        }
    }

    #[test]
    fn pick_prefers_the_heading_that_shows_the_title() {
        let place = |_| None;
        let doc = Html::parse_document(
            r#"<title>Big news today - Example Times</title><h2>Other</h2><h1>Big news today</h1>"#,
        );
        let meta = super::super::collect(&doc);
        assert_eq!(
            pick(&Elements::new(&doc), &meta, &place),
            (Some("Big news today".into()), Some(0))
        );
        let doc =
            Html::parse_document(r#"<title>标题很长的一篇文章_网易新闻</title><h1>网易</h1>"#);
        let meta = super::super::collect(&doc);
        assert_eq!(
            pick(&Elements::new(&doc), &meta, &place),
            (Some("标题很长的一篇文章".into()), None)
        );
        let doc = Html::parse_document("<h1>Only a heading</h1>");
        let meta = super::super::collect(&doc);
        assert_eq!(
            pick(&Elements::new(&doc), &meta, &place),
            (Some("Only a heading".into()), None)
        );
    }

    #[test]
    fn the_articles_own_heading_beats_the_declared_wording() {
        let page = picked_title;
        // A whole part of the declared title.
        assert_eq!(
            page("<title>Vom Boden aus gedacht - Ann Cotten verwebt Lokales und Globales : literaturkritik.de</title><h1>Vom Boden aus gedacht</h1>").as_deref(),
            Some("Vom Boden aus gedacht")
        );
        // The site's name in a heading is not the title.
        assert_eq!(
            page(r#"<title>Need for Speed | Insubordinantes Denken</title><h1 class="site-title"><a href="/">Insubordinantes Denken</a></h1><h2>Need for Speed</h2>"#).as_deref(),
            Some("Need for Speed")
        );
        // An h1 worded differently from <title> but about the same thing.
        assert_eq!(
            page("<title>Brexit: Nervenkrieg geht in nächste Runde</title><h1>Der Nervenkrieg um den Brexit geht in die nächste Runde</h1>").as_deref(),
            Some("Der Nervenkrieg um den Brexit geht in die nächste Runde")
        );
        // An h1 that shares one word with the declared title by chance is not.
        assert_eq!(
            page(concat!(
                r#"<meta property="dc:title" content="Dublin Core property title">"#,
                "<h1>Test document title</h1>"
            ))
            .as_deref(),
            Some("Dublin Core property title")
        );
        assert_eq!(
            page(r#"<meta name="parsely-title" content="Some Other Title"><h1>Test document title</h1>"#)
                .as_deref(),
            Some("Some Other Title")
        );
        // A short h1 all of whose words the declared title holds still speaks of it.
        assert_eq!(
            page(concat!(
                r#"<meta property="dc:title" content="Blockhaus Typ 3 in Ludorf am See">"#,
                "<h1>Blockhaus 3</h1>"
            ))
            .as_deref(),
            Some("Blockhaus 3")
        );
        // A <title> or og:title worded for search engines: one shared word will do.
        assert_eq!(
            page(concat!(
                r#"<meta property="og:title" content="The Modern Ambitions Behind Neon">"#,
                "<h1>Why Neon Is the Ultimate Symbol of the 20th Century</h1>"
            ))
            .as_deref(),
            Some("Why Neon Is the Ultimate Symbol of the 20th Century")
        );
        // An h1 about something else (the blog's motto) is not.
        assert_eq!(
            page("<title>Was ist Virales Marketing?</title><h1>DimidoBlog</h1>").as_deref(),
            Some("Was ist Virales Marketing?")
        );
        // An h1 holding a kicker and the title: the title.
        assert_eq!(
            page("<title>Wurmkiste selber bauen</title><h1>Garten Wurmkiste selber bauen</h1>")
                .as_deref(),
            Some("Wurmkiste selber bauen")
        );
    }

    #[test]
    fn the_declared_title_wins_over_a_heading_that_adds_a_word_before_it() {
        let page = picked_title;
        assert_eq!(
            page(concat!(
                "<title>The seven secrets hotel owners keep | The Daily</title>",
                r#"<meta property="og:title" content="Seven secrets hotel owners keep">"#,
                "<h1>The seven secrets hotel owners keep</h1>"
            ))
            .as_deref(),
            Some("Seven secrets hotel owners keep")
        );
        // A short declared label is no rewording of the heading.
        assert_eq!(
            page(concat!(
                "<title>Storm closes the coast road again | The Daily</title>",
                r#"<meta property="og:title" content="coast road again">"#,
                "<h1>Storm closes the coast road again</h1>"
            ))
            .as_deref(),
            Some("Storm closes the coast road again")
        );
        // Parse.ly's title tag is a declared title too.
        assert_eq!(
            page(r#"<meta name="parsely-title" content="Harbour plans approved"><p>x</p>"#)
                .as_deref(),
            Some("Harbour plans approved")
        );
    }

    #[test]
    fn a_kicker_in_the_heading_is_no_part_of_the_title() {
        let page = picked_title;
        assert_eq!(
            page(concat!(
                "<title>Klimaschutz: Bohren, bis es heiß wird | ZEIT ONLINE</title>",
                r#"<h1 class="article-heading"> <span class="article-heading__kicker">Klimaschutz</span>"#,
                r#"<span class="visually-hidden">: </span><span class="article-heading__title">Bohren, bis es heiß wird</span> </h1>"#
            ))
            .as_deref(),
            Some("Bohren, bis es heiß wird")
        );
        assert_eq!(
            page(concat!(
                "<title>Rheinmetall-Datenleck</title><h1><a href=\"/x\">",
                r#"<span class="dachzeile">Interne Unterlagen im Netz</span> <span class="headline">Daten von Rheinmetall gehackt</span>"#,
                "</a></h1>"
            ))
            .as_deref(),
            Some("Daten von Rheinmetall gehackt")
        );
        // A first part that is no kicker stays.
        assert_eq!(
            page(r#"<title>Nordkorea: Kim ist zurück - FR</title><h1><span class="a">Nordkorea:</span> Kim ist zurück</h1>"#)
                .as_deref(),
            Some("Nordkorea: Kim ist zurück")
        );
        // The heading without its kicker still matches the title for the body's sake.
        assert!(heading_matches(
            "Klimaschutz: Bohren, bis es heiß wird",
            "Bohren, bis es heiß wird"
        ));
        assert!(!heading_matches(
            "A long heading about other things",
            "things"
        ));
    }

    #[test]
    fn a_heading_ending_in_a_colon_is_no_title() {
        let place = |_| None;
        let doc = Html::parse_document(concat!(
            "<title>The Open Journalism Project: Better Student Journalism — Medium</title>",
            r#"<meta property="og:title" content="The Open Journalism Project: Better Student Journalism">"#,
            "<h2>Open Journalism Project:</h2>"
        ));
        let meta = super::super::collect(&doc);
        assert_eq!(
            pick(&Elements::new(&doc), &meta, &place).0.as_deref(),
            Some("The Open Journalism Project: Better Student Journalism")
        );
    }
}
