//! The publish time: parsing every form pages write it in, and choosing among the page's
//! candidates (JSON-LD, date meta tags, `<time datetime>` near the article, visible date lines,
//! the address).

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike,
};
use regex::Regex;
use scraper::{ElementRef, Selector};
use url::Url;

use super::elements::{Marked, has};
use super::{Around, Elements, PageMeta, Place, element_text};

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

/// Lines up to this many characters are stamps and bylines rather than sentences.
const SHORT_LINE: usize = 100;

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
];

/// Entries of [`DATE_METAS`] that name no event (`<meta name="date">`, Dublin Core's `date`):
/// content systems fill them with a page's last edit as often as with its publication.
const GENERIC_DATE_METAS: &[&str] = &["dc.date", "dcterms.date", "date"];

/// Meta tags that say when a page was last changed: after every publish time the page gives
/// (`<time datetime>` and a visible date included), as a last changed time is closer than
/// nothing.
const MODIFIED_METAS: &[&str] = &[
    "dateupdate",
    "datemodified",
    "article:modified_time",
    "og:updated_time",
];

pub(super) static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<y>(?:19|20)[0-9]{2}) \s* [-/.年] \s* (?P<mo>[0-9]{1,2}) \s* [-/.月] \s* (?P<d>[0-9]{1,2}) (?:\s*日)?
        (?:
            (?:\s*[T\s]\s*|\s*(?:星期|周|週|礼拜|禮拜)[一二三四五六日天]\s*|\s*[,，]?\s*)
            (?P<period>上午|下午|中午|晚上|凌晨|早上|傍晚)? \s*
            (?P<h>[0-9]{1,2}) \s* [:：时] \s* (?P<mi>[0-9]{1,2}) (?:\s*分)?
            (?: \s* [:：] \s* (?P<s>[0-9]{1,2}) (?:\s*秒)? )?
            (?: \.[0-9]{1,9} )?
            (?: \s* (?P<ampm>[aApP]\.?[mM]\.?) (?-u:\b) )?
        )?
        \s* (?P<tz> Z(?-u:\b) | [+-][0-9]{2}:?[0-9]{2}(?-u:\b) | (?:GMT|UTC)(?:[+-][0-9]{1,2}(?::?[0-9]{2})?)? )?",
    )
    .expect("static regex")
});

/// A time of day after a date: `, 5:36 PM`, ` at 12:22`, ` um 16:11 Uhr`, ` à 10h30`, ` - 18:55`.
const CLOCK: &str = r"(?: ,? \s* (?:at|um|à|a\s+las|[-–|])? \s* (?P<h>[0-9]{1,2}) [:.h] (?P<mi>[0-9]{2}) (?: : (?P<s>[0-9]{2}) )? \s* (?P<ampm>[ap]\.?m\.?)? (?:\s*Uhr)? )?
        (?: \s* (?P<tz>GMT|UTC|BST|EST|EDT|CST|CDT|PST|PDT|MST|MDT|ET|PT|CET|CEST|JST|KST|HKT|AEST|AEDT) (?-u:\b) )?";

/// A date with the month's name, in English, German, French, Spanish, Italian, Portuguese or
/// Dutch: `May 7, 2005`, `7 May 2005`, `7. Mai 2005`, `7 mai 2005`, `1er mai 2005`,
/// `7 de mayo de 2005`, with the weekday before the year as blog platforms stamp posts
/// (`Dec 28 Sat 2013 00:28`), and with the time before the year as C's `asctime` writes it
/// (`Jan 04 09:34 2021`, `Jan  4 09:34:00 2021`). The word is checked against [`MONTH_NAMES`].
pub(super) static NAMED_MONTH_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?ix)
        (?:
            (?-u:\b) (?P<mon1>\p{{L}}{{3,12}}) \.? \s+ (?P<d1>[0-9]{{1,2}})(?:st|nd|rd|th)?,? \s+
              (?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]{{0,6}}\.?,?\s+)?
              (?:(?P<h1>[0-9]{{1,2}}):(?P<mi1>[0-9]{{2}})(?::[0-9]{{2}})?\s+)? (?P<y1>(?:19|20)[0-9]{{2}})
          | (?-u:\b) (?P<d2>[0-9]{{1,2}}) (?:st|nd|rd|th|er|\.|º)? [\s-]* (?:de\s+)? (?P<mon2>\p{{L}}{{3,12}}) \.?,? [\s-]* (?:de\s+|del\s+)? (?P<y2>(?:19|20)[0-9]{{2}})
        ) (?-u:\b)
        {CLOCK}"
    ))
    .expect("static regex")
});

/// `07.05.2005`: day first, as German and most European pages write dates with dots.
pub(super) static DOTTED_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?ix)
        (?:^|[^0-9.]) (?P<d>[0-9]{{1,2}}) \. \s? (?P<mo>[0-9]{{1,2}}) \. \s? (?P<y>(?:19|20)[0-9]{{2}}) (?-u:\b)
        {CLOCK}"
    ))
    .expect("static regex")
});

/// `2/26/2015 7:11 AM PST` or `26/02/2015`: month first on US pages, day first elsewhere
/// ([`DayOrder`]); a first number above 12 can only be a day.
pub(super) static US_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?ix)
        (?-u:\b) (?P<a>[0-9]{{1,2}}) [/-] (?P<b>[0-9]{{1,2}}) [/-] (?P<y>(?:19|20)[0-9]{{2}}) (?-u:\b)
        {CLOCK}"
    ))
    .expect("static regex")
});

/// Month names and their common abbreviations are prefixes of these (at least three letters,
/// naming one month only: `Sept`, `Okt`, `déc`, `févr`).
const MONTH_NAMES: [&[&str]; 12] = [
    &[
        "january",
        "januar",
        "jänner",
        "janvier",
        "enero",
        "gennaio",
        "janeiro",
        "januari",
        "stycznia",
        "января",
    ],
    &[
        "february",
        "februar",
        "février",
        "fevrier",
        "febrero",
        "febbraio",
        "fevereiro",
        "februari",
        "lutego",
        "февраля",
    ],
    &[
        "march",
        "märz",
        "maerz",
        "mars",
        "marzo",
        "março",
        "maart",
        "marca",
        "марта",
    ],
    &["april", "avril", "abril", "aprile", "kwietnia", "апреля"],
    &["may", "mai", "mayo", "maggio", "maio", "mei", "maja", "мая"],
    &[
        "june", "juni", "juin", "junio", "giugno", "junho", "czerwca", "июня",
    ],
    &[
        "july", "juli", "juillet", "julio", "luglio", "julho", "lipca", "июля",
    ],
    &[
        "august",
        "août",
        "aout",
        "agosto",
        "augustus",
        "sierpnia",
        "августа",
    ],
    &[
        "september",
        "septembre",
        "septiembre",
        "settembre",
        "setembro",
        "września",
        "сентября",
    ],
    &[
        "october",
        "oktober",
        "octobre",
        "octubre",
        "ottobre",
        "outubro",
        "października",
        "октября",
    ],
    &[
        "november",
        "novembre",
        "noviembre",
        "novembro",
        "listopada",
        "ноября",
    ],
    &[
        "december",
        "dezember",
        "décembre",
        "decembre",
        "diciembre",
        "dicembre",
        "dezembro",
        "grudnia",
        "декабря",
    ],
];

/// The month (1–12) a name or abbreviation names, when it names exactly one.
fn month_number(word: &str) -> Option<u32> {
    let word = word.to_lowercase();
    if word.chars().count() < 3 {
        return None;
    }
    let mut found = None;
    for (i, names) in MONTH_NAMES.iter().enumerate() {
        if names.iter().any(|n| n.starts_with(word.as_str())) {
            if found.is_some() {
                return None;
            }
            found = Some(i as u32 + 1);
        }
    }
    found
}

/// Whether `word` is a month's full name in one of the languages of [`MONTH_NAMES`].
pub(super) fn is_month_name(word: &str) -> bool {
    let word = word.to_lowercase();
    MONTH_NAMES
        .iter()
        .any(|names| names.contains(&word.as_str()))
}

/// Which number comes first in a slashed date (`07/05/2005`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOrder {
    /// `05/07/2005` is May 7 (US pages).
    MonthFirst,
    /// `07/05/2005` is May 7 (everywhere else).
    DayFirst,
}

impl DayOrder {
    /// The order a page in `lang` (a BCP 47 tag, `None` when not declared) writes dates in:
    /// month first for English without a region or with the US's, day first otherwise.
    pub fn for_lang(lang: Option<&str>) -> Self {
        let lang = lang
            .unwrap_or("en")
            .trim()
            .to_ascii_lowercase()
            .replace('_', "-");
        if lang.is_empty() || lang == "en" || lang == "en-us" {
            DayOrder::MonthFirst
        } else {
            DayOrder::DayFirst
        }
    }
}

/// `March 18 at 12:22 PM`: a day and a time shown without the year.
static YEARLESS_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        (?-u:\b) (?P<mon>(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)) (?-u:\b) \.? \s+ (?P<d>[0-9]{1,2})(?:st|nd|rd|th)? (?-u:\b)
        ,? \s* (?:at\s+)? (?P<h>[0-9]{1,2}) [:.] (?P<mi>[0-9]{2}) \s* (?P<ampm>[ap]\.?m\.?)?",
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

