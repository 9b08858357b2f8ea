//! Differences between two versions of a document: which front-matter fields changed, and the
//! body compared by character for CJK text and by word for Latin text (one tokenizer handles
//! mixed text). Pure; the result is stored with each version (JSON) so views never recompute it.

use std::borrow::Cow;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use similar::{Algorithm, ChangeTag, DiffOp, capture_diff_slices_deadline};

use crate::document::Document;

/// Big rewrites are diffed for at most this long; the result is then coarser, never wrong.
const DIFF_DEADLINE: Duration = Duration::from_secs(2);

/// One changed front-matter field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub name: String,
    pub old: String,
    pub new: String,
}

/// What a span of the body diff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    #[serde(rename = "=")]
    Equal,
    #[serde(rename = "+")]
    Insert,
    #[serde(rename = "-")]
    Delete,
}

/// The difference between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentDiff {
    /// The version compared against, when stored with a version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<u32>,
    pub fields: Vec<FieldChange>,
    /// The body as spans, in order; adjacent spans of one op are merged.
    pub body: Vec<(Op, String)>,
    /// Characters inserted and deleted in the body.
    pub inserted: usize,
    pub deleted: usize,
}

impl DocumentDiff {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.inserted == 0 && self.deleted == 0
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("diff serializes")
    }

    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }
}

/// Compares two documents: front-matter fields first, then the body.
pub fn diff_documents(old: &Document, new: &Document) -> DocumentDiff {
    let mut fields = Vec::new();
    let pairs: [(&str, &str, &str); 7] = [
        ("title", &old.title, &new.title),
        ("date", &old.date, &new.date),
        ("summary", &old.summary, &new.summary),
        ("thumbnail", &old.thumbnail, &new.thumbnail),
        ("site", &old.site, &new.site),
        ("lang", &old.lang, &new.lang),
        ("source", &old.source_url, &new.source_url),
    ];
    for (name, a, b) in pairs {
        if a != b {
            fields.push(FieldChange {
                name: name.to_owned(),
                old: a.to_owned(),
                new: b.to_owned(),
            });
        }
    }
    let mut diff = diff_text(&old.body, &new.body);
    diff.fields = fields;
    diff
}

/// Compares two texts by token (a CJK character, a Latin word, a run of spaces, or one
/// punctuation mark).
pub fn diff_text(old: &str, new: &str) -> DocumentDiff {
    let a = tokenize(old);
    let b = tokenize(new);
    let ops = capture_diff_slices_deadline(
        Algorithm::Myers,
        &a,
        &b,
        Some(Instant::now() + DIFF_DEADLINE),
    );
    let mut body: Vec<(Op, String)> = Vec::new();
    let (mut inserted, mut deleted) = (0, 0);
    let mut push = |op: Op, tokens: &[&str]| {
        let text: String = tokens.concat();
        if text.is_empty() {
            return;
        }
        match body.last_mut() {
            Some((last, s)) if *last == op => s.push_str(&text),
            _ => body.push((op, text)),
        }
    };
    for op in &ops {
        for (tag, range_old, range_new) in op_ranges(op) {
            match tag {
                ChangeTag::Equal => push(Op::Equal, &a[range_old]),
                ChangeTag::Delete => {
                    deleted += a[range_old.clone()]
                        .iter()
                        .map(|t| t.chars().count())
                        .sum::<usize>();
                    push(Op::Delete, &a[range_old]);
                }
                ChangeTag::Insert => {
                    inserted += b[range_new.clone()]
                        .iter()
                        .map(|t| t.chars().count())
                        .sum::<usize>();
                    push(Op::Insert, &b[range_new]);
                }
            }
        }
    }
    DocumentDiff {
        base: None,
        fields: Vec::new(),
        body,
        inserted,
        deleted,
    }
}

type Ranges = (ChangeTag, std::ops::Range<usize>, std::ops::Range<usize>);

fn op_ranges(op: &DiffOp) -> Vec<Ranges> {
    match *op {
        DiffOp::Equal {
            old_index,
            new_index,
            len,
        } => vec![(
            ChangeTag::Equal,
            old_index..old_index + len,
            new_index..new_index + len,
        )],
        DiffOp::Delete {
            old_index,
            old_len,
            new_index,
        } => vec![(
            ChangeTag::Delete,
            old_index..old_index + old_len,
            new_index..new_index,
        )],
        DiffOp::Insert {
            old_index,
            new_index,
            new_len,
        } => vec![(
            ChangeTag::Insert,
            old_index..old_index,
            new_index..new_index + new_len,
        )],
        DiffOp::Replace {
            old_index,
            old_len,
            new_index,
            new_len,
        } => vec![
            (
                ChangeTag::Delete,
                old_index..old_index + old_len,
                new_index..new_index,
            ),
            (
                ChangeTag::Insert,
                old_index + old_len..old_index + old_len,
                new_index..new_index + new_len,
            ),
        ],
    }
}

