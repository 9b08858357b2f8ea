//! Who wrote the article: names from JSON-LD and meta tags, visible bylines (`By …`, `作者：`,
//! `记者 …`, `文/…`) and author elements, told apart from the source (`来源：`) and the editor
//! (`责任编辑：`).

use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html, Selector};

use super::dates::{DOTTED_DATE, NAMED_MONTH_DATE, NUMERIC_DATE, US_DATE};
use super::elements::{Marked, has};
use super::title::strip_site_suffix;
use super::{Around, Elements, PageMeta, Place, clean_text};

/// `作者：X`, `撰文：X`, `撰稿|X`, `撰稿人：X`, `执笔/X`, `记者：X`, `文/X`, `【作者】X`, and the credit for
/// words and pictures together, `文/图 X` (`(文/图 刘玺东 易赛楠)` closing a local paper's
/// story); in either script, with Taiwan's full-width slash (`文／王小明`, `圖、文／王小明`).
static CN_AUTHOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:(?:文/图|图/文|文、图|[文图圖][/／、][文图圖])[:：/／\s]|(?:作者|撰文|撰稿人?|执笔|執筆|记者|記者|文)\s*[:：/／|｜丨]|【(?:作者|撰文|记者|記者)】)\s*(?P<v>[^\s:：|｜丨/／()（）【】\[\]]{2,30})")
        .expect("static regex")
});
/// A further Chinese name after a byline's first (`作者：余毅菁 向雪妮`): two or three Han
/// characters after a space, ending the line or followed by a space or a closing bracket.
static CN_MORE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[ \u{3000}]+(?P<v>\p{Han}{2,3})(?:$|[ \u{3000})）])").expect("static regex")
});
/// A story's last line that is only a name in brackets, the reporter's credit of wire and
/// party papers (`……举行。（张巨峰）`, `(李楠)`): one to four names of two or three Han
/// characters.
static CN_TRAILING_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[(（]\s*(?P<v>\p{Han}{2,3}(?:[、\s]+\p{Han}{2,3}){0,3})\s*[)）]$")
        .expect("static regex")
});
/// Last characters of an organisation's name (`新华社`, `中新网`, `发改局`), which a bracketed
/// credit may hold instead of a person's (`（新华社）`).
const ORG_ENDINGS: &[char] = &[
    '社', '网', '报', '台', '局', '部', '委', '办', '院', '会', '所', '厅', '处', '站', '司', '刊',
];
static CN_REPORTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[记記]者\s*(?P<v>[\p{Han}]{2,3}(?:[、\s]+[\p{Han}]{2,3}){0,3})")
        .expect("static regex")
});
/// The Central News Agency's dateline, name and place run together before the day
/// (`中央社記者王小明台北7日電`): the name is all but the last two characters, at most three
/// (most places it reports from have two: 台北, 香港, 東京).
static CNA_DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[记記]者(?P<run>\p{Han}{4,6})[0-9]{1,2}日[電电]").expect("static regex")
});
/// `作者 魏星`: the author label and a Chinese name with a space between them at a line's start,
/// after a space or after a publication's name (`《棱镜》作者 周纯`), or with nothing between them after a separator (`| 来源 CSDN | 作者魏星`);
/// not inside prose (`代表作者本人观点`) nor a box's heading (`作者最新文章`).
static CN_AUTHOR_SPACED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:(?:^|\s|》)作者\s+|[|｜丨]\s*作者\s*)(?P<v>\p{Han}{2,4})(?:$|[\s|｜丨])")
        .expect("static regex")
});
/// A newspaper byline opened by a box: `□本报记者 张三`, `□ 张三 李四`.
static CN_BOX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^□\s*(?:本报|本報|本刊)?(?:特约|特約)?(?:记者|記者|通讯员|通訊員)?\s*(?P<v>[\p{Han}]{2,3}(?:[、\s]+[\p{Han}]{2,3}){0,3})")
        .expect("static regex")
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
    "最新",
    "责任",
    "编辑",
    "来源",
    "未知",
    // The same words in traditional characters (Taiwan, Hong Kong).
    "獲悉",
    "瞭解",
    "發現",
    "採訪",
    "從",
    "調查",
    "聯繫",
    "詢問",
    "實地",
    "觀察",
    "對",
    "還",
    "責任",
    "編輯",
    "來源",
];
const NAME_STOPS: &[&str] = &[
    " Illustration",
    " Foto",
    " Photo",
    " Bild",
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
    // The same words in traditional characters (Taiwan, Hong Kong).
    "報導",
    "報道",
    "攝",
    "編輯",
    "通訊員",
    "時間",
    "來源",
    "發布",
    "責任",
    "原標題",
    "實習生",
];
static CN_SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:来源|來源|出处|出處|稿源)(?:于|於)?\s*[:：]\s*(?P<v>[^\s:：|｜丨()（）【】\[\]]{2,30})")
        .expect("static regex")
});
static CN_EDITOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:责任编辑|責任編輯|责编|编辑|編輯)\s*[:：]\s*(?P<v>[^\s:：|｜丨()（）【】\[\]]{2,20})",
    )
    .expect("static regex")
});
/// `By X`; also `ByX` when the label's element touches the name's (`<span>By</span><a>X</a>`).
/// Up to two lower-case particles may stand between a name's words (`Jose de la Cruz`, `Ursula
/// von der Leyen`), in this byline and the others.
///
/// The byline is read in code ([`en_by`]) with small regexes for its label and its words: as
/// one regex, `^(?:(?i:by)\s+|By)(?P<v>W(?:\s+(?:P\s+){0,2}W){0,3}(?:(?:,\s*|\s+and\s+)W(?:\s+(?:P\s+){0,2}W){0,3}){0,3})`
/// (`W` a word, `P` a particle), it copied the Unicode letter classes of a word 16 times and
/// cost megabytes of compiled program and search cache. Nothing follows the name in it, so
/// the regex's greedy, leftmost-first match takes each repetition that matches, as the code
/// does.
static EN_BY_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?i:(?:story|reporting|report|words|guest\s+post)\s+)?(?i:by)\s+")
        .expect("static regex")
});
/// A word of a name: a capital, then letters, dots, apostrophes and hyphens.
static EN_BY_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\p{Lu}[\p{L}.'’-]+").expect("static regex"));
/// Lower-case words that may stand between a name's words (`Jose de la Cruz`).
const BYLINE_PARTICLES: &[&str] = &[
    "von", "van", "de", "da", "del", "della", "di", "do", "dos", "du", "la", "le", "der", "den",
    "ter", "zu",
];

/// The end of the whitespace run (`\s+`) at `at`, if there is one.
fn skip_spaces(s: &str, at: usize) -> Option<usize> {
    let rest = &s[at..];
    let end = rest.len() - rest.trim_start_matches(char::is_whitespace).len();
    (end > 0).then_some(at + end)
}

/// The end of a name word at `at`.
fn en_word(s: &str, at: usize) -> Option<usize> {
    EN_BY_WORD.find(&s[at..]).map(|m| at + m.end())
}

/// The end of a particle and the whitespace after it (`de `) at `at`. At most one particle
/// fits: each must be followed by whitespace.
fn en_particle(s: &str, at: usize) -> Option<usize> {
    let rest = &s[at..];
    BYLINE_PARTICLES
        .iter()
        .filter(|p| rest.starts_with(**p))
        .find_map(|p| skip_spaces(s, at + p.len()))
}

/// The end of a name at `at`: a word, then up to three more, each after whitespace and up to
/// two particles.
fn en_name(s: &str, at: usize) -> Option<usize> {
    let mut end = en_word(s, at)?;
    for _ in 0..3 {
        let Some(mut p) = skip_spaces(s, end) else {
            break;
        };
        for _ in 0..2 {
            match en_particle(s, p) {
                Some(next) => p = next,
                None => break,
            }
        }
        match en_word(s, p) {
            Some(next) => end = next,
            None => break,
        }
    }
    Some(end)
}

/// The names of a `By X` byline opening `line` (`By X, Y and Z`): up to four names, joined by
/// a comma or `and`.
fn en_by(line: &str) -> Option<&str> {
    let start = match EN_BY_LABEL.find(line) {
        Some(m) => m.end(),
        None if line.starts_with("By") => 2,
        None => return None,
    };
    let mut end = en_name(line, start)?;
    for _ in 0..3 {
        let next = if let Some(after) = line[end..].strip_prefix(',') {
            let at = line.len() - after.trim_start_matches(char::is_whitespace).len();
            en_name(line, at)
        } else {
            skip_spaces(line, end)
                .filter(|&p| line[p..].starts_with("and"))
                .and_then(|p| skip_spaces(line, p + 3))
                .and_then(|p| en_name(line, p))
        };
        match next {
            Some(e) => end = e,
            None => break,
        }
    }
    Some(&line[start..end])
}

/// After the name, a blog platform's reading time (`Jane Doe • 3 min read`, `Jane Doe · 5
/// minute read`).
static READ_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*[•·|–—-]\s*[0-9]{1,3}\s*min(?:ute)?s?\.?\s+read(?-u:\b)")
        .expect("static regex")
});

/// The name opening a line that then gives the post's reading time (`Jane Doe • 3 min read`,
/// as Medium and its like stamp a post).
fn read_time_byline(line: &str) -> Option<&str> {
    if !line.contains(" read") {
        return None;
    }
    let end = en_name(line, 0)?;
    let name = &line[..end];
    ((2..=3).contains(&name.split_whitespace().count()) && READ_TIME.is_match(&line[end..]))
        .then_some(name)
}

/// Bylines in other words than `By`: `Von X am …`, `Posted by X @ …`, `Erstellt von X`, `Text
/// von X`, `Autoren X und Y`, `Author: X, Datum: …`, `Por X`, `Par X`, `Door X`. As a regex
/// (kept in the tests, `OTHER_BY`):
///
/// `^(?i:(?:posted|written|erstellt|geschrieben|verfasst|veröffentlicht|text|ein\s+beitrag|ein\s+artikel)\s+(?:by|von)|von|por|par|door|autor(?:in|en)?|authors?|auteurs?|autores?)\s*:?\s+`
/// `(?P<v>W(?:\s+(?:P\s+){0,2}W)*(?:(?:,\s*|\s+(?:and|und|y|et|en|&)\s+)W(?:\s+W){0,3}){0,3})`
/// `(?:\s*$|\s*[|·•,–—(@/-]|\s+\d|\s+(?i:am|on|le|el|il|den|um|at)\b)`
///
/// (`W` a word, `\p{Lu}[\p{L}.'’-]*`, `P` a particle): the name ends the line or a date, a
/// time or a separator follows it; "Von Anfang an …" is a sentence, not a byline. It is read
/// in code ([`other_by`]), trying the names the regex would in the order it would, with small
/// regexes for the label, the words and the end: the one regex copied the Unicode letter
/// classes 14 times.
static OTHER_BY_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?i:(?:posted|written|erstellt|geschrieben|verfasst|veröffentlicht|text|ein\s+beitrag|ein\s+artikel)\s+(?:by|von)|",
        r"von|por|par|door|autor(?:in|en)?|authors?|auteurs?|autores?)\s*:?\s+",
    ))
    .expect("static regex")
});
static OTHER_BY_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\s*$|\s*[|·•,–—(@/-]|\s+[0-9]|\s+(?i:am|on|le|el|il|den|um|at)(?-u:\b))")
        .expect("static regex")
});
/// A word of a name in `OTHER_BY` and `LABELLED_BY`: a capital, then letters, dots,
/// apostrophes and hyphens, if any.
static NAME_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\p{Lu}[\p{L}.'’-]*").expect("static regex"));

/// A labelled byline opening a line or after a date, a bracket or a separator: `Datum:
/// 03.11.2021 Autor: Peter Maahn/SP-X`, `(wird fortgesetzt) Text: Klausmartin Friedrich`
/// ([`labelled_byline`]). The colon is what tells the label from a word of a sentence. As a
/// regex (kept in the tests, `LABELLED_BY`):
///
/// `(?:^|[\s|·•])(?P<label>(?i:autor(?:in|en)?|authors?|auteurs?|autores?|verfasser(?:in)?|texte?))\s*:\s*`
/// `(?P<v>W(?:\s+(?:P\s+){0,2}W){0,3}(?:(?:,\s*|\s+(?:and|und|y|et|en|&)\s+)W(?:\s+W){0,3}){0,3})`
/// `(?:\s*$|\s*[|·•,–—(@/-]|\s+\d|\s+\p{Ll})`
static LABELLED_BY_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?i:autor(?:in|en)?|authors?|auteurs?|autores?|verfasser(?:in)?|texte?|tekst)\s*:\s*",
    )
    .expect("static regex")
});
static LABELLED_BY_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\s*$|\s*[|·•,–—(@/-]|\s+[0-9]|\s+\p{Ll})").expect("static regex")
});

/// Tries the ends of a name word at `at`, longest first, as a regex's greedy `[…]*` does; true
/// when `k` took one.
fn name_word(s: &str, at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    let Some(m) = NAME_WORD.find(&s[at..]) else {
        return false;
    };
    let first = at + s[at..].chars().next().map_or(0, char::len_utf8);
    let mut end = at + m.end();
    loop {
        if k(end) {
            return true;
        }
        if end <= first {
            return false;
        }
        end -= s[..end].chars().next_back().map_or(1, char::len_utf8);
    }
}

/// `P` — where the particles (up to two) before a word at `at` end.
fn skip_particles(s: &str, mut at: usize) -> usize {
    for _ in 0..2 {
        match en_particle(s, at) {
            Some(next) => at = next,
            None => break,
        }
    }
    at
}

