//! Page metadata for the generic extractor, from the most reliable source present: JSON-LD
//! (`NewsArticle`/`Article`, also inside `@graph`), OpenGraph and `article:*` meta tags, other
//! date meta tags, `<time datetime>`, and the visible Chinese and English date and byline forms.
//! Also publish-time parsing and rendering in the site's zone, title cleaning and language.

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use url::Url;

/// What the page's `<head>` and JSON-LD say, before the body is looked at.
#[derive(Debug, Default, Clone)]
pub struct PageMeta {
    /// `<meta name|property|itemprop=... content=...>`, keys lower-cased, first one wins.
    pub metas: Vec<(String, String)>,
    pub ld: LdArticle,
    pub html_lang: Option<String>,
    pub page_title: Option<String>,
    pub canonical: Option<String>,
    /// `<time datetime>` values in document order.
    pub time_elements: Vec<String>,
    /// Whether the page has a password field (a login wall, when it has little else).
    pub has_password_input: bool,
}

/// The article object of the page's JSON-LD, if any.
#[derive(Debug, Default, Clone)]
pub struct LdArticle {
    /// An `Article`-like `@type` was found (not just a `WebPage` with a date).
    pub is_article: bool,
    pub headline: Option<String>,
    pub date_published: Option<String>,
    pub authors: Vec<String>,
    pub image: Option<String>,
    pub publisher: Option<String>,
    pub url: Option<String>,
    pub in_language: Option<String>,
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("static selector")
}

static META: LazyLock<Selector> = LazyLock::new(|| sel("meta"));
static LD_JSON: LazyLock<Selector> =
    LazyLock::new(|| sel(r#"script[type="application/ld+json" i]"#));
static TITLE: LazyLock<Selector> = LazyLock::new(|| sel("title"));
static CANONICAL: LazyLock<Selector> = LazyLock::new(|| sel("link[rel][href]"));
static TIME: LazyLock<Selector> = LazyLock::new(|| sel("time[datetime]"));
static HTML_TAG: LazyLock<Selector> = LazyLock::new(|| sel("html[lang]"));
static PASSWORD: LazyLock<Selector> = LazyLock::new(|| sel(r#"input[type="password" i]"#));

/// JSON-LD blocks larger than this are not read (they are never an article's metadata).
const MAX_LD_BYTES: usize = 512 * 1024;
/// JSON-LD values visited at most per block, whatever its shape.
const MAX_LD_NODES: usize = 20_000;

/// Reads the page's metadata.
pub fn collect(doc: &Html) -> PageMeta {
    let mut meta = PageMeta::default();
    for m in doc.select(&META) {
        let v = m.value();
        let Some(content) = v.attr("content").map(clean_text).filter(|c| !c.is_empty()) else {
            continue;
        };
        for attr in ["property", "name", "itemprop", "http-equiv"] {
            if let Some(key) = v.attr(attr) {
                // `property="og:title article:author"` (space-separated) names several.
                for key in key.split_whitespace() {
                    meta.metas.push((key.to_ascii_lowercase(), content.clone()));
                }
            }
        }
    }
    for script in doc.select(&LD_JSON) {
        let text: String = script.text().collect();
        if text.len() > MAX_LD_BYTES {
            continue;
        }
        read_ld(&text, &mut meta.ld);
    }
    meta.html_lang = doc
        .select(&HTML_TAG)
        .next()
        .and_then(|h| h.value().attr("lang"))
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty());
    meta.page_title = doc
        .select(&TITLE)
        .map(|t| clean_text(&t.text().collect::<String>()))
        .find(|t| !t.is_empty());
    meta.canonical = doc
        .select(&CANONICAL)
        .find(|l| {
            l.value().attr("rel").is_some_and(|r| {
                r.split_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("canonical"))
            })
        })
        .and_then(|l| l.value().attr("href"))
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty());
    meta.time_elements = doc
        .select(&TIME)
        .filter_map(|t| t.value().attr("datetime"))
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
        .take(20)
        .collect();
    meta.has_password_input = doc.select(&PASSWORD).next().is_some();
    meta
}

impl PageMeta {
    /// The first meta tag among `keys` (in the order given).
    pub fn get(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|k| {
            self.metas
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        })
    }

    /// Names the site calls itself, for stripping from titles.
    pub fn site_names(&self) -> Vec<String> {
        let mut names: Vec<String> = [
            self.get(&["og:site_name"]),
            self.get(&["application-name", "apple-mobile-web-app-title"]),
            self.ld.publisher.as_deref(),
        ]
        .into_iter()
        .flatten()
        .map(str::to_owned)
        .collect();
        names.dedup();
        names
    }

    /// Whether the page says it is an article (JSON-LD type or `og:type`).
    pub fn says_article(&self) -> bool {
        self.ld.is_article
            || self
                .get(&["og:type"])
                .is_some_and(|t| t.eq_ignore_ascii_case("article"))
    }
}

