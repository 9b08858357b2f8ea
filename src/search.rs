//! Full-text search, the part both archive backends share: the tokenizer, the query language
//! and the snippets. No SQL here: [`crate::archive`] stores the tokens this module makes (SQLite
//! FTS5, PostgreSQL `tsvector`) and asks for matches; this module turns the matched documents
//! into highlighted snippets, the same way for both.
//!
//! **Tokens.** Chinese is written without spaces and no dictionary is at hand, so a run of
//! Han, kana or Hangul characters is indexed as its overlapping character bigrams (`中美科技`:
//! `中美 美科 科技`), and a run of one character as that character. Any two-character word is
//! then one token, a longer word a phrase of bigrams, and nothing depends on a segmenter's
//! idea of where words end. Runs of other letters and digits are words, NFKC-folded (full-width
//! `ＤｅｅｐＳｅｅｋ` is `deepseek`), lowercased and stripped of diacritics. Everything else
//! separates tokens.
//!
//! **Queries.** A query is the same tokenizer over what was typed: every whitespace-separated
//! word and every `"quoted phrase"` must appear, as consecutive tokens. There are no operators:
//! `OR`, `NEAR`, `-`, `*` are words or punctuation like any other, so no query can be an
//! error of the index's own syntax. A lone CJK character is searched as the start of a token
//! (it is indexed only inside bigrams).

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A token of a text and where it is: byte offsets into the text it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// Longest word kept whole (characters); a longer run of letters is cut there (a hash, a
/// base64 blob), so that one token never grows past what the indexes accept.
const MAX_WORD_CHARS: usize = 64;

/// Han ideographs, kana and Hangul: written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF       // Hangul Jamo
        | 0x3005..=0x3007     // 々 〆 〇
        | 0x3040..=0x30FF     // Hiragana, Katakana
        | 0x3130..=0x318F     // Hangul compatibility Jamo
        | 0x31F0..=0x31FF     // Katakana phonetic extensions
        | 0x3400..=0x4DBF     // CJK extension A
        | 0x4E00..=0x9FFF     // CJK unified ideographs
        | 0xAC00..=0xD7AF     // Hangul syllables
        | 0xF900..=0xFAFF     // CJK compatibility ideographs
        | 0x20000..=0x3134F // CJK extensions B-G, compatibility supplement
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Cjk,
    Word,
    Separator,
}

fn class(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_alphanumeric() {
        Class::Word
    } else {
        Class::Separator
    }
}

/// The characters `c` is indexed as: NFKC, lowercase, and (outside CJK) without diacritics.
/// Usually exactly one; none for a lone combining mark.
fn fold(c: char, out: &mut Vec<char>) {
    out.clear();
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    // Unified ideographs and Hangul syllables are their own NFKC form and have no case: most
    // characters of a Chinese page, which NFKC would otherwise decompose and recompose one by
    // one.
    if matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF) {
        out.push(c);
        return;
    }
    fold_in_full(c, out);
}

/// [`fold`] without its shortcuts, appending to `out`.
fn fold_in_full(c: char, out: &mut Vec<char>) {
    for n in std::iter::once(c).nfkc() {
        if is_cjk(n) {
            out.push(n);
            continue;
        }
        for lower in n.to_lowercase() {
            out.extend(
                std::iter::once(lower)
                    .nfd()
                    .filter(|d| !is_combining_mark(*d)),
            );
        }
    }
}

/// The run of characters of one class being read. A word is gathered as its characters come
/// and handed on when it ends (or reaches [`MAX_WORD_CHARS`]); a CJK run hands on each bigram
/// as soon as it is complete, and a run of one character when it ends.
struct Run {
    class: Class,
    /// Characters of the run so far (of the current token, for a word).
    chars: usize,
    /// The word being gathered, or the last token of a CJK run.
    buf: String,
    /// Byte range of the word in the text read.
    word: (usize, usize),
    /// The run's last CJK character and its byte range.
    last_cjk: (char, usize, usize),
}

impl Run {
    /// Makes this a run of `class`, handing on the run it ends; whether it was one already.
    fn continue_as(&mut self, class: Class, emit: &mut impl FnMut(&str, usize, usize)) -> bool {
        if self.class == class {
            return true;
        }
        self.end(emit);
        self.class = class;
        false
    }

    fn word_char(
        &mut self,
        c: char,
        (start, end): (usize, usize),
        emit: &mut impl FnMut(&str, usize, usize),
    ) {
        self.continue_as(Class::Word, emit);
        if self.chars > 0 && self.chars.is_multiple_of(MAX_WORD_CHARS) {
            emit(&self.buf, self.word.0, self.word.1);
            self.buf.clear();
        }
        if self.buf.is_empty() {
            self.word.0 = start;
        }
        self.buf.push(c);
        self.word.1 = end;
        self.chars += 1;
    }