/// Hours on a 12-hour clock after a Chinese period of the day (`下午 1:43` is 13:43, `凌晨
/// 12:30` is 00:30, `中午 12:10` stays noon).
fn chinese_period_hour(h: u32, period: &str) -> u32 {
    match period {
        "下午" | "晚上" | "傍晚" if h < 12 => h + 12,
        "中午" if h < 11 => h + 12,
        "上午" | "凌晨" | "早上" if h == 12 => 0,
        _ => h,
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
/// 5:36 AM EDT`, `7. Mai 2005 16:11 Uhr`, `7 mai 2005`, `07.05.2005`, `2/26/2015 7:11 AM PST`
/// (month first), Unix seconds or milliseconds. The first time in `text` counts.
pub fn parse_time(text: &str) -> Option<PageTime> {
    parse_time_in(text, DayOrder::MonthFirst)
}

/// [`parse_time`], with slashed dates read in `order`.
pub fn parse_time_in(text: &str, order: DayOrder) -> Option<PageTime> {
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
    let other_calendar = other_calendar_date(t);
    if !holds_a_year(t) {
        return other_calendar.map(|(_, t)| t).and_then(plausible);
    }
    let numeric = NUMERIC_DATE.captures(t).and_then(|c| {
        let n = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
        let date = NaiveDate::from_ymd_opt(n("y")? as i32, n("mo")?, n("d")?)?;
        let time = match (n("h"), n("mi")) {
            (Some(h), Some(mi)) => {
                let h = match c.name("period") {
                    Some(period) => chinese_period_hour(h, period.as_str()),
                    None => hour_24(h, c.name("ampm").map(|m| m.as_str())),
                };
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
    let named = NAMED_MONTH_DATE.captures_iter(t).find_map(|c| {
        let n = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
        let month = month_number(c.name("mon1").or_else(|| c.name("mon2"))?.as_str())?;
        let day = n("d1").or_else(|| n("d2"))?;
        let year = n("y1").or_else(|| n("y2"))? as i32;
        let date = NaiveDate::from_ymd_opt(year, month, day)?;
        // `asctime`'s time stands before the year.
        match (n("h1"), n("mi1")) {
            (Some(h), Some(mi)) => Some((
                c.get(0)?.start(),
                PageTime {
                    local: date.and_time(NaiveTime::from_hms_opt(h, mi, 0)?),
                    offset: None,
                },
            )),
            _ => dated(&c, date),
        }
    });
    let dotted = DOTTED_DATE.captures(t).and_then(|c| {
        let n = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
        dated(
            &c,
            NaiveDate::from_ymd_opt(n("y")? as i32, n("mo")?, n("d")?)?,
        )
    });
    let slashed = US_DATE.captures(t).and_then(|c| {
        let n = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
        let (a, b) = (n("a")?, n("b")?);
        let (month, day) = match order {
            _ if a > 12 => (b, a),
            _ if b > 12 => (a, b),
            DayOrder::MonthFirst => (a, b),
            DayOrder::DayFirst => (b, a),
        };
        dated(&c, NaiveDate::from_ymd_opt(n("y")? as i32, month, day)?)
    });
    [numeric, named, dotted, slashed, other_calendar]
        .into_iter()
        .flatten()
        .min_by_key(|(start, _)| *start)
        .map(|(_, t)| t)
        .and_then(plausible)
}

/// A date written in Chinese numerals, as official documents and some news pages date
/// themselves (`二〇一九年九月七日`, `一九九九年十二月三十一日`; `○` often stands for `〇`).
static HAN_NUMERAL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<y>[〇○零一二三四五六七八九]{4})\s*年\s*",
        r"(?P<mo>[一二三四五六七八九十]{1,2})\s*月\s*",
        r"(?P<d>[一二三四五六七八九十]{1,3})\s*[日号]",
    ))
    .expect("static regex")
});

/// The value of one Chinese numeral digit (`〇` to `九`).
fn han_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .or_else(|| matches!(c, '○' | '零').then_some(0))
        .map(|n| n as u32)
}

/// A month or day in Chinese numerals: `七`, `十`, `十二`, `二十`, `三十一`.
fn han_number(s: &str) -> Option<u32> {
    match s.split_once('十') {
        None => han_digit_only(s),
        Some((tens, ones)) => {
            let tens = if tens.is_empty() {
                1
            } else {
                han_digit_only(tens)?
            };
            let ones = if ones.is_empty() {
                0
            } else {
                han_digit_only(ones)?
            };
            Some(tens * 10 + ones)
        }
    }
}

/// The value of a string that is exactly one Chinese numeral digit.
fn han_digit_only(s: &str) -> Option<u32> {
    let mut chars = s.chars();
    let d = han_digit(chars.next()?)?;
    chars.next().is_none().then_some(d)
}

/// A date in Chinese numerals or in the Republic of China's calendar in `t`: (where it starts,
/// the day). Most lines of Chinese pages hold a `年`; only those with a Chinese numeral, or two
/// or three digits, right before one are searched.
fn other_calendar_date(t: &str) -> Option<(usize, PageTime)> {
    let (mut han, mut roc) = (false, false);
    for (at, _) in t.match_indices('年') {
        let before = t[..at].trim_end();
        han |= before.chars().next_back().and_then(han_digit).is_some();
        let digits = before.bytes().rev().take_while(u8::is_ascii_digit).count();
        roc |= digits == 2 || digits == 3;
    }
    han.then(|| han_numeral_date(t))
        .flatten()
        .or_else(|| roc.then(|| roc_date(t)).flatten())
}

/// [`HAN_NUMERAL_DATE`]'s date in `t`: (where it starts, the day).
fn han_numeral_date(t: &str) -> Option<(usize, PageTime)> {
    let c = HAN_NUMERAL_DATE.captures(t)?;
    let year = c["y"]
        .chars()
        .try_fold(0u32, |y, d| Some(y * 10 + han_digit(d)?))?;
    let date = NaiveDate::from_ymd_opt(year as i32, han_number(&c["mo"])?, han_number(&c["d"])?)?;
    dated(&c, date)
}

/// A date in the Republic of China's calendar, as Taiwanese pages write it: year 1 is 1912
/// (`民國108年9月7日` is 2019-09-07). A three-digit year from 100 needs no `民國` before it
/// (`108年9月7日`: no Gregorian year has three digits in news).
static ROC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:(?:中華民國|中华民国|民國|民国)\s*(?P<y>[0-9]{2,3})|(?:^|[^0-9])(?P<y3>1[0-9]{2}))",
        r"\s*年\s*(?P<mo>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*日",
    ))
    .expect("static regex")
});

/// [`ROC_DATE`]'s date in `t`: (where it starts, the day).
fn roc_date(t: &str) -> Option<(usize, PageTime)> {
    let c = ROC_DATE.captures(t)?;
    let n = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
    let year = n("y").or_else(|| n("y3"))? + 1911;
    let date = NaiveDate::from_ymd_opt(year as i32, n("mo")?, n("d")?)?;
    dated(&c, date)
}

/// Whether `t` has what each of the date patterns of [`parse_time_in`] holds, a year: `19` or
/// `20` and two digits. Most lines of a page have none, and are not run through the patterns
/// (their captures are found by the regex crate's slower engines).
fn holds_a_year(t: &str) -> bool {
    ["19", "20"].iter().any(|century| {
        t.match_indices(century).any(|(i, _)| {
            let mut rest = t[i + 2..].chars();
            rest.next().is_some_and(char::is_numeric) && rest.next().is_some_and(char::is_numeric)
        })
    })
}

/// A date matched by one of the patterns ending in [`CLOCK`], at that time of day: (where the
/// match starts, the time).
fn dated(c: &regex::Captures<'_>, date: NaiveDate) -> Option<(usize, PageTime)> {
    let n = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
    let time = match (n("h"), n("mi")) {
        (Some(h), Some(mi)) => NaiveTime::from_hms_opt(
            hour_24(h, c.name("ampm").map(|m| m.as_str())),
            mi,
            n("s").unwrap_or(0),
        )
        .unwrap_or(NaiveTime::MIN),
        _ => NaiveTime::MIN,
    };
    Some((
        c.get(0)?.start(),
        PageTime {
            local: date.and_time(time),
            offset: c.name("tz").and_then(|m| parse_offset(m.as_str())),
        },
    ))
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

static TIME_ELEMENTS: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("time[datetime]").expect("static selector"));

static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"/((?:19|20)[0-9]{2})[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12][0-9]|3[01])(?:/|[^0-9]|$)",
    )
    .expect("static regex")
});

/// A day written day first in an address (`/meldungen/29-10-2021`, `/23-01-2022-title/`).
static URL_DATE_DAY_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"/(0[1-9]|[12][0-9]|3[01])[-_.](0[1-9]|1[0-2])[-_.]((?:19|20)[0-9]{2})(?:/|[^0-9]|$)",
    )
    .expect("static regex")
});

/// The day an address names (`/2015/07/24/…`, `/20150724-…`), or names day first
/// (`/29-10-2021`) when the day cannot be a month (`/05-06-2020` may be May 6 or June 5).
pub fn url_date(url: &Url) -> Option<PageTime> {
    let (y, m, d) = match URL_DATE.captures(url.path()) {
        Some(c) => (c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?),
        None => {
            let c = URL_DATE_DAY_FIRST.captures(url.path())?;
            let d: u32 = c[1].parse().ok()?;
            if d <= 12 {
                return None;
            }
            (c[3].parse().ok()?, c[2].parse().ok()?, d)
        }
    };
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    Some(PageTime {
        local: date.and_time(NaiveTime::MIN),
        offset: None,
    })
}

/// What the page says about when it was published.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dates {
    /// The publish time, when the page shows one.
    pub published: Option<PageTime>,
    /// The zone the page's own machine-readable times are written in (not UTC), if any.
    pub page_offset: Option<FixedOffset>,
}

/// Words that introduce a "last changed" time, which is not the publish time.
const UPDATED_WORDS: &[&str] = &[
    "最后更新",
    "更新时间",
    "更新于",
    "修改时间",
    "最后修改",
    "最後更新",
    "更新時間",
    "更新於",
    "修改時間",
    "最後修改",
    "Updated",
    "Latest update",
    "Last update",
    "Last modified",
    "Aktualisiert",
    "aktualisiert",
    "Zuletzt geändert",
    "Letzte Änderung",
    "Mis à jour",
    "mis à jour",
    "Modifié le",
    "Actualizado",
];

/// Words that introduce the publish time: a line that has one is read from there, so that a
/// "last changed" date before it (`Letzte Änderung: 31.10.2023 Erschienen am: 01.11.2023`) is
/// passed over.
const PUBLISHED_WORDS: &[&str] = &[
    "发布时间",
    "发表于",
    "发布于",
    "发布日期",
    "發布時間",
    "發佈時間",
    "發布日期",
    "發佈日期",
    "發表於",
    "發布於",
    "發佈於",
    "Published",
    "published",
    "Posted on",
    "posted on",
    "Veröffentlicht",
    "veröffentlicht",
    "Erschienen",
    "erschienen",
    "Publiziert",
    "Publié le",
    "publié le",
    "Publicado",
    "Pubblicato",
];