/// One line of text: whitespace runs collapsed to a space, ends trimmed.
pub fn clean_text(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---- JSON-LD ----

fn read_ld(text: &str, out: &mut LdArticle) {
    // Raw newlines and tabs inside strings are common and invalid JSON; outside strings they
    // are whitespace anyway. Malformed blocks are skipped.
    let text = text
        .trim()
        .trim_start_matches("<!--")
        .trim_end_matches("-->");
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let Ok(value) = serde_json::from_str::<Value>(&cleaned) else {
        return;
    };
    let mut stack = vec![&value];
    let mut visited = 0;
    let mut fallback: Option<&Value> = None;
    while let Some(v) = stack.pop() {
        visited += 1;
        if visited > MAX_LD_NODES {
            break;
        }
        match v {
            Value::Array(items) => stack.extend(items.iter().rev()),
            Value::Object(map) => {
                if is_article_type(map.get("@type")) {
                    if !out.is_article {
                        fill_ld(v, out);
                        out.is_article = true;
                    }
                    continue;
                }
                if fallback.is_none()
                    && (map.contains_key("datePublished") || map.contains_key("headline"))
                {
                    fallback = Some(v);
                }
                for key in [
                    "@graph",
                    "mainEntity",
                    "mainEntityOfPage",
                    "itemListElement",
                ] {
                    if let Some(child) = map.get(key) {
                        stack.push(child);
                    }
                }
            }
            _ => {}
        }
    }
    if !out.is_article
        && out.date_published.is_none()
        && let Some(v) = fallback
    {
        fill_ld(v, out);
    }
}

fn is_article_type(t: Option<&Value>) -> bool {
    let is = |s: &str| {
        let s = s.rsplit(['/', ':']).next().unwrap_or(s);
        s.ends_with("Article") || s == "BlogPosting" || s == "LiveBlogPosting" || s == "Report"
    };
    match t {
        Some(Value::String(s)) => is(s),
        Some(Value::Array(items)) => items.iter().any(|i| i.as_str().is_some_and(is)),
        _ => false,
    }
}

fn fill_ld(v: &Value, out: &mut LdArticle) {
    let s = |key: &str| ld_string(v.get(key)?);
    out.headline = s("headline").or_else(|| s("name")).or(out.headline.take());
    out.date_published = s("datePublished")
        .or_else(|| s("dateCreated"))
        .or(out.date_published.take());
    let authors = ld_names(v.get("author"))
        .into_iter()
        .chain(ld_names(v.get("creator")))
        .collect::<Vec<_>>();
    if !authors.is_empty() {
        out.authors = authors;
    }
    out.image = v.get("image").and_then(ld_url).or(out.image.take());
    out.publisher = ld_names(v.get("publisher"))
        .into_iter()
        .next()
        .or(out.publisher.take());
    out.url = s("url")
        .or_else(|| v.get("mainEntityOfPage").and_then(ld_url))
        .or(out.url.take());
    out.in_language = s("inLanguage").or(out.in_language.take());
}

fn ld_string(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => clean_text(&decode_entities(s)),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => return items.iter().find_map(ld_string),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// Names in a JSON-LD person/organization field: a string, `{name}`, or an array of either.
fn ld_names(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![clean_text(s)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect(),
        Some(Value::Object(map)) => map.get("name").and_then(ld_string).into_iter().collect(),
        Some(Value::Array(items)) => items
            .iter()
            .take(20)
            .flat_map(|i| ld_names(Some(i)))
            .collect(),
        _ => Vec::new(),
    }
}

fn ld_url(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Object(map) => map
            .get("url")
            .or_else(|| map.get("@id"))
            .or_else(|| map.get("contentUrl"))
            .and_then(ld_url)
            .or_else(|| map.get("@list").and_then(ld_url)),
        Value::Array(items) => items.iter().find_map(ld_url),
        _ => None,
    }
}

/// `&amp;`-style entities some sites leave in JSON-LD strings; only the common named ones and
/// numeric references, one pass (no recursive expansion).
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }
        });
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