/// Splits text into diff tokens: each CJK (or other non-Latin, non-space) character alone, runs
/// of Latin letters and digits as words, runs of whitespace, and each punctuation mark.
fn tokenize(text: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut current: Option<(usize, Class)> = None;
    for (i, c) in text.char_indices() {
        let class = classify(c);
        if let Some((start, prev)) = current {
            if prev == class && class != Class::Single {
                continue;
            }
            tokens.push(&text[start..i]);
        }
        current = Some((i, class));
    }
    if let Some((start, _)) = current {
        tokens.push(&text[start..]);
    }
    tokens
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Word,
    Space,
    Single,
}

fn classify(c: char) -> Class {
    if c.is_whitespace() {
        Class::Space
    } else if c.is_alphanumeric() && (c.is_ascii() || is_latin_like(c)) {
        Class::Word
    } else {
        Class::Single
    }
}

/// Latin, Greek and Cyrillic letters form words; CJK and other scripts compare by character.
fn is_latin_like(c: char) -> bool {
    matches!(c, '\u{00C0}'..='\u{024F}' | '\u{0370}'..='\u{052F}' | '\u{1E00}'..='\u{1EFF}')
}

/// Whether `new` says something `old` did not: an edit is a change of what the article says,
/// its title, its publication date, its body text or an image in it. Fields derived from those
/// (the summary) or about the page rather than the article (thumbnail, site, language, link)
/// never make an edit on their own, and neither does formatting that only differs between
/// Markdown converters: whitespace, escapes, emphasis and heading markers, punctuation (all of
/// Markdown's syntax is punctuation). `leaked_furniture` matches page furniture that older
/// archives let into their bodies (the site's [`crate::sites::Site::leaked_furniture`]); it
/// is not the article's text either.
pub fn is_edit(old: &Document, new: &Document, leaked_furniture: Option<&regex::Regex>) -> bool {
    what_it_says(old, leaked_furniture) != what_it_says(new, leaked_furniture)
}

/// Title, date and body of a document, reduced to what no converter formats differently.
fn what_it_says(doc: &Document, leaked_furniture: Option<&regex::Regex>) -> [String; 3] {
    let body = match leaked_furniture {
        Some(furniture) => furniture.replace_all(&doc.body, ""),
        None => Cow::Borrowed(doc.body.as_str()),
    };
    [
        significant(&doc.title),
        doc.date.trim().to_owned(),
        significant(&links_as_read(&body)),
    ]
}

/// Markdown links and images as a reader takes them: a link is its text (converters resolve
/// targets differently), an image is its address without the scheme (`//host/...` and
/// `https://host/...` are one image); an image's `alt` is not the article's text (Tencent
/// News writes the same `图片` for all, and one served form has none).
fn links_as_read(markdown: &str) -> Cow<'_, str> {
    static LINK: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r#"(!?)\[((?:[^\]\\]|\\.)*)\]\(\s*<?([^()\s<>]*)>?(?:\s+"[^"]*")?\s*\)"#)
            .expect("static regex")
    });
    LINK.replace_all(markdown, |caps: &regex::Captures<'_>| {
        if caps[1].is_empty() {
            caps[2].to_owned()
        } else {
            let address = &caps[3];
            let address = address
                .strip_prefix("https:")
                .or_else(|| address.strip_prefix("http:"))
                .unwrap_or(address);
            format!("![]({address})")
        }
    })
}

/// The text without whitespace, punctuation and invisible format characters.
fn significant(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !is_punctuation(*c) && !is_invisible(*c))
        .collect()
}

