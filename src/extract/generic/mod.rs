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
//! copyright, disclaimer, editor and byline lines are dropped. A page whose markup shows only a
//! teaser of the text its JSON-LD declares (`articleBody`: pages rendered by their scripts) takes
//! the declared text. Metadata comes from
//! [`super::meta`]. Pages that are not articles (home and list pages, login walls, empty
//! shells, binary data) come out as [`Extraction::NotArticle`] with the reason.

mod analysis;
mod body;
mod candidates;
mod classify;
mod cleaning;
mod credit;
mod declared;
mod verdict;

use std::sync::LazyLock;

use regex::Regex;
use scraper::Selector;
use url::Url;

use self::analysis::{Analysis, Line, analyse};
use self::verdict::is_home_path;
use super::markdown::Body;
use super::meta::{self, PageMeta};
use super::parse::Page;
use super::{Article, Extraction};
use crate::sites::generic::{beijing, is_chinese_site};
use crate::sites::{ArticleRef, GenericSite};

/// Pages larger than this are refused unparsed: no article page is near it (the largest saved
/// portal pages are under 1 MB), and parsing costs about ten times the page in memory.
pub const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;

/// Text blocks shorter than this (in characters) do not score their ancestors.
const MIN_BLOCK_CHARS: u32 = 20;

/// A full date: `2019-09-07`, `2019年9月7日`, `March 13, 2015`, `13 March 2015`, `2/26/2015`.
static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:19|20)[0-9]{2}\s*[-/.年]\s*[0-9]{1,2}\s*[-/.月]\s*[0-9]{1,2}",
        r"|(?i:(?-u:\b)(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?-u:\b)\.?\s+[0-9]{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)[0-9]{2})",
        r"|(?i:(?-u:\b)[0-9]{1,2}(?:st|nd|rd|th)?\s+(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?-u:\b)\.?,?\s+(?:19|20)[0-9]{2})",
        r"|(?-u:\b)[0-9]{1,2}/[0-9]{1,2}/(?:19|20)[0-9]{2}(?-u:\b)",
    ))
    .expect("static regex")
});
static BYLINE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"来源|來源|作者|编辑|編輯|记者|發布|发布|发表|發表|时间|浏览|阅读|字号|点击|原创|^By |(?-u:\b)BY\s|Published|Updated|(?i:(?-u:\b)(?:date|created|posted)(?-u:\b))",
    )
    .expect("static regex")
});

/// Extracts the article of a page on a site without a module. `site` carries the configured
/// zone; `final_url` is where the page came from (links and images resolve against it).
pub fn extract(html: &str, target: &ArticleRef, final_url: &Url, site: &GenericSite) -> Extraction {
    extract_page(&Page::new(html), target, final_url, site)
}

/// As [`extract`], for a page whose tree the caller may have parsed already.
pub fn extract_page(
    page: &Page<'_>,
    target: &ArticleRef,
    final_url: &Url,
    site: &GenericSite,
) -> Extraction {
    if let Some(reason) = verdict::unparsable(page.html()) {
        return Extraction::NotArticle { reason };
    }
    if let Some(html) = body::unwrap_scripted_body(page.html(), page.doc()) {
        return extract_parsed(&Page::new(&html), target, final_url, site);
    }
    extract_parsed(page, target, final_url, site)
}