// ---- Times ----

/// A publish time as the page wrote it: the local time and, when given, its offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageTime {
    pub local: NaiveDateTime,
    pub offset: Option<FixedOffset>,
}

impl PageTime {
    /// `YYYY-MM-DD HH:MM:SS` in `zone` when the time has an offset to convert from; a time
    /// without an offset is taken as already in the site's zone.
    pub fn render(&self, zone: Option<FixedOffset>) -> String {
        let local = match (self.offset, zone) {
            (Some(offset), Some(zone)) => match offset.from_local_datetime(&self.local).single() {
                Some(t) => t.with_timezone(&zone).naive_local(),
                None => self.local,
            },
            _ => self.local,
        };
        local.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// Meta tags that carry the publish time, most specific first.
pub const DATE_METAS: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "published_time",
    "article:published",
    "datepublished",
    "publishdate",
    "publish_date",
    "publish-date",
    "publishtime",
    "pubdate",
    "pub_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "bytedance:published_time",
    "weibo:article:create_at",
    "og:release_date",
    "firstpublishedtime",
    "originalpublicationdate",
    "apub:time",
    "date",
    // Last resort: when a page was last changed is closer than nothing.
    "dateupdate",
    "datemodified",
    "article:modified_time",
    "og:updated_time",
];

static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<y>(?:19|20)\d{2}) \s* [-/.年] \s* (?P<mo>\d{1,2}) \s* [-/.月] \s* (?P<d>\d{1,2}) (?:\s*日)?
        (?:
            (?:\s*[T\s]\s*|\s*(?:星期|周)[一二三四五六日天]\s*|\s*[,，]?\s*)
            (?P<h>\d{1,2}) \s* [:：时] \s* (?P<mi>\d{1,2}) (?:\s*分)?
            (?: \s* [:：] \s* (?P<s>\d{1,2}) (?:\s*秒)? )?
            (?: \.\d{1,9} )?
        )?
        \s* (?P<tz> Z\b | [+-]\d{2}:?\d{2}\b | (?:GMT|UTC)(?:[+-]\d{1,2}(?::?\d{2})?)? )?",
    )
    .expect("static regex")
});

static NAMED_MONTH_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        (?:
            (?P<mon1>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \s+ (?P<d1>\d{1,2})(?:st|nd|rd|th)?,? \s+ (?P<y1>(?:19|20)\d{2})
          | (?P<d2>\d{1,2})(?:st|nd|rd|th)? \s+ (?P<mon2>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,? \s+ (?P<y2>(?:19|20)\d{2})
        )
        (?: ,? \s* (?:at\s+)? (?P<h>\d{1,2}) [:.] (?P<mi>\d{2}) (?: : (?P<s>\d{2}) )? \s* (?P<ampm>[ap]\.?m\.?)? )?
        (?: \s* (?P<tz>GMT|UTC|BST|EST|EDT|CST|CDT|PST|PDT|MST|MDT|ET|PT|CET|CEST|JST|KST|HKT|AEST|AEDT) \b )?",
    )
    .expect("static regex")
});

/// `2/26/2015 7:11 AM PST`: month first, as US pages write it.
static US_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        \b (?P<mo>\d{1,2}) / (?P<d>\d{1,2}) / (?P<y>(?:19|20)\d{2}) \b
        (?: ,? \s* (?:at\s+)? (?P<h>\d{1,2}) : (?P<mi>\d{2}) (?: : (?P<s>\d{2}) )? \s* (?P<ampm>[ap]\.?m\.?)? )?
        (?: \s* (?P<tz>GMT|UTC|BST|EST|EDT|CST|CDT|PST|PDT|MST|MDT|ET|PT|CET|CEST|JST|KST|HKT|AEST|AEDT) \b )?",
    )
    .expect("static regex")
});