/// `W(?:\s+(?:P\s+){0,2}W)*` (`more` None) or `{0,more}`, from `at`; `k` is what follows.
fn first_name(s: &str, at: usize, more: Option<usize>, k: &mut dyn FnMut(usize) -> bool) -> bool {
    fn rest(s: &str, end: usize, left: Option<usize>, k: &mut dyn FnMut(usize) -> bool) -> bool {
        if left != Some(0)
            && let Some(p) = skip_spaces(s, end)
        {
            let p = skip_particles(s, p);
            if name_word(s, p, &mut |e| rest(s, e, left.map(|n| n - 1), k)) {
                return true;
            }
        }
        k(end)
    }
    name_word(s, at, &mut |e| rest(s, e, more, k))
}

/// `W(?:\s+W){0,3}`, from `at`.
fn other_name(s: &str, at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    fn rest(s: &str, end: usize, left: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        if left > 0
            && let Some(p) = skip_spaces(s, end)
            && name_word(s, p, &mut |e| rest(s, e, left - 1, k))
        {
            return true;
        }
        k(end)
    }
    name_word(s, at, &mut |e| rest(s, e, 3, k))
}

/// `(?:(?:,\s*|\s+(?:and|und|y|et|en|&)\s+)W(?:\s+W){0,3}){0,left}` from `end`.
fn more_names(s: &str, end: usize, left: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    if left > 0 {
        if let Some(after) = s[end..].strip_prefix(',') {
            let p = s.len() - after.trim_start_matches(char::is_whitespace).len();
            if other_name(s, p, &mut |e| more_names(s, e, left - 1, k)) {
                return true;
            }
        } else if let Some(p) = skip_spaces(s, end) {
            let joined = ["and", "und", "y", "et", "en", "&"]
                .iter()
                .filter(|j| s[p..].starts_with(**j))
                .find_map(|j| skip_spaces(s, p + j.len()));
            if let Some(p) = joined
                && other_name(s, p, &mut |e| more_names(s, e, left - 1, k))
            {
                return true;
            }
        }
    }
    k(end)
}

/// The names after the label, from `at`, that `end` allows to end at, the first the regex
/// would take.
fn names_then(s: &str, at: usize, first_more: Option<usize>, end: &Regex) -> Option<usize> {
    let mut found = None;
    first_name(s, at, first_more, &mut |e| {
        more_names(s, e, 3, &mut |e| {
            let ok = end.is_match(&s[e..]);
            if ok {
                found = Some(e);
            }
            ok
        })
    });
    found
}

/// The name of an `OTHER_BY` byline.
fn other_by(line: &str) -> Option<&str> {
    let start = OTHER_BY_LABEL.find(line)?.end();
    let end = names_then(line, start, None, &OTHER_BY_END)?;
    Some(&line[start..end])
}

/// The label's start and the name of the first `LABELLED_BY` byline in `line`.
fn labelled(line: &str) -> Option<(usize, &str)> {
    let try_at = |label: usize| {
        let start = label + LABELLED_BY_LABEL.find(&line[label..])?.end();
        let end = names_then(line, start, Some(3), &LABELLED_BY_END)?;
        Some((label, &line[start..end]))
    };
    let opens = |c: char| c.is_whitespace() || matches!(c, '|' | '·' | '•');
    line.char_indices().find_map(|(i, c)| {
        let at_start = (i == 0).then(|| try_at(0)).flatten();
        at_start.or_else(|| opens(c).then(|| try_at(i + c.len_utf8())).flatten())
    })
}

/// The name of a `LABELLED_BY` byline whose label opens the line or follows a date, a
/// bracket or a separator; not one in a photo credit (`Londyn / autor: Pixabay`).
fn labelled_byline(line: &str) -> Option<&str> {
    // the label's colon, looked for first: most lines have none
    if !line.contains(':') {
        return None;
    }
    let (label, name) = labelled(line)?;
    let before = line[..label].trim_end();
    let opens = before
        .chars()
        .next_back()
        .is_none_or(|ch| ch.is_ascii_digit() || matches!(ch, ')' | '|' | '·' | '•'));
    opens.then_some(name)
}

/// The parts of a line a byline may open: the line, and what follows each separator in it
/// (`yas! | By Cara Stiles | April 13, 2020`).
fn byline_openings(line: &str) -> impl Iterator<Item = &str> {
    std::iter::once(line).chain(
        line.match_indices(['|', '·', '•'])
            .map(move |(i, sep)| line[i + sep.len()..].trim_start()),
    )
}

/// What visible byline lines name, by kind.
#[derive(Debug, Default, Clone)]
pub struct Byline {
    pub author: Option<String>,
    /// The author came from a Chinese byline (`作者：`, `记者`, `文/`, `□`).
    pub chinese: bool,
    pub source: Option<String>,
    pub editor: Option<String>,
}

/// Reads the bylines near the article, by kind. The rule for Chinese bylines:
///
/// - **author**: who wrote it, as the byline spells the name: `作者：X`, `作者 X` (after a
///   separator or `《刊名》`), `撰文：X`, `执笔/X`, `文/X`, `文/图 X`, `记者：X`, `（本报）记者 X Y`
///   (reporters, several joined by a space or `、`), `□X` (a newspaper's byline box), and a
///   story's closing line that is only a person's name in brackets (`……举行。（张巨峰）`);
///   several names after one label are all kept (`作者：余毅菁 向雪妮`). A photographer's
///   credit (`记者 X 摄`, `X 供图`) names no author. The same in traditional characters, as
///   Taiwan and Hong Kong write them: `記者X／台北報導` (in `〔〕` or `【】` too), `文／X`,
///   `圖、文／X`, `撰稿 | X`, `【作者】X`, and the Central News Agency's `中央社記者X台北7日電`
///   (its name and place run together: the name is taken to be all but the last two
///   characters, at most three).
/// - **source**: the outlet the story comes from: `来源：X`, `来源于：X`, `出处：X`, `稿源：X` (a portal
///   reprinting 新华社 names it so);
/// - **editor**: who handled it on the site: `编辑：X`, `责任编辑：X`, `责编：X`.
///
/// The article's author is the author (a Chinese byline before the page's meta author, which
/// on portals is often the channel or the publishing account), else the source when no
/// person is named (an outlet is the author only then, [`pick`]); the editor is never the
/// author, not even when nothing else is named. Other pages give `By X`, `Von X`, `Par X`,
/// `Autor: X`.
pub fn byline(lines: &[&str]) -> Byline {
    let mut b = Byline::default();
    let take = |re: &Regex, line: &str| {
        re.captures(line)
            .and_then(|c| c.name("v"))
            .map(|m| tidy_name(m.as_str()))
            .filter(|v| !v.is_empty())
    };
    let take_en_by = |line: &str| en_by(line).map(tidy_names).filter(|v| !v.is_empty());
    for line in lines {
        if line.chars().count() > 200 {
            // A story's first paragraph opens with its dateline and the reporters' credit
            // (`新华社北京5月7日电（记者 张三）国务院…`), however long the paragraph.
            if b.author.is_none() {
                b.author = dateline_credit(line).and_then(cn_reporter);
                b.chinese = b.author.is_some();
            }
            continue;
        }
        if b.author.is_none() {
            b.author = cn_author(line)
                .or_else(|| cn_reporter(line))
                .or_else(|| take(&CN_BOX, line))
                .or_else(|| take(&CN_AUTHOR_SPACED, line))
                .or_else(|| trailing_name(line));
            b.chinese = b.author.is_some();
        }
        if b.author.is_none() {
            b.author = byline_openings(line)
                .find_map(|part| take_en_by(before_month_day(part)))
                .or_else(|| {
                    (line.chars().count() <= 100)
                        .then(|| other_by(before_month_day(line)))
                        .flatten()
                        .map(tidy_names)
                        .filter(|v| !v.is_empty())
                })
                .or_else(|| {
                    // `Posted on September 21, 2020 by Adi Tzlil`.
                    let line = ["Posted on ", "Published on ", "posted on "]
                        .iter()
                        .find_map(|p| line.strip_prefix(p))
                        .unwrap_or(line);
                    after_leading_time(line).and_then(|rest| take_en_by(before_month_day(rest)))
                })
                .or_else(|| {
                    labelled_byline(before_month_day(line))
                        .map(tidy_names)
                        .filter(|v| !v.is_empty())
                })
                .or_else(|| read_time_byline(line).map(tidy_name));
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

/// The names of a `CN_AUTHOR` byline: the first as the label's value, and the further
/// Chinese names after it (`作者：余毅菁 向雪妮`), joined by a space.
fn cn_author(line: &str) -> Option<String> {
    let v = CN_AUTHOR.captures(line)?.name("v")?;
    let first = tidy_name(v.as_str());
    if first.is_empty() {
        return None;
    }
    let mut names = first.clone();
    // Only a name the label's value holds whole is followed by more (not `张三2019-…`).
    let mut rest = if first == v.as_str() {
        &line[v.end()..]
    } else {
        ""
    };
    while let Some(c) = CN_MORE_NAME.captures(rest) {
        let name = &c["v"];
        if NOT_NAMES.iter().any(|w| name.starts_with(w)) || name.ends_with(ORG_ENDINGS) {
            break;
        }
        names.push(' ');
        names.push_str(name);
        rest = &rest[c.name("v").map_or(rest.len(), |m| m.end())..];
    }
    Some(names)
}

/// The dateline and credit that open a story (`新华社北京5月7日电（记者 张三 李四）`,
/// `本报讯（记者 张三 通讯员 李四）`): the line up to the credit's closing bracket, when a
/// dispatch (`电`) or a report (`讯`) opens it within its first few dozen characters.
fn dateline_credit(line: &str) -> Option<&str> {
    let head: String = line.chars().take(60).collect();
    let open = ["电（", "讯（", "电(", "讯("]
        .iter()
        .filter_map(|o| head.find(o))
        .min()?;
    let close = head[open..].find(['）', ')'])? + open;
    line.get(..close)
}

/// The reporter of a `记者 X` byline; not a photographer's credit (`中新社记者 贾天勇 摄`,
/// `记者 X 供图`), which names who took a picture in a caption.
fn cn_reporter(line: &str) -> Option<String> {
    if let Some(c) = (line.contains("日電") || line.contains("日电"))
        .then(|| CNA_DATELINE.captures(line))
        .flatten()
    {
        let run: Vec<char> = c["run"].chars().collect();
        let name: String = run[..(run.len() - 2).min(3)].iter().collect();
        return Some(name).filter(|n| !NOT_NAMES.iter().any(|w| n.starts_with(w)));
    }
    CN_REPORTER.captures_iter(line).find_map(|c| {
        let m = c.get(0)?;
        let after = line[m.end()..].trim_start();
        if after.starts_with('摄') || after.starts_with("供图") {
            return None;
        }
        Some(tidy_name(&c["v"])).filter(|v| !v.is_empty())
    })
}

/// Words a bracketed line at a story's end holds that are no names (`（视频）`, `（待续）`).
const NOT_CREDITS: &[&str] = &[
    "视频", "组图", "图文", "附图", "全文", "待续", "未完", "摘编", "综合", "编译", "资料", "供图",
    "详情", "原文", "图片", "更多", "上篇", "下篇", "专稿", "译文",
];

/// The reporter credited by a bracketed name closing the story (`（张巨峰）`), when the names
/// are people's: not an organisation (`（新华社）`) nor a note (`（待续）`).
fn trailing_name(line: &str) -> Option<String> {
    let v = CN_TRAILING_NAME.captures(line.trim())?.name("v")?.as_str();
    let people = v
        .split(['、', ' ', '\u{3000}'])
        .filter(|n| !n.is_empty())
        .all(|n| {
            !n.ends_with(ORG_ENDINGS)
                && !NOT_CREDITS.iter().any(|w| n.contains(w))
                && !NOT_NAMES.iter().any(|w| n.starts_with(w))
                && !n.contains("记者")
                && !n.contains('摄')
        });
    people.then(|| tidy_name(v)).filter(|v| !v.is_empty())
}

/// The date forms [`after_leading_time`] reads, anchored at the line's start: searched
/// unanchored, every line was scanned to its end for a match that had to start at 0, and the
/// scan's lazy DFA grew to 2 MB a thread.
static LEADING_DATES: LazyLock<[Regex; 3]> = LazyLock::new(|| {
    [&*US_DATE, &*NAMED_MONTH_DATE, &*NUMERIC_DATE]
        .map(|re| Regex::new(&format!("^(?:{})", re.as_str())).expect("static regex"))
});

/// What follows a time that opens a line (`2/26/2015 7:11 AM PST BY TMZ STAFF`), for reading
/// the byline after it.
fn after_leading_time(line: &str) -> Option<&str> {
    let m = LEADING_DATES.iter().find_map(|re| re.find(line))?;
    let rest = line[m.end()..].trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '|' | '-' | '·' | '–' | '—' | ',')
    });
    (!rest.is_empty()).then_some(rest)
}

/// `Steven Mufson March 18 at 12:22 PM`: a month name followed by a day ends a name, and so
/// does a weekday (`Alex Bozarjian Thursday, November 9, 2023`).
static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday),|\s(?i:(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?))(?-u:\b)\.?\s+[0-9]")
        .expect("static regex")
});

/// The line up to a month-and-day (`By Steven Mufson March 18 at 12:22 PM`).
fn before_month_day(line: &str) -> &str {
    MONTH_DAY.find(line).map_or(line, |m| &line[..m.start()])
}

