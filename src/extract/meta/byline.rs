//! Who wrote the article: names from JSON-LD and meta tags, visible bylines (`By …`, `作者：`,
//! `记者 …`, `文/…`) and author elements, told apart from the source (`来源：`) and the editor
//! (`责任编辑：`).

use std::sync::LazyLock;

use regex::Regex;
use scraper::{Html, Selector};

use super::dates::{NAMED_MONTH_DATE, NUMERIC_DATE, US_DATE};
use super::title::strip_site_suffix;
use super::{Around, PageMeta, clean_text, element_text};

static CN_AUTHOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:作者|撰文|记者|文)\s*[:：/|｜丨]\s*(?P<v>[^\s:：|｜丨/()（）【】\[\]]{2,30})")
        .expect("static regex")
});
static CN_REPORTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"记者\s*(?P<v>[\p{Han}]{2,3}(?:[、\s]+[\p{Han}]{2,3}){0,3})").expect("static regex")
});
/// Words that follow 记者 without being a name ("记者获悉", "记者从…了解到"), and words that end a
/// name ("陈智 整合", "作者：某某时间：…").
const NOT_NAMES: &[&str] = &[
    "获悉",
    "了解",
    "表示",
    "注意",
    "发现",
    "采访",
    "从",
    "在",
    "近日",
    "日前",
    "获",
    "查",
    "看到",
    "调查",
    "走访",
    "联系",
    "致电",
    "询问",
    "求证",
    "梳理",
    "来到",
    "实地",
    "观察",
    "随机",
    "对",
    "向",
    "也",
    "还",
    "又",
    "昨",
    "今",
    "此前",
    "第一时间",
];
const NAME_STOPS: &[&str] = &[
    "整合",
    "报道",
    "摄影",
    "摄",
    "编辑",
    "通讯员",
    "时间",
    "日期",
    "来源",
    "发布",
    "浏览",
    "阅读",
    "点击",
    "责任",
    "字号",
    "原标题",
    "实习生",
];
static CN_SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:来源|來源|出处|稿源)\s*[:：]\s*(?P<v>[^\s:：|｜丨()（）【】\[\]]{2,30})")
        .expect("static regex")
});
static CN_EDITOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:责任编辑|責任編輯|责编|编辑|編輯)\s*[:：]\s*(?P<v>[^\s:：|｜丨()（）【】\[\]]{2,20})",
    )
    .expect("static regex")
});
static EN_BY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?i:by)\s+(?P<v>\p{Lu}[\p{L}.'’-]+(?:\s+\p{Lu}[\p{L}.'’-]+){0,3}(?:(?:,\s*|\s+and\s+)\p{Lu}[\p{L}.'’-]+(?:\s+\p{Lu}[\p{L}.'’-]+){0,3}){0,3})")
        .expect("static regex")
});

/// What visible byline lines name, by kind.
#[derive(Debug, Default, Clone)]
pub struct Byline {
    pub author: Option<String>,
    pub source: Option<String>,
    pub editor: Option<String>,
}

/// Reads `作者：`, `记者`, `文/`, `来源：`, `责任编辑：` and `By …` from lines near the article.
pub fn byline(lines: &[&str]) -> Byline {
    let mut b = Byline::default();
    let take = |re: &Regex, line: &str| {
        re.captures(line)
            .and_then(|c| c.name("v"))
            .map(|m| tidy_name(m.as_str()))
            .filter(|v| !v.is_empty())
    };
    for line in lines {
        if line.chars().count() > 200 {
            continue;
        }
        if b.author.is_none() {
            b.author = take(&CN_AUTHOR, line)
                .or_else(|| take(&CN_REPORTER, line))
                .or_else(|| take(&EN_BY, before_month_day(line)))
                .or_else(|| {
                    after_leading_time(line).and_then(|rest| take(&EN_BY, before_month_day(rest)))
                });
        }
        if b.source.is_none() {
            b.source = take(&CN_SOURCE, line);
        }
        if b.editor.is_none() {
            b.editor = take(&CN_EDITOR, line);
        }
    }
    b
}