/// Finds the first of `words` in one pass (a `str::find` per word was a hundredth of
/// extraction: every text line of a page is read for dates).
fn first_word_finder(words: &[&str]) -> AhoCorasick {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(words)
        .expect("static words")
}

static PUBLISHED: LazyLock<AhoCorasick> = LazyLock::new(|| first_word_finder(PUBLISHED_WORDS));
static UPDATED: LazyLock<AhoCorasick> = LazyLock::new(|| first_word_finder(UPDATED_WORDS));

/// Where the first of the words `finder` looks for starts in `line`.
fn first_word(finder: &AhoCorasick, line: &str) -> Option<usize> {
    finder.find(line).map(|m| m.start())
}

/// A full date shown on the page (not a bare number), in `line` after a "published" word when
/// it has one, and before any "updated" word.
pub fn visible_time(line: &str, order: DayOrder) -> Option<PageTime> {
    first_word(&PUBLISHED, line)
        .and_then(|at| time_before_update(&line[at..], order))
        .or_else(|| time_before_update(line, order))
}

/// Whether `line` says it holds the publish time (it has one of [`PUBLISHED_WORDS`]).
fn says_published(line: &str) -> bool {
    PUBLISHED.is_match(line)
}

/// The first full date in `line` before any "updated" word.
fn time_before_update(line: &str, order: DayOrder) -> Option<PageTime> {
    let line = first_word(&UPDATED, line).map_or(line, |cut| &line[..cut]);
    if line.trim().bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    parse_time_in(line, order).or_else(|| short_year_time(line))
}

/// `28.09.19` or `31.10.23 | 12:44`: a day-first dotted date with a two-digit year (20xx), as
/// German forums and magazines show it beside the title.
static SHORT_YEAR_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?ix)
        (?:^|[^0-9.,]) (?P<d>[0-9]{{1,2}}) \. (?P<mo>[0-9]{{1,2}}) \. (?P<y>[0-9]{{2}}) (?:$|[^0-9.,])
        {CLOCK}"
    ))
    .expect("static regex")
});

/// `14 Gennaio 20`, `4 Jan. 21`: a day, a month's name and a two-digit year (20xx), as a
/// dateline or a stamp under the title writes it.
static NAMED_SHORT_YEAR_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x) (?:^|[^0-9.:]) (?P<d>[0-9]{1,2}) \.? \s+ (?P<mon>\p{L}{3,12}) \.? \s+ (?P<y>[0-9]{2}) (?:$|[^0-9.:/])",
    )
    .expect("static regex")
});

/// A [`SHORT_YEAR_DATE`] or a [`NAMED_SHORT_YEAR_DATE`] in a short line (a date element's, a
/// title block's): the four-digit year prefilter of [`parse_time_in`] does not see them, and
/// only short lines are read, so that version numbers and prices in prose are not taken for
/// dates.
fn short_year_time(line: &str) -> Option<PageTime> {
    if line.len() > 80 {
        return None;
    }
    if line.bytes().filter(|&b| b == b'.').count() < 2 {
        let c = NAMED_SHORT_YEAR_DATE.captures(line)?;
        let n = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
        let month = month_number(c.name("mon")?.as_str())?;
        let date = NaiveDate::from_ymd_opt(2000 + n("y")? as i32, month, n("d")?)?;
        return plausible(PageTime {
            local: date.and_time(NaiveTime::MIN),
            offset: None,
        });
    }
    let c = SHORT_YEAR_DATE.captures(line)?;
    let n = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
    let date = NaiveDate::from_ymd_opt(2000 + n("y")? as i32, n("mo")?, n("d")?)?;
    dated(&c, date).map(|(_, t)| t).and_then(plausible)
}

/// The date of a dateline opening `paragraph`, as the page shows it (`order` reads slashed
/// dates): the day an undated page was published. A dateline is a date, after a place name and
/// a comma or not, then a dash or a colon (`27.1.2022 - Bei der Erinnerung …`, `BERLIN, 4. Mai
/// 2021 – …`, `May 4, 2021 — …`).
pub fn dateline(paragraph: &str, order: DayOrder) -> Option<PageTime> {
    let head = paragraph
        .char_indices()
        .nth(80)
        .map_or(paragraph, |(end, _)| &paragraph[..end]);
    let date = dateline_date(head)?;
    holds_a_year(date)
        .then(|| visible_time(date, order))
        .flatten()
}

/// The date of a dateline, read in code rather than by a regex: as a regex
/// (`^\s*(?:\p{Lu}[\p{L}./ -]{1,30},\s*)?(?P<date>[\p{L}0-9][\p{L}0-9.,/ -]{5,24}?)\s*[-–—:]\s+\S`)
/// its counted letter classes compiled to a 1.6 MB automaton, and a PikeVM cache as large per
/// thread. The place is tried first, then none, as the regex's optional group would.
fn dateline_date(head: &str) -> Option<&str> {
    let start = head.trim_start();
    after_place(start)
        .and_then(date_before_dash)
        .or_else(|| date_before_dash(start))
}

/// What follows `BERLIN, `: an upper-case letter, 1 to 30 letters, dots, slashes, spaces or
/// hyphens, a comma, and spaces.
fn after_place(s: &str) -> Option<&str> {
    let mut chars = s.char_indices();
    if !chars.next()?.1.is_uppercase() {
        return None;
    }
    for (n, (i, c)) in chars.enumerate() {
        if c == ',' {
            return (1..=30).contains(&n).then(|| s[i + 1..].trim_start());
        }
        if !(c.is_alphabetic() || matches!(c, '.' | '/' | ' ' | '-')) {
            return None;
        }
    }
    None
}

/// The shortest date that opens `s` and is followed by a dash or a colon between spaces: a
/// letter or digit, then 5 to 24 letters, digits or `.,/ -`.
fn date_before_dash(s: &str) -> Option<&str> {
    let in_date = |c: char| c.is_alphabetic() || c.is_ascii_digit() || ".,/ -".contains(c);
    let mut chars = s.char_indices();
    let first = chars.next()?.1;
    if !(first.is_alphabetic() || first.is_ascii_digit()) {
        return None;
    }
    for (n, (i, c)) in chars.enumerate() {
        if n >= 5 && closes_dateline(&s[i..]) {
            return Some(&s[..i]);
        }
        if n == 24 || !in_date(c) {
            return None;
        }
    }
    None
}

/// ` – Text`: spaces or none, a dash or a colon, spaces, then text.
fn closes_dateline(s: &str) -> bool {
    let mut rest = s.trim_start().chars();
    if !matches!(rest.next(), Some('-' | '–' | '—' | ':')) {
        return false;
    }
    let rest = rest.as_str();
    let text = rest.trim_start();
    text.len() < rest.len() && !text.is_empty()
}

/// `<time datetime>` values from `from` to the end of the body, in document order.
fn time_elements(els: &Elements<'_>, place: Place<'_>, from: u32, body_close: u32) -> Vec<String> {
    els.head_select(&TIME_ELEMENTS)
        .filter(|t| place(t.id()).is_some_and(|p| p.open >= from && p.open <= body_close))
        .filter_map(|t| t.value().attr("datetime"))
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
        .collect()
}

/// The `datetime` of the first `<time>` that says it holds the publish time
/// (`itemprop="datePublished"`, class `published`, the `pubdate` attribute) before the end of
/// the body, else the `content` of the first element whose microdata or RDFa says so
/// (`<span property="schema:dateCreated" content="…">`). Themes put these in the entry header
/// above the title or in the footer, often marked as furniture, and beside an "updated"
/// `<time>`, so neither the place nor the count of times rules them out.
fn declared_publish_time<'a>(
    els: &Elements<'a>,
    place: Place<'_>,
    body_close: u32,
) -> Option<&'a str> {
    published_time_element(els, place, body_close).or_else(|| {
        els.marked
            .iter()
            .filter(|m| {
                [m.itemprop, m.property].into_iter().flatten().any(|p| {
                    let p = p.rsplit(':').next().unwrap_or(p);
                    p.eq_ignore_ascii_case("datepublished") || p.eq_ignore_ascii_case("datecreated")
                })
            })
            .filter(|m| place(m.el.id()).is_some_and(|p| p.open <= body_close))
            .find_map(|m| m.el.value().attr("content"))
            .map(str::trim)
            .filter(|d| !d.is_empty())
    })
}

/// The `datetime` of the first `<time>` marked as the publish time ([`declared_publish_time`]).
fn published_time_element<'a>(
    els: &Elements<'a>,
    place: Place<'_>,
    body_close: u32,
) -> Option<&'a str> {
    els.head_select(&TIME_ELEMENTS)
        .filter(|t| {
            let v = t.value();
            let class = v.attr("class").unwrap_or("");
            v.attr("itemprop")
                .is_some_and(|p| p.eq_ignore_ascii_case("datepublished"))
                || v.attr("pubdate").is_some()
                || class
                    .split_whitespace()
                    .any(|c| c.eq_ignore_ascii_case("published"))
        })
        .find(|t| place(t.id()).is_some_and(|p| p.open <= body_close))
        .and_then(|t| t.value().attr("datetime"))
        .map(str::trim)
        .filter(|d| !d.is_empty())
}

/// Elements that name themselves as a date (`span.date`, `p.meta-info`, `abbr.published`,
/// `[itemprop=datePublished]`), where themes put the publish date without machine-readable
/// markup.
static DATED_ELEMENTS: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse(concat!(
        r#"[class*="date" i], [class*="time" i], [class*="publish" i], [class*="datum" i], "#,
        r#"[class*="posted" i], [class*="meta" i], [class*="byline" i], [class*="info" i], "#,
        r#"[id*="date" i], [itemprop="datePublished"], [itemprop="dateCreated"], abbr[title], "#,
        r#"[property*="datePublished" i], [property*="dateCreated" i]"#,
    ))
    .expect("static selector")
});