/// Words of a title or a desk after a name and a comma (`Jane Doe, Senior Editor`): no second
/// name.
const ROLE_WORDS: &[&str] = &[
    "editor",
    "correspondent",
    "reporter",
    "staff",
    "writer",
    "contributor",
    "redakteur",
    "redakteurin",
    "redaktion",
    "korrespondent",
    "korrespondentin",
    "autor",
    "autorin",
];

/// The names of a Latin byline's list (`Daniel Braun, Davor Pasoski`, which the byline
/// grammar read as capitalised names), each tidied ([`tidy_name`]) and joined by `, `; a part
/// after a comma that is one word, a title or more words than a name has (`Jane Doe, Senior
/// Editor`, `X, dpa`, `Jane Doe, MA WebMD Health News`) ends the list as before.
fn tidy_names(s: &str) -> String {
    let mut parts = s.split(", ");
    let first_part = parts.next().unwrap_or("");
    let mut names: Vec<String> = split_joined(first_part)
        .into_iter()
        .map(tidy_name)
        .collect();
    for part in parts {
        // `X, Y and Z`: the last part holds two names.
        for part in split_joined(part) {
            let words: Vec<&str> = part.split_whitespace().collect();
            let role = words.iter().any(|w| {
                let w = w.to_lowercase();
                ROLE_WORDS.iter().any(|r| w.starts_with(r))
            });
            let name = tidy_name(part);
            if !(2..=3).contains(&words.len())
                || role
                || name.is_empty()
                || is_outlet_part(part, first_part)
            {
                return finish_names(names);
            }
            names.push(name);
        }
    }
    finish_names(names)
}

/// The names of a byline's list joined by `, `, or nothing when the first is no name.
fn finish_names(names: Vec<String>) -> String {
    if names.first().is_none_or(String::is_empty) {
        return String::new();
    }
    names.join(", ")
}

/// Words that make a part of a byline's list an outlet rather than a person (`John Smith, The
/// Washington Post`, `Jane Doe, CNN Business`).
const OUTLET_WORDS: &[&str] = &[
    "The",
    "News",
    "Business",
    "Post",
    "Times",
    "Press",
    "Herald",
    "Tribune",
    "Journal",
    "Daily",
    "Media",
    "Network",
    "Agency",
    "Magazine",
    "Online",
    "Reuters",
    "Bloomberg",
];

/// Whether `part`, after a byline's first name, names an outlet: one of [`OUTLET_WORDS`], or a
/// word of three capitals or more when the first name is not written so (`CNN Business`; a
/// name's initials, `AJ Willingham`, are two).
fn is_outlet_part(part: &str, first: &str) -> bool {
    let capitals = |w: &str| w.chars().count() >= 3 && w.chars().all(|c| c.is_uppercase());
    let first_in_capitals = first
        .split_whitespace()
        .all(|w| w.chars().all(|c| !c.is_lowercase()));
    part.split_whitespace()
        .any(|w| OUTLET_WORDS.contains(&w) || (!first_in_capitals && capitals(w)))
}

/// Two names joined by a word (`John Smith and Jane Doe`), each of two or three capitalised
/// words.
fn joined_names(part: &str) -> Option<[&str; 2]> {
    let (at, len) = LIST_JOINERS
        .iter()
        .filter_map(|j| part.find(j).map(|at| (at, j.len())))
        .min()?;
    let pair = [&part[..at], &part[at + len..]];
    pair.iter().all(|n| reads_as_a_name(n)).then_some(pair)
}

/// `part` as names: the two of [`joined_names`], else `part` itself.
fn split_joined(part: &str) -> Vec<&str> {
    joined_names(part).map_or_else(|| vec![part], |pair| pair.to_vec())
}

/// Whether `name` reads as a person's name in a list: two or three words, each capitalised.
fn reads_as_a_name(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    (2..=3).contains(&words.len())
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_uppercase))
}

/// A name without trailing punctuation, a glued-on date/time or the next label; empty when the
/// words are not a name at all.
fn tidy_name(s: &str) -> String {
    let s = s.trim();
    if NOT_NAMES.iter().any(|w| s.starts_with(w)) {
        return String::new();
    }
    // `来源：网络` ("from the web") and `作者：佚名` ("anonymous") name nobody.
    const NOBODY: &[&str] = &["网络", "互联网", "网络整理", "佚名", "不详"];
    let bare = s.trim_end_matches(['。', '.', ' ']);
    if NOBODY.contains(&bare) || PLACEHOLDERS.contains(&bare.to_lowercase().as_str()) {
        return String::new();
    }
    // A date glued to a name ends it; the digits of a Latin handle (`HN666`) are part of it.
    let mut cut = s
        .char_indices()
        .find(|&(i, c)| {
            let handle = !s[..i].contains(' ')
                && s[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|p| p.is_ascii_alphanumeric());
            (c.is_ascii_digit() && !handle) || matches!(c, '，' | '。' | ',' | ';' | '；' | '_')
        })
        .map_or(s.len(), |(i, _)| i);
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

/// Authors named by meta tags or JSON-LD, made readable ([`author_name`]); the site's own
/// name is not an author.
pub fn meta_author(meta: &PageMeta, site_names: &[String]) -> Option<String> {
    let names = declared_authors(meta);
    // A personal blog ends its `<title>` with its author's name (`… | Haki Benita`): a
    // person's name there, and not among the names the site declares, is still the author.
    let declared = meta.site_names();
    let hosts = address_names(meta);
    let names = names
        .iter()
        .map(|n| without_site_part(n, site_names, &hosts))
        .filter(|n| {
            let n = n.trim();
            (!site_names.iter().any(|s| s.contains(n))
                || (person_like(n) && !declared.iter().any(|s| s.contains(n))))
                && !names_the_address(n, &hosts)
        })
        // Discuz! 7 credits its own team in `<meta name="author">`.
        .filter(|n| !super::software::is_software_credit(n))
        .filter_map(author_name);
    join_names(names)
}

/// The outlet the meta tags or JSON-LD name as the author when that is the site itself (`BBC
/// News` in `og:article:author` on bbc.com): the author when nothing names a writer.
fn outlet_author(meta: &PageMeta) -> Option<String> {
    let names = declared_authors(meta);
    let names = names
        .iter()
        .filter(|n| !super::software::is_software_credit(n))
        .filter_map(|n| author_name(n));
    join_names(names)
}

/// The author names of JSON-LD, else of the author meta tags, else of a `twitter:dataN` tag
/// labelled as the writer, as written.
fn declared_authors(meta: &PageMeta) -> Vec<String> {
    let mut names: Vec<String> = meta.ld.authors.clone();
    if names.is_empty()
        && let Some(a) = meta.get(&[
            "dc:creator",
            "dc.creator",
            "dcterms.creator",
            "author",
            "article:author",
            "og:article:author",
            "byl",
            "sailthru.author",
            "parsely-author",
        ])
    {
        names.push(a.to_owned());
    }
    if names.is_empty()
        && let Some(a) = labelled_author(meta)
    {
        names.push(a.to_owned());
    }
    names
}

/// Whether `name` is written as a person's: two or three Latin words, each a capital and then
/// lower-case letters (`Haki Benita`), not an outlet's (`BBC News` has one such word less).
fn person_like(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    (2..=3).contains(&words.len())
        && words.iter().all(|w| {
            let mut chars = w.chars();
            chars.next().is_some_and(|c| c.is_ascii_uppercase())
                && w.chars().count() >= 2
                && chars.all(|c| c.is_lowercase() || c == '-')
        })
        && !words.iter().any(|w| {
            [
                "News", "Blog", "Magazin", "Magazine", "Online", "Zeitung", "Times", "Post",
            ]
            .contains(w)
        })
}

/// `name` without a comma-separated part that is the site's own name (`Rob Picheta, CNN`), or
/// a part before or after a dash or bar that names the site or its address (`unocero - Alberto
/// Ávila`, an SEO plugin's `site - author` meta author).
fn without_site_part<'a>(name: &'a str, site_names: &[String], hosts: &[String]) -> &'a str {
    let is_site = |part: &str| {
        let part = part.trim();
        site_names
            .iter()
            .any(|s| s.trim().eq_ignore_ascii_case(part))
            || names_the_address(part, hosts)
    };
    if let Some((head, tail)) = name.rsplit_once(',')
        && !head.trim().is_empty()
        && is_site(tail)
    {
        return head;
    }
    for sep in [" - ", " | ", " – "] {
        if let Some((head, tail)) = name.split_once(sep) {
            if is_site(head) && !tail.trim().is_empty() && !is_site(tail) {
                return tail;
            }
            if is_site(tail) && !head.trim().is_empty() && !is_site(head) {
                return head;
            }
        }
    }
    name
}

/// The names the page's address gives its site, from its canonical link or `og:url`: the host
/// without `www.` (`jungefreiheit.de`) and that host without its last label (`unocero`,
/// `l-mag`). A meta author that only repeats one of them names the site, not a writer.
fn address_names(meta: &PageMeta) -> Vec<String> {
    let Some(host) = [meta.canonical.as_deref(), meta.get(&["og:url"])]
        .into_iter()
        .flatten()
        .find_map(|u| {
            url::Url::parse(u)
                .ok()?
                .host_str()
                .map(str::to_ascii_lowercase)
        })
    else {
        return Vec::new();
    };
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    let mut names = vec![host.clone()];
    if let Some((name, _tld)) = host.rsplit_once('.') {
        names.push(name.to_owned());
    }
    names
}

/// Whether `name`, letters and digits only, is one of the [`address_names`] (`L-MAG` for
/// `l-mag.de`, `finanztreff.de`).
fn names_the_address(name: &str, hosts: &[String]) -> bool {
    let squeeze = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let n = squeeze(name);
    !n.is_empty() && hosts.iter().any(|h| squeeze(h) == n)
}

/// A byline's name without the outlet that follows it on the next line (`By Adam Aaronson<br>
/// PhillyVoice Staff`, read as one line): the name ends before a word that is the site's name
/// (or its first word), when two words stay.
fn before_outlet<'a>(name: &'a str, site_names: &[String]) -> &'a str {
    let site_word = |w: &str| {
        let w = w.to_lowercase();
        site_names.iter().any(|s| {
            let s = s.trim().to_lowercase();
            s.replace(' ', "") == w || s.split_whitespace().next() == Some(w.as_str())
        })
    };
    name.match_indices(' ')
        .filter(|(i, _)| name[..*i].contains(' '))
        .find(|(i, _)| name[i + 1..].split(' ').next().is_some_and(site_word))
        .map_or(name, |(i, _)| &name[..i])
}

/// The value of a `twitter:dataN` tag whose `twitter:labelN` says it is the writer (`Written
/// by`, `Verfasst von`, `Geschrieben von`, `Escrito por`), as SEO plugins write them.
fn labelled_author(meta: &PageMeta) -> Option<&str> {
    static WRITER_LABEL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\s*(?:written|posted|geschrieben|verfasst|escrito|écrit|scritto)\s+(?:by|von|por|par|da)(?-u:\b)|^\s*(?:author|autor|auteur|autore)(?-u:\b)")
            .expect("static regex")
    });
    (1..=4).find_map(|n| {
        let label = meta.get(&[format!("twitter:label{n}").as_str()])?;
        WRITER_LABEL
            .is_match(label)
            .then(|| meta.get(&[format!("twitter:data{n}").as_str()]))
            .flatten()
    })
}

/// Distinct names joined with `, ` (the archive's form for several authors).
fn join_names(names: impl Iterator<Item = String>) -> Option<String> {
    let mut unique: Vec<String> = Vec::new();
    for n in names {
        if !unique.iter().any(|u| u.eq_ignore_ascii_case(&n)) {
            unique.push(n);
        }
    }
    unique.truncate(6);
    (!unique.is_empty()).then(|| unique.join(", "))
}

/// Words that introduce a name (`By`, `Von`, `Par`, `Por`, `Autor:`, `Posted by`, `View all
/// posts by`, `Veröffentlicht von` …); also glued to the name (`AuthorAndreas Kalt`).
static NAME_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?i:(?:(?:text|words|story|written|reporting|report|posted|published|geschrieben|",
        r"veröffentlicht|verfasst|view all posts|alle beiträge|zeige alle beiträge|ein beitrag|",
        r"article|artikel|publié|escrito|scritto|show all articles|all articles|alle artikel|",
        r"mehr artikel|more articles)\s*)?",
        r"(?:by|von|vom|of|par|por|di|door)|author|autor|autorin|auteur|interview|texte?|",
        r"(?:publiziert|veröffentlicht|published|posted)\s+(?:am|on)|",
        r"redakteur(?:in)?)(?P<sep>\s*[:：,]\s*|\s+)?",
    ))
    .expect("static regex")
});

/// `raw` with every HTML character reference decoded (`Redacci&oacute;n`), as the HTML parser
/// reads them; text with markup stays as it is (it is no name).
fn decode_all_entities(raw: &str) -> String {
    if !raw.contains('&') || raw.contains('<') {
        return raw.to_owned();
    }
    Html::parse_fragment(raw).root_element().text().collect()
}

/// `t` without a word that introduces a name; a word glued to the name counts only before a
/// capital (`AuthorAndreas`, not `Bylund`).
fn without_prefix(t: &str) -> &str {
    let Some(c) = NAME_PREFIX.captures(t) else {
        return t;
    };
    let rest = &t[c.get(0).map_or(0, |m| m.end())..];
    if c.name("sep").is_some() || rest.chars().next().is_none_or(char::is_uppercase) {
        rest
    } else {
        t
    }
}