/// What follows a time that opens a line (`2/26/2015 7:11 AM PST BY TMZ STAFF`), for reading
/// the byline after it.
fn after_leading_time(line: &str) -> Option<&str> {
    let m = [&*US_DATE, &*NAMED_MONTH_DATE, &*NUMERIC_DATE]
        .into_iter()
        .find_map(|re| re.find(line).filter(|m| m.start() == 0))?;
    let rest = line[m.end()..].trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '|' | '-' | '·' | '–' | '—' | ',')
    });
    (!rest.is_empty()).then_some(rest)
}

/// `Steven Mufson March 18 at 12:22 PM`: a month name followed by a day ends a name.
static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s(?i:(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?))\b\.?\s+\d")
        .expect("static regex")
});

/// The line up to a month-and-day (`By Steven Mufson March 18 at 12:22 PM`).
fn before_month_day(line: &str) -> &str {
    MONTH_DAY.find(line).map_or(line, |m| &line[..m.start()])
}

/// A name without trailing punctuation, a glued-on date/time or the next label; empty when the
/// words are not a name at all.
fn tidy_name(s: &str) -> String {
    let s = s.trim();
    if NOT_NAMES.iter().any(|w| s.starts_with(w)) {
        return String::new();
    }
    let mut cut = s
        .find(|c: char| c.is_ascii_digit() || matches!(c, '，' | '。' | ',' | ';' | '；' | '_'))
        .unwrap_or(s.len());
    for stop in NAME_STOPS {
        if let Some(pos) = s.find(stop)
            && pos > 0
        {
            cut = cut.min(pos);
        }
    }
    if let Some(m) = MONTH_DAY.find(s) {
        cut = cut.min(m.start());
    }
    clean_text(s[..cut].trim_end_matches(['-', '_', '·', ' ', '、']))
}

/// Authors named by meta tags or JSON-LD, made readable (no URLs, no "By ").
pub fn meta_author(meta: &PageMeta, site_names: &[String]) -> Option<String> {
    let mut names: Vec<String> = meta.ld.authors.clone();
    if names.is_empty()
        && let Some(a) = meta.get(&[
            "author",
            "article:author",
            "og:article:author",
            "byl",
            "dc.creator",
            "sailthru.author",
            "parsely-author",
        ])
    {
        names.push(a.to_owned());
    }
    let names: Vec<String> = names
        .into_iter()
        .filter(|n| {
            !n.starts_with("http://")
                && !n.starts_with("https://")
                && !n.contains(".com/")
                && !n.contains('@')
                && !n.chars().all(|c| c.is_ascii_digit() || c.is_whitespace())
                && !site_names.iter().any(|s| s.contains(n.as_str()))
        })
        .map(|n| {
            let n = n.trim();
            let n = n
                .strip_prefix("By ")
                .or_else(|| n.strip_prefix("by "))
                .or_else(|| n.strip_prefix("BY "))
                .unwrap_or(n);
            clean_text(n)
        })
        .filter(|n| !n.is_empty() && n.chars().count() <= 100)
        .collect();
    let mut unique: Vec<String> = Vec::new();
    for n in names {
        if !unique.contains(&n) {
            unique.push(n);
        }
    }
    (!unique.is_empty()).then(|| unique.join(", "))
}

static AUTHOR_ELEMENTS: LazyLock<[Selector; 3]> = LazyLock::new(|| {
    [
        r#"[itemprop~="author"] [itemprop="name"]"#,
        r#"[rel="author"], [itemprop~="author"]"#,
        ".byline, .author, .author-name",
    ]
    .map(|css| Selector::parse(css).expect("static selector"))
});
static BY_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(?:text|words|story|written|reporting|report)\s+)?by\s*:?\s+")
        .expect("static regex")
});
static BYLINE_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s+[-|–—·]\s+|\s*\|\s*|,\s+(?:\d|(?i:updated|published|posted))")
        .expect("static regex")
});

/// The name in an author element's text: without "By " / "Text by ", and without a date or
/// title after a separator ("Dan Goodin - Apr 16, 2015 8:02 pm UTC").
fn element_author(text: &str) -> String {
    let t = BY_PREFIX.replace(text.trim(), "");
    let t = BYLINE_TAIL.find(&t).map_or(&*t, |m| &t[..m.start()]);
    t.trim().to_owned()
}

