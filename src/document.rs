//! The archive document format (docs/archive-format.md): render and parse.
//!
//! An archived article is a Hugo page: YAML front matter with the Mainroad theme's page
//! parameters, a blank line, the Markdown body, a blank line and a `[site](url)` link back to
//! the source. [`Document::render`] writes exactly the layout of the existing archives, so that
//! new files are indistinguishable from those of the older Python generator;
//! [`Document::parse`] reads both, and is deliberately more tolerant than the writer (CRLF, BOM,
//! other key orders, unknown keys, plain or single-quoted scalars, flow lists).
//!
//! The front matter is read by a small hand-written parser rather than a YAML library: the
//! format is a fixed, flat set of keys, and a hand-written reader lets every error name the
//! exact line, never panics and never pulls a YAML stack into the crawler.
//!
//! # Normal form and the round trip
//!
//! `parse(render(d)) == d.normalized()` for every `Document`. A document is in normal form when:
//! - no front-matter field (`title`, `date`, `summary`, `site`, `lang`, `thumbnail`,
//!   `source_url`) contains `\n`, `\r` or `\t` (the writer turns them into spaces, as the
//!   older generator did);
//! - `source_url` contains nothing that would break the trailing Markdown link: `(`, `)`, `<`,
//!   `>`, `\`, whitespace and control characters are percent-encoded (UTF-8 bytes, `%XX`);
//! - `body` has no leading or trailing ASCII whitespace and no line ends in `\r` (a `\r` before a
//!   line break is read as a CRLF line ending).
//!
//! The body is simply everything between the closing `---` and the last non-empty line (the
//! source link), with ASCII whitespace trimmed from both ends. Because the front matter never
//! contains a line `---` and the link is always the last non-empty line, the body may hold any
//! text at all, including `---` lines and other `[x](y)` lines.

use std::fmt::Write as _;
use std::path::PathBuf;

/// One archived article in the archive document format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    /// `YYYY-MM-DD HH:MM:SS`, site-local time, no offset (kept verbatim).
    pub date: String,
    pub summary: String,
    /// Site key: `categories[0]` and `tags[0]`.
    pub site: String,
    /// `lang[0]` and `translations[0]`, e.g. `zh-CN`.
    pub lang: String,
    /// Cover image URL or `""`.
    pub thumbnail: String,
    /// Markdown body, no leading/trailing whitespace.
    pub body: String,
    /// Canonical source link (the last line).
    pub source_url: String,
}

/// Error with the 1-based line number where the problem is (0 when not line-specific) and a
/// clear message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct DocumentError {
    pub line: usize,
    pub message: String,
}

impl DocumentError {
    fn new(line: usize, message: impl Into<String>) -> Self {
        DocumentError {
            line,
            message: message.into(),
        }
    }
}

/// The message used whenever the trailing `[site](url)` line is missing or malformed.
const LINK_LINE_REQUIRED: &str = "the last line must be the source link [site](url)";

// ---------------------------------------------------------------------------------------------
// Normal form
// ---------------------------------------------------------------------------------------------

impl Document {
    /// Maps a document to normal form (see the module docs): newlines, CRs and tabs in the
    /// front-matter fields become spaces, link-breaking characters in `source_url` are
    /// percent-encoded, and the body loses CRs at line ends and surrounding ASCII whitespace.
    /// `render` writes a document and its normal form identically.
    pub fn normalized(self) -> Document {
        Document {
            title: flatten_field(&self.title),
            date: flatten_field(&self.date),
            summary: flatten_field(&self.summary),
            site: flatten_field(&self.site),
            lang: flatten_field(&self.lang),
            thumbnail: flatten_field(&self.thumbnail),
            body: normalize_body(&self.body),
            source_url: encode_link_url(&flatten_field(&self.source_url)),
        }
    }
}

/// Front-matter strings are single-line: the older generator turned `\n`, `\r` and `\t` into
/// spaces, and so do we.
fn flatten_field(s: &str) -> String {
    s.replace(['\n', '\r', '\t'], " ")
}

/// The body as the reader will see it again: CRs before line breaks are dropped (a reader must
/// accept CRLF files, so it cannot tell them apart) and ASCII whitespace at both ends is trimmed
/// (the blank lines around the body are layout, not content).
fn normalize_body(body: &str) -> String {
    let lines: Vec<&str> = body.split('\n').map(strip_line_end).collect();
    lines.join("\n").trim_ascii().to_owned()
}

/// Removes the CR(s) a CRLF file leaves at the end of a line.
fn strip_line_end(line: &str) -> &str {
    line.trim_end_matches('\r')
}