/// What ends a name: a date or time after it, a separator and a title or outlet, a handle, a
/// link to more articles, the editor or reviewer named after the author (`Rob Ewaschuk Edited
/// by Betsy Beyer`).
static NAME_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\s+[-|–—·•/]\s+|\s*\|\s*|\s+@\w|,?\s+(?i:am|on|le|el|il|den|der)\s+[0-9]|(?:\s+|,\s*|\s*\()[0-9]|",
        r"\s+(?i:edited by|reviewed by|fact[- ]checked by|redigiert von|geprüft von)(?-u:\b)|",
        r"\s+(?i:alle artikel|all posts|mehr von|more from|follow|folgen|updated|published|",
        r"aktualisiert|veröffentlicht|publiziert|stand)(?-u:\b)|\s*\(\s*http|\s+(?i:vor|hace)(?:\s|$)|",
        r",\s+(?i:updated|published|posted|veröffentlicht|publiziert)",
    ))
    .expect("static regex")
});

/// Degrees after a name (`Grant Tinsley, PhD`), which are no part of it.
static CREDENTIALS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r",?\s+(?:Ph\.?\s?D|M\.?D|MSc|MPH|MBA|RDN?|DVM|CFA|Dipl\.-\p{L}+)\.?$")
        .expect("static regex")
});

/// Chinese labels and buttons that follow a name in one element.
static CN_LABEL_AFTER_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s*(?:发布时间|發布時間|发布于|发表于|时间\s*[:：]|日期\s*[:：]|来源\s*[:：]|\+?关注$|优质原创作者|原创作者)")
        .expect("static regex")
});

/// Placeholders that stand where no name was filled in.
const PLACEHOLDERS: &[&str] = &[
    "no author",
    "admin",
    "administrator",
    "unknown",
    "null",
    "undefined",
    "author",
    "autor",
    "管理员",
    "系统管理员",
    "网站管理员",
    "follow",
    "folgen",
    "staff",
    "share",
    "teilen",
    "nachricht",
    "last",
    "updated",
    "actualizado",
    "aktualisiert",
    // the words before a date, left when the date is cut off (`Published 12 May`)
    "published",
    "posted",
    "posted on",
    "veröffentlicht",
    "publié",
    "publié le",
    "publicado",
    // headings of the list of other articles that sites put in their author block
    "相关文章",
    "相关阅读",
    "相关新闻",
    "相关推荐",
    "推荐阅读",
    "延伸阅读",
    "热门文章",
    "更多文章",
    "作者文章",
    "related",
    "related articles",
    "more articles",
    "recent posts",
];

/// Words of ad networks, themes and CMS credits, which name no author wherever they appear.
const CREDITS: &[&str] = &[
    "taboola",
    "outbrain",
    "wordpress",
    "themegrill",
    "drupal",
    "powered by",
    "copyright",
    "all rights",
    "版权",
];

/// A person's or an outlet's name in `raw` (a meta value, a byline, an author element's text),
/// or `None` when `raw` holds no name: markup (`size="`), a URL, an e-mail address, a bare
/// number or date, a login slug (`christian.stadtfeld`), a CMS or ad credit.
pub fn author_name(raw: &str) -> Option<String> {
    let mut t = clean_text(&decode_all_entities(raw));
    if t.contains(['<', '>', '=', '"', '{', '}']) {
        return None;
    }
    for _ in 0..2 {
        t = without_prefix(t.trim()).to_owned();
    }
    if let Some(m) = NAME_TAIL.find(&t) {
        t.truncate(m.start());
    }
    if let Some(m) = CREDENTIALS.find(&t) {
        t.truncate(m.start());
    }
    if let Some(rest) = t.strip_prefix('©') {
        t = rest.trim_start().to_owned();
    }
    if let Some(m) = MONTH_DAY.find(&t) {
        t.truncate(m.start());
    }
    // An author element's text runs on into the next label (`IT之家发布时间：09-30`) or a
    // follow button (`中国广州发布 关注`).
    // Such a label first is no name at all: the element held a date (`发布于 2019-09-26`).
    if let Some(cut) = CN_LABEL_AFTER_NAME.find(&t) {
        t.truncate(cut.start());
    }
    let t = t
        .trim()
        .trim_end_matches(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | ')' | '）' | '_')))
        .trim();
    let t = chinese_names_only(t).to_owned();
    let lower = t.to_lowercase();
    let chars = t.chars().count();
    let is_link = lower.contains("http") || lower.contains(".com/") || lower.contains("[at]");
    let is_email = t.contains('@');
    // `christian.stadtfeld`: a login, not the name a reader sees (a domain is an outlet's name).
    let is_slug = !t.contains(' ')
        && t.contains(['.', '_'])
        && lower == t
        && !lower
            .rsplit('.')
            .next()
            .is_some_and(|tld| (2..=3).contains(&tld.len()));
    let bare = t.chars().all(|c| !c.is_alphabetic()) || calendar_words(&t);
    // An editor's or a source's line is no author's (see [`byline`] for the rule).
    let other_role = CN_EDITOR.is_match(&t) || CN_SOURCE.is_match(&t);
    let credit =
        PLACEHOLDERS.contains(&lower.as_str()) || CREDITS.iter().any(|w| lower.contains(w));
    ((2..=80).contains(&chars)
        && !is_link
        && !is_email
        && !is_slug
        && !bare
        && !credit
        && !other_role)
        .then_some(t)
}

/// Whether every word of `t` names a weekday or a month (`sabado`, `September`): what is left
/// of a date shown in an author element, no name.
fn calendar_words(t: &str) -> bool {
    const WEEKDAYS: &[&str] = &[
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "montag",
        "dienstag",
        "mittwoch",
        "donnerstag",
        "freitag",
        "samstag",
        "sonntag",
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
        "lunes",
        "martes",
        "miércoles",
        "miercoles",
        "jueves",
        "viernes",
        "sábado",
        "sabado",
        "domingo",
    ];
    t.split_whitespace().all(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphabetic()).to_lowercase();
        WEEKDAYS.contains(&w.as_str()) || super::dates::is_month_name(&w)
    })
}

/// Chinese names (two to four characters, several split by spaces) without what follows them
/// (`王文 中国人民大学重阳金融研究院执行院长`: a title, longer than any name). Text that does not
/// open with a Chinese name stays whole.
fn chinese_names_only(t: &str) -> &str {
    static NAMES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[\p{Han}·]{2,4}(?: [\p{Han}·]{2,4})*(?: |$)").expect("static regex")
    });
    match NAMES.find(t) {
        Some(m) if m.end() < t.len() => t[..m.end()].trim_end(),
        _ => t,
    }
}

/// One kind of element that holds an author's name: its selector, the attribute words every
/// element it matches carries (a cheap test run before the selector's own), and how its
/// matches count.
struct AuthorElements {
    selector: Selector,
    words: Regex,
    /// Where `words` are looked for: the element's class, or its rel and itemprop.
    in_class: bool,
    /// Named so by markup (`itemprop`, `rel`, the hCard), not only by a class word: counts
    /// wherever it stands on the page.
    by_markup: bool,
    /// How many matches may name authors (several authors, or only the first name).
    most: usize,
}

impl AuthorElements {
    fn matches(&self, m: &Marked<'_>) -> bool {
        let may = if self.in_class {
            // `authorized` and `authorization` are a login's words.
            has(m.class, &self.words)
                && !m.class.is_some_and(|c| {
                    let c = c.to_ascii_lowercase();
                    c.contains("authoriz") || c.contains("authoris")
                })
        } else {
            has(m.rel, &self.words) || has(m.itemprop, &self.words)
        };
        may && self.selector.matches(&m.el)
    }
}

/// Elements that hold an author's name, most specific first: the name inside an author block,
/// the hCard name (`.author .fn`, as WordPress themes write it; a blog page shows the hCard of
/// every post it lists, and the first is the article's), the author link, then byline and
/// author blocks (`.byline`, `.author`, `.post-author`, `.autor`, `.writer`).
static AUTHOR_ELEMENTS: LazyLock<[AuthorElements; 4]> = LazyLock::new(|| {
    let selector = |css: &str| Selector::parse(css).expect("static selector");
    let words = |w: &str| Regex::new(&format!("(?i-u){w}")).expect("static regex");
    [
        AuthorElements {
            selector: selector(r#"[itemprop~="author"] [itemprop="name"]"#),
            words: words("name"),
            in_class: false,
            by_markup: true,
            most: 6,
        },
        AuthorElements {
            selector: selector(
                r#"[class~="author"] [class~="fn"], [class~="byline"] [class~="fn"]"#,
            ),
            words: words("fn"),
            in_class: true,
            by_markup: true,
            most: 1,
        },
        AuthorElements {
            selector: selector(r#"[rel~="author"], [itemprop~="author"]"#),
            words: words("author"),
            in_class: false,
            by_markup: true,
            most: 6,
        },
        AuthorElements {
            selector: selector(concat!(
                r#"[class*="byline" i], [class*="author" i], [class*="autor" i], "#,
                r#"[class*="writer" i], [class*="verfasser" i]"#
            )),
            words: words("byline|author|autor|writer|verfasser"),
            in_class: true,
            by_markup: false,
            most: 1,
        },
    ]
});

/// Whether an element is a commenter's name or avatar, or sits in the comments (a page's
/// `comments-open` class says nothing about its byline).
fn in_comments(e: &ElementRef<'_>) -> bool {
    std::iter::successors(Some(*e), |a| a.parent().and_then(ElementRef::wrap))
        .take(15)
        .any(|a| {
            let v = a.value();
            let words = format!(
                "{} {}",
                v.attr("class").unwrap_or(""),
                v.attr("id").unwrap_or("")
            )
            .to_ascii_lowercase();
            words.split_whitespace().any(|w| {
                (w.starts_with("comment") || w.starts_with("reply") || w.contains("avatar"))
                    && !w.ends_with("-open")
                    && !w.ends_with("-closed")
            })
        })
}

/// The names in the author elements of the first kind the page has, outside comments. Author
/// markup (`itemprop`, `rel`) counts wherever it is, and several such elements name several
/// authors; an element only named so by its class counts outside page furniture and not below
/// the body (where comments and their authors are), and the first one with a name is the author (a page lists other articles' authors in the same classes).
fn element_authors(els: &Elements<'_>, place: Place<'_>, around: &Around<'_>) -> Option<String> {
    AUTHOR_ELEMENTS.iter().find_map(|author| {
        let names = els
            .marked
            .iter()
            .filter(|m| author.matches(m))
            .map(|m| m.el)
            .filter(|e| {
                author.by_markup
                    || place(e.id()).is_some_and(|p| !p.noise && p.open <= around.body_close)
            })
            .filter(|e| !in_comments(e))
            .take(20)
            .filter_map(|e| element_author(&e))
            .take(author.most);
        join_names(names)
    })
}

/// Class and id names Chinese portals give the element naming the outlet a story comes from
/// (`<a class="source">北京日报</a>`, `<span class="a_source">`, `#ne_article_source`), and
/// WeChat the account publishing the article (`#js_name`).
const SOURCE_CLASSES: &[&str] = &[
    "source",
    "a_source",
    "article-source",
    "article_source",
    "ne_article_source",
    "art_source",
    "news-source",
    "news_source",
    // a WeChat official account's name above its articles (`<a id="js_name">`)
    "js_name",
];

/// The outlet an element marked as the story's source names, above the body's end and outside
/// furniture and comments: the author when no person is named anywhere ([`pick`]).
fn source_element(els: &Elements<'_>, place: Place<'_>, around: &Around<'_>) -> Option<String> {
    let marked_source = |v: Option<&str>| {
        v.is_some_and(|v| {
            v.split_whitespace()
                .any(|w| SOURCE_CLASSES.iter().any(|c| w.eq_ignore_ascii_case(c)))
        })
    };
    els.marked
        .iter()
        .filter(|m| marked_source(m.class) || marked_source(m.id))
        .filter(|m| place(m.el.id()).is_some_and(|p| !p.noise && p.open <= around.body_close))
        .filter(|m| !in_comments(&m.el))
        .take(5)
        .find_map(|m| {
            let text = clean_text(&m.el.text().collect::<String>());
            let text = ["来源：", "来源:", "来源"]
                .iter()
                .find_map(|l| text.strip_prefix(l))
                .unwrap_or(&text)
                .trim();
            let n = text.chars().count();
            ((2..=20).contains(&n) && !text.chars().any(|c| c.is_ascii_digit()))
                .then(|| tidy_name(text))
                .filter(|v| !v.is_empty())
        })
}

/// The name an author element shows (`<meta itemprop="name" content="…">` inside an author
/// element gives it in `content`).
fn element_author(e: &ElementRef<'_>) -> Option<String> {
    // Text nodes are joined with a space: a name and the title or time beside it sit in
    // elements of their own (`<a>王文</a><span>执行院长</span>`, `<a>X</a><span>vor 3 Tagen</span>`).
    let text = match e.value().attr("content") {
        Some(c) if e.value().name() == "meta" => clean_text(c),
        _ => clean_text(&shown_name_text(e).join(" ")).replace(" ,", ","),
    };
    (text.chars().count() <= 120)
        .then(|| author_name(&text))
        .flatten()
}

/// Social networks whose profile links sit beside an author's name, showing a handle.
const SOCIAL_HOSTS: &[&str] = &[
    "twitter.com/",
    "x.com/",
    "facebook.com/",
    "instagram.com/",
    "linkedin.com/",
];

/// The text nodes of an author element, without those of links to the author's social
/// profiles (`<a href="https://twitter.com/jdoe">jdoe</a>` after the name): a handle is no
/// part of the name.
fn shown_name_text<'a>(e: &ElementRef<'a>) -> Vec<&'a str> {
    let social = |n: &ego_tree::NodeRef<'a, scraper::Node>| {
        ElementRef::wrap(*n).is_some_and(|a| {
            a.value().name() == "a"
                && a.value()
                    .attr("href")
                    .is_some_and(|h| SOCIAL_HOSTS.iter().any(|s| h.contains(s)))
        })
    };
    e.descendants()
        .filter_map(|n| n.value().as_text().map(|t| (n, &**t)))
        .filter(|(n, _)| {
            !n.ancestors()
                .take_while(|a| a.id() != e.id())
                .any(|a| social(&a))
        })
        .map(|(_, t)| t)
        .collect()
}