/// Class words [`DATED_ELEMENTS`] looks for.
static DATED_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new("(?i-u)date|time|publish|datum|posted|meta|byline|info").expect("static regex")
});
static DATED_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("(?i-u)date").expect("static regex"));

/// Whether an element may match [`DATED_ELEMENTS`]: a cheap test before the selector's.
fn may_be_dated(m: &Marked<'_>) -> bool {
    has(m.class, &DATED_CLASS)
        || has(m.id, &DATED_ID)
        || m.itemprop.is_some()
        || m.property.is_some()
        || m.el.value().name() == "abbr"
}

/// The date a dated element shows: its `datetime`, `content` or `title` attribute, else its
/// own short text.
fn element_time(el: &ElementRef<'_>, order: DayOrder) -> Option<PageTime> {
    let v = el.value();
    ["datetime", "content", "title"]
        .iter()
        .filter_map(|a| v.attr(a))
        .find_map(|a| visible_time(a, order))
        .or_else(|| {
            let text = element_text(el);
            (text.chars().count() <= 120)
                .then(|| visible_time(&text, order).or_else(|| badge_time(el, order)))
                .flatten()
        })
}

/// The date of a calendar badge, whose day, month and year stand in elements of their own with
/// nothing between them (`<span class="tag">18</span><span class="jahr">2009</span>` reads
/// `182009` as one text): its texts apart.
fn badge_time(el: &ElementRef<'_>, order: DayOrder) -> Option<PageTime> {
    let parts: Vec<&str> = el.text().map(str::trim).filter(|t| !t.is_empty()).collect();
    (parts.len() > 1)
        .then(|| visible_time(&parts.join(" "), order))
        .flatten()
}

/// The date of the dated element nearest the article: the first one between the title and the
/// end of the body, else the last one above the title. An element that says it holds the
/// "updated" or "modified" time counts only when no other does, and one inside furniture
/// between the title and the end of the body (an `aside` of article facts, a title block named
/// `withHeader`) only when nothing else dates the page, not even the address (the second value):
/// it is still the article's own.
fn dated_element(
    els: &Elements<'_>,
    place: Place<'_>,
    around: &Around<'_>,
    order: DayOrder,
) -> (Option<PageTime>, Option<PageTime>) {
    let start = around.title_open.unwrap_or(0);
    let mut above = None;
    let mut updated = None;
    let mut in_furniture = None;
    let dated = els
        .marked
        .iter()
        .filter(|m| may_be_dated(m) && DATED_ELEMENTS.matches(&m.el))
        .map(|m| m.el);
    for el in dated.take(400) {
        let Some(at) = place(el.id()) else {
            continue;
        };
        if at.open > around.body_close {
            break;
        }
        if at.noise {
            if in_furniture.is_none() && at.open >= start && around.title_open.is_some() {
                in_furniture = element_time(&el, order);
            }
            continue;
        }
        let Some(t) = element_time(&el, order) else {
            continue;
        };
        let class = el.value().attr("class").unwrap_or("").to_ascii_lowercase();
        if class.contains("updated") || class.contains("modified") {
            updated = updated.or(Some(t));
        } else if at.open >= start {
            return (Some(t), None);
        } else {
            above = Some(t);
        }
    }
    (above.or(updated), in_furniture)
}

/// The declared publish time (`declared`: JSON-LD, meta tags, microdata) that falls on the day
/// the page shows (`shown`), when the first one (`first`) falls more than a day from it: a page
/// republished under a new date keeps the old `datePublished` in its JSON-LD and the new one in
/// `article:published_time` and on the page. Else a "last changed" meta time (`modified`) on
/// that day: a page re-dated in place shows its new date as the publish date (`1. Januar 2023`
/// under the title, `12.01.2022` beside the author) and its metadata keeps it only as
/// `dateModified`. `<time>` elements do not count (a page shows its comments' times too), and
/// neither does a shown "updated" date ([`visible_time`] stops before the word). Otherwise
/// `first`.
fn shown_candidate(
    first: PageTime,
    declared: &[PageTime],
    modified: &[PageTime],
    shown: PageTime,
) -> PageTime {
    let day = shown.local.date();
    if (first.local.date() - day).num_days().abs() <= 1 {
        return first;
    }
    // A shown stamp to the second is a hidden machine copy of a time (a theme's
    // `<span class="updated">2022-12-07T10:10:52+01:00</span>`), not the date a reader sees.
    let to_the_second = shown.local.second() != 0;
    let modified = if to_the_second { &[][..] } else { modified };
    declared
        .iter()
        .chain(modified)
        .copied()
        .find(|t| t.local.date() == day)
        .unwrap_or(first)
}

/// `t`, written without a zone, replaced by the time the page shows (`shown`, with its time
/// of day) when the two fall on days one apart and no more than 14 hours (the widest zone
/// offset) from each other: `2022-05-10T23:35:55` shown as `11 mayo 2022 04:10`, a date-only
/// `2020-04-30` shown as `29.04.2020, 12:01 Uhr`. A date shown without a time (a top bar's
/// "today") does not move it.
fn zoneless_on_shown_day(t: PageTime, shown: PageTime) -> Option<PageTime> {
    let one_day_apart = (shown.local.date() - t.local.date()).num_days().abs() == 1;
    (t.offset.is_none()
        && one_day_apart
        && shown.local.time() != NaiveTime::MIN
        && (shown.local - t.local).num_hours().abs() <= 14)
        .then_some(shown)
}

/// `t`, which carries an offset, moved into the zone in which it falls on `day` (the day the
/// page shows), when the two are one day apart: `2022-11-06T23:00:00Z` shown as `07.11.2022`
/// is 2022-11-07 00:00 at +01:00. The smallest whole-hour shift that reaches the day wins.
fn on_shown_day(t: PageTime, day: NaiveDate) -> Option<PageTime> {
    let offset = t.offset?;
    let gap = (day - t.local.date()).num_days();
    if gap.abs() != 1 {
        return None;
    }
    (1..=14).find_map(|h| {
        let shift = chrono::Duration::hours(h * gap);
        let local = t.local + shift;
        (local.date() == day).then_some(())?;
        let zone = FixedOffset::east_opt(offset.local_minus_utc() + (h * gap) as i32 * 3600)?;
        Some(PageTime {
            local,
            offset: Some(zone),
        })
    })
}

/// The time the page shows near the title, closest first: a short line (a stamp, a byline)
/// that says it is the publish time, then any short line, then a sentence that names a day (a
/// caption, a lead), then a dated element, then a publish stamp deeper in the body. Also the
/// date of a dated element that is furniture (a fallback of its own).
fn shown_time(
    els: &Elements<'_>,
    place: Place<'_>,
    around: &Around<'_>,
    order: DayOrder,
) -> (Option<PageTime>, Option<PageTime>) {
    let mut furniture_date = None;
    let lines = || {
        around
            .near
            .iter()
            .chain(around.inside)
            .chain(around.after.iter().take(3))
    };
    let short = |l: &&&str| l.chars().count() <= SHORT_LINE;
    let visible = lines()
        .filter(|l| short(l) && says_published(l))
        .find_map(|l| visible_time(l, order))
        .or_else(|| lines().filter(short).find_map(|l| visible_time(l, order)))
        .or_else(|| {
            lines()
                .filter(|l| !short(l))
                .find_map(|l| visible_time(l, order))
        })
        .or_else(|| {
            let (dated, in_furniture) = dated_element(els, place, around, order);
            furniture_date = in_furniture;
            dated
        })
        .or_else(|| {
            around
                .deeper
                .iter()
                .filter(|l| says_published(l))
                .find_map(|l| visible_time(l, order))
        });
    (visible, furniture_date)
}

/// The order of day and month in the page's slashed dates, from its declared language.
pub fn page_day_order(meta: &PageMeta) -> DayOrder {
    DayOrder::for_lang(
        meta.html_lang
            .as_deref()
            .or(meta.ld.in_language.as_deref())
            .or_else(|| meta.get(&["og:locale", "content-language", "language"])),
    )
}

/// Chooses the publish time: JSON-LD `datePublished`, then date meta tags (published before
/// modified), then `<time datetime>` near the article; a visible time on the same day makes a
/// date-only value exact, and a visible date one day off puts a UTC value into the page's
/// zone. Without any of them: the visible date nearest the body, then a dated element near the
/// article, then the day in one of `addresses`. Slashed dates, shown or declared (a JSON-LD
/// `datePublished` of `07/05/2005`), are read in the page language's order
/// ([`DayOrder::for_lang`]).
pub fn pick(
    els: &Elements<'_>,
    meta: &PageMeta,
    place: Place<'_>,
    around: &Around<'_>,
    addresses: &[Url],
) -> Dates {
    let order = page_day_order(meta);
    // A forum thread's opening post is dated by the board's own mark (its edit note and the
    // replies around it are dated later, and a recent post shows `3 天前`).
    if let Some(t) = super::software::post_time(els) {
        return Dates {
            published: Some(t),
            page_offset: t.offset.filter(|o| o.local_minus_utc() != 0),
        };
    }
    let declared = DeclaredTimes::read(els, meta, place, around, order);
    // A "last changed" meta tag: after every time the page shows.
    let modified: Vec<PageTime> = MODIFIED_METAS
        .iter()
        .filter_map(|k| meta.get(&[k]))
        .filter_map(|t| parse_time_in(t, order))
        .collect();
    let (visible, furniture_date) = shown_time(els, place, around, order);
    let first = declared
        .times
        .first()
        .or(visible.is_none().then(|| modified.first()).flatten())
        .copied();
    let published = first
        // The date the page shows beats a generic `date` meta more than a day from it
        // (`Erschienen am: 13.10.2021` under `<meta name="date" content="2021-10-15">`).
        .filter(|t| {
            !(declared.generic_only
                && visible.is_some_and(|v| (t.local.date() - v.local.date()).num_days().abs() > 1))
        })
        .map(|t| match visible {
            Some(v) => as_shown(t, v, &declared, &modified, meta),
            // The day in the address is the page's own day too.
            None => addresses
                .iter()
                .find_map(url_date)
                .and_then(|u| on_shown_day(t, u.local.date()))
                .unwrap_or(t),
        })
        .or(visible)
        .or_else(|| addresses.iter().find_map(url_date))
        .or(furniture_date)
        .or_else(|| script_time(els))
        .or_else(|| last_resort_time(around, order))
        .map(|day| with_yearless_time(day, around));
    let page_offset = published
        .and_then(|t| t.offset)
        .into_iter()
        .chain(
            declared
                .times
                .iter()
                .chain(&modified)
                .filter_map(|t| t.offset),
        )
        .find(|o| o.local_minus_utc() != 0);
    Dates {
        published,
        page_offset,
    }
}