/// `March 18 at 12:22 PM`: a day and a time shown without the year.
static YEARLESS_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        \b (?P<mon>(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)) \b \.? \s+ (?P<d>\d{1,2})(?:st|nd|rd|th)? \b
        ,? \s* (?:at\s+)? (?P<h>\d{1,2}) [:.] (?P<mi>\d{2}) \s* (?P<ampm>[ap]\.?m\.?)?",
    )
    .expect("static regex")
});

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Hours on a 12-hour clock with `am`/`pm` (`12:05 am` is 00:05).
fn hour_24(h: u32, ampm: Option<&str>) -> u32 {
    match ampm.map(|a| a.to_ascii_lowercase().starts_with('p')) {
        Some(pm) => h % 12 + if pm { 12 } else { 0 },
        None => h,
    }
}

/// A month, day and time shown without a year (`March 18 at 12:22 PM`), for pages whose
/// address or metadata gives the day: (month, day, time).
pub fn parse_yearless_time(text: &str) -> Option<(u32, u32, NaiveTime)> {
    let c = YEARLESS_DATE.captures(text)?;
    let n = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
    let mon = c.name("mon")?.as_str().to_ascii_lowercase();
    let month = MONTHS.iter().position(|m| mon.starts_with(m))? as u32 + 1;
    let day = n("d")?;
    let hour = hour_24(n("h")?, c.name("ampm").map(|m| m.as_str()));
    let time = NaiveTime::from_hms_opt(hour, n("mi")?, 0)?;
    Some((month, day, time))
}