/// The name in the author box below the body (`div.author-bio`, `.teaser-box.author`), when
/// every author element there that shows a name shows the same one: a list of other articles
/// below the body names several. The box's headings (`About the Author`) and links (`Alles von
/// X`) are no name: a name here is one to four words, none of them lower-case.
fn author_box_below(els: &Elements<'_>, place: Place<'_>, around: &Around<'_>) -> Option<String> {
    let by_class = AUTHOR_ELEMENTS.last()?;
    let mut names = els
        .marked
        .iter()
        .filter(|m| by_class.matches(m))
        .map(|m| m.el)
        .filter(|e| place(e.id()).is_some_and(|p| !p.noise && p.open > around.body_close))
        .filter(|e| !in_comments(e))
        .take(10)
        .filter_map(|e| element_author(&e))
        .filter(|n| looks_like_a_name(n));
    let first = names.next()?;
    names.all(|n| n == first).then_some(first)
}

/// The name of the first link to an author's page (`<a href="/author/jane-doe/">Jane Doe</a>`,
/// [`super::elements::is_author_page`]) above the end of the body and outside comments: CMSs
/// link a byline's name so when its markup says nothing. Link texts that are no name (`Alle
/// Artikel`, `Userprofile`, the site's name) do not count; a link below the body is another
/// article's or a commenter's.
fn linked_author(
    els: &Elements<'_>,
    place: Place<'_>,
    around: &Around<'_>,
    site_names: &[String],
) -> Option<String> {
    els.author_links
        .iter()
        .filter(|a| place(a.id()).is_some_and(|p| p.open <= around.body_close))
        .filter(|a| !in_comments(a))
        .take(10)
        .filter_map(element_author)
        .find(|n| {
            looks_like_a_name(n)
                && n.chars().any(char::is_uppercase)
                && !site_names.iter().any(|s| s.eq_ignore_ascii_case(n))
        })
}

/// `04.02.2022 | 13:10 Uhr | Uta Helkenberg`, `2019-09-04 22:18 GameForce`: a date with a
/// four-digit year, a time, then the rest of the line. Without the time, what follows a date is
/// as often the section (`2020-04-26 Deutsche Sprache`).
static DATE_THEN_REST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:[0-9]{1,2}\.\s?[0-9]{1,2}\.\s?[0-9]{4}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})",
        r"\s*[,|·–-]?\s*[0-9]{1,2}[:.][0-9]{2}(?::[0-9]{2})?(?:\s*Uhr)?\s*[|·,–-]?\s*(?P<v>.+)$",
    ))
    .expect("static regex")
});

/// Words that stand before a date in a stamp line without being anyone's name.
const NOT_STAMP_NAMES: &[&str] = &[
    "stand",
    "datum",
    "date",
    "erstellt",
    "posted",
    "published",
    "veröffentlicht",
    "am",
    "on",
    "von",
    "by",
    "heute",
    "today",
    "gestern",
    "yesterday",
    "uhr",
    "publié",
    "le",
    "el",
    "die",
    "der",
    "das",
    "the",
    "ein",
    "eine",
    "la",
    "les",
];

/// The name in a stamp line, a date and a name without a byline word (`04.02.2022 | 13:10 Uhr
/// | Uta Helkenberg/dpa`, `Benni 10. September 2017`, `HansEhrlich
/// 17.10.2019, 13:56 Uhr`, `原创 GameForce 2019-09-04 22:18:34`): one to three words, each
/// opening with a capital, that are not a weekday, a month or a stamp's own word.
fn stamp_name(line: &str) -> Option<String> {
    let line = line.trim();
    if line.chars().count() > 60 {
        return None;
    }
    let line = line.strip_prefix("原创").map_or(line, str::trim_start);
    let name = match DATE_THEN_REST.captures(line) {
        Some(c) => c.name("v")?.as_str(),
        None => [&*NAMED_MONTH_DATE, &*DOTTED_DATE, &*NUMERIC_DATE]
            .into_iter()
            .find_map(|re| re.find(line).filter(|m| m.start() > 0))
            .filter(|m| line[m.end()..].trim().is_empty())
            .map(|m| &line[..m.start()])?,
    };
    let name = name.split('/').next()?.trim();
    let words: Vec<&str> = name.split_whitespace().collect();
    let named = (1..=3).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '\''))
                && !NOT_STAMP_NAMES.contains(&w.to_lowercase().as_str())
        })
        && !calendar_words(name);
    named.then(|| author_name(name)).flatten()
}