/// Percent-encodes what would end or split the Markdown link destination: parentheses, angle
/// brackets, backslashes (Markdown escapes), whitespace and control characters. Everything
/// else, including existing `%XX` sequences and non-ASCII text, is kept as is, so encoding is
/// idempotent.
fn encode_link_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if breaks_link_url(c) {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                // Writing to a String cannot fail.
                let _ = write!(out, "%{byte:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn breaks_link_url(c: char) -> bool {
    matches!(c, '(' | ')' | '<' | '>' | '\\' | '\u{FEFF}') || c.is_whitespace() || c.is_control()
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

impl Document {
    /// Writes the document exactly as the archive format prescribes (keys in the fixed order,
    /// two-space list indent, every string double-quoted, constant Mainroad parameters), then
    /// the body and the source link, ending with one newline.
    pub fn render(&self) -> String {
        let d = self.clone().normalized();
        let mut out = String::with_capacity(d.body.len() + 1024);
        out.push_str("---\n");
        push_scalar(&mut out, "title", &d.title);
        push_scalar(&mut out, "date", &d.date);
        push_scalar(&mut out, "summary", &d.summary);
        push_list(&mut out, "categories", &[&d.site]);
        push_list(&mut out, "lang", &[&d.lang]);
        push_list(&mut out, "translations", &[&d.lang]);
        push_list(&mut out, "tags", &[&d.site]);
        push_scalar(&mut out, "menu", "");
        push_scalar(&mut out, "thumbnail", &d.thumbnail);
        push_scalar(&mut out, "lead", "");
        out.push_str("comments: false\n");
        out.push_str("authorbox: false\n");
        out.push_str("pager: true\n");
        out.push_str("toc: false\n");
        out.push_str("mathjax: false\n");
        push_scalar(&mut out, "sidebar", "right");
        push_list(&mut out, "widgets", &["search", "recent", "taglist"]);
        out.push_str("---\n\n");
        out.push_str(&d.body);
        out.push_str("\n\n[");
        push_link_label(&mut out, &d.site);
        out.push_str("](");
        out.push_str(&d.source_url);
        out.push_str(")\n");
        out
    }
}

/// `key: "value"` on one line.
fn push_scalar(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push_str(": ");
    push_quoted(out, value);
    out.push('\n');
}

/// `key:` followed by `  - "item"` lines (block list, two-space indent).
fn push_list(out: &mut String, key: &str, items: &[&str]) {
    out.push_str(key);
    out.push_str(":\n");
    for item in items {
        out.push_str("  - ");
        push_quoted(out, item);
        out.push('\n');
    }
}

/// A YAML double-quoted scalar. `\` and `"` are backslash-escaped like the older generator did;
/// characters YAML does not allow raw (or would read as a line break) are written as `\uXXXX`
/// so the front matter stays valid YAML whatever the article contains.
fn push_quoted(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' | '\t' => out.push(' '),
            c if needs_unicode_escape(c) => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// C0/DEL/C1 controls, the Unicode line and paragraph separators (line breaks to some YAML
/// readers), the BOM and the non-characters U+FFFE/U+FFFF (outside YAML's printable set).
fn needs_unicode_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
        )
}

/// The link text: `[`, `]` and `\` are backslash-escaped so the label cannot end the link early.
fn push_link_label(out: &mut String, label: &str) {
    for c in label.chars() {
        if matches!(c, '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing: the file's skeleton
// ---------------------------------------------------------------------------------------------

/// One line of the input with its 1-based number.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    no: usize,
    text: &'a str,
}

impl Document {
    /// Reads a document written by [`Document::render`] or by the older generator.
    ///
    /// Accepts CRLF line endings and a UTF-8 BOM; in the front matter, keys in any order,
    /// unknown keys (ignored, with any indented lines under them), comments, double-quoted
    /// (all YAML escapes), single-quoted and plain scalars, block lists and flow lists. The
    /// site is `categories[0]` (else `tags[0]`), the language `lang[0]` (else
    /// `translations[0]`); missing `summary`/`thumbnail` read as empty. A list key given a
    /// single scalar is read as a one-entry list, and a plain `~`/`null` as an empty string.
    pub fn parse(text: &str) -> Result<Document, DocumentError> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let lines: Vec<Line<'_>> = text
            .split('\n')
            .enumerate()
            .map(|(i, text)| Line {
                no: i + 1,
                text: strip_line_end(text),
            })
            .collect();

        if !is_fence(lines[0].text) {
            return Err(DocumentError::new(
                1,
                "the file must start with a `---` line opening the front matter",
            ));
        }
        let close = lines
            .iter()
            .skip(1)
            .position(|l| is_fence(l.text))
            .map(|i| i + 1)
            .ok_or_else(|| {
                DocumentError::new(1, "the front matter opened here is never closed by `---`")
            })?;

        let front = FrontMatter::parse(&lines[1..close])?;
        let (body, source_url) = parse_tail(&lines[close + 1..], lines[close].no + 1)?;
        front.into_document(lines[close].no, body, source_url)
    }
}

/// The `---` line that opens or closes the front matter (trailing blanks tolerated).
fn is_fence(text: &str) -> bool {
    trim_yaml_end(text) == "---"
}

/// Everything after the closing `---`: the body, then the source link as the last non-empty
/// line. `first_no` is the line number the tail would start at, used when it is empty.
fn parse_tail(tail: &[Line<'_>], first_no: usize) -> Result<(String, String), DocumentError> {
    let link_idx = tail
        .iter()
        .rposition(|l| !l.text.trim_ascii().is_empty())
        .ok_or_else(|| DocumentError::new(first_no, LINK_LINE_REQUIRED))?;
    let link = tail[link_idx];
    let source_url = parse_link_line(link.text, link.no)?;
    let body_lines: Vec<&str> = tail[..link_idx].iter().map(|l| l.text).collect();
    let body = body_lines.join("\n").trim_ascii().to_owned();
    Ok((body, source_url))
}

/// Reads `[label](url)` and returns the URL. The label (the site key again) is checked for
/// syntax only: the site comes from the front matter. An angle-bracketed destination
/// `(<url>)` is unwrapped; the URL is otherwise kept verbatim (no percent-decoding).
fn parse_link_line(text: &str, no: usize) -> Result<String, DocumentError> {
    let err = || DocumentError::new(no, LINK_LINE_REQUIRED);
    let t = text.trim_ascii();
    let rest = t.strip_prefix('[').ok_or_else(err)?;
    let label_end = find_label_end(rest).ok_or_else(err)?;
    let dest = rest[label_end + 1..]
        .strip_prefix('(')
        .and_then(|d| d.strip_suffix(')'))
        .ok_or_else(err)?;
    let dest = dest.trim_ascii();
    let dest = dest
        .strip_prefix('<')
        .and_then(|d| d.strip_suffix('>'))
        .unwrap_or(dest);
    Ok(dest.to_owned())
}

/// Byte index of the `]` closing a link label (after the opening `[`), skipping
/// backslash-escaped characters.
fn find_label_end(label: &str) -> Option<usize> {
    let mut chars = label.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            ']' => return Some(i),
            _ => {}
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Parsing: the front matter
// ---------------------------------------------------------------------------------------------

/// The front-matter keys the reader cares about; all others are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Title,
    Date,
    Summary,
    Thumbnail,
    Categories,
    Tags,
    Lang,
    Translations,
}

impl Key {
    fn from_name(name: &str) -> Option<Key> {
        Some(match name {
            "title" => Key::Title,
            "date" => Key::Date,
            "summary" => Key::Summary,
            "thumbnail" => Key::Thumbnail,
            "categories" => Key::Categories,
            "tags" => Key::Tags,
            "lang" => Key::Lang,
            "translations" => Key::Translations,
            _ => return None,
        })
    }

    fn is_list(self) -> bool {
        matches!(
            self,
            Key::Categories | Key::Tags | Key::Lang | Key::Translations
        )
    }
}

/// A value read from the front matter, with the line of its key (for later error messages).
#[derive(Debug, Clone)]
struct Value<T> {
    line: usize,
    value: T,
}

/// The known keys found in the front matter.
#[derive(Debug, Default)]
struct FrontMatter {
    title: Option<Value<String>>,
    date: Option<Value<String>>,
    summary: Option<Value<String>>,
    thumbnail: Option<Value<String>>,
    categories: Option<Value<Vec<String>>>,
    tags: Option<Value<Vec<String>>>,
    lang: Option<Value<Vec<String>>>,
    translations: Option<Value<Vec<String>>>,
}

impl FrontMatter {
    /// Reads the lines between the two `---` fences: top-level `key: value` lines, each
    /// followed by its continuation lines (indented lines, list items, blanks, comments).
    fn parse(lines: &[Line<'_>]) -> Result<FrontMatter, DocumentError> {
        let mut front = FrontMatter::default();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            i += 1;
            if is_blank_or_comment(line.text) {
                continue;
            }
            if line.text.starts_with([' ', '\t']) {
                return Err(DocumentError::new(
                    line.no,
                    "unexpected indented line; expected `key: value`",
                ));
            }
            if is_list_item(line.text) {
                return Err(DocumentError::new(
                    line.no,
                    "list item outside of a list; expected `key: value`",
                ));
            }
            let (name, value) = split_key(line.text, line.no)?;
            let start = i;
            while i < lines.len() && is_continuation(lines[i].text) {
                i += 1;
            }
            if let Some(key) = Key::from_name(&name) {
                front.set(key, line.no, value, &lines[start..i])?;
            }
        }
        Ok(front)
    }

    /// Parses and stores one known key; a key given twice is an error, as in YAML.
    fn set(
        &mut self,
        key: Key,
        line: usize,
        value: &str,
        continuation: &[Line<'_>],
    ) -> Result<(), DocumentError> {
        if let Some(first) = self.line_of(key) {
            return Err(DocumentError::new(
                line,
                format!("duplicate key (first given on line {first})"),
            ));
        }
        if key.is_list() {
            let value = Value {
                line,
                value: parse_list(value, line, continuation)?,
            };
            *self.list_slot(key) = Some(value);
        } else {
            expect_no_continuation(continuation)?;
            let value = Value {
                line,
                value: parse_scalar(value, line)?,
            };
            *self.scalar_slot(key) = Some(value);
        }
        Ok(())
    }

    fn line_of(&self, key: Key) -> Option<usize> {
        match key {
            Key::Title => self.title.as_ref().map(|v| v.line),
            Key::Date => self.date.as_ref().map(|v| v.line),
            Key::Summary => self.summary.as_ref().map(|v| v.line),
            Key::Thumbnail => self.thumbnail.as_ref().map(|v| v.line),
            Key::Categories => self.categories.as_ref().map(|v| v.line),
            Key::Tags => self.tags.as_ref().map(|v| v.line),
            Key::Lang => self.lang.as_ref().map(|v| v.line),
            Key::Translations => self.translations.as_ref().map(|v| v.line),
        }
    }

    fn scalar_slot(&mut self, key: Key) -> &mut Option<Value<String>> {
        match key {
            Key::Title => &mut self.title,
            Key::Date => &mut self.date,
            Key::Summary => &mut self.summary,
            // Only called for scalar keys (`!key.is_list()`): this arm is `Thumbnail`.
            _ => &mut self.thumbnail,
        }
    }

    fn list_slot(&mut self, key: Key) -> &mut Option<Value<Vec<String>>> {
        match key {
            Key::Categories => &mut self.categories,
            Key::Tags => &mut self.tags,
            Key::Lang => &mut self.lang,
            // Only called for list keys (`key.is_list()`): this arm is `Translations`.
            _ => &mut self.translations,
        }
    }

    /// Checks the required keys and builds the document. `close_no` is the line of the closing
    /// `---`, named when a key is missing altogether.
    fn into_document(
        self,
        close_no: usize,
        body: String,
        source_url: String,
    ) -> Result<Document, DocumentError> {
        let missing =
            |what: &str| DocumentError::new(close_no, format!("the front matter has no `{what}`"));
        let title = self.title.ok_or_else(|| missing("title"))?.value;
        let date = self.date.ok_or_else(|| missing("date"))?.value;
        let site = first_entry(self.categories, self.tags, "categories` or `tags", close_no)?;
        let lang = first_entry(
            self.lang,
            self.translations,
            "lang` or `translations",
            close_no,
        )?;
        Ok(Document {
            title,
            date,
            summary: self.summary.map(|v| v.value).unwrap_or_default(),
            site,
            lang,
            thumbnail: self.thumbnail.map(|v| v.value).unwrap_or_default(),
            body,
            source_url,
        })
    }
}

/// The first entry of the preferred list, else of the fallback list.
fn first_entry(
    preferred: Option<Value<Vec<String>>>,
    fallback: Option<Value<Vec<String>>>,
    what: &str,
    close_no: usize,
) -> Result<String, DocumentError> {
    let line = preferred.as_ref().or(fallback.as_ref()).map(|v| v.line);
    preferred
        .into_iter()
        .chain(fallback)
        .find_map(|v| v.value.into_iter().next())
        .ok_or_else(|| match line {
            Some(line) => DocumentError::new(line, format!("`{what}` has no entry")),
            None => DocumentError::new(close_no, format!("the front matter has no `{what}`")),
        })
}

/// YAML separates with spaces and tabs only (not Unicode whitespace such as U+3000).
fn trim_yaml(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

fn trim_yaml_end(s: &str) -> &str {
    s.trim_end_matches([' ', '\t'])
}

fn is_blank_or_comment(text: &str) -> bool {
    let t = trim_yaml(text);
    t.is_empty() || t.starts_with('#')
}

/// A block-list entry: `-` alone or `- value` (after any indentation).
fn is_list_item(text: &str) -> bool {
    let t = text.trim_start_matches([' ', '\t']);
    t == "-" || t.starts_with("- ") || t.starts_with("-\t")
}

/// Lines that belong to the key above them rather than starting a new key.
fn is_continuation(text: &str) -> bool {
    is_blank_or_comment(text) || text.starts_with([' ', '\t']) || is_list_item(text)
}

/// Splits `key: value` (or `key:`) into the key name and the raw value text. Quoted keys are
/// accepted.
fn split_key(text: &str, no: usize) -> Result<(String, &str), DocumentError> {
    let (name, rest) = if let Some(quote @ ('"' | '\'')) = text.chars().next() {
        let (name, rest) = parse_quoted(text, quote, no)?;
        (name, trim_yaml(rest))
    } else {
        let colon = find_key_colon(text).ok_or_else(|| {
            DocumentError::new(no, "expected `key: value` (a key followed by `: `)")
        })?;
        (trim_yaml_end(&text[..colon]).to_owned(), &text[colon..])
    };
    let value = rest
        .strip_prefix(':')
        .ok_or_else(|| DocumentError::new(no, "expected `:` after the key"))?;
    Ok((name, trim_yaml(value)))
}

/// Byte index of the `:` ending a plain key: the first one followed by a blank or the line end.
fn find_key_colon(text: &str) -> Option<usize> {
    text.char_indices()
        .find(|&(i, c)| c == ':' && matches!(text[i + 1..].chars().next(), None | Some(' ' | '\t')))
        .map(|(i, _)| i)
}

/// Scalar keys take their whole value on the key line; what follows may only be blank lines or
/// comments.
fn expect_no_continuation(continuation: &[Line<'_>]) -> Result<(), DocumentError> {
    match continuation.iter().find(|l| !is_blank_or_comment(l.text)) {
        Some(l) => Err(DocumentError::new(
            l.no,
            "unexpected line under a single-value key (multi-line values are not supported)",
        )),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing: values
// ---------------------------------------------------------------------------------------------

/// A list value: a flow list on the key line, a single scalar (read as a one-entry list), or
/// (when the key line has no value) the block-list items below it.
fn parse_list(
    value: &str,
    no: usize,
    continuation: &[Line<'_>],
) -> Result<Vec<String>, DocumentError> {
    if !value.is_empty() && !value.starts_with('#') {
        expect_no_continuation(continuation)?;
        return if value.starts_with('[') {
            parse_flow_list(value, no)
        } else {
            Ok(vec![parse_scalar(value, no)?])
        };
    }
    let mut items = Vec::new();
    for line in continuation {
        if is_blank_or_comment(line.text) {
            continue;
        }
        if !is_list_item(line.text) {
            return Err(DocumentError::new(
                line.no,
                "expected a list item `- \"value\"`",
            ));
        }
        let item = trim_yaml(&trim_yaml(line.text)[1..]);
        items.push(parse_scalar(item, line.no)?);
    }
    Ok(items)
}

/// `["a", 'b', c]` on one line; a trailing comma is allowed.
fn parse_flow_list(value: &str, no: usize) -> Result<Vec<String>, DocumentError> {
    let unterminated = || DocumentError::new(no, "unterminated flow list (missing `]`)");
    let mut rest = &value[1..];
    let mut items = Vec::new();
    loop {
        rest = trim_yaml(rest);
        if let Some(after) = rest.strip_prefix(']') {
            expect_line_end(after, no, "after the flow list")?;
            return Ok(items);
        }
        let (item, after) = match rest.chars().next() {
            None => return Err(unterminated()),
            Some(quote @ ('"' | '\'')) => parse_quoted(rest, quote, no)?,
            Some('[' | '{') => {
                return Err(DocumentError::new(
                    no,
                    "nested collections are not supported",
                ));
            }
            Some(_) => {
                let end = rest.find([',', ']']).ok_or_else(unterminated)?;
                (plain_scalar(&rest[..end]), &rest[end..])
            }
        };
        items.push(item);
        rest = trim_yaml(after);
        if let Some(after) = rest.strip_prefix(',') {
            rest = after;
        } else if !rest.starts_with(']') {
            return Err(if rest.is_empty() {
                unterminated()
            } else {
                DocumentError::new(no, "expected `,` or `]` in the flow list")
            });
        }
    }
}

/// One string value: double-quoted, single-quoted or plain (with any ` # comment` removed).
fn parse_scalar(value: &str, no: usize) -> Result<String, DocumentError> {
    match value.chars().next() {
        Some(quote @ ('"' | '\'')) => {
            let (s, rest) = parse_quoted(value, quote, no)?;
            expect_line_end(rest, no, "after the closing quote")?;
            Ok(s)
        }
        Some('[' | '{') => Err(DocumentError::new(
            no,
            "expected a string, found a flow collection",
        )),
        Some('|' | '>') => Err(DocumentError::new(
            no,
            "block scalars (`|`, `>`) are not supported; expected a quoted string",
        )),
        _ => Ok(plain_scalar(strip_comment(value))),
    }
}

/// A plain scalar's text; YAML's null spellings read as an empty string.
fn plain_scalar(text: &str) -> String {
    match trim_yaml(text) {
        "~" | "null" | "Null" | "NULL" => String::new(),
        t => t.to_owned(),
    }
}

/// Cuts a ` # comment` off a plain value (a `#` only starts a comment after a blank).
fn strip_comment(value: &str) -> &str {
    let cut = value
        .char_indices()
        .find(|&(i, c)| c == '#' && (i == 0 || value[..i].ends_with([' ', '\t'])))
        .map_or(value.len(), |(i, _)| i);
    &value[..cut]
}

/// After a quoted scalar or a flow list only blanks and a comment may follow.
fn expect_line_end(rest: &str, no: usize, where_: &str) -> Result<(), DocumentError> {
    let trimmed = trim_yaml(rest);
    let is_comment = trimmed.starts_with('#') && rest.starts_with([' ', '\t']);
    if trimmed.is_empty() || is_comment {
        Ok(())
    } else {
        Err(DocumentError::new(no, format!("unexpected text {where_}")))
    }
}

/// Parses a quoted scalar starting at `text` (whose first char is `quote`) and returns the
/// decoded string and the text after the closing quote.
fn parse_quoted(text: &str, quote: char, no: usize) -> Result<(String, &str), DocumentError> {
    let inner = &text[quote.len_utf8()..];
    if quote == '"' {
        parse_double_quoted(inner, no)
    } else {
        parse_single_quoted(inner, no)
    }
}

/// Single-quoted: the only escape is `''` for `'`.
fn parse_single_quoted(inner: &str, no: usize) -> Result<(String, &str), DocumentError> {
    let mut out = String::new();
    let mut chars = inner.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\'' {
            out.push(c);
        } else if chars.peek().is_some_and(|&(_, n)| n == '\'') {
            chars.next();
            out.push('\'');
        } else {
            return Ok((out, &inner[i + 1..]));
        }
    }
    Err(DocumentError::new(no, "unterminated single-quoted string"))
}

/// Double-quoted: every YAML 1.2 escape (`\\ \" \/ \0 \a \b \t \n \v \f \r \e \  \N \_ \L \P
/// \xNN \uNNNN \UNNNNNNNN`), with JSON-style surrogate pairs (`\uD83D\uDE00`) combined.
fn parse_double_quoted(inner: &str, no: usize) -> Result<(String, &str), DocumentError> {
    let mut out = String::new();
    let mut rest = inner;
    loop {
        let Some(pos) = rest.find(['"', '\\']) else {
            return Err(DocumentError::new(no, "unterminated double-quoted string"));
        };
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if rest[pos..].starts_with('"') {
            return Ok((out, after));
        }
        let (c, after) = parse_escape(after, no)?;
        out.push(c);
        rest = after;
    }
}

/// Decodes one escape; `text` starts just after the backslash.
fn parse_escape(text: &str, no: usize) -> Result<(char, &str), DocumentError> {
    let Some(e) = text.chars().next() else {
        return Err(DocumentError::new(no, "unterminated double-quoted string"));
    };
    let after = &text[e.len_utf8()..];
    let simple = match e {
        '0' => '\0',
        'a' => '\u{7}',
        'b' => '\u{8}',
        't' | '\t' => '\t',
        'n' => '\n',
        'v' => '\u{B}',
        'f' => '\u{C}',
        'r' => '\r',
        'e' => '\u{1B}',
        ' ' => ' ',
        '"' => '"',
        '/' => '/',
        '\\' => '\\',
        'N' => '\u{85}',
        '_' => '\u{A0}',
        'L' => '\u{2028}',
        'P' => '\u{2029}',
        'x' => return hex_escape(after, 2, no),
        'u' => return unicode_escape(after, no),
        'U' => return hex_escape(after, 8, no),
        other => {
            return Err(DocumentError::new(
                no,
                format!("invalid escape `\\{other}` in a double-quoted string"),
            ));
        }
    };
    Ok((simple, after))
}

/// `\uXXXX`, combining a UTF-16 surrogate pair written as two escapes.
fn unicode_escape(text: &str, no: usize) -> Result<(char, &str), DocumentError> {
    let (high, after) = hex_value(text, 4, no)?;
    if !(0xD800..0xDC00).contains(&high) {
        return scalar_value(high, after, no);
    }
    let low = after
        .strip_prefix("\\u")
        .and_then(|t| hex_value(t, 4, no).ok())
        .filter(|(low, _)| (0xDC00..0xE000).contains(low));
    match low {
        Some((low, after)) => {
            let combined = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            scalar_value(combined, after, no)
        }
        None => Err(DocumentError::new(
            no,
            format!("unpaired surrogate `\\u{high:04X}` in a double-quoted string"),
        )),
    }
}

fn hex_escape(text: &str, digits: usize, no: usize) -> Result<(char, &str), DocumentError> {
    let (value, after) = hex_value(text, digits, no)?;
    scalar_value(value, after, no)
}

fn scalar_value(value: u32, after: &str, no: usize) -> Result<(char, &str), DocumentError> {
    char::from_u32(value).map(|c| (c, after)).ok_or_else(|| {
        DocumentError::new(
            no,
            format!("escape U+{value:04X} is not a Unicode scalar value"),
        )
    })
}

/// Exactly `digits` hexadecimal digits at the start of `text`.
fn hex_value(text: &str, digits: usize, no: usize) -> Result<(u32, &str), DocumentError> {
    let hex = text
        .get(..digits)
        .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| {
            DocumentError::new(
                no,
                format!("expected {digits} hexadecimal digits in an escape"),
            )
        })?;
    // At most 8 hex digits always fit in a u32.
    let value = u32::from_str_radix(hex, 16).unwrap_or(u32::MAX);
    Ok((value, &text[digits..]))
}

// ---------------------------------------------------------------------------------------------
// Summary and path
// ---------------------------------------------------------------------------------------------

/// The summary rule of archive-format.md, from the text the site's rule gives (Tencent News:
/// the served body HTML with its tags removed; other sites: the body's plain text).
///
/// Control characters (newlines, CRs, tabs...) become spaces and the ends are trimmed. Chinese
/// (`zh*`): the whole text if shorter than 80 characters, else its first 50 characters and
/// `...`. Other languages: the first 50 whitespace-separated words joined by single spaces,
/// followed by `...` only if there were more.
pub fn summarize(text: &str, lang: &str) -> String {
    const CHINESE_WHOLE_BELOW: usize = 80;
    const CHINESE_CUT: usize = 50;
    const WORDS: usize = 50;

    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = flat.trim();
    if lang.to_ascii_lowercase().starts_with("zh") {
        if text.chars().count() < CHINESE_WHOLE_BELOW {
            text.to_owned()
        } else {
            let head: String = text.chars().take(CHINESE_CUT).collect();
            head + "..."
        }
    } else {
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.len() <= WORDS {
            words.join(" ")
        } else {
            words[..WORDS].join(" ") + "..."
        }
    }
}

/// `content/<lang>/news/<site>/<id>.<lang>.md`, with forbidden characters removed; errors if a
/// component would be empty, `.` or `..`, or absolute.
///
/// Removing `/ \ * ? : " < > |` and control characters (as the older generator did) leaves no
/// separator or drive prefix, so each component is one plain name and the result is always
/// relative and inside the content folder.
pub fn content_path(lang: &str, site: &str, id: &str) -> Result<PathBuf, DocumentError> {
    let lang = path_component(lang, "language")?;
    let site = path_component(site, "site key")?;
    let id = path_component(id, "article id")?;
    let mut path = PathBuf::from("content");
    path.push(&lang);
    path.push("news");
    path.push(&site);
    path.push(format!("{id}.{lang}.md"));
    Ok(path)
}

fn path_component(raw: &str, what: &str) -> Result<String, DocumentError> {
    let cleaned: String = raw
        .chars()
        .filter(|&c| {
            !c.is_control() && !matches!(c, '/' | '\\' | '*' | '?' | ':' | '"' | '<' | '>' | '|')
        })
        .collect();
    if matches!(cleaned.as_str(), "" | "." | "..") {
        return Err(DocumentError::new(
            0,
            format!(
                "the {what} {raw:?} gives no usable file name (empty, `.` or `..` once forbidden characters are removed)"
            ),
        ));
    }
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Document {
        Document {
            title: "标题：\"引号\" \\ 反斜杠".to_owned(),
            date: "2025-02-11 07:03:08".to_owned(),
            summary: "摘要...".to_owned(),
            site: "qq".to_owned(),
            lang: "zh-CN".to_owned(),
            thumbnail: "https://inews.gtimg.com/a.jpg".to_owned(),
            body: "第一段。\n\n第二段。".to_owned(),
            source_url: "https://new.qq.com/rain/a/20250211A013J400".to_owned(),
        }
    }

    const SAMPLE_RENDERED: &str = r#"---
title: "标题：\"引号\" \\ 反斜杠"
date: "2025-02-11 07:03:08"
summary: "摘要..."
categories:
  - "qq"
lang:
  - "zh-CN"
translations:
  - "zh-CN"
tags:
  - "qq"
menu: ""
thumbnail: "https://inews.gtimg.com/a.jpg"
lead: ""
comments: false
authorbox: false
pager: true
toc: false
mathjax: false
sidebar: "right"
widgets:
  - "search"
  - "recent"
  - "taglist"
---

第一段。

第二段。

[qq](https://new.qq.com/rain/a/20250211A013J400)
"#;

    /// A minimal file in the older generator's spirit, for the tolerance tests to vary.
    fn minimal(front: &str) -> String {
        format!("---\n{front}---\n\nBody.\n\n[qq](https://example.com/a)\n")
    }

    fn err(text: &str) -> DocumentError {
        Document::parse(text).expect_err("expected a parse error")
    }

    // --- render --------------------------------------------------------------------------

    #[test]
    fn render_writes_the_exact_layout() {
        assert_eq!(sample().render(), SAMPLE_RENDERED);
    }

    #[test]
    fn render_flattens_newlines_and_escapes_controls() {
        let mut d = sample();
        d.title = "a\nb\rc\td\u{1}e\u{7f}f\u{85}g\u{2028}h\u{2029}i\u{feff}j\u{fffe}k".to_owned();
        let out = d.render();
        assert!(
            out.contains(r#"title: "a b c d\u0001e\u007Ff\u0085g\u2028h\u2029i\uFEFFj\uFFFEk""#),
            "{out}"
        );
    }

    #[test]
    fn render_keeps_the_link_one_markdown_link() {
        let mut d = sample();
        d.site = "a[b]\\c".to_owned();
        d.source_url = "https://x.org/a (b)<c>\\d\te".to_owned();
        let out = d.render();
        assert!(
            out.ends_with("\n\n[a\\[b\\]\\\\c](https://x.org/a%20%28b%29%3Cc%3E%5Cd%20e)\n"),
            "{out}"
        );
        let back = Document::parse(&out).unwrap();
        assert_eq!(back.site, "a[b]\\c");
        assert_eq!(back.source_url, "https://x.org/a%20%28b%29%3Cc%3E%5Cd%20e");
    }

    #[test]
    fn render_trims_the_body_and_handles_an_empty_one() {
        let mut d = sample();
        d.body = "\n\n  text \r\n\n".to_owned();
        assert!(d.render().contains("---\n\ntext\n\n[qq]("));
        d.body = String::new();
        let out = d.render();
        assert!(out.ends_with("---\n\n\n\n[qq](https://new.qq.com/rain/a/20250211A013J400)\n"));
        assert_eq!(Document::parse(&out).unwrap().body, "");
    }

    #[test]
    fn normalized_is_what_render_writes() {
        let mut d = sample();
        d.title = "x\ny".to_owned();
        d.body = " a\r\nb\r\r\n ".to_owned();
        d.source_url = "u (1)".to_owned();
        let n = d.clone().normalized();
        assert_eq!(n.title, "x y");
        assert_eq!(n.body, "a\nb");
        assert_eq!(n.source_url, "u%20%281%29");
        assert_eq!(d.render(), n.render());
        assert_eq!(Document::parse(&d.render()).unwrap(), n);
    }

    // --- parse: round trip and tolerance ---------------------------------------------------

    #[test]
    fn parse_reads_what_render_writes() {
        assert_eq!(Document::parse(SAMPLE_RENDERED).unwrap(), sample());
    }

    #[test]
    fn parse_accepts_crlf_and_bom() {
        let crlf = format!("\u{feff}{}", SAMPLE_RENDERED.replace('\n', "\r\n"));
        assert_eq!(Document::parse(&crlf).unwrap(), sample());
    }

    #[test]
    fn parse_decodes_every_yaml_escape() {
        let text = minimal(
            "title: \"\\\\ \\\" \\/ \\0 \\a \\b \\t \\\t \\n \\v \\f \\r \\e \\  \\N \\_ \\L \\P \\x41 \\u00e9 \\U0001F600 \\uD83D\\uDE00\"\ndate: \"d\"\ncategories: [\"qq\"]\nlang: [\"en\"]\n",
        );
        let d = Document::parse(&text).unwrap();
        assert_eq!(
            d.title,
            "\\ \" / \0 \u{7} \u{8} \t \t \n \u{b} \u{c} \r \u{1b}   \u{85} \u{a0} \u{2028} \u{2029} A é 😀 😀"
        );
    }

    #[test]
    fn parse_tolerates_other_orders_unknown_keys_and_scalar_styles() {
        let text = minimal(concat!(
            "# a comment\n",
            "draft: false\n",
            "params:\n",
            "  nested: {a: 1}\n",
            "  list:\n",
            "    - x\n",
            "tags: ['qq', \"other\"]\n",
            "lang: [ zh-CN , en, ]\n",
            "date: 2025-02-11 07:03:08\n",
            "title: 'It''s: a #title' # trailing comment\n",
            "weird_list:\n",
            "- a\n",
            "- b\n",
            "summary: plain text # comment\n",
            "\n",
        ));
        let d = Document::parse(&text).unwrap();
        assert_eq!(d.title, "It's: a #title");
        assert_eq!(d.date, "2025-02-11 07:03:08");
        assert_eq!(d.summary, "plain text");
        assert_eq!(d.site, "qq");
        assert_eq!(d.lang, "zh-CN");
        assert_eq!(d.thumbnail, "");
        assert_eq!(d.body, "Body.");
        assert_eq!(d.source_url, "https://example.com/a");
    }

    #[test]
    fn parse_prefers_categories_and_lang_and_falls_back() {
        let text = minimal(
            "title: t\ndate: d\ncategories:\n- \"cat\"\ntags:\n  - \"tag\"\ntranslations: [\"tr\"]\nlang:\n  - zh-TW\n",
        );
        let d = Document::parse(&text).unwrap();
        assert_eq!((d.site.as_str(), d.lang.as_str()), ("cat", "zh-TW"));

        let text = minimal("title: t\ndate: d\ncategories: []\ntags: tag\ntranslations: en\n");
        let d = Document::parse(&text).unwrap();
        assert_eq!((d.site.as_str(), d.lang.as_str()), ("tag", "en"));
    }

    #[test]
    fn parse_reads_null_and_empty_values_as_empty() {
        let text = minimal(
            "title:\ndate: ~\nsummary: null\nthumbnail: ''\ncategories: [qq]\nlang: [en]\n",
        );
        let d = Document::parse(&text).unwrap();
        assert_eq!((d.title.as_str(), d.date.as_str()), ("", ""));
        assert_eq!((d.summary.as_str(), d.thumbnail.as_str()), ("", ""));
    }

    #[test]
    fn parse_keeps_body_lines_that_look_like_syntax() {
        let mut d = sample();
        d.body = "---\n\n[x](y)\n\n---".to_owned();
        assert_eq!(Document::parse(&d.render()).unwrap(), d);
    }

    #[test]
    fn parse_accepts_angle_bracket_links_and_trailing_blank_lines() {
        let text = "---\ntitle: t\ndate: d\ntags: [qq]\nlang: [en]\n---\nbody\n[qq](<https://a/b c>)  \n\n\n";
        let d = Document::parse(text).unwrap();
        assert_eq!(d.body, "body");
        assert_eq!(d.source_url, "https://a/b c");
    }

    // --- parse: errors ---------------------------------------------------------------------

    #[test]
    fn parse_errors_name_the_line() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 1, "must start with a `---`"),
            ("title: x\n", 1, "must start with a `---`"),
            ("---\ntitle: x\n", 1, "never closed"),
            (
                "---\ntitle: \"x\ndate: d\n---\n\n[a](b)\n",
                2,
                "unterminated double-quoted string",
            ),
            (
                "---\ntitle: 'x\n---\n\n[a](b)\n",
                2,
                "unterminated single-quoted string",
            ),
            (
                "---\ntitle: \"\\q\"\n---\n\n[a](b)\n",
                2,
                "invalid escape `\\q`",
            ),
            ("---\ntitle: \"\\u12\"\n---\n\n[a](b)\n", 2, "hexadecimal"),
            (
                "---\ntitle: \"\\uD800\"\n---\n\n[a](b)\n",
                2,
                "unpaired surrogate",
            ),
            (
                "---\ntitle: \"\\U00110000\"\n---\n\n[a](b)\n",
                2,
                "not a Unicode scalar",
            ),
            (
                "---\ntitle: \"x\" y\n---\n\n[a](b)\n",
                2,
                "after the closing quote",
            ),
            ("---\ntitle: |\n  x\n---\n\n[a](b)\n", 3, "multi-line"),
            ("---\ntitle: >\n---\n\n[a](b)\n", 2, "block scalars"),
            ("---\ntitle: [a]\n---\n\n[a](b)\n", 2, "flow collection"),
            (
                "---\ntags: [\"a\"\n---\n\n[a](b)\n",
                2,
                "unterminated flow list",
            ),
            (
                "---\ntags: [\"a\" \"b\"]\n---\n\n[a](b)\n",
                2,
                "expected `,` or `]`",
            ),
            (
                "---\ntags:\n  x\n---\n\n[a](b)\n",
                3,
                "expected a list item",
            ),
            (
                "---\ntitle: a\ntitle: b\n---\n\n[a](b)\n",
                3,
                "duplicate key (first given on line 2)",
            ),
            ("---\n  title: a\n---\n\n[a](b)\n", 2, "indented"),
            ("---\n- a\n---\n\n[a](b)\n", 2, "list item outside"),
            (
                "---\njust text\n---\n\n[a](b)\n",
                2,
                "expected `key: value`",
            ),
            (
                "---\ndate: d\ntags: [a]\nlang: [b]\n---\n\n[a](b)\n",
                5,
                "no `title`",
            ),
            (
                "---\ntitle: t\ntags: [a]\nlang: [b]\n---\n\n[a](b)\n",
                5,
                "no `date`",
            ),
            (
                "---\ntitle: t\ndate: d\nlang: [b]\n---\n\n[a](b)\n",
                5,
                "no `categories` or `tags`",
            ),
            (
                "---\ntitle: t\ndate: d\ncategories:\nlang: [b]\n---\n\n[a](b)\n",
                4,
                "`categories` or `tags` has no entry",
            ),
            (
                "---\ntitle: t\ndate: d\ntags: [a]\n---\n\n[a](b)\n",
                5,
                "no `lang` or `translations`",
            ),
            (
                "---\ntitle: t\ndate: d\ntags: [a]\nlang: [b]\n---\n\nbody\n",
                8,
                LINK_LINE_REQUIRED,
            ),
            (
                "---\ntitle: t\ndate: d\ntags: [a]\nlang: [b]\n---\n\n\n",
                7,
                LINK_LINE_REQUIRED,
            ),
            (
                "---\ntitle: t\ndate: d\ntags: [a]\nlang: [b]\n---\n\n[a](b) x\n",
                8,
                LINK_LINE_REQUIRED,
            ),
            (
                "---\ntitle: t\ndate: d\ntags: [a]\nlang: [b]\n---\n\n[a\\](b)\n",
                8,
                LINK_LINE_REQUIRED,
            ),
        ];
        for &(text, line, message) in cases {
            let e = err(text);
            assert_eq!(e.line, line, "{text:?} gave {e}");
            assert!(e.message.contains(message), "{text:?} gave {e}");
        }
    }

    #[test]
    fn error_display_has_line_prefix() {
        let e = err("---\ntitle: \"x\n---\n\n[a](b)\n");
        assert_eq!(e.to_string(), "line 2: unterminated double-quoted string");
    }

    // --- summarize -------------------------------------------------------------------------

    #[test]
    fn summarize_chinese_short_text_is_whole() {
        let text: String = "字".repeat(79);
        assert_eq!(summarize(&format!("  {text}\n"), "zh-CN"), text);
    }

    #[test]
    fn summarize_chinese_long_text_is_cut_at_50() {
        let text = format!("{}{}", "甲".repeat(50), "乙".repeat(30));
        assert_eq!(summarize(&text, "zh-TW"), format!("{}...", "甲".repeat(50)));
        assert_eq!(summarize("a\tb\nc\r", "zh"), "a b c");
        assert_eq!(summarize("a\u{1}b\u{7f}c", "zh"), "a b c");
    }

    #[test]
    fn summarize_other_languages_by_words() {
        let fifty: Vec<String> = (0..50).map(|i| format!("w{i}")).collect();
        assert_eq!(summarize(&fifty.join(" \n\t "), "en"), fifty.join(" "));
        let more = format!("{} extra words", fifty.join(" "));
        assert_eq!(summarize(&more, "en-US"), format!("{}...", fifty.join(" ")));
        assert_eq!(summarize("   ", "en"), "");
    }

    // --- content_path ----------------------------------------------------------------------

    #[test]
    fn content_path_builds_the_hugo_layout() {
        assert_eq!(
            content_path("zh-CN", "qq", "20250211A013J400").unwrap(),
            PathBuf::from("content/zh-CN/news/qq/20250211A013J400.zh-CN.md")
        );
    }

    #[test]
    fn content_path_neutralises_hostile_input() {
        let p = content_path("en", "qq", "../../etc/passwd").unwrap();
        assert_eq!(p, PathBuf::from("content/en/news/qq/....etcpasswd.en.md"));
        let p = content_path("en", "a/b", "C:\\x").unwrap();
        assert_eq!(p, PathBuf::from("content/en/news/ab/Cx.en.md"));
        let p = content_path("e\u{0}n", "q*?\"<>|q", "i\nd").unwrap();
        assert_eq!(p, PathBuf::from("content/en/news/qq/id.en.md"));
        for (lang, site, id) in [
            ("", "qq", "1"),
            ("en", "", "1"),
            ("en", "qq", ""),
            ("en", "..", "1"),
            ("en", "qq", "."),
            ("/", "qq", "1"),
            ("en", "qq", ".:."),
            ("en", "qq", "\u{1}/"),
        ] {
            let e = content_path(lang, site, id).expect_err("must be rejected");
            assert_eq!(e.line, 0);
        }
    }

    // --- properties ------------------------------------------------------------------------

    /// Characters that stress the format: YAML and Markdown syntax, escapes, line breaks,
    /// controls, non-ASCII (CJK, emoji, full-width) and Unicode separators.
    const TRICKY: &[char] = &[
        'a', 'Z', '0', ' ', ' ', '"', '\'', '\\', '/', ':', '#', '-', '[', ']', '(', ')', '<', '>',
        '{', '}', '|', '*', '%', '!', '&', '~', ',', '\n', '\r', '\t', '\0', '\u{1}', '\u{1b}',
        '\u{7f}', '\u{85}', '\u{a0}', '\u{2028}', '\u{2029}', '\u{feff}', '\u{fffe}', '\u{ffff}',
        '\u{3000}', '中', '文', '“', '”', '。', 'é', '😀',
    ];

    fn tricky_string() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::collection::vec(prop::sample::select(TRICKY), 0..24)
                .prop_map(|cs| cs.into_iter().collect::<String>()),
            any::<String>(),
            Just(String::new()),
            Just("---".to_owned()),
        ]
    }

    fn tricky_body() -> impl Strategy<Value = String> {
        prop_oneof![
            tricky_string(),
            prop::collection::vec(
                prop_oneof![
                    tricky_string(),
                    Just("---".to_owned()),
                    Just("[qq](https://a/b)".to_owned()),
                    Just(String::new()),
                ],
                0..8
            )
            .prop_map(|lines| lines.join("\n")),
        ]
    }

    fn any_document() -> impl Strategy<Value = Document> {
        (
            (
                tricky_string(),
                tricky_string(),
                tricky_string(),
                tricky_string(),
            ),
            (
                tricky_string(),
                tricky_string(),
                tricky_body(),
                tricky_string(),
            ),
        )
            .prop_map(
                |((title, date, summary, site), (lang, thumbnail, body, source_url))| Document {
                    title,
                    date,
                    summary,
                    site,
                    lang,
                    thumbnail,
                    body,
                    source_url,
                },
            )
    }

    #[derive(Debug, serde::Deserialize)]
    struct YamlFrontMatter {
        title: String,
        date: String,
        summary: String,
        categories: Vec<String>,
        lang: Vec<String>,
        translations: Vec<String>,
        tags: Vec<String>,
        menu: String,
        thumbnail: String,
        lead: String,
        comments: bool,
        authorbox: bool,
        pager: bool,
        toc: bool,
        mathjax: bool,
        sidebar: String,
        widgets: Vec<String>,
    }

    fn front_matter_of(rendered: &str) -> &str {
        let inner = rendered.strip_prefix("---\n").unwrap();
        &inner[..inner.find("\n---\n").unwrap() + 1]
    }

    proptest! {
        #[test]
        fn parse_inverts_render(d in any_document()) {
            let rendered = d.render();
            prop_assert_eq!(Document::parse(&rendered), Ok(d.clone().normalized()));
        }

        #[test]
        fn normal_form_is_stable(d in any_document()) {
            let n = d.clone().normalized();
            prop_assert_eq!(n.clone().normalized(), n.clone());
            prop_assert_eq!(n.render(), d.render());
            prop_assert_eq!(Document::parse(&n.render()), Ok(n));
        }

        #[test]
        fn rendered_front_matter_is_valid_yaml(d in any_document()) {
            let rendered = d.render();
            let yaml: YamlFrontMatter = serde_saphyr::from_str(front_matter_of(&rendered))
                .map_err(|e| TestCaseError::fail(format!("{e}\n{rendered}")))?;
            let n = d.normalized();
            prop_assert_eq!(&yaml.title, &n.title);
            prop_assert_eq!(&yaml.date, &n.date);
            prop_assert_eq!(&yaml.summary, &n.summary);
            prop_assert_eq!(&yaml.thumbnail, &n.thumbnail);
            prop_assert_eq!(&yaml.categories, &vec![n.site.clone()]);
            prop_assert_eq!(&yaml.tags, &vec![n.site.clone()]);
            prop_assert_eq!(&yaml.lang, &vec![n.lang.clone()]);
            prop_assert_eq!(&yaml.translations, &vec![n.lang.clone()]);
            prop_assert_eq!((yaml.menu.as_str(), yaml.lead.as_str(), yaml.sidebar.as_str()), ("", "", "right"));
            prop_assert_eq!((yaml.comments, yaml.authorbox, yaml.pager, yaml.toc, yaml.mathjax), (false, false, true, false, false));
            prop_assert_eq!(yaml.widgets, vec!["search", "recent", "taglist"]);
        }

        #[test]
        fn parse_never_panics_on_arbitrary_text(text in any::<String>()) {
            let _ = Document::parse(&text);
        }

        #[test]
        fn parse_never_panics_on_damaged_documents(
            d in any_document(),
            cut in any::<prop::sample::Index>(),
            insert in prop::collection::vec(prop::sample::select(TRICKY), 0..4),
        ) {
            let rendered = d.render();
            let chars: Vec<char> = rendered.chars().collect();
            let at = cut.index(chars.len() + 1);
            let damaged: String = chars[..at].iter().chain(&insert).chain(&chars[at..]).collect();
            let truncated: String = chars[..at].iter().collect();
            let _ = Document::parse(&damaged);
            let _ = Document::parse(&truncated);
        }

        #[test]
        fn content_path_stays_inside(lang in tricky_string(), site in tricky_string(), id in tricky_string()) {
            if let Ok(path) = content_path(&lang, &site, &id) {
                prop_assert!(path.is_relative());
                let parts: Vec<_> = path.components().collect();
                prop_assert_eq!(parts.len(), 5);
                for part in parts {
                    prop_assert!(matches!(part, std::path::Component::Normal(_)));
                }
            }
        }
    }
}