/// The times a page declares: what its metadata says (JSON-LD `datePublished`, date meta
/// tags, a `<time>` marked as the publish time), then its other `<time datetime>` elements.
struct DeclaredTimes {
    times: Vec<PageTime>,
    /// How many of `times` come from the metadata.
    from_metadata: usize,
    /// The metadata's only times are generic `date` metas: a CMS's own stamp (often the last
    /// edit) rather than a claim.
    generic_only: bool,
}

impl DeclaredTimes {
    fn read(
        els: &Elements<'_>,
        meta: &PageMeta,
        place: Place<'_>,
        around: &Around<'_>,
        order: DayOrder,
    ) -> DeclaredTimes {
        // `<time datetime>` counts from the title to the end of the body (a sidebar's
        // live-news times are not the article's); above the title, only when it is the page's
        // only one.
        let start = around.title_open.unwrap_or(0);
        let mut time_els = time_elements(els, place, start, around.body_close);
        if time_els.is_empty() && meta.time_elements.len() == 1 {
            time_els = time_elements(els, place, 0, around.body_close);
        }
        let marked = declared_publish_time(els, place, around.body_close);
        // Each with whether it is a claim (not a generic `date` meta).
        let from_metadata: Vec<(PageTime, bool)> = meta
            .ld
            .date_published
            .iter()
            .map(|t| (t.as_str(), true))
            .chain(
                DATE_METAS
                    .iter()
                    .filter_map(|k| meta.get(&[k]).map(|t| (t, !GENERIC_DATE_METAS.contains(k)))),
            )
            .chain(marked.map(|t| (t, true)))
            .filter_map(|(t, claim)| Some((parse_time_in(t, order)?, claim)))
            .collect();
        let generic_only =
            !from_metadata.is_empty() && from_metadata.iter().all(|&(_, claim)| !claim);
        let count = from_metadata.len();
        let mut times: Vec<PageTime> = from_metadata.into_iter().map(|(t, _)| t).collect();
        times.extend(
            time_els
                .iter()
                .filter_map(|t| parse_time_in(t.as_str(), order)),
        );
        DeclaredTimes {
            times,
            from_metadata: count,
            generic_only,
        }
    }
}

/// A declared time `t` as the visible time `v` makes it more exact: a date-only meta tag and a
/// visible time on the same day give the visible one; a declared time a day off is put into
/// the page's zone.
fn as_shown(
    t: PageTime,
    v: PageTime,
    declared: &DeclaredTimes,
    modified: &[PageTime],
    meta: &PageMeta,
) -> PageTime {
    let changed: Vec<PageTime> = modified
        .iter()
        .copied()
        .chain(meta.ld.date_modified.as_deref().and_then(parse_time))
        .collect();
    let t = shown_candidate(t, &declared.times[..declared.from_metadata], &changed, v);
    if t.local.time() == NaiveTime::MIN && v.local.date() == t.local.date() {
        v
    } else {
        on_shown_day(t, v.local.date())
            .or_else(|| zoneless_on_shown_day(t, v))
            .unwrap_or(t)
    }
}

static SCRIPTS: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("script:not([src])").expect("static selector"));

/// A creation time in Unix seconds that a page's script keeps for filling in the visible date
/// (`var ct = "1581517074";` on WeChat articles, `publish_time: 1581517074`), whose element
/// shows only "昨天" ("yesterday") or nothing without the script.
static SCRIPT_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?-u:\b)(?:ct|create_?time|createTime|publish_?time|publishTime|pubtime)\s*[=:]\s*["']?(1[0-9]{9})(?-u:\b)"#)
        .expect("static regex")
});

/// A publish time that a page's script keeps as a date string for rendering it (`"published_at":
/// "2019-03-02T06:22:28+01:00"` in a shop's product JSON, `publishTime: "2019-09-07 13:43:45"` on
/// Chinese portals, `\"datePublished\":\"…\"` in a framework's escaped state): the keys name
/// the publication, never a creation or a change.
static SCRIPT_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?i)(?-u:\b)(?:date_?published|published_?(?:at|date|time|on)|publish_?(?:date|time|at)|pub_?date|pub_?time|first_?published(?:_?(?:at|date))?|ptime)"#,
        r#"\\?["']?\s*[:=]\s*\\?["']((?:19|20)[0-9]{2}[-/][0-9]{1,2}[-/][0-9]{1,2}(?:[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?)\\?["']"#,
    ))
    .expect("static regex")
});

/// The first [`SCRIPT_TIME`] or [`SCRIPT_DATE`] in the page's inline scripts.
fn script_time(els: &Elements<'_>) -> Option<PageTime> {
    els.head_select(&SCRIPTS).take(100).find_map(|script| {
        let text: String = script.text().collect();
        let found = SCRIPT_TIME
            .captures(&text)
            .or_else(|| SCRIPT_DATE.captures(&text))?;
        parse_time(found.get(1)?.as_str())
    })
}

/// Words that say a page's item was put online: `posted`, `gepostet`, `veröffentlicht`, ...
static POSTED: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build([
            "posted",
            "published",
            "gepostet",
            "veröffentlicht",
            "erschienen",
            "publié",
            "publicado",
            "pubblicato",
            "发表于",
            "发布于",
        ])
        .expect("static words")
});

/// Words by which a line names the page's own item rather than another one.
static THIS_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:this|dieser|diese|dieses|ce|cet|cette|este|esta|questo|questa)\s+(?:entry|post|article|story|page|beitrag|artikel|eintrag|text|billet|entrada|artículo|articolo)\b")
        .expect("static regex")
});

/// Longest line read as a "posted" sentence: a theme's note is one sentence.
const POSTED_LINE: usize = 400;

/// The date of a page that shows none near its article, from a sentence anywhere on it that
/// names the article and says when it was posted (a blog theme's note, in a sidebar or the
/// footer: `Literatur und Animated Typography wurde am 19. Mai 2010 um 23:03 Uhr gepostet`,
/// `This entry was posted on Wednesday, May 19th, 2010`). The line must name the article,
/// by its `title` or as "this entry", so that another post's line (a sidebar of recent posts)
/// does not date it; and such lines must agree on one day.
pub fn posted_sentence_time<'a>(
    lines: impl IntoIterator<Item = &'a str>,
    title: Option<&str>,
    order: DayOrder,
) -> Option<PageTime> {
    let title = title
        .map(str::trim)
        .filter(|t| t.chars().count() >= 8)
        .map(str::to_lowercase);
    let names_the_item = |line: &str| {
        THIS_ITEM.is_match(line)
            || title
                .as_deref()
                .is_some_and(|t| line.to_lowercase().contains(t))
    };
    let mut found: Option<PageTime> = None;
    for line in lines {
        if line.len() > POSTED_LINE || !POSTED.is_match(line) || !names_the_item(line) {
            continue;
        }
        let Some(t) = time_before_update(line, order) else {
            continue;
        };
        match found {
            Some(f) if f.local.date() != t.local.date() => return None,
            Some(_) => {}
            None => found = Some(t),
        }
    }
    found
}

/// When nothing else dates the page: a date in the lines after the body (a post's footer,
/// `Benni 10. September 2017`), then a "last changed" date near the article (`Letzte Änderung:
/// 14.01.2022`, `Aktualisiert am 17.01.2021`), then a stamp line a few lines into the body
/// (`Stand: 05. Februar 2020` under the title and the author): a date the page shows is closer
/// than the capture time.
fn last_resort_time(around: &Around<'_>, order: DayOrder) -> Option<PageTime> {
    around
        .after
        .iter()
        .find_map(|l| visible_time(l, order))
        .or_else(|| {
            around
                .near
                .iter()
                .chain(around.inside)
                .chain(around.after)
                .filter(|l| l.chars().count() <= 120)
                .find_map(|l| parse_time_in(l, order))
        })
        .or_else(|| {
            around
                .deeper
                .iter()
                .filter(|l| l.chars().count() <= SHORT_LINE)
                .find_map(|l| visible_time(l, order))
        })
}