    fn cjk_char(
        &mut self,
        c: char,
        (start, end): (usize, usize),
        emit: &mut impl FnMut(&str, usize, usize),
    ) {
        if self.continue_as(Class::Cjk, emit) {
            self.buf.clear();
            self.buf.extend([self.last_cjk.0, c]);
            emit(&self.buf, self.last_cjk.1, end);
        }
        self.last_cjk = (c, start, end);
        self.chars += 1;
    }

    /// Hands on what the run still holds: a word, or a CJK run of one character.
    fn end(&mut self, emit: &mut impl FnMut(&str, usize, usize)) {
        match self.class {
            Class::Word => emit(&self.buf, self.word.0, self.word.1),
            Class::Cjk if self.chars == 1 => {
                let (c, start, end) = self.last_cjk;
                self.buf.clear();
                self.buf.push(c);
                emit(&self.buf, start, end);
            }
            Class::Cjk | Class::Separator => {}
        }
        self.buf.clear();
        self.class = Class::Separator;
        self.chars = 0;
    }
}

/// Hands each token of `text` to `emit`, in order: its text and byte range, as soon as it is
/// complete. One buffer serves every token (indexing a page's body made a string per token;
/// keeping every character's byte range until its run ended cost three times as much).
fn each_token(text: &str, mut emit: impl FnMut(&str, usize, usize)) {
    let mut run = Run {
        class: Class::Separator,
        chars: 0,
        buf: String::new(),
        word: (0, 0),
        last_cjk: (' ', 0, 0),
    };
    let mut folded = Vec::with_capacity(4);
    for (start, c) in text.char_indices() {
        let range = (start, start + c.len_utf8());
        // ASCII, most characters of most texts: [`fold`] and [`class`] in one step.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                run.word_char(c.to_ascii_lowercase(), range, &mut emit);
            } else {
                run.end(&mut emit);
            }
            continue;
        }
        fold(c, &mut folded);
        for &f in &folded {
            match class(f) {
                Class::Cjk => run.cjk_char(f, range, &mut emit),
                Class::Word => run.word_char(f, range, &mut emit),
                Class::Separator => run.end(&mut emit),
            }
        }
    }
    run.end(&mut emit);
}

/// The tokens of `text`, in order (see the module comment).
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    each_token(text, |token, start, end| {
        out.push(Token {
            text: token.to_owned(),
            start,
            end,
        });
    });
    out
}

/// The token texts of `text` separated by spaces: what the SQLite index stores.
pub fn token_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    each_token(text, |token, _, _| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(token);
    });
    out
}

/// The text of a document that is searched, besides its title: the Markdown body as a reader
/// sees it (paragraphs, headings, list items, quotes, table cells and link texts, one block a
/// line), without the front matter, image addresses and their `alt`, or raw HTML. A text that
/// is not a document is searched as it is.
pub fn body_text(document: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let body = match crate::document::Document::parse(document) {
        Ok(doc) => doc.body,
        Err(_) => return document.to_owned(),
    };
    let mut out = String::with_capacity(body.len());
    let mut in_image = 0usize;
    for event in Parser::new_ext(
        &body,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match event {
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            Event::Text(text) | Event::Code(text) if in_image == 0 => out.push_str(&text),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_),
            ) if !out.ends_with('\n') && !out.is_empty() => out.push('\n'),
            _ => {}
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// One thing a query asks for: consecutive tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub tokens: Vec<String>,
    /// The last token is a lone CJK character: it matches any token that starts with it (in
    /// the text it is usually the first half of a bigram: `第12345号` in `第12345号文章`).
    pub prefix: bool,
}

/// A parsed query: every term must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<Term>,
}

/// Why a query cannot be searched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("the query has no letters, digits or CJK characters to search for")]
    NothingToSearch,
    #[error(
        "the query is too long: at most {MAX_TERMS} words or phrases of {MAX_TERM_TOKENS} tokens each"
    )]
    TooLong,
}

/// At most this many words or phrases in a query, and tokens per phrase: more could only
/// make a query slow, never more useful.
pub const MAX_TERMS: usize = 16;
pub const MAX_TERM_TOKENS: usize = 64;