/// Parses a publish time in any of the forms pages use: ISO 8601 / RFC 3339 (`T` or space,
/// with or without offset), RFC 2822, `2025年2月11日 07:03`, `2025/02/11 07:03`, `July 24, 2015
/// 5:36 AM EDT`, `2/26/2015 7:11 AM PST` (month first), Unix seconds or milliseconds. The first
/// time in `text` counts.
pub fn parse_time(text: &str) -> Option<PageTime> {
    let t = text.trim();
    if t.is_empty() || t.len() > 400 {
        return None;
    }
    if t.bytes().all(|b| b.is_ascii_digit()) && (t.len() == 10 || t.len() == 13) {
        let n: i64 = t.parse().ok()?;
        let secs = if t.len() == 13 { n / 1000 } else { n };
        let utc = DateTime::from_timestamp(secs, 0)?;
        return plausible(PageTime {
            local: utc.naive_utc(),
            offset: FixedOffset::east_opt(0),
        });
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(t) {
        return plausible(PageTime {
            local: dt.naive_local(),
            offset: Some(*dt.offset()),
        });
    }
    let numeric = NUMERIC_DATE.captures(t).and_then(|c| {
        let n = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
        let date = NaiveDate::from_ymd_opt(n("y")? as i32, n("mo")?, n("d")?)?;
        let time = match (n("h"), n("mi")) {
            (Some(h), Some(mi)) => NaiveTime::from_hms_opt(h, mi, n("s").unwrap_or(0))?,
            _ => NaiveTime::MIN,
        };
        Some((
            c.get(0)?.start(),
            PageTime {
                local: date.and_time(time),
                offset: c.name("tz").and_then(|m| parse_offset(m.as_str())),
            },
        ))
    });
    let named = NAMED_MONTH_DATE.captures(t).and_then(|c| {
        let n = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
        let mon = c
            .name("mon1")
            .or_else(|| c.name("mon2"))?
            .as_str()
            .to_ascii_lowercase();
        let month = MONTHS.iter().position(|m| mon.starts_with(m))? as u32 + 1;
        let day = n("d1").or_else(|| n("d2"))?;
        let year = n("y1").or_else(|| n("y2"))? as i32;
        let date = NaiveDate::from_ymd_opt(year, month, day)?;
        let time = match (n("h"), n("mi")) {
            (Some(mut h), Some(mi)) => {
                if let Some(ampm) = c.name("ampm") {
                    let pm = ampm.as_str().to_ascii_lowercase().starts_with('p');
                    if h == 12 {
                        h = 0;
                    }
                    if pm {
                        h += 12;
                    }
                }
                NaiveTime::from_hms_opt(h, mi, n("s").unwrap_or(0))?
            }
            _ => NaiveTime::MIN,
        };
        Some((
            c.get(0)?.start(),
            PageTime {
                local: date.and_time(time),
                offset: c.name("tz").and_then(|m| parse_offset(m.as_str())),
            },
        ))
    });
    let us = US_DATE.captures(t).and_then(|c| {
        let n = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
        let date = NaiveDate::from_ymd_opt(n("y")? as i32, n("mo")?, n("d")?)?;
        let time = match (n("h"), n("mi")) {
            (Some(h), Some(mi)) => NaiveTime::from_hms_opt(
                hour_24(h, c.name("ampm").map(|m| m.as_str())),
                mi,
                n("s").unwrap_or(0),
            )?,
            _ => NaiveTime::MIN,
        };
        Some((
            c.get(0)?.start(),
            PageTime {
                local: date.and_time(time),
                offset: c.name("tz").and_then(|m| parse_offset(m.as_str())),
            },
        ))
    });
    [numeric, named, us]
        .into_iter()
        .flatten()
        .min_by_key(|(start, _)| *start)
        .map(|(_, t)| t)
        .and_then(plausible)
}

/// News from before the web or from the far future is a parse error.
fn plausible(t: PageTime) -> Option<PageTime> {
    let year = t.local.format("%Y").to_string().parse::<i32>().ok()?;
    (1995..=2100).contains(&year).then_some(t)
}

fn parse_offset(tz: &str) -> Option<FixedOffset> {
    let hours = |h: i32| FixedOffset::east_opt(h * 3600);
    match tz.to_ascii_uppercase().as_str() {
        "Z" | "GMT" | "UTC" => hours(0),
        "BST" | "CET" => hours(1),
        "CEST" => hours(2),
        "EST" => hours(-5),
        "EDT" | "ET" => hours(-4),
        "CST" => hours(-6),
        "CDT" => hours(-5),
        "MST" => hours(-7),
        "MDT" => hours(-6),
        "PST" => hours(-8),
        "PDT" | "PT" => hours(-7),
        "JST" | "KST" => hours(9),
        "HKT" => hours(8),
        "AEST" => hours(10),
        "AEDT" => hours(11),
        other => crate::timezone::parse_utc_offset(other),
    }
}

// ---- Bylines ----

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

// ---- Titles ----

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
    Some((&t[..pos], &t[pos + len..]))
}

/// Whether a heading's text is the title that `reference` (the `<title>` or `og:title`) holds.
pub fn heading_matches(heading: &str, reference: &str) -> bool {
    let h = normalize_for_match(heading);
    let r = normalize_for_match(reference);
    h.chars().count() >= 4 && r.contains(&h) && h.chars().count() * 5 >= r.chars().count() * 2
}

pub fn normalize_for_match(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '“' | '”' | '＂' => '"',
            '‘' | '’' => '\'',
            c => c,
        })
        .collect()
}

// ---- Language ----

/// Characters written differently in simplified and traditional Chinese, pairwise.
const SIMPLIFIED: &str = "们这个来时说国会为与对后过还发经从见问现点样当将开关长门东车业学体实机电话党军华区资应无称统报总场处内产万几间头动进种么让认变义标项记据并务价选";
const TRADITIONAL: &str = "們這個來時說國會為與對後過還發經從見問現點樣當將開關長門東車業學體實機電話黨軍華區資應無稱統報總場處內產萬幾間頭動進種麼讓認變義標項記據並務價選";