fn extract_parsed(
    page: &Page<'_>,
    target: &ArticleRef,
    final_url: &Url,
    site: &GenericSite,
) -> Extraction {
    let doc = page.doc();
    let els = meta::Elements::new(doc);
    let meta = page.meta_with(|| meta::collect_in(&els));
    let analysis = analyse(doc, true);
    let (title, title_open) = meta::title::pick(&els, meta, &placed(&analysis));
    let (analysis, pick) =
        body::best_body(doc, analysis, final_url, (title.as_deref(), title_open));
    let pick =
        declared::with_declared_body(pick, meta.ld.article_body.as_deref(), final_url, || {
            page_span(doc, &analysis)
        });
    let says_article = meta.says_article();
    let home_path = is_home_path(final_url).then(|| final_url.path().to_owned());
    let Some(pick) = pick.filter(|p| !p.is_empty()) else {
        let reason = match &home_path {
            Some(path) => format!("a home page ({path}), not an article"),
            None => verdict::no_body_reason(meta.has_password_input, &analysis),
        };
        return Extraction::NotArticle { reason };
    };
    let place = placed(&analysis);
    let (title, title_open) = title_over_body(&els, meta, &place, (title, title_open), &pick);
    let near = Nearby::new(&analysis.lines, title_open, pick.span);
    let inside = with_closing_credit(&near.inside, &pick.body.text);
    let around = meta::Around {
        title_open,
        body_close: pick.span.1,
        near: &near.before,
        inside: &inside,
        deeper: &near.deeper,
        after: &near.after,
    };
    let addresses: Vec<Url> = [final_url.clone()]
        .into_iter()
        .chain(Url::parse(&target.canonical_url))
        .collect();
    let dates = meta::dates::pick(&els, meta, &place, &around, &addresses);
    let order = meta::dates::page_day_order(meta);
    let published = dates
        .published
        .or_else(|| opening_dateline(order, &pick.body))
        .or_else(|| {
            let lines = analysis.lines.iter().map(|l| l.text.as_str());
            meta::dates::posted_sentence_time(lines, title.as_deref(), order)
        });
    // A heading that shows the title with a date between it and the body is an article's
    // layout, whatever the share of links around it.
    let near_date = title_open.is_some()
        && near
            .before
            .iter()
            .any(|l| DATE_LINE.is_match(l) && meta::dates::parse_time(l).is_some());
    let evidence = verdict::Evidence {
        says_article: says_article || near_date,
        has_password_input: meta.has_password_input,
        home_path,
    };
    if let Some(reason) = verdict::refusal(&evidence, &pick, &analysis) {
        return Extraction::NotArticle { reason };
    }
    // Missing metadata never makes a page with a body not an article.
    let title = title.unwrap_or_else(|| fallback_title(&els, meta, &pick.body, final_url));
    let author = meta::byline::pick(&els, meta, &place, &around);
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
    let (cover, canonical) = cover_and_canonical(meta, final_url);
    Extraction::Article(Article {
        title,
        published: published.map(|p| p.render(zone)).unwrap_or_default(),
        date_found: published.is_some(),
        zone,
        author,
        cover,
        lang,
        canonical,
        body: pick.body,
    })
}

/// Whether `heading` holds all of `title`'s words.
fn shows_all(heading: &str, title: &str) -> bool {
    meta::normalize_for_match(heading).contains(&meta::normalize_for_match(title))
}

/// The title when neither metadata nor a heading matching it gives one: `og:title`, the first
/// heading, the body's first line, then the URL.
fn fallback_title(els: &meta::Elements<'_>, meta: &PageMeta, body: &Body, url: &Url) -> String {
    const MAX_CHARS: usize = 150;
    static ANY_HEADING: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse("h1, h2, h3, h4, h5, h6").expect("static selector"));
    let first_line = || {
        body.plain_text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(|l| match l.char_indices().nth(MAX_CHARS) {
                Some((cut, _)) => format!("{}…", l[..cut].trim_end()),
                None => l.to_owned(),
            })
    };
    meta.get(&["og:title"])
        .map(meta::clean_text)
        .filter(|t| !t.is_empty())
        .or_else(|| {
            els.headings
                .iter()
                .filter(|h| ANY_HEADING.matches(h))
                .map(|h| meta::element_text(h))
                .find(|t| !t.is_empty() && t.chars().count() <= 300)
        })
        .or_else(first_line)
        .unwrap_or_else(|| url.to_string())
}

/// The title once the body is known: a page where no heading shows the title and that declares
/// none for the article may name only its section in `<title>`, and the heading over the body
/// names the article (unless it holds the whole title and more: a badge, `原创`, added to it).
fn title_over_body(
    els: &meta::Elements<'_>,
    meta: &PageMeta,
    place: &dyn Fn(ego_tree::NodeId) -> Option<meta::Placed>,
    (title, title_open): (Option<String>, Option<u32>),
    pick: &body::BodyPick,
) -> (Option<String>, Option<u32>) {
    if title_open.is_some() || meta.declares_title() {
        return (title, title_open);
    }
    match meta::title::heading_above(els, place, pick.span.0) {
        Some((text, open)) if !title.as_deref().is_some_and(|t| shows_all(&text, t)) => {
            (Some(text), Some(open))
        }
        _ => (title, None),
    }
}