/// A day without a time, and the time shown without the year on that day ("March 18 at 12:22
/// PM"): the day at that time.
fn with_yearless_time(day: PageTime, around: &Around<'_>) -> PageTime {
    if day.local.time() != NaiveTime::MIN {
        return day;
    }
    around
        .near
        .iter()
        .chain(around.inside)
        .find_map(|l| parse_yearless_time(l))
        .filter(|&(m, d, _)| day.local.month() == m && day.local.day() == d)
        .map_or(day, |(_, _, time)| PageTime {
            local: day.local.date().and_time(time),
            offset: None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn t(s: &str) -> Option<String> {
        parse_time(s).map(|p| p.render(None))
    }

    #[test]
    fn the_declared_time_on_the_shown_day_wins() {
        let p = |s: &str| parse_time(s).expect("a time");
        let ld = p("2021-12-06T14:36:00");
        let og = p("2022-12-15T09:13:00");
        let shown = p("15.12.2022");
        assert_eq!(shown_candidate(ld, &[ld, og], &[], shown), og);
        // One day apart: the first stays (the zone rules move it).
        assert_eq!(shown_candidate(ld, &[ld, og], &[], p("07.12.2021")), ld);
        // No declared time on the shown day: the first.
        assert_eq!(shown_candidate(ld, &[ld], &[], shown), ld);
        // A page re-dated in place: its last changed time is the day it shows.
        let modified = p("2022-12-15T10:00:00+01:00");
        assert_eq!(shown_candidate(ld, &[ld], &[modified], shown), modified);
        assert_eq!(shown_candidate(ld, &[ld], &[modified], p("09.05.2020")), ld);
        // Unless what is shown is the modified time's machine stamp.
        let stamp = p("2022-12-15T10:00:52+01:00");
        assert_eq!(shown_candidate(ld, &[ld], &[modified], stamp), ld);
    }

    #[test]
    fn taiwanese_calendar_and_chinese_periods_of_the_day() {
        assert_eq!(t("民國108年9月7日").as_deref(), Some("2019-09-07 00:00:00"));
        assert_eq!(
            t("中華民國 99 年 12 月 31 日").as_deref(),
            Some("2010-12-31 00:00:00")
        );
        assert_eq!(
            t("發布日期：112年1月5日").as_deref(),
            Some("2023-01-05 00:00:00")
        );
        // Two digits need the era's name: `99年` alone is no date.
        assert_eq!(t("99年12月31日"), None);
        assert_eq!(
            t("2019年9月7日 下午 1:43").as_deref(),
            Some("2019-09-07 13:43:00")
        );
        assert_eq!(
            t("2019/9/7 上午 11:05:09").as_deref(),
            Some("2019-09-07 11:05:09")
        );
        assert_eq!(
            t("2019-09-07 凌晨 12:30").as_deref(),
            Some("2019-09-07 00:30:00")
        );
        assert_eq!(
            t("2019-09-07 中午 12:10").as_deref(),
            Some("2019-09-07 12:10:00")
        );
        assert_eq!(
            t("2019-09-07 1:43 PM").as_deref(),
            Some("2019-09-07 13:43:00")
        );
    }

    #[test]
    fn traditional_words_for_published_updated_and_weekdays() {
        let shown = |line: &str| visible_time(line, DayOrder::DayFirst).map(|t| t.render(None));
        assert_eq!(
            shown("更新時間：2019/09/08 10:00 發布時間：2019/09/07 13:43").as_deref(),
            Some("2019-09-07 13:43:00")
        );
        assert_eq!(
            shown("最後更新：2019-09-08 發佈時間：2019-09-07").as_deref(),
            Some("2019-09-07 00:00:00")
        );
        assert_eq!(
            t("2019年9月7日 週六 下午1:43").as_deref(),
            Some("2019-09-07 13:43:00")
        );
        assert_eq!(
            t("2019-09-07 禮拜六 13:43").as_deref(),
            Some("2019-09-07 13:43:00")
        );
    }

    #[test]
    fn dates_in_chinese_numerals() {
        assert_eq!(
            t("二〇一九年九月七日").as_deref(),
            Some("2019-09-07 00:00:00")
        );
        assert_eq!(
            t("发布日期：一九九九年十二月三十一日").as_deref(),
            Some("1999-12-31 00:00:00")
        );
        // `○` for `〇`, 号 for 日, and the teens and twenties.
        assert_eq!(
            t("二○○八年八月二十号").as_deref(),
            Some("2008-08-20 00:00:00")
        );
        assert_eq!(
            t("二〇二二年十一月十日").as_deref(),
            Some("2022-11-10 00:00:00")
        );
        // Not a date: a 13th month, a day past the month's end, before the web, no day.
        assert_eq!(t("二〇一九年十三月一日"), None);
        assert_eq!(t("二〇一九年二月三十日"), None);
        assert_eq!(t("一九四九年十月一日"), None);
        assert_eq!(t("二〇一九年九月"), None);
        // Digits come first when a line has both.
        assert_eq!(
            t("2019-09-08 二〇一九年九月七日").as_deref(),
            Some("2019-09-08 00:00:00")
        );
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
    fn european_and_named_forms() {
        let day = |s: &str, o| parse_time_in(s, o).map(|t| t.render(None));
        let us = DayOrder::MonthFirst;
        let eu = DayOrder::DayFirst;
        for (text, want) in [
            ("7. Mai 2005", "2005-05-07 00:00:00"),
            ("25. November 2021 16:11 Uhr", "2021-11-25 16:11:00"),
            ("Veröffentlicht am 06.10.2023", "2023-10-06 00:00:00"),
            ("am 29.12.2010, 13:36 Uhr", "2010-12-29 13:36:00"),
            ("7 mai 2005", "2005-05-07 00:00:00"),
            ("1er mai 2005 à 10h30", "2005-05-01 10:30:00"),
            ("7 de mayo de 2005", "2005-05-07 00:00:00"),
            ("Sept. 3, 2019", "2019-09-03 00:00:00"),
            ("21. Jan 2022 // Dominik", "2022-01-21 00:00:00"),
            ("2005-5-7", "2005-05-07 00:00:00"),
            ("2005年5月7日", "2005-05-07 00:00:00"),
            ("May 7, 2005", "2005-05-07 00:00:00"),
            ("Dec 28 Sat 2013 00:28", "2013-12-28 00:28:00"),
            ("Jan 04 09:34 2021", "2021-01-04 09:34:00"),
            ("Mon Jan  4 09:34:56 2021", "2021-01-04 09:34:00"),
        ] {
            assert_eq!(day(text, eu).as_deref(), Some(want), "{text}");
        }
        assert_eq!(
            day("07/05/2005", eu).as_deref(),
            Some("2005-05-07 00:00:00")
        );
        assert_eq!(
            day("07/05/2005", us).as_deref(),
            Some("2005-07-05 00:00:00")
        );
        assert_eq!(
            day("25/12/2005", us).as_deref(),
            Some("2005-12-25 00:00:00")
        );
        // Words that only look like months, and version numbers, are no dates.
        assert_eq!(day("3 Jui 2005", eu), None);
        assert_eq!(day("version 1.2.3, 4.47.2005", eu), None);
        assert_eq!(DayOrder::for_lang(Some("en-US")), us);
        assert_eq!(DayOrder::for_lang(Some("en-GB")), eu);
        assert_eq!(DayOrder::for_lang(Some("de")), eu);
        assert_eq!(DayOrder::for_lang(None), us);
    }

    #[test]
    fn a_utc_time_moves_to_the_day_the_page_shows() {
        let t = parse_time("2022-11-06T23:00:00Z").unwrap();
        let shown = NaiveDate::from_ymd_opt(2022, 11, 7).unwrap();
        let moved = on_shown_day(t, shown).unwrap();
        assert_eq!(moved.render(None), "2022-11-07 00:00:00");
        assert_eq!(moved.offset, FixedOffset::east_opt(3600));
        // A time without an offset is as the page wrote it; two days apart is another date.
        assert_eq!(
            on_shown_day(parse_time("2022-11-06 23:00").unwrap(), shown),
            None
        );
        let far = NaiveDate::from_ymd_opt(2022, 11, 9).unwrap();
        assert_eq!(on_shown_day(t, far), None);
    }

    #[test]
    fn a_two_digit_year_shown_in_a_short_line_is_a_date() {
        let v = |s: &str| visible_time(s, DayOrder::DayFirst).map(|p| p.render(None));
        assert_eq!(v("28.09.19").as_deref(), Some("2019-09-28 00:00:00"));
        assert_eq!(
            v("Redaktion | 31.10.23 12:44").as_deref(),
            Some("2023-10-31 12:44:00")
        );
        // Version numbers, amounts and long prose lines are not dates.
        assert_eq!(v("Version 1.2.3"), None);
        assert_eq!(v("1.234.56 Euro"), None);
        assert_eq!(v("13.13.19"), None);
        // A month's name with a two-digit year.
        assert_eq!(
            v("( Roma, 14 Gennaio 20 )").as_deref(),
            Some("2020-01-14 00:00:00")
        );
        assert_eq!(v("4 Jan. 21").as_deref(), Some("2021-01-04 00:00:00"));
        assert_eq!(v("14 Gallons 20"), None);
        assert_eq!(v("Seite 3 Mai 2.0"), None);
        let prose = "Die Firma meldete am 28.09.19 ein Update, das viele Nutzer am Wochenende ohne Probleme installierten.";
        assert_eq!(v(prose), None);
    }

    #[test]
    fn a_zoneless_time_takes_the_time_shown_one_day_off() {
        let shown = parse_time("29.04.2020, 12:01 Uhr").unwrap();
        let moved = zoneless_on_shown_day(parse_time("2020-04-30").unwrap(), shown).unwrap();
        assert_eq!(moved.render(None), "2020-04-29 12:01:00");
        let late = parse_time("2022-05-10T23:35:55").unwrap();
        let shown = parse_time("11 mayo 2022 04:10").unwrap();
        assert_eq!(
            zoneless_on_shown_day(late, shown)
                .map(|t| t.render(None))
                .as_deref(),
            Some("2022-05-11 04:10:00")
        );
        // A shown date without a time (a top bar's "today"), a time more than 14 hours away
        // and a time that carries its zone do not move it.
        let today = parse_time("Freitag, 4. Februar 2022").unwrap();
        assert_eq!(
            zoneless_on_shown_day(parse_time("2022-02-03").unwrap(), today),
            None
        );
        let far = parse_time("2022-05-11 20:00").unwrap();
        assert_eq!(zoneless_on_shown_day(late, far), None);
        let zoned = parse_time("2022-05-10T23:35:55Z").unwrap();
        assert_eq!(zoneless_on_shown_day(zoned, shown), None);
    }

    #[test]
    fn the_day_in_the_address_moves_a_utc_time_one_day_off() {
        let page = Html::parse_document(
            r#"<html><head><meta property="article:published_time" content="2019-05-07T22:30:00Z"></head><body></body></html>"#,
        );
        let meta = super::super::collect(&page);
        let place = |_| None;
        let around = Around::default();
        let published = |url: &str| {
            let url = Url::parse(url).unwrap();
            pick(&Elements::new(&page), &meta, &place, &around, &[url])
                .published
                .unwrap()
        };
        let moved = published("https://example.org/2019/05/08/a-story/");
        assert_eq!(moved.render(None), "2019-05-08 00:30:00");
        assert_eq!(moved.offset, FixedOffset::east_opt(2 * 3600));
        // The address's day is the UTC day, or two days off: the time stays in UTC.
        let kept = published("https://example.org/2019/05/07/a-story/");
        assert_eq!(kept.render(None), "2019-05-07 22:30:00");
        let kept = published("https://example.org/2019/05/09/a-story/");
        assert_eq!(kept.offset, FixedOffset::east_opt(0));
    }

    #[test]
    fn days_in_addresses() {
        let day = |u: &str| url_date(&Url::parse(u).unwrap()).map(|t| t.render(None));
        assert_eq!(
            day("https://example.com/2015/07/24/story").as_deref(),
            Some("2015-07-24 00:00:00")
        );
        assert_eq!(
            day("https://example.com/news/20150724-story.html").as_deref(),
            Some("2015-07-24 00:00:00")
        );
        assert_eq!(day("https://example.com/news/12345678"), None);
        assert_eq!(
            day("https://example.com/meldungen/29-10-2021").as_deref(),
            Some("2021-10-29 00:00:00")
        );
        // Day first only when the day cannot be a month.
        assert_eq!(day("https://example.com/news/05-06-2020-story"), None);
    }

    #[test]
    fn visible_times_skip_updates_and_bare_numbers() {
        assert_eq!(
            visible_time(
                "Published 2020-01-02 Updated 2020-03-04",
                DayOrder::MonthFirst
            )
            .map(|t| t.render(None)),
            Some("2020-01-02 00:00:00".to_owned())
        );
        assert_eq!(visible_time("Updated 2020-03-04", DayOrder::DayFirst), None);
        assert_eq!(visible_time("1575257708", DayOrder::DayFirst), None);
        // German and French "last changed" words, and a publish word after one.
        let eu = |s: &str| visible_time(s, DayOrder::DayFirst).map(|t| t.render(None));
        assert_eq!(eu("Aktualisiert am 17.01.2021"), None);
        assert_eq!(eu("Mis à jour le 3 mai 2021"), None);
        assert_eq!(
            eu("Letzte Änderung: 31.10.2023 - 14:49:39Erschienen am: 01.11.2023 Lesungen: 61")
                .as_deref(),
            Some("2023-11-01 00:00:00")
        );
        assert_eq!(
            eu("Veröffentlicht am 06.10.2023, aktualisiert am 07.10.2023").as_deref(),
            Some("2023-10-06 00:00:00")
        );
        // A publish word with no date after it: the line's date.
        assert_eq!(
            eu("12.10.2020 posted on Facebook").as_deref(),
            Some("2020-10-12 00:00:00")
        );
    }

    /// The publish time `pick` gives for the page `html` with `around`'s lines.
    fn picked_around(html: &str, around: &Around<'_>) -> Option<String> {
        let doc = Html::parse_document(html);
        let meta = super::super::collect(&doc);
        let place = |_| None;
        pick(&Elements::new(&doc), &meta, &place, around, &[])
            .published
            .map(|t| t.render(None))
    }

    #[test]
    fn declared_slashed_dates_are_read_in_the_page_languages_order() {
        let page = |lang: &str| {
            format!(
                r#"<html lang="{lang}"><head><script type="application/ld+json">{{"@type":"NewsArticle","datePublished":"07/05/2005 10:30"}}</script>
                <meta property="article:modified_time" content="08/05/2005"></head><body><p>x</p></body></html>"#
            )
        };
        let none = Around::default();
        assert_eq!(
            picked_around(&page("de"), &none).as_deref(),
            Some("2005-05-07 10:30:00")
        );
        assert_eq!(
            picked_around(&page("en-US"), &none).as_deref(),
            Some("2005-07-05 10:30:00")
        );
        // A meta tag alone, in a French page.
        let meta_only = r#"<html lang="fr"><head><meta property="article:published_time" content="07/05/2005"></head><body><p>x</p></body></html>"#;
        assert_eq!(
            picked_around(meta_only, &none).as_deref(),
            Some("2005-05-07 00:00:00")
        );
    }

    #[test]
    fn a_calendar_badge_reads_its_parts_apart() {
        let badge = concat!(
            r#"<div class="datum"><span class="monat">Feb</span> <span class="tag">18</span>"#,
            r#"<span class="jahr">2009</span></div><p>x</p>"#,
        );
        assert_eq!(
            picked(badge, 3, false).as_deref(),
            Some("2009-02-18 00:00:00")
        );
    }

    #[test]
    fn a_shown_date_on_the_json_ld_modified_day_beats_its_published_day() {
        let ld = concat!(
            r#"<script type="application/ld+json">{"@type":"NewsArticle","#,
            r#""datePublished":"2021-03-16T16:16:10Z","dateModified":"2021-03-20T14:00:17Z"}"#,
            r#"</script><p>x</p>"#,
        );
        let shown = Around {
            near: &["20. März 2021 - 15:00 Uhr"],
            ..Around::default()
        };
        assert_eq!(
            picked_around(ld, &shown).as_deref(),
            Some("2021-03-20 14:00:17")
        );
        // Nothing shown: the publish time.
        assert_eq!(
            picked_around(ld, &Around::default()).as_deref(),
            Some("2021-03-16 16:16:10")
        );
    }

    #[test]
    fn a_shown_date_beats_a_generic_date_meta_days_away() {
        let html = r#"<meta name="date" content="2021-10-15"><p>x</p>"#;
        let shown = Around {
            near: &["Erschienen am: 13.10.2021"],
            ..Around::default()
        };
        assert_eq!(
            picked_around(html, &shown).as_deref(),
            Some("2021-10-13 00:00:00")
        );
        // A publish meta is a claim: it stays.
        let claimed = r#"<meta property="article:published_time" content="2021-10-15"><p>x</p>"#;
        assert_eq!(
            picked_around(claimed, &shown).as_deref(),
            Some("2021-10-15 00:00:00")
        );
        // Without a shown date the generic meta dates the page.
        assert_eq!(
            picked_around(html, &Around::default()).as_deref(),
            Some("2021-10-15 00:00:00")
        );
    }

    #[test]
    fn a_shown_date_beats_a_modified_meta() {
        let html =
            r#"<meta property="og:updated_time" content="2020-06-02T11:57:06+02:00"><p>x</p>"#;
        let near = Around {
            inside: &["Interview: Julia Lauter", "31.03.2020"],
            ..Around::default()
        };
        assert_eq!(
            picked_around(html, &near).as_deref(),
            Some("2020-03-31 00:00:00")
        );
        // Without one, the change is closer than nothing.
        assert_eq!(
            picked_around(html, &Around::default()).as_deref(),
            Some("2020-06-02 11:57:06")
        );
        // A publish stamp a few lines into the body counts as shown.
        let deeper = Around {
            deeper: &[
                "Download: mp3",
                "Veröffentlicht am 16.08.2019",
                "Dauer: 1 Stunde",
            ],
            ..Around::default()
        };
        assert_eq!(
            picked_around(html, &deeper).as_deref(),
            Some("2019-08-16 00:00:00")
        );
    }

    #[test]
    fn a_line_that_says_published_beats_a_closer_date() {
        // Above the body: the link to the previous article and its date; in the body's head,
        // the publish stamp.
        let around = Around {
            near: &["下一篇 :", "上一篇 :", "今日股市行情分析--2019年8月19日"],
            inside: &["最新出炉联合国贸发报告", "发布时间： 2019-09-26 10:09:11"],
            ..Around::default()
        };
        assert_eq!(
            picked_around("<p>x</p>", &around).as_deref(),
            Some("2019-09-26 10:09:11")
        );
    }

    #[test]
    fn a_short_dated_line_beats_a_sentence_naming_a_day() {
        let around = Around {
            near: &[
                "New Washington Supreme Court Justice Raquel Montoya-Lewis is sworn in, Monday, January 6, 2020, in Olympia, Washington. (AP Photo/Ted S. Warren)",
                "Print",
                "By Emily Burack 8 January 2020, 3:51 pm 11 Edit",
            ],
            ..Around::default()
        };
        assert_eq!(
            picked_around("<p>x</p>", &around).as_deref(),
            Some("2020-01-08 15:51:00")
        );
        // Only the sentence: its date.
        let sentence = Around {
            near: &around.near[..1],
            ..Around::default()
        };
        assert_eq!(
            picked_around("<p>x</p>", &sentence).as_deref(),
            Some("2020-01-06 00:00:00")
        );
    }

    #[test]
    fn picks_meta_time_made_exact_by_a_visible_one() {
        let doc = Html::parse_document(
            r#"<meta property="article:published_time" content="2020-01-02"><p>x</p>"#,
        );
        let meta = super::super::collect(&doc);
        let place = |_| None;
        let around = Around {
            near: &["2020-01-02 10:30 来源：新华网"],
            ..Around::default()
        };
        let dates = pick(&Elements::new(&doc), &meta, &place, &around, &[]);
        assert_eq!(
            dates.published.map(|t| t.render(None)).as_deref(),
            Some("2020-01-02 10:30:00")
        );
        let none = Around {
            near: &[],
            ..around
        };
        let url = Url::parse("https://example.com/2019/05/06/x").unwrap();
        let bare = Html::parse_document("<p>x</p>");
        let dates = pick(
            &Elements::new(&bare),
            &super::super::collect(&bare),
            &place,
            &none,
            &[url],
        );
        assert_eq!(
            dates.published.map(|t| t.render(None)).as_deref(),
            Some("2019-05-06 00:00:00")
        );
    }

    /// The publish time `pick` gives for `html`, every element placed at `open` (in furniture
    /// when `noise`), with the title at 1 and the body's end at 5.
    fn picked(html: &str, open: u32, noise: bool) -> Option<String> {
        let doc = Html::parse_document(html);
        let place = |_| Some(super::super::Placed { open, noise });
        let around = Around {
            title_open: Some(1),
            body_close: 5,
            ..Around::default()
        };
        let meta = super::super::collect(&doc);
        pick(&Elements::new(&doc), &meta, &place, &around, &[])
            .published
            .map(|t| t.render(None))
    }

    #[test]
    fn published_time_element_above_the_title_beats_a_modified_meta() {
        // A theme's entry header: the published and the updated `<time>` above the `<h1>`, in
        // furniture; the page's only meta time is `dateModified`.
        let header = concat!(
            r#"<meta itemprop="dateModified" content="2019-02-09 23:00">"#,
            r#"<header><time class="entry-date published" datetime="2019-02-10T09:30:10+01:00">"#,
            r#"10. Februar 2019</time><time class="updated" datetime="2019-02-09T23:00:55+01:00">"#,
            r#"</time></header><h1>T</h1><p>x</p>"#,
        );
        assert_eq!(
            picked(header, 0, true).as_deref(),
            Some("2019-02-10 09:30:10")
        );
        // Without the published `<time>`, the modified meta is closer than nothing.
        let modified_only = concat!(
            r#"<meta itemprop="dateModified" content="2019-02-09 23:00">"#,
            r#"<h1>T</h1><p>x</p>"#,
        );
        assert_eq!(
            picked(modified_only, 0, true).as_deref(),
            Some("2019-02-09 23:00:00")
        );
    }

    #[test]
    fn a_dated_element_in_furniture_inside_the_article_dates_an_undated_page() {
        // An `aside` of article facts between the title and the body's end.
        let facts =
            r#"<aside><ul><li class="item content__meta__date">26.02.2020</li></ul></aside>"#;
        assert_eq!(
            picked(facts, 3, true).as_deref(),
            Some("2020-02-26 00:00:00")
        );
        // Above the title, furniture is the site's, not the article's.
        assert_eq!(picked(facts, 0, true), None);
    }

    #[test]
    fn a_scripted_creation_time_dates_a_page_without_another() {
        let wechat = concat!(
            r#"<script>var nickname = "x";\n var ct = "1581517074";</script>"#,
            r#"<em id="publish_time">昨天</em><p>x</p>"#,
        );
        assert_eq!(
            picked(wechat, 3, false).as_deref(),
            Some("2020-02-12 14:17:54")
        );
        let code = r#"<script>var act = 1581517074;</script><p>x</p>"#;
        assert_eq!(picked(code, 3, false), None);
    }

    #[test]
    fn a_dateline_opening_the_body_dates_it() {
        let day = |p: &str| dateline(p, DayOrder::DayFirst).map(|t| t.local.date().to_string());
        assert_eq!(
            day("27.1.2022 - Bei der Erinnerung an die Verfolgten").as_deref(),
            Some("2022-01-27")
        );
        assert_eq!(
            day("BERLIN, 4. Mai 2021 – Die Regierung hat").as_deref(),
            Some("2021-05-04")
        );
        assert_eq!(
            day("May 4, 2021 — The government said").as_deref(),
            Some("2021-05-04")
        );
        // A date inside the sentence, or a number without a year, is no dateline.
        assert_eq!(
            day("Am 27.1.2022 sprach die Ministerin - und alle hörten zu"),
            None
        );
        assert_eq!(
            day("Seit 1990 - so die Ministerin - hat sich viel getan"),
            None
        );
        assert_eq!(day("Teil 2 - Die Rückkehr"), None);
    }

    /// The dateline reader finds the date the regex it replaced found, on lines made of the
    /// characters that decide it (letters upper and lower, non-Latin ones, digits, the date's
    /// punctuation, dashes, colons and several kinds of space), from a fixed seed.
    #[test]
    fn the_dateline_reader_agrees_with_the_regex_it_replaced() {
        let regex = Regex::new(
            r"^\s*(?:\p{Lu}[\p{L}./ -]{1,30},\s*)?(?P<date>[\p{L}0-9][\p{L}0-9.,/ -]{5,24}?)\s*[-–—:]\s+\S",
        )
        .unwrap();
        let pieces = [
            "B", "É", "e", "é", "中", "Mai", "May", "BERLIN", "1", "27", "2021", ".", ",", "/",
            " ", " ", "-", "–", "—", ":", "\u{a0}", "\t", "x", "(", "!", "Ω",
        ];
        let mut rng = fastrand::Rng::with_seed(0x5eed_da7e);
        let mut next = |n: usize| rng.usize(..n);
        let mut matched = 0;
        for _ in 0..30_000 {
            let len = 1 + next(24);
            let line: String = (0..len).map(|_| pieces[next(pieces.len())]).collect();
            let head: String = line.chars().take(80).collect();
            let expected = regex
                .captures(&head)
                .and_then(|c| c.name("date"))
                .map(|m| m.as_str());
            assert_eq!(dateline_date(&head), expected, "{head:?}");
            matched += usize::from(expected.is_some());
        }
        assert!(matched > 300, "the lines exercise the match: {matched}");
    }

    #[test]
    fn a_scripted_publish_date_dates_a_page_without_another() {
        let shop = r#"<script>var p = {"created":"x","published_at":"2019-03-02T06:22:28+01:00"};</script><p>x</p>"#;
        assert_eq!(
            picked(shop, 3, false).as_deref(),
            Some("2019-03-02 06:22:28")
        );
        let portal =
            r#"<script>window.info = { publishTime: '2019-09-07 13:43:45' };</script><p>x</p>"#;
        assert_eq!(
            picked(portal, 3, false).as_deref(),
            Some("2019-09-07 13:43:45")
        );
        let escaped = r#"<script>self.push("{\"datePublished\":\"2021-05-04\"}")</script><p>x</p>"#;
        assert_eq!(
            picked(escaped, 3, false).as_deref(),
            Some("2021-05-04 00:00:00")
        );
        // A creation or a change is no publication.
        let changed = r#"<script>var d = {"updated_at":"2019-03-02","created_at":"2019-03-01"};</script><p>x</p>"#;
        assert_eq!(picked(changed, 3, false), None);
    }

    #[test]
    fn rdfa_publish_time_in_the_footer() {
        let footer = concat!(
            r#"<h1>T</h1><p>x</p><footer class="node__meta"><span class="post-created">"#,
            r#"28.01.22</span><span property="schema:dateCreated" "#,
            r#"content="2022-01-28T12:45:46+00:00" class="rdf-meta hidden"></span></footer>"#,
        );
        assert_eq!(
            picked(footer, 3, true).as_deref(),
            Some("2022-01-28 12:45:46")
        );
    }

    #[test]
    fn polish_and_russian_month_names() {
        let day = |s: &str| parse_time_in(s, DayOrder::DayFirst).map(|t| t.render(None));
        assert_eq!(
            day("15 августа 2016, 13:43").as_deref(),
            Some("2016-08-15 13:43:00")
        );
        assert_eq!(
            day("3 października 2021").as_deref(),
            Some("2021-10-03 00:00:00")
        );
        assert_eq!(day("7 maja 2019").as_deref(), Some("2019-05-07 00:00:00"));
    }

    #[test]
    fn a_posted_sentence_that_names_the_article_dates_it() {
        let posted = |lines: &[&str], title: Option<&str>, order: DayOrder| {
            posted_sentence_time(lines.iter().copied(), title, order).map(|t| t.render(None))
        };
        let eu = DayOrder::DayFirst;
        let title = Some("Literatur und Animated Typography");
        // A theme's note in the sidebar, naming the post by its title.
        let note = "Literatur und Animated Typography wurde am 19. Mai 2010 um 23:03 Uhr \
                    gepostet und unter Lesenswert, Literatur abgelegt.";
        let lines = ["Über diesen Artikel", note, "Impressum"];
        assert_eq!(
            posted(&lines, title, eu).as_deref(),
            Some("2010-05-19 23:03:00")
        );
        // Or as "this entry", whatever the title.
        let entry = [
            "This entry was posted on Wednesday, May 19, 2010 at 11:03 pm and is \
                      filed under Links.",
        ];
        assert_eq!(
            posted(&entry, None, DayOrder::MonthFirst).as_deref(),
            Some("2010-05-19 23:03:00")
        );
        // Another post's line (a sidebar of recent posts) names another title.
        let other = ["Ein anderer Beitrag wurde am 3. Juni 2010 gepostet"];
        assert_eq!(posted(&other, title, eu), None);
        // A line that names the article but says nothing of posting it.
        let mentioned = ["Literatur und Animated Typography, 19. Mai 2010"];
        assert_eq!(posted(&mentioned, title, eu), None);
        // Two such lines on different days: neither is trusted.
        let two = [note, "Dieser Beitrag wurde am 2. Juni 2011 veröffentlicht"];
        assert_eq!(posted(&two, title, eu), None);
        // A paragraph is no theme's note.
        let long = format!("{note} {}", "Und noch mehr Text. ".repeat(30));
        assert_eq!(posted(&[long.as_str()], title, eu), None);
    }

    #[test]
    fn a_shown_date_beats_the_capture_time() {
        let bare = Html::parse_document("<p>x</p>");
        let meta = super::super::collect(&bare);
        let place = |_| None;
        let pick_around = |near: &[&str], after: &[&str]| {
            let around = Around {
                near,
                after,
                ..Around::default()
            };
            pick(&Elements::new(&bare), &meta, &place, &around, &[])
                .published
                .map(|t| t.render(None))
        };
        // A post's footer, below the lines read for bylines.
        let footer = [
            "Kommentare",
            "Teilen",
            "Drucken",
            "Benni 10. September 2017",
        ];
        assert_eq!(
            pick_around(&[], &footer).as_deref(),
            Some("2017-09-10 00:00:00")
        );
        // A stamp line under the title and the author, a few lines into the body.
        let stamped = Around {
            deeper: &["Sara Zinnecker", "Stand: 05. Februar 2020"],
            ..Around::default()
        };
        assert_eq!(
            pick(&Elements::new(&bare), &meta, &place, &stamped, &[])
                .published
                .map(|t| t.render(None))
                .as_deref(),
            Some("2020-02-05 00:00:00")
        );
        // Only a "last changed" date: closer than nothing.
        assert_eq!(
            pick_around(&["Letzte Änderung: 14.01.2022 um 09:25"], &[]).as_deref(),
            Some("2022-01-14 09:25:00")
        );
        assert_eq!(pick_around(&[], &[]), None);
    }
}