/// Names the site calls itself: its declared names and the suffix of its `<title>`. A meta
/// "author" that is the site itself (网易 on 163.com) names no author.
fn site_names(meta: &PageMeta) -> Vec<String> {
    let mut names = meta.site_names();
    if let Some(page_title) = &meta.page_title {
        let kept = strip_site_suffix(page_title, &[]);
        if let Some(suffix) = page_title.strip_prefix(kept.as_str()) {
            names.extend(
                suffix
                    .split(['_', '|', '-', '｜', '—'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
        }
    }
    names
}

/// Chooses the author: meta tags and JSON-LD, then a visible byline near the article, then
/// author elements, then the source, then the editor.
pub fn pick(doc: &Html, meta: &PageMeta, around: &Around<'_>) -> Option<String> {
    let lines: Vec<&str> = around
        .near
        .iter()
        .chain(around.inside)
        .chain(around.after)
        .copied()
        .collect();
    let byline = byline(&lines);
    meta_author(meta, &site_names(meta))
        .or(byline.author)
        .or_else(|| {
            // Most specific first: the name inside an author block, then the author link, then
            // byline and author blocks.
            AUTHOR_ELEMENTS.iter().find_map(|sel| {
                doc.select(sel)
                    .map(|e| element_author(&element_text(&e)))
                    .find(|t| !t.is_empty() && t.chars().count() <= 60)
            })
        })
        .or(byline.source)
        .or(byline.editor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bylines() {
        let b = byline(&[
            "2019-12-02 11:35 来源：新华网 作者：张三",
            "责任编辑：李四_NF5619",
        ]);
        assert_eq!(b.author.as_deref(), Some("张三"));
        assert_eq!(b.source.as_deref(), Some("新华网"));
        assert_eq!(b.editor.as_deref(), Some("李四"));
        let b = byline(&["By John Smith and Jane Doe, CNN"]);
        assert_eq!(b.author.as_deref(), Some("John Smith and Jane Doe"));
        let b = byline(&["By Steven Mufson March 18 at 12:22 PM Follow @StevenMufson"]);
        assert_eq!(b.author.as_deref(), Some("Steven Mufson"));
        let b = byline(&["2/26/2015 7:11 AM PST BY TMZ STAFF"]);
        assert_eq!(b.author.as_deref(), Some("TMZ STAFF"));
        let b = byline(&["本报记者 王五 赵六"]);
        assert_eq!(b.author.as_deref(), Some("王五 赵六"));
    }

    #[test]
    fn author_elements_lose_prefixes_and_dates() {
        assert_eq!(
            element_author("Dan Goodin - Apr 16, 2015 8:02 pm UTC"),
            "Dan Goodin"
        );
        assert_eq!(element_author("Text by NEWS WIRES"), "NEWS WIRES");
        assert_eq!(element_author("by: Laurie Oakes"), "Laurie Oakes");
        assert_eq!(element_author("张三"), "张三");
    }

    #[test]
    fn pick_prefers_meta_and_skips_the_site_itself() {
        let around = Around {
            title_open: None,
            body_close: 0,
            near: &["来源：新华网"],
            inside: &[],
            after: &[],
        };
        let doc = Html::parse_document(
            r#"<title>一篇很长的新闻标题_网易新闻</title><meta name="author" content="网易新闻"><p>x</p>"#,
        );
        let meta = super::super::collect(&doc);
        assert_eq!(pick(&doc, &meta, &around).as_deref(), Some("新华网"));
        let doc = Html::parse_document(
            r#"<meta name="author" content="Jane Doe"><span class="byline">By John Roe</span>"#,
        );
        let meta = super::super::collect(&doc);
        assert_eq!(pick(&doc, &meta, &around).as_deref(), Some("Jane Doe"));
        let doc = Html::parse_document(r#"<span class="byline">By John Roe</span>"#);
        let meta = super::super::collect(&doc);
        let none = Around {
            near: &[],
            ..around
        };
        assert_eq!(pick(&doc, &meta, &none).as_deref(), Some("John Roe"));
    }
}