/// The date of an undated page whose body opens on a dateline (`27.1.2022 - …`, after the lead
/// and the byline).
fn opening_dateline(order: meta::dates::DayOrder, body: &Body) -> Option<meta::dates::PageTime> {
    body.text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(3)
        .find_map(|l| meta::dates::dateline(l, order))
}

/// Pre/post positions of the page's `<body>`: where a body declared in the page's data sits.
fn page_span(doc: &scraper::Html, a: &Analysis) -> (u32, u32) {
    doc.root_element()
        .children()
        .filter_map(scraper::ElementRef::wrap)
        .find(|e| e.value().name() == "body")
        .and_then(|b| a.stats.get(&b.id()))
        .map_or((0, u32::MAX), |s| (s.open, s.close))
}

/// Where the body finder saw each element, for the metadata pickers.
fn placed(a: &Analysis) -> impl Fn(ego_tree::NodeId) -> Option<meta::Placed> + '_ {
    |id| {
        a.stats.get(&id).map(|s| meta::Placed {
            open: s.open,
            noise: s.noise,
        })
    }
}

/// The page's short text lines around the article, for reading bylines and dates.
struct Nearby<'a> {
    /// Between the title and the body, closest to the body first (then up to three lines above
    /// the title; without a title heading, the 15 lines above the body).
    before: Vec<&'a str>,
    /// The body's first three lines and its last three short ones.
    inside: Vec<&'a str>,
    /// The body's short lines after its first three, up to its twentieth line.
    deeper: Vec<&'a str>,
    /// The six lines after the body.
    after: Vec<&'a str>,
}

impl<'a> Nearby<'a> {
    fn new(
        lines: &'a [Line],
        title_open: Option<u32>,
        (body_open, body_close): (u32, u32),
    ) -> Self {
        let start = title_open.unwrap_or(0);
        let mut before: Vec<&str> = lines
            .iter()
            .filter(|l| l.open > start && l.open < body_open)
            .map(|l| l.text.as_str())
            .collect();
        before.reverse(); // closest to the body first
        if title_open.is_none() {
            before.truncate(15);
        } else {
            let before_title = lines
                .iter()
                .filter(|l| l.open < start)
                .rev()
                .take(3)
                .map(|l| l.text.as_str());
            before.extend(before_title);
        }
        let body: Vec<&Line> = lines
            .iter()
            .filter(|l| l.open >= body_open && l.open <= body_close)
            .collect();
        // The body's first three lines, and its last three short ones (Chinese articles close
        // on `（记者 张三）`, `扬子晚报记者 张楠`, `文/李四`).
        let tail = body.len().saturating_sub(3).max(3.min(body.len()));
        let inside = body[..3.min(body.len())]
            .iter()
            .chain(body[tail..].iter().filter(|l| l.text.chars().count() <= 40))
            .map(|l| l.text.as_str())
            .collect();
        // Stamp lines (`Stand: 05. Februar 2020`, `Apr 7, 2009`) a few lines into the body,
        // under a kicker, the title and the author's name.
        let deeper = body
            .iter()
            .take(20)
            .skip(3)
            .filter(|l| l.text.chars().count() <= 120)
            .map(|l| l.text.as_str())
            .collect();
        let after = lines
            .iter()
            .filter(|l| l.open > body_close)
            .take(6)
            .map(|l| l.text.as_str())
            .collect();
        Nearby {
            before,
            inside,
            deeper,
            after,
        }
    }
}

/// The body's first and last short lines, and the bracketed credit its last line may close on
/// (`……举行。（张巨峰）`: the reporter's name, in wire and party papers).
fn with_closing_credit<'a>(inside: &[&'a str], body_text: &'a str) -> Vec<&'a str> {
    let last = body_text.lines().rfind(|l| !l.trim().is_empty());
    inside
        .iter()
        .copied()
        .chain(last.and_then(closing_brackets))
        .collect()
}