impl Query {
    /// Reads a query as typed: words and `"quoted phrases"` (an unclosed quote runs to the
    /// end), each made of the tokens [`tokens`] finds in it; punctuation only separates.
    pub fn parse(text: &str) -> Result<Query, QueryError> {
        let mut terms: Vec<Term> = Vec::new();
        for (i, part) in text.split('"').enumerate() {
            let quoted = i % 2 == 1;
            let words: Vec<&str> = if quoted {
                vec![part]
            } else {
                part.split_whitespace().collect()
            };
            for word in words {
                let tokens: Vec<String> = tokens(word).into_iter().map(|t| t.text).collect();
                if tokens.is_empty() {
                    continue;
                }
                if tokens.len() > MAX_TERM_TOKENS {
                    return Err(QueryError::TooLong);
                }
                let prefix = {
                    let mut chars = tokens[tokens.len() - 1].chars();
                    matches!((chars.next(), chars.next()), (Some(c), None) if is_cjk(c))
                };
                let term = Term { tokens, prefix };
                if !terms.contains(&term) {
                    terms.push(term);
                }
            }
        }
        if terms.is_empty() {
            return Err(QueryError::NothingToSearch);
        }
        if terms.len() > MAX_TERMS {
            return Err(QueryError::TooLong);
        }
        Ok(Query { terms })
    }
}

/// A text with some of its parts marked (byte ranges, ascending, not overlapping).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Marked {
    pub text: String,
    pub marks: Vec<Range<usize>>,
}

impl Marked {
    /// The text with each mark between `open` and `close`, every piece passed through
    /// `escape` (HTML escaping, or nothing).
    pub fn render(&self, open: &str, close: &str, escape: impl Fn(&str) -> String) -> String {
        let mut out = String::with_capacity(self.text.len() + self.marks.len() * 16);
        let mut at = 0;
        for mark in &self.marks {
            out.push_str(&escape(&self.text[at..mark.start]));
            out.push_str(open);
            out.push_str(&escape(&self.text[mark.clone()]));
            out.push_str(close);
            at = mark.end;
        }
        out.push_str(&escape(&self.text[at..]));
        out
    }

    /// The marks as character (Unicode scalar value) offsets, for JSON readers.
    pub fn char_marks(&self) -> Vec<[usize; 2]> {
        let to_chars = |byte: usize| self.text[..byte].chars().count();
        self.marks
            .iter()
            .map(|m| [to_chars(m.start), to_chars(m.end)])
            .collect()
    }
}

/// One place a term matched: its byte range and which term.
#[derive(Debug, Clone)]
struct Hit {
    range: Range<usize>,
    term: usize,
}

/// Where the query's terms are in `text`.
fn hits(text: &str, query: &Query) -> Vec<Hit> {
    let found = tokens(text);
    let mut hits = Vec::new();
    for (term_index, term) in query.terms.iter().enumerate() {
        if term.prefix && term.tokens.len() == 1 {
            // A lone character is found wherever it stands, not only at a token's start.
            let mut folded = Vec::new();
            for (start, c) in text.char_indices() {
                fold(c, &mut folded);
                if folded.iter().collect::<String>() == term.tokens[0] {
                    hits.push(Hit {
                        range: start..start + c.len_utf8(),
                        term: term_index,
                    });
                }
            }
            continue;
        }
        let n = term.tokens.len();
        for window in found.windows(n) {
            let (last, query_last) = (&window[n - 1], &term.tokens[n - 1]);
            let same = |(t, q): (&Token, &String)| &t.text == q;
            if !window[..n - 1].iter().zip(&term.tokens).all(same) {
                continue;
            }
            let end = if !term.prefix {
                (last.text == *query_last).then_some(last.end)
            } else {
                // Only the lone character is marked, not the rest of the bigram.
                let first_len = text[last.start..].chars().next().map_or(0, char::len_utf8);
                last.text
                    .starts_with(query_last.as_str())
                    .then_some(last.start + first_len)
            };
            if let Some(end) = end {
                hits.push(Hit {
                    range: window[0].start..end,
                    term: term_index,
                });
            }
        }
    }
    hits.sort_by_key(|h| (h.range.start, h.range.end));
    hits
}

/// Merges overlapping or touching hits into marks.
fn merge(hits: &[Hit]) -> Vec<Range<usize>> {
    let mut marks: Vec<Range<usize>> = Vec::new();
    for hit in hits {
        match marks.last_mut() {
            Some(last) if hit.range.start <= last.end => last.end = last.end.max(hit.range.end),
            _ => marks.push(hit.range.clone()),
        }
    }
    marks
}

/// The whole of `text` (a title) with the query's matches marked.
pub fn highlight(text: &str, query: &Query) -> Marked {
    Marked {
        text: text.to_owned(),
        marks: merge(&hits(text, query)),
    }
}