/// The page's language: `<html lang>` (or JSON-LD/meta) when the text does not contradict it,
/// else detected from the text by script: Han → `zh-CN`/`zh-TW` (simplified vs traditional
/// character frequency), kana → `ja`, hangul → `ko`, Latin → `en`.
pub fn language(declared: Option<&str>, text: &str) -> String {
    let detected = detect_script(text);
    let declared = declared.map(normalize_lang).filter(|l| !l.is_empty());
    match (declared, detected) {
        (Some(d), Some(det)) => {
            let d_zh = d.starts_with("zh");
            let det_zh = det.starts_with("zh");
            if (d_zh != det_zh && (det_zh || det == "en")) || d == "zh" {
                det.to_owned()
            } else {
                d
            }
        }
        (Some(d), None) if d == "zh" => "zh-CN".to_owned(),
        (Some(d), None) => d,
        (None, Some(det)) => det.to_owned(),
        (None, None) => "en".to_owned(),
    }
}

fn normalize_lang(tag: &str) -> String {
    let tag = tag.trim().replace('_', "-").to_ascii_lowercase();
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    match primary {
        "zh" => {
            if rest.iter().any(|p| matches!(*p, "hk" | "mo")) {
                "zh-HK".to_owned()
            } else if rest.iter().any(|p| matches!(*p, "tw" | "hant")) {
                "zh-TW".to_owned()
            } else if rest.iter().any(|p| matches!(*p, "cn" | "hans" | "sg")) {
                "zh-CN".to_owned()
            } else {
                "zh".to_owned()
            }
        }
        "" => String::new(),
        p if p.len() <= 3 && p.bytes().all(|b| b.is_ascii_alphabetic()) => p.to_owned(),
        _ => String::new(),
    }
}

fn detect_script(text: &str) -> Option<&'static str> {
    let (mut han, mut latin, mut kana, mut hangul, mut simp, mut trad) =
        (0u32, 0u32, 0u32, 0u32, 0u32, 0u32);
    for c in text.chars().take(20_000) {
        match c {
            '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' => {
                han += 1;
                if SIMPLIFIED.contains(c) {
                    simp += 1;
                } else if TRADITIONAL.contains(c) {
                    trad += 1;
                }
            }
            '\u{3040}'..='\u{30FF}' => kana += 1,
            '\u{AC00}'..='\u{D7AF}' => hangul += 1,
            c if c.is_ascii_alphabetic() => latin += 1,
            _ => {}
        }
    }
    let cjk = han + kana + hangul;
    if cjk == 0 && latin == 0 {
        return None;
    }
    // A Han character carries about as much text as four Latin letters.
    if cjk * 4 >= latin {
        if hangul * 2 > cjk {
            return Some("ko");
        }
        if kana * 10 > cjk {
            return Some("ja");
        }
        return Some(if trad > simp { "zh-TW" } else { "zh-CN" });
    }
    Some("en")
}

/// Absolute http(s) URL for an attribute value found on the page.
pub fn absolute(base: &Url, raw: &str) -> Option<String> {
    crate::extract::markdown::absolute_url(base, raw)
}