/// The bracketed group that ends `text` (`（张巨峰）`, `(文/图 刘玺东 易赛楠)`), if it is short.
fn closing_brackets(text: &str) -> Option<&str> {
    let t = text.trim_end();
    if !t.ends_with(['）', ')']) {
        return None;
    }
    let open = t.rfind(['（', '('])?;
    (t[open..].chars().count() <= 30).then(|| &t[open..])
}

/// The cover image and the page's canonical link, absolute.
fn cover_and_canonical(meta: &PageMeta, final_url: &Url) -> (Option<String>, Option<String>) {
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
    (cover, canonical)
}

/// The page's own http(s) link (`<link rel="canonical">`, `og:url`, JSON-LD `url`), for saved
/// pages whose address is not given.
pub fn page_link(page: &Page<'_>) -> Option<String> {
    if page.html().len() > MAX_PAGE_BYTES {
        return None;
    }
    let meta = page.meta_with(|| meta::collect(page.doc()));
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

    /// A blog post that is a roll of links: no block scores as running text, and the post's
    /// marked content (`entry-content` in its only `<article>`) is its body, links and all.
    /// Text for screen readers only ("Skip to content") is not shown, so not body.
    #[test]
    fn a_link_roll_post_is_its_marked_content() {
        let items: String = (0..8)
            .map(|i| {
                format!(
                    "<li><p><a href=\"https://other.test/story-{i}\">Eine Meldung Nummer {i}</a></p>\
                     <p>via Quelle <a href=\"https://other.test/\">https://other.test/</a></p></li>"
                )
            })
            .collect();
        let html = format!(
            "<html><head><title>Blogposting 01/23/2020</title>\
             <meta property=\"og:type\" content=\"article\"></head><body>\
             <a class=\"skip-link screen-reader-text\" href=\"#content\">Zum Inhalt springen</a>\
             <article class=\"post hentry\"><header><h1>Blogposting 01/23/2020</h1></header>\
             <div class=\"entry-content\"><ul>{items}</ul></div></article></body></html>"
        );
        let a = article(&html, "https://blog.test/2020/01/23/blogposting/");
        assert!(
            a.body.markdown.starts_with("* [Eine Meldung Nummer 0]"),
            "{}",
            a.body.markdown
        );
        assert!(a.body.markdown.contains("Nummer 7"), "{}", a.body.markdown);
        assert!(
            !a.body.markdown.contains("Zum Inhalt"),
            "{}",
            a.body.markdown
        );
    }

    /// A page rendered by its scripts: the served HTML is an empty shell or a teaser, and the
    /// JSON-LD holds the article's text. A subscribers-only article keeps what the page shows.
    #[test]
    fn a_scripted_page_takes_the_body_its_data_declares() {
        let text = [PARA; 8].join("\\n");
        let page = |free: &str, shown: &str| {
            format!(
                "<html><head><title>测试标题</title><script type=\"application/ld+json\">\
                 {{\"@type\":\"NewsArticle\",\"headline\":\"测试标题\",{free}\
                 \"datePublished\":\"2021-03-04T05:06:07+08:00\",\"articleBody\":\"{text}\"}}\
                 </script></head><body><div id=\"app\">{shown}</div></body></html>"
            )
        };
        let url = "https://news.example.cn/a/1.html";
        for shown in ["", "<h1>测试标题</h1><p>这是一段导语，只有一句话。</p>"] {
            let a = article(&page("", shown), url);
            assert_eq!(a.body.text_blocks, 8, "{}", a.body.markdown);
            assert!(
                a.body.markdown.starts_with("这是一段足够长的正文"),
                "{}",
                a.body.markdown
            );
        }
        let teaser = "<h1>测试标题</h1><p>这是一段导语，只有一句话，但它是页面显示的全部内容。</p>";
        let paid = article(&page("\"isAccessibleForFree\":false,", teaser), url);
        assert_eq!(paid.body.text_blocks, 1, "{}", paid.body.markdown);
        assert!(paid.body.markdown.starts_with("这是一段导语"));
    }

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
    fn a_page_titled_by_its_section_takes_the_heading_over_its_body() {
        let page = |head: &str, heading: &str| {
            let body: String = (0..6).map(|i| format!("<p>{PARA}第{i}段。</p>")).collect();
            format!(
                "<html><head><title>新闻动态--某某学会官网</title>{head}</head><body>\
                 <div class=\"crumbs\"><h3>首页 - 新闻动态</h3></div>\
                 <div class=\"news\"><h5>{heading}</h5>\
                 <div class=\"ly\"><b>发布时间：2019-05-18</b> <i>来源：某某学会</i></div>\
                 <div class=\"detailCon\">{body}</div></div></body></html>"
            )
        };
        let url = "http://127.0.0.1/news/detail.aspx?id=7";
        let title = "2019年人文地理学术年会在重庆成功举行";
        assert_eq!(article(&page("", title), url).title, title);
        // A label is no headline; a title the page declares stands.
        assert_eq!(
            article(&page("", "通知"), url).title,
            "新闻动态--某某学会官网"
        );
        let og = r#"<meta property="og:title" content="学会官网新闻">"#;
        assert_eq!(article(&page(og, title), url).title, "学会官网新闻");
    }

    #[test]
    fn chinese_credits_closing_the_story_and_editors() {
        let page = |tail: &str| {
            let body: String = (0..6).map(|i| format!("<p>{PARA}第{i}段。</p>")).collect();
            format!(
                "<html><head><title>测试标题_某某新闻</title></head><body><h1>测试标题</h1>\
                 <p>2019-09-18 06:23</p><div class=\"content\">{body}<p>{PARA}{tail}</p></div>\
                 <p>责任编辑：李四</p></body></html>"
            )
        };
        let url = "http://127.0.0.1/news/2019/1.html";
        let a = article(&page("（张巨峰）"), url);
        assert_eq!(a.author.as_deref(), Some("张巨峰"));
        let a = article(&page("(文/图 王小五 赵六)"), url);
        assert_eq!(a.author.as_deref(), Some("王小五 赵六"));
        // The editor alone names no author.
        let a = article(&page(""), url);
        assert_eq!(a.author, None);
        assert_eq!(closing_brackets("一段很长的正文。（完）"), Some("（完）"));
        assert_eq!(closing_brackets("一段很长的正文。"), None);
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
    fn a_one_page_sites_front_page_is_an_article() {
        let html = "<html><head><title>Our gallery</title></head><body><h1>Welcome</h1>\
             <p>By our photos we would like to show you the region we live in, and its neighbours.</p>\
             <p>All photos are available in large sizes, and may be used under the licence below.</p>\
             <p>If you need the higher resolution pictures, please contact us beforehand, by mail.</p>\
             <p>Enjoy your visit, and have a nice stay while browsing our Bavarian picture book.</p>\
             <p>We also take a look at our neighbours, Austria, South Tyrol and Switzerland, in winter.</p>\
             </body></html>";
        let a = article(html, "https://www.example.de/");
        assert!(a.body.plain_text.contains("By our photos"));
    }

    #[test]
    fn a_front_page_of_whole_posts_is_an_article_and_one_of_headlines_is_not() {
        let post = |i: usize, text: &str| {
            format!(
                "<div class=post><h2><a href=\"/post-{i}\">The title of post number {i}</a></h2>{text}</div>"
            )
        };
        let long: String = (0..4).map(|_| format!("<p>{PARA}</p>")).collect();
        let whole: String = (0..12).map(|i| post(i, &long)).collect();
        let html = format!(
            "<html><head><title>Blog</title></head><body><div id=posts>{whole}</div></body></html>"
        );
        assert!(matches!(
            run(&html, "https://blog.example.de/"),
            Extraction::Article(_)
        ));
        let teasers: String = (0..12)
            .map(|i| post(i, "<p>A short teaser, of a line.</p>"))
            .collect();
        let html = format!(
            "<html><head><title>News</title></head><body><div id=posts>{teasers}</div></body></html>"
        );
        let r = run(&html, "https://news.example.de/");
        assert!(
            matches!(&r, Extraction::NotArticle { reason } if reason.contains("home page")),
            "{r:?}"
        );
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