/// Characters a snippet shows at most (besides the `…` at a cut end).
pub const SNIPPET_CHARS: usize = 120;

/// The part of `text` (a body) that best shows the query's matches: a window of at most
/// `width` characters holding the most different terms (then the most matches, then the
/// earliest), matches marked, line breaks shown as spaces, `…` where the text was cut. Without
/// a match in the text, its beginning.
pub fn snippet(text: &str, query: &Query, width: usize) -> Marked {
    let hits = hits(text, query);
    // Character index -> byte offset, and one past the end.
    let offsets: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let chars = offsets.len() - 1;
    let char_at = |byte: usize| offsets.partition_point(|&o| o < byte);
    let (from, to) = if chars <= width {
        (0, chars)
    } else {
        let from = best_window_start(&hits, &char_at, width, chars);
        whole_words(text, from, (from + width).min(chars))
    };
    let (start, end) = (offsets[from], offsets[to]);
    let lead = if from > 0 { "…" } else { "" };
    let mut shown = String::with_capacity(end - start + 8);
    shown.push_str(lead);
    shown.push_str(&text[start..end].replace(['\n', '\r', '\t'], " "));
    if to < chars {
        shown.push('…');
    }
    let inside: Vec<Hit> = hits
        .into_iter()
        .filter(|h| h.range.start >= start && h.range.end <= end)
        .map(|h| Hit {
            range: h.range.start - start + lead.len()..h.range.end - start + lead.len(),
            term: h.term,
        })
        .collect();
    Marked {
        text: shown,
        marks: merge(&inside),
    }
}

/// Moves a window's ends (character indexes) off the middle of a Latin word: inwards, past
/// the word's end (and a space after it), unless the word is longer than a few letters.
fn whole_words(text: &str, mut from: usize, mut to: usize) -> (usize, usize) {
    const MAX_MOVE: usize = 15;
    let chars: Vec<char> = text.chars().collect();
    let in_word = |c: char| c.is_alphanumeric() && !is_cjk(c);
    let splits_word =
        |at: usize| at > 0 && at < chars.len() && in_word(chars[at - 1]) && in_word(chars[at]);
    if splits_word(from)
        && let Some(edge) = (from..(from + MAX_MOVE).min(to)).find(|&i| !in_word(chars[i]))
    {
        from = if chars[edge].is_whitespace() {
            edge + 1
        } else {
            edge
        };
    }
    if splits_word(to)
        && let Some(edge) = (to.saturating_sub(MAX_MOVE).max(from)..to)
            .rev()
            .find(|&i| !in_word(chars[i]))
    {
        to = if chars[edge].is_whitespace() {
            edge
        } else {
            edge + 1
        };
    }
    (from, to)
}