/// The visible text of an element, collapsed to one line.
pub fn element_text(el: &ElementRef<'_>) -> String {
    clean_text(&el.text().collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<String> {
        parse_time(s).map(|p| p.render(None))
    }

    #[test]
    fn time_forms() {
        assert_eq!(
            t("2025年2月11日 07:03").as_deref(),
            Some("2025-02-11 07:03:00")
        );
        assert_eq!(
            t("2019-12-02 11:35:08").as_deref(),
            Some("2019-12-02 11:35:08")
        );
        assert_eq!(
            t("发布时间：2019/12/2 9:05 来源：新华网").as_deref(),
            Some("2019-12-02 09:05:00")
        );
        assert_eq!(
            t("2019年12月02日11:35").as_deref(),
            Some("2019-12-02 11:35:00")
        );
        assert_eq!(t("2019-12-02").as_deref(), Some("2019-12-02 00:00:00"));
        assert_eq!(
            t("July 24, 2015 5:36 PM").as_deref(),
            Some("2015-07-24 17:36:00")
        );
        assert_eq!(t("24 July 2015").as_deref(), Some("2015-07-24 00:00:00"));
        assert_eq!(
            t("Fri, 24 Jul 2015 04:36:09 GMT").as_deref(),
            Some("2015-07-24 04:36:09")
        );
        assert_eq!(t("1575257708").as_deref(), Some("2019-12-02 03:35:08"));
        assert_eq!(
            t("March 13, 2015 9:00PM").as_deref(),
            Some("2015-03-13 21:00:00")
        );
        let us = parse_time("2/26/2015 7:11 AM PST BY TMZ STAFF").unwrap();
        assert_eq!(us.render(None), "2015-02-26 07:11:00");
        assert_eq!(us.offset, FixedOffset::east_opt(-8 * 3600));
        assert_eq!(
            t("12/31/2019 12:05 am").as_deref(),
            Some("2019-12-31 00:05:00")
        );
        assert_eq!(
            parse_yearless_time("By Jane Doe March 18 at 12:22 PM"),
            Some((3, 18, NaiveTime::from_hms_opt(12, 22, 0).unwrap()))
        );
        assert_eq!(parse_yearless_time("Marketing 3 at 12:22"), None);
        assert_eq!(t("yesterday"), None);
        assert_eq!(t("2019-13-45"), None);
        assert_eq!(t("1899-01-01"), None);

        let bj = FixedOffset::east_opt(8 * 3600);
        let p = parse_time("2015-07-24T05:36:09+01:00").unwrap();
        assert_eq!(p.offset, FixedOffset::east_opt(3600));
        assert_eq!(p.render(None), "2015-07-24 05:36:09");
        assert_eq!(p.render(bj), "2015-07-24 12:36:09");
        let z = parse_time("2019-12-02T03:35:08.000Z").unwrap();
        assert_eq!(z.render(bj), "2019-12-02 11:35:08");
        // A time without an offset is already in the site's zone.
        assert_eq!(
            parse_time("2019-12-02 11:35").unwrap().render(bj),
            "2019-12-02 11:35:00"
        );
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
            (
                "A well-known long-running story about things",
                "A well-known long-running story about things",
            ),
        ] {
            assert_eq!(strip_site_suffix(raw, &names), want, "{raw}");
        }
    }

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
    fn languages() {
        assert_eq!(language(Some("zh-cn"), "中文"), "zh-CN");
        assert_eq!(
            language(Some("en"), "这是一篇中文新闻，说的是国内的事情。"),
            "zh-CN"
        );
        assert_eq!(
            language(None, "這是一篇中文新聞，說的是國內的事情。"),
            "zh-TW"
        );
        assert_eq!(
            language(Some("zh"), "這是一篇中文新聞，說的是國內的事情。"),
            "zh-TW"
        );
        assert_eq!(language(None, "This is an English story."), "en");
        assert_eq!(language(Some("en-GB"), "This is an English story."), "en");
        assert_eq!(language(Some("fr"), "Ceci est un article."), "fr");
        assert_eq!(language(Some("zh-Hant-TW"), ""), "zh-TW");
        assert_eq!(language(None, "日本語のニュースです。"), "ja");
    }

    #[test]
    fn json_ld_graph_and_malformed() {
        let mut ld = LdArticle::default();
        read_ld(
            r#"{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"X"},{"@type":["NewsArticle"],"headline":"Hi &amp; bye","datePublished":"2020-01-02T03:04:05Z","author":[{"@type":"Person","name":"A B"},{"name":"C D"}],"image":{"url":"https://x/i.jpg"},"publisher":{"name":"X News"}}]}"#,
            &mut ld,
        );
        assert!(ld.is_article);
        assert_eq!(ld.headline.as_deref(), Some("Hi & bye"));
        assert_eq!(ld.authors, ["A B", "C D"]);
        assert_eq!(ld.image.as_deref(), Some("https://x/i.jpg"));
        assert_eq!(ld.publisher.as_deref(), Some("X News"));
        let mut bad = LdArticle::default();
        read_ld(r#"{"@type":"NewsArticle","headline":"x",,}"#, &mut bad);
        read_ld(&"[".repeat(100_000), &mut bad);
        assert!(!bad.is_article);
        // Raw newlines inside strings are tolerated.
        let mut nl = LdArticle::default();
        read_ld("{\"@type\":\"Article\",\"headline\":\"a\nb\"}", &mut nl);
        assert_eq!(nl.headline.as_deref(), Some("a b"));
    }
}