/// Zero-width spaces and joiners, word joiner, byte-order mark, soft hyphen.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// Whether two document texts differ only in whitespace or punctuation (full-width or not,
/// quote styles...): such a change is recorded as "minor" and is not an edit in feeds. For
/// texts that are not documents; documents are compared with [`is_edit`].
pub fn is_minor_change(old: &str, new: &str) -> bool {
    old != new && significant(old) == significant(new)
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c,
            '\u{00A1}'..='\u{00BF}'
            | '\u{2010}'..='\u{2027}'
            | '\u{2030}'..='\u{205E}'
            | '\u{3000}'..='\u{303F}'
            | '\u{FE10}'..='\u{FE6F}'
            | '\u{FF01}'..='\u{FF0F}'
            | '\u{FF1A}'..='\u{FF20}'
            | '\u{FF3B}'..='\u{FF40}'
            | '\u{FF5B}'..='\u{FF65}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(diff: &DocumentDiff, op: Op) -> String {
        diff.body
            .iter()
            .filter(|(o, _)| *o == op)
            .map(|(_, s)| s.as_str())
            .collect()
    }

    #[test]
    fn cjk_by_character_latin_by_word() {
        let d = diff_text(
            "美国总统特朗普表示 the quick fox",
            "美国总统拜登表示 the slow fox",
        );
        assert_eq!(join(&d, Op::Delete), "特朗普quick");
        assert_eq!(join(&d, Op::Insert), "拜登slow");
        assert_eq!((d.deleted, d.inserted), (8, 6));
        let rebuilt_old: String = d
            .body
            .iter()
            .filter(|(o, _)| *o != Op::Insert)
            .map(|(_, s)| s.as_str())
            .collect();
        assert_eq!(rebuilt_old, "美国总统特朗普表示 the quick fox");
    }

    #[test]
    fn fields_are_named_and_json_round_trips() {
        let doc = |title: &str, body: &str| Document {
            title: title.into(),
            date: "2025-02-11 07:03:08".into(),
            summary: String::new(),
            site: "qq".into(),
            lang: "zh-CN".into(),
            thumbnail: String::new(),
            body: body.into(),
            source_url: "https://new.qq.com/rain/a/x".into(),
        };
        let d = diff_documents(&doc("旧标题", "正文"), &doc("新标题", "正文。"));
        assert_eq!(d.fields.len(), 1);
        assert_eq!(d.fields[0].name, "title");
        assert_eq!(DocumentDiff::from_json(&d.to_json()).unwrap(), d);
        assert!(diff_documents(&doc("a", "b"), &doc("a", "b")).is_empty());
    }

    fn generator_doc(summary: &str, thumbnail: &str, body: &str) -> Document {
        Document {
            title: "标题：测试".into(),
            date: "2026-08-22 18:13:06".into(),
            summary: summary.into(),
            site: "qq".into(),
            lang: "zh-CN".into(),
            thumbnail: thumbnail.into(),
            body: body.into(),
            source_url: "https://new.qq.com/rain/a/x".into(),
        }
    }

    #[test]
    fn an_edit_is_a_change_of_what_the_article_says() {
        let old = generator_doc(
            "unsplash 8月19日...",
            "",
            "**\\*ST威领** 4\\.8亿  \n\n![图片](https://a.example/1.jpg)图注",
        );
        // Summary, thumbnail, escapes, emphasis, whitespace: not an edit.
        let same = generator_doc(
            "unsplash8月19日...",
            "https://a.example/cover.jpg",
            "\\*ST威领 4.8亿\n\n![图片](https://a.example/1.jpg)\n\n图注",
        );
        assert!(!is_edit(&old, &same, None));
        // A word, the date, the title or an image: an edit.
        let word = generator_doc(
            "",
            "",
            "\\*ST威领 4.9亿\n\n![图片](https://a.example/1.jpg)图注",
        );
        assert!(is_edit(&old, &word, None));
        let image = generator_doc(
            "",
            "",
            "\\*ST威领 4.8亿\n\n![图片](https://a.example/2.jpg)图注",
        );
        assert!(is_edit(&old, &image, None));
        // The image's alt and scheme, a link's target: not what the article says.
        let alt = generator_doc(
            "",
            "",
            "\\*ST威领 4.8亿\n\n![](//a.example/1.jpg \"t\")图注",
        );
        assert!(!is_edit(&old, &alt, None));
        let linked = generator_doc(
            "",
            "",
            "[\\*ST威领](https://b.example/x) 4.8亿 ![图片](https://a.example/1.jpg)图注",
        );
        assert!(!is_edit(&old, &linked, None));
        let relinked = generator_doc(
            "",
            "",
            "[\\*ST威领 5亿](https://b.example/x) 4.8亿 ![图片](https://a.example/1.jpg)图注",
        );
        assert!(is_edit(&old, &relinked, None));
        let mut date = same.clone();
        date.date = "2026-08-22 18:13:07".into();
        assert!(is_edit(&old, &date, None));
        let mut title = same.clone();
        title.title = "标题：新".into();
        assert!(is_edit(&old, &title, None));
    }

    #[test]
    fn leaked_furniture_is_not_the_article() {
        let widget = regex::Regex::new("问AI · [^？]*？").unwrap();
        let old = generator_doc("", "", "问AI · 铜价为何上涨？本文转载自某公众号");
        let new = generator_doc("", "", "本文转载自某公众号");
        assert!(is_edit(&old, &new, None));
        assert!(!is_edit(&old, &new, Some(&widget)));
    }

    #[test]
    fn minor_changes_are_whitespace_and_punctuation() {
        assert!(is_minor_change("他说，“好”。", "他说, \"好\"."));
        assert!(is_minor_change("a  b", "a b"));
        assert!(!is_minor_change("他说好", "他说不好"));
        assert!(!is_minor_change("same", "same"));
    }
}