/// The first character of the snippet window: each hit is tried a little after the window's
/// start, and the window holding the most different terms wins.
fn best_window_start(
    hits: &[Hit],
    char_at: &dyn Fn(usize) -> usize,
    width: usize,
    chars: usize,
) -> usize {
    let lead_in = width / 5;
    let mut best = (0usize, 0usize, 0usize); // (terms, hits, start)
    for (i, hit) in hits.iter().enumerate() {
        let start = char_at(hit.range.start)
            .saturating_sub(lead_in)
            .min(chars - width);
        let end = start + width;
        let inside: Vec<&Hit> = hits[i..]
            .iter()
            .filter(|h| char_at(h.range.end) <= end)
            .collect();
        let mut terms: Vec<usize> = inside.iter().map(|h| h.term).collect();
        terms.sort_unstable();
        terms.dedup();
        let score = (terms.len(), inside.len());
        if score > (best.0, best.1) {
            best = (score.0, score.1, start);
        }
    }
    best.2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shortcuts_of_fold_fold_as_nfkc_does() {
        let mut folded = Vec::new();
        let shortcut = (0x3400..=0x4DBF)
            .chain(0x4E00..=0x9FFF)
            .chain(0xAC00..=0xD7AF);
        let mut in_full = Vec::new();
        for c in shortcut.chain(0..0x80).filter_map(char::from_u32) {
            fold(c, &mut folded);
            in_full.clear();
            fold_in_full(c, &mut in_full);
            assert_eq!(folded, in_full, "{c:?}");
        }
    }

    fn texts(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.text).collect()
    }

    /// [`token_text`] writes exactly the tokens [`tokens`] finds, on texts mixing every class
    /// of character, runs of one, words longer than [`MAX_WORD_CHARS`] and characters that
    /// fold to several or none.
    #[test]
    fn token_text_is_the_tokens_joined() {
        use proptest::prelude::*;
        let pieces = prop::sample::select(vec![
            "a",
            "Z",
            "7",
            " ",
            "-",
            "，",
            "中",
            "美",
            "한",
            "국",
            "ひ",
            "é",
            "Café",
            "ß",
            "ﬁ",
            "Ⅻ",
            "\u{301}",
            "ＤｅｅｐＳｅｅｋ",
            "々",
            "𠀀",
            "x".repeat(70).leak(),
            "İ",
            "\n",
        ]);
        proptest!(|(parts in prop::collection::vec(pieces, 0..40))| {
            let text = parts.concat();
            prop_assert_eq!(token_text(&text), texts(&text).join(" "));
        });
    }

    /// The same on real text: the golden article and the quality suite's expected bodies
    /// (Chinese, English, German, French, Spanish).
    #[test]
    fn token_text_is_the_tokens_joined_on_real_bodies() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut files = vec![root.join("golden/20250211A013J400.zh-CN.md")];
        let expected = std::fs::read_dir(root.join("quality/expected")).unwrap();
        files.extend(expected.map(|entry| entry.unwrap().path()));
        assert!(files.len() > 20, "{files:?}");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            assert_eq!(
                token_text(&text),
                texts(&text).join(" "),
                "{}",
                file.display()
            );
        }
    }

    #[test]
    fn cjk_runs_are_bigrams_and_words_are_folded() {
        assert_eq!(texts("中美科技"), ["中美", "美科", "科技"]);
        assert_eq!(texts("在 DeepSeek的"), ["在", "deepseek", "的"]);
        assert_eq!(
            texts("ＤｅｅｐＳｅｅｋ-R1，Café"),
            ["deepseek", "r1", "cafe"]
        );
        assert_eq!(
            texts("한국어 ひらがな"),
            ["한국", "국어", "ひら", "らが", "がな"]
        );
        assert_eq!(texts("...!"), Vec::<String>::new());
        let t = &tokens("美国DeepSeek")[1];
        assert_eq!((t.start, t.end), (6, 14));
    }

    #[test]
    fn queries_are_words_and_phrases_without_operators() {
        let q = Query::parse("中美 \"Deep Seek\" OR -芯片* NEAR").unwrap();
        let terms: Vec<Vec<&str>> = q
            .terms
            .iter()
            .map(|t| t.tokens.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            terms,
            [
                vec!["中美"],
                vec!["deep", "seek"],
                vec!["or"],
                vec!["芯片"],
                vec!["near"]
            ]
        );
        assert!(Query::parse("美").unwrap().terms[0].prefix);
        let number = Query::parse("第12345号").unwrap();
        assert_eq!(number.terms[0].tokens, ["第", "12345", "号"]);
        assert!(number.terms[0].prefix);
        assert_eq!(
            highlight("第12345号文章", &number).render("[", "]", str::to_owned),
            "[第12345号]文章"
        );
        assert_eq!(Query::parse(" \"*-\" "), Err(QueryError::NothingToSearch));
        assert_eq!(Query::parse(""), Err(QueryError::NothingToSearch));
        assert_eq!(Query::parse("\"中美").unwrap().terms[0].tokens, ["中美"]);
    }

    #[test]
    fn snippets_cut_a_window_around_the_best_match() {
        let q = Query::parse("芯片").unwrap();
        let text = format!("{}。美国的芯片出口。{}", "前".repeat(100), "后".repeat(100));
        let s = snippet(&text, &q, 20);
        assert_eq!(
            s.render("[", "]", str::to_owned),
            "…。美国的[芯片]出口。后后后后后后后后后后后…"
        );
        let short = snippet(
            "Short text about chips.",
            &Query::parse("CHIPS").unwrap(),
            120,
        );
        assert_eq!(
            short.render("<", ">", str::to_owned),
            "Short text about <chips>."
        );
        assert_eq!(short.char_marks(), [[17, 22]]);
    }

    #[test]
    fn body_text_drops_front_matter_and_image_addresses() {
        let doc = crate::document::Document {
            title: "标题".into(),
            date: "2025-02-11 07:03:08".into(),
            summary: "摘要".into(),
            site: "qq".into(),
            lang: "zh-CN".into(),
            thumbnail: String::new(),
            body: "第一段，**中美**。\n\n![图片](https://x.example/a.png)\n\n- [链接](https://x.example)文字".into(),
            source_url: "https://new.qq.com/rain/a/X".into(),
        };
        assert_eq!(body_text(&doc.render()), "第一段，中美。\n链接文字");
    }
}