/// Names the site calls itself: its declared names and the suffix of its `<title>`. A meta
/// "author" that is the site itself (网易 on 163.com) names no author.
fn site_names(meta: &PageMeta) -> Vec<String> {
    let mut names = meta.site_names();
    if let Some(page_title) = &meta.page_title {
        let kept = strip_site_suffix(page_title, &[]);
        if let Some(suffix) = page_title.strip_prefix(kept.as_str()) {
            // `… | by John C. Welch | Medium`: a part that is a byline names the author.
            names.extend(
                suffix
                    .split(['_', '|', '-', '｜', '—'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty() && en_by(s).is_none())
                    .map(str::to_owned),
            );
        }
    }
    names
}

/// Whether `s` reads as a name on its own: one to four words, none opening in lower case (a
/// single word may: a handle).
fn looks_like_a_name(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    words.len() == 1
        || (words.len() <= 4
            && words
                .iter()
                .all(|w| !w.chars().next().is_some_and(char::is_lowercase)))
}

/// Chooses the author: meta tags and JSON-LD, then a visible byline near the article, then
/// author elements, then the author box below the body, then a stamp line's name, then the
/// source. Never the editor (see [`byline`]).
pub fn pick(
    els: &Elements<'_>,
    meta: &PageMeta,
    place: Place<'_>,
    around: &Around<'_>,
) -> Option<String> {
    let lines: Vec<&str> = around
        .near
        .iter()
        .chain(around.inside)
        .chain(around.after)
        .copied()
        .collect();
    let byline = byline(&lines);
    // A Chinese byline names the writer; the meta author of Chinese portals is as often the
    // channel or the publishing account (`扬眼企鹅号` above `扬子晚报记者 张楠`).
    let chinese = byline.author.clone().filter(|_| byline.chinese);
    let names = site_names(meta);
    // A forum thread's or a blog platform's own mark of its poster comes first: a post that
    // reprints a story keeps the story's byline (`作者：…`) in its text.
    super::software::author(els, meta)
        // Not the lines after the body: a reply's panel is not the poster's.
        .or_else(|| {
            let before_end = around.near.len() + around.inside.len();
            super::software::member_panel_author(&lines[..before_end])
        })
        .or(chinese)
        .or_else(|| meta_author(meta, &names))
        .or_else(|| byline.author.map(|a| before_outlet(&a, &names).to_owned()))
        .or_else(|| element_authors(els, place, around))
        .or_else(|| linked_author(els, place, around, &names))
        .or_else(|| author_box_below(els, place, around))
        .or_else(|| lines.iter().find_map(|l| stamp_name(l)))
        .or(byline.source)
        .or_else(|| source_element(els, place, around))
        // Nothing names a writer: the outlet the meta author names (`BBC News`) is the author
        // then, even when it is the site's own name.
        .or_else(|| outlet_author(meta))
        .map(|a| {
            full_name(&a, &lines)
                .or_else(|| shown_for_login(&a, &lines))
                .unwrap_or(a)
        })
        .map(|a| without_role_before(&a).unwrap_or(a))
        .map(|a| list_of_names(&a).unwrap_or(a))
}

/// Roles that German bylines glue to an outlet's name before the writer's (`FOCUS-Online-
/// Experte Robin Tschöpe`, `SPIEGEL-Korrespondentin …`, `ZEIT-ONLINE-Autor …`).
const COMPOUND_ROLES: &[&str] = &[
    "experte",
    "expertin",
    "autor",
    "autorin",
    "redakteur",
    "redakteurin",
    "korrespondent",
    "korrespondentin",
    "kolumnist",
    "kolumnistin",
    "reporter",
    "reporterin",
];

/// The name after a role glued to an outlet (`FOCUS-Online-Experte Robin Tschöpe` → `Robin
/// Tschöpe`) when two or three words follow it.
fn without_role_before(author: &str) -> Option<String> {
    let (first, rest) = author.split_once(' ')?;
    let (_, role) = first.rsplit_once('-')?;
    let is_role = COMPOUND_ROLES.iter().any(|r| role.eq_ignore_ascii_case(r));
    (is_role && (2..=3).contains(&rest.split_whitespace().count())).then(|| rest.to_owned())
}

/// Words that join the last name of a list to the others (`A, B y C`, `A, B und C`).
const LIST_JOINERS: &[&str] = &[" and ", " und ", " y ", " et ", " e ", " en ", " & "];

/// A list of names whose last one is joined by a word (`Isabel Caro, Rocío Latorre y José
/// Miguel Wilson`, the text of a byline of author links) in the archive's form for several
/// authors, `A, B, C`. Only when every part reads as a person's name of two or three
/// capitalised words, so a name with `y` inside (`José Ortega y Gasset`) or an outlet (`Simon &
/// Schuster`) stays whole.
fn list_of_names(author: &str) -> Option<String> {
    let (head, last) = author.rsplit_once(", ")?;
    let mut names: Vec<&str> = head.split(", ").collect();
    names.extend(joined_names(last)?);
    names
        .iter()
        .all(|n| reads_as_a_name(n))
        .then(|| names.join(", "))
}

/// Name particles that may stand between a first name and a surname (`Jose de la Cruz`).
const NAME_PARTICLES: &[&str] = &[
    "de", "la", "del", "van", "von", "der", "den", "da", "di", "du", "le", "zu", "y",
];

/// Words that open a byline in the languages of the corpora.
const BYLINE_WORDS: &[&str] = &[
    "by", "von", "par", "por", "door", "autor", "autorin", "author", "text",
];

/// Words of a byline's stamp that follow a name (`By Daniel Published 3 days ago`).
const STAMP_WORDS: &[&str] = &[
    "published",
    "posted",
    "updated",
    "on",
    "in",
    "am",
    "um",
    "veröffentlicht",
    "aktualisiert",
    "photo",
    "foto",
    "bild",
];

/// A line's words as names are looked for in it: split at spaces and the punctuation around
/// names in bylines (`,` `:` `|` and brackets).
fn name_words(line: &str) -> Vec<&str> {
    line.split(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | '|' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// The whole name when `author` is a first name only (blogs show the account's display name,
/// `Nils`) and a line near the article names the same person in full (`Eine Kolumne von Nils
/// Pickert`, or the author box's line `Nils Pickert`): the name and the capitalised word after
/// it, particles allowed between them.
fn full_name(author: &str, lines: &[&str]) -> Option<String> {
    let first = author.trim();
    // A first name is written `Nils`: not an agency's `AFP`, not a handle's `nils`.
    let mut chars = first.chars();
    if first.chars().count() < 2
        || !chars.next().is_some_and(char::is_uppercase)
        || !chars.all(char::is_lowercase)
    {
        return None;
    }
    lines.iter().find_map(|line| {
        let words = name_words(line);
        let at = words.iter().position(|w| w.eq_ignore_ascii_case(first))?;
        // Particles, then one capitalised surname.
        let surname = words
            .iter()
            .enumerate()
            .skip(at + 1)
            .take(3)
            .find(|(_, w)| !NAME_PARTICLES.contains(w))?;
        let (end, w) = surname;
        let capital = w.chars().next().is_some_and(char::is_uppercase);
        // A byline's name (`By`, `Von`, `Autor:` before it) or a line of its own (an author
        // box's `p.full-name`): German capitalises nouns, so a capital alone is no surname.
        let bylined = at.checked_sub(1).is_some_and(|b| {
            BYLINE_WORDS
                .iter()
                .any(|k| words[b].eq_ignore_ascii_case(k))
        });
        let whole_line = at == 0 && end + 1 == words.len();
        (capital
            && (bylined || whole_line)
            && !STAMP_WORDS.iter().any(|k| w.eq_ignore_ascii_case(k))
            && w.chars()
                .all(|c| c.is_alphabetic() || c == '-' || c == '\''))
        .then(|| words[at..=end].join(" "))
    })
}

/// The name a line near the article shows for `author` when that is a login (`arianschlichenmayer`,
/// `jane-doe`: one lower-case word, as WordPress gives its user's login to JSON-LD when no
/// display name is set) and two or three capitalised words there spell it (`von Arian
/// Schlichenmayer`).
fn shown_for_login(author: &str, lines: &[&str]) -> Option<String> {
    let login: String = author.chars().filter(|c| c.is_alphanumeric()).collect();
    let is_login = !author.contains(' ')
        && login.chars().count() >= 6
        && author
            .chars()
            .all(|c| c.is_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    if !is_login {
        return None;
    }
    lines.iter().find_map(|line| {
        let words = name_words(line);
        (0..words.len()).find_map(|at| {
            (2..=3).find_map(|n| {
                let run = words.get(at..at + n)?;
                let spelt: String = run.concat().chars().flat_map(char::to_lowercase).collect();
                let capitalised = run
                    .iter()
                    .all(|w| w.chars().next().is_some_and(char::is_uppercase));
                (capitalised && spelt == login).then(|| run.join(" "))
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latin_byline_keeps_every_name_of_its_list() {
        assert_eq!(
            byline(&["von Daniel Braun, Davor Pasoski"])
                .author
                .as_deref(),
            Some("Daniel Braun, Davor Pasoski")
        );
        assert_eq!(
            byline(&["By Jane Doe, Senior Editor"]).author.as_deref(),
            Some("Jane Doe")
        );
        assert_eq!(tidy_names("Jane Doe, Dpa"), "Jane Doe");
        assert_eq!(tidy_names("Jane Doe, MA WebMD Health News"), "Jane Doe");
    }

    #[test]
    fn a_list_of_names_joined_by_a_word_takes_the_archives_form() {
        let list = |a: &str| list_of_names(a);
        assert_eq!(
            list("Isabel Caro, Rocío Latorre y José Miguel Wilson").as_deref(),
            Some("Isabel Caro, Rocío Latorre, José Miguel Wilson")
        );
        assert_eq!(
            list("Anna Muster, Ben Beispiel und Carla Probe").as_deref(),
            Some("Anna Muster, Ben Beispiel, Carla Probe")
        );
        // A name with `y` inside, an outlet, a list without a joiner: as they are.
        assert_eq!(list("Ana Ruiz, José Ortega y Gasset"), None);
        assert_eq!(list("Jane Doe, Simon & Schuster"), None);
        assert_eq!(list("Jane Doe, John Roe"), None);
        assert_eq!(list("Jane Doe und John Roe"), None);
    }

    #[test]
    fn a_role_glued_to_an_outlet_before_the_name_is_cut() {
        assert_eq!(
            without_role_before("FOCUS-Online-Experte Robin Tschöpe").as_deref(),
            Some("Robin Tschöpe")
        );
        assert_eq!(
            without_role_before("SPIEGEL-Korrespondentin Anna Muster").as_deref(),
            Some("Anna Muster")
        );
        assert_eq!(without_role_before("Hans-Peter Muster"), None);
        assert_eq!(without_role_before("Anna Muster-Autor"), None);
    }

    #[test]
    fn a_login_takes_the_name_the_byline_spells() {
        let lines = ["Sport", "von Arian Schlichenmayer", "Text"];
        assert_eq!(
            shown_for_login("arianschlichenmayer", &lines).as_deref(),
            Some("Arian Schlichenmayer")
        );
        assert_eq!(
            shown_for_login("arian-schlichenmayer", &lines).as_deref(),
            Some("Arian Schlichenmayer")
        );
        // Not a login (a name as written), or no line spells it.
        assert_eq!(shown_for_login("Arian", &lines), None);
        assert_eq!(shown_for_login("janedoe", &lines), None);
    }

    #[test]
    fn an_address_or_its_name_is_no_author_but_the_outlet_is_a_last_resort() {
        let mut meta = PageMeta {
            canonical: Some("http://www.example-news.de/a/1".to_owned()),
            ..PageMeta::default()
        };
        meta.metas
            .push(("author".to_owned(), "Example-News - Jane Doe".to_owned()));
        assert_eq!(meta_author(&meta, &[]).as_deref(), Some("Jane Doe"));
        meta.metas[0].1 = "example-news.de".to_owned();
        assert_eq!(meta_author(&meta, &[]), None);
        assert_eq!(outlet_author(&meta).as_deref(), Some("example-news.de"));
    }

    /// Every element placed at the page's start, outside furniture.
    fn anywhere(_: ego_tree::NodeId) -> Option<super::super::Placed> {
        Some(super::super::Placed {
            open: 0,
            noise: false,
        })
    }

    #[test]
    fn a_social_handle_beside_the_name_is_no_part_of_it() {
        let doc = Html::parse_fragment(concat!(
            r#"<div class="entry-author"><a href="/author/jdoe/">Jane Doe</a> "#,
            r#"<a class="author-twitter" href="https://twitter.com/janed">janed</a></div>"#
        ));
        let sel = Selector::parse("div").unwrap();
        let e = doc.select(&sel).next().unwrap();
        assert_eq!(element_author(&e).as_deref(), Some("Jane Doe"));
    }

    #[test]
    fn a_byline_name_ends_before_the_outlet_on_its_next_line() {
        let names = vec!["PhillyVoice".to_owned(), "Harbour Times".to_owned()];
        assert_eq!(
            before_outlet("Adam Aaronson PhillyVoice Staff", &names),
            "Adam Aaronson"
        );
        assert_eq!(before_outlet("Jane Doe Harbour Desk", &names), "Jane Doe");
        // One word would be left: no cut; a name without the outlet stays whole.
        assert_eq!(before_outlet("Harbour Times", &names), "Harbour Times");
        assert_eq!(before_outlet("Mary Ann Smith", &names), "Mary Ann Smith");
    }
    #[test]
    fn calendar_words_login_words_and_buttons_are_no_authors() {
        assert_eq!(author_name("sabado"), None);
        assert_eq!(author_name("September"), None);
        assert_eq!(author_name("Sonntag"), None);
        assert_eq!(author_name("Follow"), None);
        assert_eq!(author_name("Actualizado"), None);
        // An author element that holds only a date, after its label.
        assert_eq!(author_name("发布于 2019-09-26 07:19:52"), None);
        assert_eq!(author_name("Published 12 May 2021"), None);
        assert_eq!(author_name("相关文章"), None);
        assert_eq!(
            author_name("IT之家发布时间：09-30").as_deref(),
            Some("IT之家")
        );
        assert_eq!(author_name("Last Updated: January 7, 2025"), None);
        // A name that is also a month's is a name beside a surname.
        assert_eq!(author_name("June Carter").as_deref(), Some("June Carter"));
        let doc = Html::parse_document(concat!(
            r#"<div class="sourcePopwin"><span class="authorized">我已授权</span></div>"#,
            r#"<p>x</p>"#
        ));
        let els = Elements::new(&doc);
        let place = in_document_order(&doc);
        let around = Around {
            body_close: 1000,
            ..Around::default()
        };
        assert_eq!(element_authors(&els, &place, &around), None);
    }

    #[test]
    fn names_in_stamp_lines() {
        let name = |l: &str| stamp_name(l);
        assert_eq!(
            name("04.02.2022 | 13:10 Uhr | Uta Helkenberg").as_deref(),
            Some("Uta Helkenberg")
        );
        assert_eq!(
            name("03.11.2021 12:30 Peter Maahn/SP-X").as_deref(),
            Some("Peter Maahn")
        );
        // A section after a date without a time, and a two-digit year's event listing.
        assert_eq!(name("2020-04-26 Deutsche Sprache"), None);
        assert_eq!(name("11.12.19 19:00 UhrMac-Treff München"), None);
        assert_eq!(name("Benni 10. September 2017").as_deref(), Some("Benni"));
        assert_eq!(
            name("HansEhrlich 17.10.2019, 13:56 Uhr").as_deref(),
            Some("HansEhrlich")
        );
        assert_eq!(
            name("原创 GameForce 2019-09-04 22:18:34").as_deref(),
            Some("GameForce")
        );
        // Places, stamp words, weekdays and sentences are no names.
        assert_eq!(name("07.11.2023 Ormalingen, Ormalingen, Baselbiet"), None);
        assert_eq!(name("Stand 10. September 2017"), None);
        assert_eq!(name("Montag 10. September 2017"), None);
        assert_eq!(
            name("12.12.2022 - Empa (Eidgenössische Materialprüfungs- und Forschungsanstalt)"),
            None
        );
        assert_eq!(name("Die Sitzung am 10. September 2017"), None);
        let b = byline(&["Posted on September 21, 2020 by Adi Tzlil"]);
        assert_eq!(b.author.as_deref(), Some("Adi Tzlil"));
    }

    #[test]
    fn placeholders_and_handles_in_chinese_bylines() {
        let b = byline(&["（责任编辑：系统管理员）"]);
        assert_eq!(b.editor, None);
        let b = byline(&["（责任编辑： HN666）"]);
        assert_eq!(b.editor.as_deref(), Some("HN666"));
        // A date glued to a Chinese name still ends it.
        let b = byline(&["作者：张三2019-09-07"]);
        assert_eq!(b.author.as_deref(), Some("张三"));
        // `作者 X` after a separator; not inside prose.
        let b = byline(&["发表于 2014-08-24 21:30 | 来源 CSDN | 作者 魏星 知道创宇 余弦"]);
        assert_eq!(b.author.as_deref(), Some("魏星"));
        let b = byline(&["发表于2014-08-24 21:30| 1164次阅读| 来源CSDN| 条评论| 作者魏星"]);
        assert_eq!(b.author.as_deref(), Some("魏星"));
        let b = byline(&["本文仅代表作者本人观点，与和讯网无关。"]);
        assert_eq!(b.author, None);
        let b = byline(&["作者最新文章"]);
        assert_eq!(b.author, None);
        let b = byline(&["作者 最新文章"]);
        assert_eq!(b.author, None);
        // `来源于：` names the source.
        let b = byline(&["来源于： 东区办事处"]);
        assert_eq!(b.source.as_deref(), Some("东区办事处"));
    }

    #[test]
    fn a_personal_blog_titled_with_its_author_keeps_the_meta_author() {
        let doc = Html::parse_document(concat!(
            r#"<title>Simple Anomaly Detection Using Plain SQL | Haki Benita</title>"#,
            r#"<meta name="author" content="Haki Benita"><p>x</p>"#
        ));
        let meta = super::super::collect(&doc);
        assert_eq!(
            meta_author(&meta, &site_names(&meta)).as_deref(),
            Some("Haki Benita")
        );
        // An outlet's name in the title, or a declared site name, is still no author.
        let outlet = Html::parse_document(concat!(
            r#"<title>Simple Anomaly Detection Using Plain SQL | BBC News</title>"#,
            r#"<meta name="author" content="BBC News"><p>x</p>"#,
        ));
        let meta = super::super::collect(&outlet);
        assert_eq!(meta_author(&meta, &site_names(&meta)), None);
        let declared = Html::parse_document(concat!(
            r#"<title>Simple Anomaly Detection Using Plain SQL | Anna Schmidt</title>"#,
            r#"<meta property="og:site_name" content="Anna Schmidt">"#,
            r#"<meta name="author" content="Anna Schmidt"><p>x</p>"#,
        ));
        let meta = super::super::collect(&declared);
        assert_eq!(meta_author(&meta, &site_names(&meta)), None);
    }

    /// Places every node of `doc` in document order, none of them noise: as the body finder
    /// would place a page with no furniture.
    fn in_document_order(doc: &Html) -> impl Fn(ego_tree::NodeId) -> Option<super::super::Placed> {
        let order: Vec<ego_tree::NodeId> = doc.tree.nodes().map(|n| n.id()).collect();
        move |id| {
            order
                .iter()
                .position(|n| *n == id)
                .map(|i| super::super::Placed {
                    open: i as u32,
                    noise: false,
                })
        }
    }

    // The byline regexes the code replaced ([`en_by`], [`other_by`], [`labelled`]).
    static EN_BY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"^(?:(?i:by)\s+|By)(?P<v>\p{Lu}[\p{L}.'’-]+(?:\s+(?:(?:von|van|de|da|del|della|di|do|dos|du|la|le|der|den|ter|zu)\s+){0,2}\p{Lu}[\p{L}.'’-]+){0,3}",
            r"(?:(?:,\s*|\s+and\s+)\p{Lu}[\p{L}.'’-]+(?:\s+(?:(?:von|van|de|da|del|della|di|do|dos|du|la|le|der|den|ter|zu)\s+){0,2}\p{Lu}[\p{L}.'’-]+){0,3}){0,3})",
        ))
        .expect("static regex")
    });
    static OTHER_BY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"^(?i:(?:posted|written|erstellt|geschrieben|verfasst|veröffentlicht|text|ein\s+beitrag|ein\s+artikel)\s+(?:by|von)|",
            r"von|por|par|door|autor(?:in|en)?|authors?|auteurs?|autores?)\s*:?\s+",
            r"(?P<v>\p{Lu}[\p{L}.'’-]*(?:\s+(?:(?:von|van|de|da|del|della|di|do|dos|du|la|le|der|den|ter|zu)\s+){0,2}\p{Lu}[\p{L}.'’-]*)*",
            r"(?:(?:,\s*|\s+(?:and|und|y|et|en|&)\s+)\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){0,3}){0,3})",
            // the name ends the line or a date, a time or a separator follows it: "Von Anfang an
            // …" is a sentence, not a byline
            r"(?:\s*$|\s*[|·•,–—(@/-]|\s+[0-9]|\s+(?i:am|on|le|el|il|den|um|at)(?-u:\b))",
        ))
        .expect("static regex")
    });
    static LABELLED_BY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"(?:^|[\s|·•])(?P<label>(?i:autor(?:in|en)?|authors?|auteurs?|autores?|verfasser(?:in)?|texte?))\s*:\s*",
            r"(?P<v>\p{Lu}[\p{L}.'’-]*(?:\s+(?:(?:von|van|de|da|del|della|di|do|dos|du|la|le|der|den|ter|zu)\s+){0,2}\p{Lu}[\p{L}.'’-]*){0,3}",
            r"(?:(?:,\s*|\s+(?:and|und|y|et|en|&)\s+)\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){0,3}){0,3})",
            r"(?:\s*$|\s*[|·•,–—(@/-]|\s+[0-9]|\s+\p{Ll})",
        ))
        .expect("static regex")
    });

    /// The byline readers find what the regexes they replaced found, on lines made of the
    /// pieces of bylines (labels, names, particles, joiners, dates, separators) at random.
    #[test]
    fn byline_readers_match_the_regexes_they_replaced() {
        const PIECES: &[&str] = &[
            "By",
            "by",
            "BY",
            "Von",
            "von",
            "Posted by",
            "Text",
            "text von",
            "Autor",
            "Autorin",
            "autores",
            "Authors",
            "Par",
            "door",
            "Texte",
            "verfasser",
            "ein  Beitrag von",
            ":",
            " : ",
            "Jose",
            "de",
            "la",
            "del",
            "Cruz",
            "Hans-Peter",
            "Müller",
            "O'Neil",
            "J.",
            "A",
            "É",
            "Łukasz",
            "Ürsula",
            "Κώστας",
            "Иван",
            "ǅemal",
            "and",
            "und",
            "y",
            "et",
            "en",
            "&",
            ",",
            ", ",
            "am",
            "on",
            "Am",
            "at",
            "um",
            "amen",
            "12",
            "٣",
            "2021",
            "|",
            "·",
            "•",
            "–",
            "—",
            "(",
            "@",
            "/",
            "-",
            ".",
            "'",
            "’",
            "anfang",
            "an",
            "foto",
            "\u{a0}",
            "\t",
            "  ",
            "ﬁ",
            "K",
            "\u{212a}",
            "ſ",
            "Ⅻ",
            "x",
        ];
        let mut rng = fastrand::Rng::with_seed(0x9e37_79b9_7f4a_7c15);
        let mut next = |n: usize| rng.usize(..n);
        for _ in 0..100_000 {
            let mut line = String::new();
            for _ in 0..1 + next(12) {
                if !line.is_empty() && next(3) > 0 {
                    line.push(' ');
                }
                line.push_str(PIECES[next(PIECES.len())]);
            }
            let by = EN_BY
                .captures(&line)
                .and_then(|c| c.name("v"))
                .map(|m| m.as_str());
            assert_eq!(en_by(&line), by, "{line:?}");
            assert_eq!(en_by(&line).is_some(), EN_BY.is_match(&line), "{line:?}");
            let other = OTHER_BY
                .captures(&line)
                .and_then(|c| c.name("v"))
                .map(|m| m.as_str());
            assert_eq!(other_by(&line), other, "{line:?}");
            let labelled_re = LABELLED_BY
                .captures(&line)
                .and_then(|c| Some((c.name("label")?.start(), c.name("v")?.as_str())));
            assert_eq!(labelled(&line), labelled_re, "{line:?}");
        }
    }

    #[test]
    fn a_first_name_takes_the_surname_the_page_shows() {
        let lines = [
            "Nils Pickert ist freier Autor",
            "Eine Kolumne von Nils Pickert",
        ];
        assert_eq!(full_name("Nils", &lines).as_deref(), Some("Nils Pickert"));
        assert_eq!(
            full_name("Todd", &["Todd Bates"]).as_deref(),
            Some("Todd Bates")
        );
        assert_eq!(full_name("David", &["Ich bin David der Gründer"]), None);
        assert_eq!(full_name("Daniel", &["Daniel Published 3 days ago"]), None);
        assert_eq!(
            full_name("Daniel", &["By Daniel Published 3 days ago"]),
            None
        );
        let lines = ["By Jose de la Cruz Updated"];
        assert_eq!(
            full_name("Jose", &lines).as_deref(),
            Some("Jose de la Cruz")
        );
        assert_eq!(full_name("Jose", &["Jose wrote this"]), None);
        assert_eq!(full_name("Jose Cruz", &["Jose Cruz Smith"]), None);
        assert_eq!(full_name("admin", &["admin Team"]), None);
        assert_eq!(full_name("AFP", &["AFP Photo"]), None);
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
        // Several names take the archive's form, `A, B`; an outlet after them is no name.
        let b = byline(&["By John Smith and Jane Doe, CNN"]);
        assert_eq!(b.author.as_deref(), Some("John Smith, Jane Doe"));
        let b = byline(&["By John Smith, Jane Doe and Bob Lee"]);
        assert_eq!(b.author.as_deref(), Some("John Smith, Jane Doe, Bob Lee"));
        let b = byline(&["By John Smith, The Washington Post"]);
        assert_eq!(b.author.as_deref(), Some("John Smith"));
        let b = byline(&["By Jane Doe, CNN Business"]);
        assert_eq!(b.author.as_deref(), Some("Jane Doe"));
        let b = byline(&["By John Smith, AJ Willingham"]);
        assert_eq!(b.author.as_deref(), Some("John Smith, AJ Willingham"));
        let b = byline(&["By JANE DOE, JOHN SMITH"]);
        assert_eq!(b.author.as_deref(), Some("JANE DOE, JOHN SMITH"));
        // A name with a joining word inside stays whole.
        assert_eq!(tidy_names("José Ortega y Gasset"), "José Ortega y Gasset");
        assert_eq!(tidy_names("Simon & Schuster"), "Simon & Schuster");
        // Other words before `by`, and a blog platform's reading time after the name.
        let b = byline(&["Guest post by John Smith"]);
        assert_eq!(b.author.as_deref(), Some("John Smith"));
        let b = byline(&["Tekst: Jan Kowalski"]);
        assert_eq!(b.author.as_deref(), Some("Jan Kowalski"));
        let b = byline(&["Story by John Smith"]);
        assert_eq!(b.author.as_deref(), Some("John Smith"));
        let b = byline(&["Reporting by John Smith; Editing by Jane Doe"]);
        assert_eq!(b.author.as_deref(), Some("John Smith"));
        let b = byline(&["Jane Doe • 3 min read"]);
        assert_eq!(b.author.as_deref(), Some("Jane Doe"));
        let b = byline(&["Share • 3 min read"]);
        assert_eq!(b.author, None);
        let b = byline(&["By Steven Mufson March 18 at 12:22 PM Follow @StevenMufson"]);
        assert_eq!(b.author.as_deref(), Some("Steven Mufson"));
        let b = byline(&["2/26/2015 7:11 AM PST BY TMZ STAFF"]);
        assert_eq!(b.author.as_deref(), Some("TMZ STAFF"));
        let b = byline(&["本报记者 王五 赵六"]);
        assert_eq!(b.author.as_deref(), Some("王五 赵六"));
        // A long first paragraph still gives its dateline's credit, and only that.
        let story = "这是一段很长的正文，记者了解到相关情况。".repeat(12);
        let b = byline(&[&format!("新华社北京5月7日电（记者 张三、李四）{story}")]);
        assert_eq!(b.author.as_deref(), Some("张三、李四"));
        let b = byline(&[&format!("本报讯（记者 王五 通讯员 赵六）{story}")]);
        assert_eq!(b.author.as_deref(), Some("王五"));
        let b = byline(&[&format!("{story}新华社北京5月7日电（记者 张三）")]);
        assert_eq!(
            b.author, None,
            "a credit deep in a paragraph is a quotation's"
        );
        let b = byline(&["文/陈智 编辑：李四 来源：澎湃新闻"]);
        assert_eq!(b.author.as_deref(), Some("陈智"));
        assert_eq!(b.editor.as_deref(), Some("李四"));
        assert_eq!(b.source.as_deref(), Some("澎湃新闻"));
        let b = byline(&["□本报记者 王五"]);
        assert_eq!(b.author.as_deref(), Some("王五"));
        let b = byline(&["记者获悉，此事已有进展"]);
        assert_eq!(b.author, None);
        let b = byline(&["ByAlex Bozarjian Thursday, November 9, 2023 4:41AM"]);
        assert_eq!(b.author.as_deref(), Some("Alex Bozarjian"));
        let b = byline(&["yas! | By Cara Stiles | April 13, 2020"]);
        assert_eq!(b.author.as_deref(), Some("Cara Stiles"));
        let b = byline(&["Datum: 03.11.2021 Autor: Peter Maahn/SP-X"]);
        assert_eq!(b.author.as_deref(), Some("Peter Maahn"));
        let b = byline(&["(wird fortgesetzt) Text: Klausmartin Friedrich"]);
        assert_eq!(b.author.as_deref(), Some("Klausmartin Friedrich"));
        let b = byline(&["Londyn / autor: Pixabay, Twitter"]);
        assert_eq!(b.author, None);
        let b = byline(&["Bylund Smith was there", "Text: in English"]);
        assert_eq!(b.author, None);
    }

    #[test]
    fn taiwanese_and_hong_kong_bylines_in_traditional_characters() {
        let author = |line: &str| byline(&[line]).author;
        for (line, name) in [
            ("記者王小明／台北報導", "王小明"),
            ("〔記者王小明／台北報導〕", "王小明"),
            ("【記者王小明、李大華／台北報導】", "王小明、李大華"),
            ("記者 陳大文", "陳大文"),
            ("文／王小明", "王小明"),
            ("撰文／王小明", "王小明"),
            ("圖、文／王小明", "王小明"),
            ("撰稿 | 王小明", "王小明"),
            ("撰稿人：王小明", "王小明"),
            ("【作者】張三", "張三"),
            ("□本報記者 林三", "林三"),
            ("（記者 王二 通訊員 李三）", "王二"),
            // The Central News Agency's dateline: the place (two characters) follows the name.
            ("中央社記者王小明台北7日電", "王小明"),
            ("中央社記者張謙香港7日電", "張謙"),
        ] {
            assert_eq!(author(line).as_deref(), Some(name), "{line}");
        }
        // Words after 記者 that are no name; an editor is never the author.
        assert_eq!(author("記者獲悉，此事已有定論"), None);
        assert_eq!(author("編輯：李四"), None);
        assert_eq!(byline(&["來源：中央社"]).source.as_deref(), Some("中央社"));
    }

    #[test]
    fn chinese_credits_for_writers_and_not_for_photographers() {
        let author = |lines: &[&str]| byline(lines).author;
        assert_eq!(
            author(&["执笔/甲乙丙、丁戊&己庚"]).as_deref(),
            Some("甲乙丙、丁戊&己庚")
        );
        assert_eq!(
            author(&["(文/图 王小五 赵六)"]).as_deref(),
            Some("王小五 赵六")
        );
        assert_eq!(
            author(&["作者：王小五 赵六"]).as_deref(),
            Some("王小五 赵六")
        );
        assert_eq!(author(&["作者：王五 编辑 李四"]).as_deref(), Some("王五"));
        assert_eq!(
            author(&["作者：王五 来源：新华网"]).as_deref(),
            Some("王五")
        );
        assert_eq!(author(&["《某刊》作者 周七"]).as_deref(), Some("周七"));
        // A photographer's credit in a caption names no author; a later byline does.
        assert_eq!(author(&["资料图。某某社记者 王五 摄"]), None);
        assert_eq!(
            author(&["资料图。某某社记者 王五 摄", "本报记者 赵六"]).as_deref(),
            Some("赵六")
        );
        // A bracketed name closing the story is its reporter's; an outlet or a note is not.
        assert_eq!(author(&["（张巨峰）"]).as_deref(), Some("张巨峰"));
        assert_eq!(author(&["(王五、赵六)"]).as_deref(), Some("王五、赵六"));
        assert_eq!(author(&["（新华社）"]), None);
        assert_eq!(author(&["（德清县发改局）"]), None);
        assert_eq!(author(&["（完）"]), None);
        assert_eq!(author(&["（待续）"]), None);
        assert_eq!(author(&["（视频）"]), None);
    }

    #[test]
    fn an_element_marked_as_the_source_names_the_outlet_when_no_person_is_named() {
        let place = anywhere;
        let run = |html: &str, near: &[&str]| {
            let doc = Html::parse_document(html);
            let meta = super::super::collect(&doc);
            let around = Around {
                near,
                ..Around::default()
            };
            pick(&Elements::new(&doc), &meta, &place, &around)
        };
        let html = r#"<div class="date-source"><span>2019年09月07日</span>
            <a class="source" href="http://127.0.0.1/">北京日报</a></div><p>x</p>"#;
        assert_eq!(run(html, &[]).as_deref(), Some("北京日报"));
        // A person named in a byline comes first.
        assert_eq!(run(html, &["本报记者 王五"]).as_deref(), Some("王五"));
        let html = r#"<a href="javascript:void(0);" id="js_name"> 某某科技 </a><p>x</p>"#;
        assert_eq!(run(html, &[]).as_deref(), Some("某某科技"));
        let html = r#"<span class="source">来源：网络</span><p>x</p>"#;
        assert_eq!(run(html, &[]), None);
    }

    #[test]
    fn the_editor_is_never_the_author() {
        let doc = Html::parse_document(r#"<p>x</p>"#);
        let meta = super::super::collect(&doc);
        let place = anywhere;
        let pick_with = |after: &[&str]| {
            let around = Around {
                after,
                ..Around::default()
            };
            pick(&Elements::new(&doc), &meta, &place, &around)
        };
        assert_eq!(pick_with(&["责任编辑：李四"]), None);
        assert_eq!(pick_with(&["（责编：李四）"]), None);
        assert_eq!(
            pick_with(&["本文来源：新京报", "责任编辑：李四"]).as_deref(),
            Some("新京报")
        );
    }

    #[test]
    fn a_byline_in_the_title_is_no_site_name() {
        let doc = Html::parse_document(concat!(
            r#"<title>Samantha and The Great Big Lie | by John C. Welch | Medium</title>"#,
            r#"<meta name="author" content="John C. Welch">"#,
        ));
        let meta = super::super::collect(&doc);
        assert_eq!(site_names(&meta), ["Medium"]);
        assert_eq!(
            meta_author(&meta, &site_names(&meta)).as_deref(),
            Some("John C. Welch")
        );
    }

    #[test]
    fn linked_author_names() {
        let doc = Html::parse_document(concat!(
            r#"<div class="meta"><a href="/author/redaktion/">alle Artikel von ihr</a> "#,
            r#"<a href="/autor/frank_g">Gunter Frank</a> / 22.04.2020</div>"#,
            r#"<div class="body"><p>Text</p></div>"#,
            r#"<div class="related"><a href="/autor/other">Jane Roe</a></div>"#,
        ));
        let els = Elements::new(&doc);
        let place = in_document_order(&doc);
        // The body ends at its paragraph.
        let p = Selector::parse("p").expect("selector");
        let body_end = place(doc.select(&p).next().expect("p").id())
            .expect("placed")
            .open;
        let around = |body_close| Around {
            body_close,
            ..Around::default()
        };
        // `alle Artikel von ihr` is no name; the first linked name above the body's end is.
        assert_eq!(
            linked_author(&els, &place, &around(body_end), &[]).as_deref(),
            Some("Gunter Frank")
        );
        // The site's own name is no author.
        assert_eq!(
            linked_author(&els, &place, &around(body_end), &["Gunter Frank".into()]),
            None
        );
        // Links below the body are other articles' authors.
        assert_eq!(linked_author(&els, &place, &around(1), &[]), None);
    }

    #[test]
    fn author_box_names() {
        assert!(looks_like_a_name("Martin Junker"));
        assert!(looks_like_a_name("hausinfo"));
        assert!(looks_like_a_name("张三"));
        assert!(!looks_like_a_name("About the Author"));
        assert!(!looks_like_a_name(
            "Martin Junker Alles von Martin Junker Kontakt"
        ));
        let doc = Html::parse_document(concat!(
            r#"<div class="body"><p>Text</p></div>"#,
            r#"<div class="author-bio"><h3 class="author-title">About the Author</h3>"#,
            r#"<h4 class="author-name">Martin Junker</h4></div>"#,
            r#"<ul><li class="author">Martin Junker</li></ul>"#,
        ));
        let els = Elements::new(&doc);
        let place = in_document_order(&doc);
        let around = Around {
            body_close: 5,
            ..Around::default()
        };
        assert_eq!(
            author_box_below(&els, &place, &around).as_deref(),
            Some("Martin Junker")
        );
        let related = Html::parse_document(concat!(
            r#"<div class="body"><p>Text</p></div>"#,
            r#"<ul><li class="author">Martin Junker</li><li class="author">Jane Roe</li></ul>"#,
        ));
        let els = Elements::new(&related);
        let place = in_document_order(&related);
        assert_eq!(author_box_below(&els, &place, &around), None);
    }

    #[test]
    fn names_lose_prefixes_dates_and_credits() {
        let name = |s: &str| author_name(s);
        assert_eq!(
            name("Dan Goodin - Apr 16, 2015 8:02 pm UTC").as_deref(),
            Some("Dan Goodin")
        );
        assert_eq!(name("Text by NEWS WIRES").as_deref(), Some("NEWS WIRES"));
        // The editor named after the author is not an author.
        assert_eq!(
            name("Rob Ewaschuk Edited by Betsy Beyer").as_deref(),
            Some("Rob Ewaschuk")
        );
        assert_eq!(name("by: Laurie Oakes").as_deref(), Some("Laurie Oakes"));
        assert_eq!(
            name("von Juliane Ziegengeist").as_deref(),
            Some("Juliane Ziegengeist")
        );
        assert_eq!(
            name("Par Sébastien Farcis").as_deref(),
            Some("Sébastien Farcis")
        );
        assert_eq!(name("AuthorAndreas Kalt").as_deref(), Some("Andreas Kalt"));
        assert_eq!(
            name("Veröffentlicht vonChris Jung").as_deref(),
            Some("Chris Jung")
        );
        assert_eq!(
            name("View all posts by Daniel Lemire").as_deref(),
            Some("Daniel Lemire")
        );
        assert_eq!(
            name("Author: Bo2man am 29.12.2010").as_deref(),
            Some("Bo2man")
        );
        assert_eq!(
            name("Johanna Kropfitsch Alle Artikel").as_deref(),
            Some("Johanna Kropfitsch")
        );
        assert_eq!(
            name("Williams Perdomo @wperdomod").as_deref(),
            Some("Williams Perdomo")
        );
        assert_eq!(
            name("Redacci&oacute;n Diario").as_deref(),
            Some("Redacción Diario")
        );
        assert_eq!(name("przepisy.pl").as_deref(), Some("przepisy.pl"));
        assert_eq!(name("Perry Bacon Jr.").as_deref(), Some("Perry Bacon Jr."));
        assert_eq!(
            name("Michael Veeser-Dombrowski →").as_deref(),
            Some("Michael Veeser-Dombrowski")
        );
        assert_eq!(name("Publiziert am, uriebe").as_deref(), Some("uriebe"));
        assert_eq!(name("Veröffentlicht am"), None);
        assert_eq!(
            name("Herr_Rein, Veröffentlicht am").as_deref(),
            Some("Herr_Rein")
        );
        assert_eq!(
            name("SHOW ALL ARTICLES OFHeiko Sauer").as_deref(),
            Some("Heiko Sauer")
        );
        assert_eq!(name("Bylund Smith").as_deref(), Some("Bylund Smith"));
        assert_eq!(
            name("Bradley M. Kuhn (http://ebb.org/bkuhn/)").as_deref(),
            Some("Bradley M. Kuhn")
        );
        assert_eq!(name("张三").as_deref(), Some("张三"));
        assert_eq!(
            name("Houzz Deutschland vor 3 Tagen").as_deref(),
            Some("Houzz Deutschland")
        );
        assert_eq!(
            name("王文 中国人民大学重阳金融研究院执行院长").as_deref(),
            Some("王文")
        );
        assert_eq!(name("段彦超 廖艳").as_deref(), Some("段彦超 廖艳"));
        assert_eq!(name("证券市场红周刊").as_deref(), Some("证券市场红周刊"));
        assert_eq!(name("系统管理员"), None);
        assert_eq!(name("Grant Tinsley, PhD").as_deref(), Some("Grant Tinsley"));
        assert_eq!(name("© Kathrin Führes").as_deref(), Some("Kathrin Führes"));
        assert_eq!(
            without_site_part("Rob Picheta, CNN", &["CNN".to_owned()], &[]),
            "Rob Picheta"
        );
        assert_eq!(
            without_site_part("Smith, John", &["CNN".to_owned()], &[]),
            "Smith, John"
        );
        assert_eq!(name("John Roe").as_deref(), Some("John Roe"));
        for junk in [
            "size=\"",
            "https://example.com/authors/jane",
            "jane@example.com",
            "cipha[at]cipha.net",
            "christian.stadtfeld",
            "29.12.2010",
            "Taboola",
            "No Author",
            "Hecho en Bolivia con Drupal por Smartica",
            "[责任编辑：韩保林 PK155]",
        ] {
            assert_eq!(name(junk), None, "{junk}");
        }
    }

    #[test]
    fn pick_prefers_meta_and_skips_the_site_itself() {
        let around = Around {
            near: &["来源：新华网"],
            ..Around::default()
        };
        let doc = Html::parse_document(
            r#"<title>一篇很长的新闻标题_网易新闻</title><meta name="author" content="网易新闻"><p>x</p>"#,
        );
        let meta = super::super::collect(&doc);
        let place = anywhere;
        assert_eq!(
            pick(&Elements::new(&doc), &meta, &place, &around).as_deref(),
            Some("新华网")
        );
        let doc = Html::parse_document(
            r#"<meta name="author" content="Jane Doe"><span class="byline">By John Roe</span>"#,
        );
        let meta = super::super::collect(&doc);
        assert_eq!(
            pick(&Elements::new(&doc), &meta, &place, &around).as_deref(),
            Some("Jane Doe")
        );
        let doc = Html::parse_document(r#"<span class="byline">By John Roe</span>"#);
        let meta = super::super::collect(&doc);
        let none = Around {
            near: &[],
            ..around
        };
        assert_eq!(
            pick(&Elements::new(&doc), &meta, &place, &none).as_deref(),
            Some("John Roe")
        );
        let two = Html::parse_document(
            r#"<p class="author">By Jane Doe</p><p class="author">John Roe</p><p>x</p>"#,
        );
        let meta = super::super::collect(&two);
        assert_eq!(
            pick(&Elements::new(&two), &meta, &place, &none).as_deref(),
            Some("Jane Doe")
        );
        let two = Html::parse_document(
            r#"<body class="comments-open"><a rel="author">Jane Doe</a> <a rel="author">John Roe</a>
            <ol><li class="comment"><span class="comment-author">Troll</span></li></ol></body>"#,
        );
        let meta = super::super::collect(&two);
        assert_eq!(
            pick(&Elements::new(&two), &meta, &place, &none).as_deref(),
            Some("Jane Doe, John Roe")
        );
    }

    #[test]
    fn names_keep_their_lower_case_particles() {
        for (line, name) in [
            ("Von Jose de la Cruz | 04.05.2021", "Jose de la Cruz"),
            ("Por Jose de la Cruz", "Jose de la Cruz"),
            (
                "By Ursula von der Leyen, May 4, 2021",
                "Ursula von der Leyen",
            ),
            ("Autor: Paulo dos Santos | Foto: X", "Paulo dos Santos"),
            (
                "By Jan ter Horst and Anna de la Fuente",
                "Jan ter Horst and Anna de la Fuente",
            ),
        ] {
            assert_eq!(byline(&[line]).author.as_deref(), Some(name), "{line}");
        }
        // A particle is no name of its own: "Von Anfang an" stays a sentence.
        assert_eq!(
            byline(&["Von Anfang an war klar, dass es regnet."]).author,
            None
        );
    }

    #[test]
    fn bylines_in_other_words_than_by() {
        let author = |l: &str| byline(&[l]).author;
        assert_eq!(
            author("Von R. R. am 12. Mai 2008").as_deref(),
            Some("R. R.")
        );
        assert_eq!(
            author("Posted by Konstantin @ 12:00 am").as_deref(),
            Some("Konstantin")
        );
        assert_eq!(
            author("Autoren Jelko Djuren und Jutta Klaukien").as_deref(),
            Some("Jelko Djuren, Jutta Klaukien")
        );
        assert_eq!(
            author("Par Matthieu Hy le 3 mars 2020").as_deref(),
            Some("Matthieu Hy")
        );
        assert_eq!(
            author("Text von Christian Seiler Illustration von Markus Roost").as_deref(),
            Some("Christian Seiler")
        );
        // A sentence that opens with "Von" is no byline.
        assert_eq!(author("Von Anfang an war klar, dass es schwer wird."), None);
        assert_eq!(byline(&["作者：责任编辑：肖春芳"]).author, None);
        let b = byline(&["作者：佚名 来源：网络"]);
        assert_eq!((b.author, b.source), (None, None));
    }

    #[test]
    fn author_markup_of_themes_and_seo_plugins() {
        let around = Around::default();
        let place = |_| None;
        let pick_in = |html: &str| {
            let doc = Html::parse_document(html);
            let meta = super::super::collect(&doc);
            pick(&Elements::new(&doc), &meta, &place, &around)
        };
        assert_eq!(
            pick_in(
                r#"<meta name="twitter:label1" content="Verfasst von"><meta name="twitter:data1" content="Steffi">
                <meta name="twitter:label2" content="Geschätzte Lesezeit"><meta name="twitter:data2" content="3 Minuten">"#
            )
            .as_deref(),
            Some("Steffi")
        );
        assert_eq!(
            pick_in(
                r#"<meta name="twitter:label1" content="Lesezeit"><meta name="twitter:data1" content="3 Minuten">"#
            ),
            None
        );
        // Every listed post's hCard: the first is the article's.
        assert_eq!(
            pick_in(
                r#"<span class="author vcard"><a class="url fn n" href="/a/u">uriebe</a></span>
                <span class="author vcard"><a class="url fn n" href="/a/t">Tom Stelling</a></span>"#
            )
            .as_deref(),
            Some("uriebe")
        );
        assert_eq!(
            pick_in(
                r#"<div itemprop="author"><meta itemprop="name" content="Cosima Künzel"></div>"#
            )
            .as_deref(),
            Some("Cosima Künzel")
        );
    }

    #[test]
    fn chinese_bylines_before_the_portal_meta_author_and_labels_cut_off() {
        let around = Around {
            near: &["扬子晚报记者 张楠"],
            ..Around::default()
        };
        let doc = Html::parse_document(r#"<meta name="author" content="扬眼企鹅号"><p>x</p>"#);
        let meta = super::super::collect(&doc);
        assert_eq!(
            pick(&Elements::new(&doc), &meta, &|_| None, &around).as_deref(),
            Some("张楠")
        );
        assert_eq!(
            author_name("IT之家发布时间：09-3022:46青岛软媒网络科技有限公司").as_deref(),
            Some("IT之家")
        );
        assert_eq!(
            author_name("中国广州发布 关注").as_deref(),
            Some("中国广州发布")
        );
    }
}
