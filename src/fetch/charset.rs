//! Decoding HTML bytes to text: BOM, then the `Content-Type` charset, then a WHATWG-style
//! `<meta>` prescan, then chardetng detection, which runs only for bytes that fail their
//! declared (or default, UTF-8) encoding, and only on a bounded sample.
//!
//! Departures from the browser algorithm, on purpose (we archive text, we do not render it):
//! a declaration the bytes contradict loses to the bytes (see [`decode_html`]);
//! labels that WHATWG maps to the "replacement" encoding (`iso-2022-kr`, `hz-gb-2312`, ...) are
//! treated as unknown and fall through to detection instead of turning the page into one U+FFFD;
//! text that is UTF-8 but for a cut last character or a few stray bytes is UTF-8 (the bad bytes
//! counted), never single-byte mojibake; a document with no non-ASCII bytes and no declaration
//! is reported as UTF-8.

use std::borrow::Cow;

use encoding_rs::{
    DecoderResult, Encoding, REPLACEMENT, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED,
};

/// How many bytes the `<meta>` prescan looks at.
pub const PRESCAN_BYTES: usize = 1024;
/// How many bytes chardetng is fed at most, from just before the first non-ASCII byte.
pub const DETECT_BYTES: usize = 64 * 1024;
/// How much ASCII before the first non-ASCII byte detection also sees (context for its
/// single-byte models).
const DETECT_LEAD_IN: usize = 1024;
/// Text is "almost all UTF-8" when it holds at least this many valid multi-byte characters per
/// invalid sequence: legacy CJK bytes form valid UTF-8 sequences only by accident, so they never
/// come near.
const UTF8_VALID_PER_ERROR: usize = 16;

/// Text decoded from a document, with how its encoding was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<'a> {
    /// Borrowed from the bytes when they are valid UTF-8 (most pages): a page-sized copy fewer
    /// while the page is extracted.
    pub text: Cow<'a, str>,
    /// The encoding_rs name of the encoding used, e.g. "UTF-8", "GBK", "Big5", "Shift_JIS".
    pub encoding: &'static str,
    pub source: CharsetSource,
    /// True if malformed byte sequences were replaced with U+FFFD.
    pub had_errors: bool,
    /// How many malformed byte sequences were replaced with U+FFFD (one each).
    pub decode_errors: usize,
    /// chardetng was asked, so the result may depend on the TLD hint: decoding the same bytes
    /// with another hint may give another text. False means the hint played no part.
    pub guessed: bool,
}

impl Decoded<'_> {
    /// How the page was decoded, without its text (which may borrow the page's bytes).
    pub fn without_text(self) -> Decoded<'static> {
        Decoded {
            text: Cow::Borrowed(""),
            encoding: self.encoding,
            source: self.source,
            had_errors: self.had_errors,
            decode_errors: self.decode_errors,
            guessed: self.guessed,
        }
    }
}

/// Where the encoding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharsetSource {
    /// A byte order mark (UTF-8, UTF-16LE, UTF-16BE).
    Bom,
    /// The `charset` parameter of the `Content-Type` header.
    Header,
    /// A `<meta charset>` or `<meta http-equiv="Content-Type" content="...; charset=...">`.
    Meta,
    /// Read from the bytes: UTF-8 when they are (almost all) UTF-8, else chardetng's guess;
    /// also when the declared charset was contradicted by the bytes (UTF-8 declared as another
    /// encoding, or bytes invalid in the declared encoding that detection decodes cleanly).
    Detected,
}

/// The rightmost label of a URL's host when it is a domain name (`cn` for `news.example.cn.`),
/// the hint detection takes; none for IP addresses.
pub fn tld_of(url: &url::Url) -> Option<&str> {
    match url.host()? {
        url::Host::Domain(d) => d.trim_end_matches('.').rsplit('.').next(),
        _ => None,
    }
}

/// How far a document is from being UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Utf8Fit {
    /// Only ASCII bytes.
    Ascii,
    /// Valid UTF-8 with non-ASCII text, but for at most a truncated last character.
    Valid,
    /// Invalid sequences, but rare among valid multi-byte characters.
    Almost,
    /// Not UTF-8.
    No,
}

fn utf8_fit(bytes: &[u8]) -> Utf8Fit {
    match std::str::from_utf8(bytes) {
        Ok(_) if bytes.is_ascii() => Utf8Fit::Ascii,
        Ok(_) => Utf8Fit::Valid,
        // `error_len` None: the input ends inside a character that may well be complete.
        Err(e) if e.error_len().is_none() => Utf8Fit::Valid,
        Err(_) => {
            let (mut valid_multi_byte, mut invalid) = (0usize, 0usize);
            for chunk in bytes.utf8_chunks() {
                valid_multi_byte += chunk.valid().bytes().filter(|&b| b >= 0xC0).count();
                invalid += usize::from(!chunk.invalid().is_empty());
            }
            if valid_multi_byte >= invalid.saturating_mul(UTF8_VALID_PER_ERROR) {
                Utf8Fit::Almost
            } else {
                Utf8Fit::No
            }
        }
    }
}

/// Decodes an HTML document. Never panics, whatever the bytes or the header.
///
/// `tld` is the rightmost label of the host the document came from ("cn", "jp", ...); it steers
/// detection. Anything that is not a plain ASCII label is ignored.
pub fn decode_html<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
    tld: Option<&str>,
) -> Decoded<'a> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return decode_with(encoding, &bytes[bom_len..], CharsetSource::Bom);
    }
    let declared = content_type
        .and_then(header_charset)
        .map(|e| (e, CharsetSource::Header))
        .or_else(|| prescan(bytes).map(|e| (e, CharsetSource::Meta)));
    let fit = utf8_fit(bytes);
    let Some((encoding, source)) = declared else {
        return match fit {
            Utf8Fit::Ascii | Utf8Fit::Valid | Utf8Fit::Almost => {
                decode_with(UTF_8, bytes, CharsetSource::Detected)
            }
            Utf8Fit::No => guessed(decode_with(
                detect(bytes, tld),
                bytes,
                CharsetSource::Detected,
            )),
        };
    };
    // Declarations lie: pages re-saved as UTF-8 keep their old `<meta charset=gb2312>`, and
    // servers label GBK pages UTF-8. (Almost all) UTF-8 with non-ASCII text is UTF-8 whatever
    // the label (legacy text is essentially never valid UTF-8, and a single-byte label would
    // turn it into mojibake without a reported error); a declared encoding the bytes break
    // gives way to detection when detection decodes them cleanly.
    if encoding != UTF_8 && matches!(fit, Utf8Fit::Valid | Utf8Fit::Almost) {
        return decode_with(UTF_8, bytes, CharsetSource::Detected);
    }
    let decoded = decode_with(encoding, bytes, source);
    if !decoded.had_errors || fit == Utf8Fit::Almost {
        return decoded;
    }
    let guess = detect(bytes, tld);
    // Only a multi-byte CJK guess can be trusted here: a single-byte encoding decodes any
    // bytes "cleanly", which would hide broken bytes as mojibake instead of reporting them.
    let multi_byte =
        ["GBK", "gb18030", "Big5", "Shift_JIS", "EUC-JP", "EUC-KR"].contains(&guess.name());
    if guess != encoding && multi_byte {
        let retry = decode_with(guess, bytes, CharsetSource::Detected);
        if !retry.had_errors {
            return guessed(retry);
        }
    }
    guessed(decoded)
}

fn guessed(decoded: Decoded<'_>) -> Decoded<'_> {
    Decoded {
        guessed: true,
        ..decoded
    }
}

/// Decodes `bytes` in `encoding`, one U+FFFD per malformed sequence, counting them.
fn decode_with<'a>(
    encoding: &'static Encoding,
    bytes: &'a [u8],
    source: CharsetSource,
) -> Decoded<'a> {
    let (text, decode_errors) = if encoding == UTF_8 {
        decode_utf8(bytes)
    } else {
        decode_counting(encoding, bytes)
    };
    Decoded {
        text,
        encoding: encoding.name(),
        source,
        had_errors: decode_errors > 0,
        decode_errors,
        guessed: false,
    }
}

fn decode_utf8(bytes: &[u8]) -> (Cow<'_, str>, usize) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (Cow::Borrowed(text), 0);
    }
    let mut text = String::with_capacity(bytes.len() + 16);
    let mut errors = 0;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            // One per maximal invalid subpart, as the WHATWG decoder (and encoding_rs) does.
            text.push('\u{FFFD}');
            errors += 1;
        }
    }
    (Cow::Owned(text), errors)
}

fn decode_counting(encoding: &'static Encoding, bytes: &[u8]) -> (Cow<'static, str>, usize) {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len());
    let mut text = String::with_capacity(capacity);
    let (mut input, mut errors) = (bytes, 0);
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(input, &mut text, true);
        input = &input[read..];
        match result {
            DecoderResult::InputEmpty => return (Cow::Owned(text), errors),
            DecoderResult::OutputFull => text.reserve(input.len().max(16) * 3),
            DecoderResult::Malformed(_, _) => {
                text.reserve(3);
                text.push('\u{FFFD}');
                errors += 1;
            }
        }
    }
}

/// An encoding for a label, treating unknown labels and the "replacement" encoding as unknown.
fn encoding_for_label(label: &[u8]) -> Option<&'static Encoding> {
    Encoding::for_label(label).filter(|e| *e != REPLACEMENT)
}

/// The encoding named by the `charset` parameter of a `Content-Type` value, if known.
pub fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        encoding_for_label(value.as_bytes())
    })
}

fn detect(bytes: &[u8], tld: Option<&str>) -> &'static Encoding {
    let Some(first) = bytes.iter().position(|b| !b.is_ascii()) else {
        return UTF_8;
    };
    let from = first.saturating_sub(DETECT_LEAD_IN);
    let sample = &bytes[from..bytes.len().min(from + DETECT_BYTES)];
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(sample, from + sample.len() == bytes.len());
    let tld = tld.and_then(clean_tld);
    detector.guess(
        tld.as_deref().map(str::as_bytes),
        chardetng::Utf8Detection::Allow,
    )
}

/// chardetng panics on a TLD with upper case, a period or non-ASCII: hand it a clean label or
/// nothing.
fn clean_tld(tld: &str) -> Option<String> {
    let label = tld.trim().trim_end_matches('.').rsplit('.').next()?;
    if label.is_empty()
        || !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return None;
    }
    Some(label.to_ascii_lowercase())
}

// ---- WHATWG "prescan a byte stream to determine its encoding" ----

fn is_space(b: u8) -> bool {
    matches!(b, 0x09 | 0x0A | 0x0C | 0x0D | 0x20)
}

fn starts_with_ci(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.len() >= needle.len() && haystack[..needle.len()].eq_ignore_ascii_case(needle)
}

/// The prescan ran off the end of its input.
struct End;

/// Finds a `<meta>` charset declaration in the first [`PRESCAN_BYTES`] bytes.
pub fn prescan(bytes: &[u8]) -> Option<&'static Encoding> {
    let input = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    prescan_inner(input).ok().flatten()
}

fn prescan_inner(input: &[u8]) -> Result<Option<&'static Encoding>, End> {
    let mut pos = 0;
    while pos < input.len() {
        let rest = &input[pos..];
        if rest.starts_with(b"<!--") {
            // Skip to the end of "-->"; the dashes may be those of "<!--".
            let from = pos + 2;
            let end = input[from..]
                .windows(3)
                .position(|w| w == b"-->")
                .ok_or(End)?;
            pos = from + end + 3;
            continue;
        }
        if starts_with_ci(rest, b"<meta") && rest.get(5).is_some_and(|&b| is_space(b) || b == b'/')
        {
            pos += 6;
            if let Some(encoding) = meta_tag(input, &mut pos)? {
                return Ok(Some(encoding));
            }
            pos += 1;
            continue;
        }
        let second = rest.get(1).copied();
        let third = rest.get(2).copied();
        if rest[0] == b'<'
            && (second.is_some_and(|b| b.is_ascii_alphabetic())
                || (second == Some(b'/') && third.is_some_and(|b| b.is_ascii_alphabetic())))
        {
            // An ordinary tag: skip its name and attributes (quoted values may hold '>').
            pos += 1;
            while pos < input.len() && !is_space(input[pos]) && input[pos] != b'>' {
                pos += 1;
            }
            while get_attribute(input, &mut pos)?.is_some() {}
            pos += 1;
            continue;
        }
        if rest[0] == b'<' && matches!(second, Some(b'!' | b'/' | b'?')) {
            let end = input[pos..].iter().position(|&b| b == b'>').ok_or(End)?;
            pos += end + 1;
            continue;
        }
        pos += 1;
    }
    Ok(None)
}

/// The attributes of a `<meta` tag, `pos` just after "<meta" and its following space or slash.
/// Leaves `pos` at the byte that ended the attributes.
fn meta_tag(input: &[u8], pos: &mut usize) -> Result<Option<&'static Encoding>, End> {
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut got_pragma = false;
    let mut need_pragma: Option<bool> = None;
    // None: not set; Some(None): set, but to an unknown label.
    let mut charset: Option<Option<&'static Encoding>> = None;
    while let Some((name, value)) = get_attribute(input, pos)? {
        if seen.contains(&name) {
            continue;
        }
        match name.as_slice() {
            b"http-equiv" if value == b"content-type" => got_pragma = true,
            b"content" if charset.is_none() => {
                // Only a known label counts as "an encoding was returned".
                if let Some(encoding) = charset_from_content(&value).and_then(encoding_for_label) {
                    charset = Some(Some(encoding));
                    need_pragma = Some(true);
                }
            }
            b"charset" => {
                charset = Some(encoding_for_label(&value));
                need_pragma = Some(false);
            }
            _ => {}
        }
        seen.push(name);
    }
    let Some(need_pragma) = need_pragma else {
        return Ok(None);
    };
    if need_pragma && !got_pragma {
        return Ok(None);
    }
    let Some(Some(encoding)) = charset else {
        return Ok(None);
    };
    Ok(Some(if encoding == UTF_16BE || encoding == UTF_16LE {
        UTF_8
    } else if encoding == X_USER_DEFINED {
        WINDOWS_1252
    } else {
        encoding
    }))
}

type Attribute = (Vec<u8>, Vec<u8>);

/// WHATWG "get an attribute": `Ok(None)` when the tag ends ('>' at `pos`, not consumed).
fn get_attribute(input: &[u8], pos: &mut usize) -> Result<Option<Attribute>, End> {
    let at = |p: usize| input.get(p).copied().ok_or(End);
    while is_space(at(*pos)?) || at(*pos)? == b'/' {
        *pos += 1;
    }
    if at(*pos)? == b'>' {
        return Ok(None);
    }
    let mut name = Vec::new();
    // Name.
    loop {
        let b = at(*pos)?;
        if b == b'=' && !name.is_empty() {
            *pos += 1;
            return attribute_value(input, pos, name).map(Some);
        }
        if is_space(b) {
            break;
        }
        if b == b'/' || b == b'>' {
            return Ok(Some((name, Vec::new())));
        }
        name.push(b.to_ascii_lowercase());
        *pos += 1;
    }
    // Spaces before a possible '='.
    while is_space(at(*pos)?) {
        *pos += 1;
    }
    if at(*pos)? != b'=' {
        return Ok(Some((name, Vec::new())));
    }
    *pos += 1;
    attribute_value(input, pos, name).map(Some)
}

fn attribute_value(input: &[u8], pos: &mut usize, name: Vec<u8>) -> Result<Attribute, End> {
    let mut value = Vec::new();
    let at = |p: usize| input.get(p).copied().ok_or(End);
    while is_space(at(*pos)?) {
        *pos += 1;
    }
    let b = at(*pos)?;
    if b == b'"' || b == b'\'' {
        let quote = b;
        loop {
            *pos += 1;
            let c = at(*pos)?;
            if c == quote {
                *pos += 1;
                return Ok((name, value));
            }
            value.push(c.to_ascii_lowercase());
        }
    }
    if b == b'>' {
        return Ok((name, value));
    }
    value.push(b.to_ascii_lowercase());
    *pos += 1;
    loop {
        let c = at(*pos)?;
        if is_space(c) || c == b'>' {
            return Ok((name, value));
        }
        value.push(c.to_ascii_lowercase());
        *pos += 1;
    }
}

/// WHATWG "extract a character encoding from a meta element": the label after `charset=` in a
/// `content` attribute value.
fn charset_from_content(content: &[u8]) -> Option<&[u8]> {
    let mut pos = 0;
    loop {
        let found = content
            .get(pos..)?
            .windows(7)
            .position(|w| w.eq_ignore_ascii_case(b"charset"))?;
        pos += found + 7;
        while content.get(pos).is_some_and(|&b| is_space(b)) {
            pos += 1;
        }
        if content.get(pos) != Some(&b'=') {
            continue;
        }
        pos += 1;
        while content.get(pos).is_some_and(|&b| is_space(b)) {
            pos += 1;
        }
        let first = *content.get(pos)?;
        if first == b'"' || first == b'\'' {
            let rest = &content[pos + 1..];
            let end = rest.iter().position(|&b| b == first)?;
            return Some(&rest[..end]);
        }
        let rest = &content[pos..];
        let end = rest
            .iter()
            .position(|&b| is_space(b) || b == b';')
            .unwrap_or(rest.len());
        return Some(&rest[..end]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn enc(text: &str, encoding: &'static Encoding) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(
            !unmappable,
            "test text not representable in {}",
            encoding.name()
        );
        bytes.into_owned()
    }

    const ZH: &str =
        "新闻联播：国务院总理今天在北京主持召开常务会议，研究部署进一步扩大内需的政策措施。";

    #[test]
    fn bom_wins_over_everything() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice("<meta charset=gbk>héllo".as_bytes());
        let d = decode_html(&bytes, Some("text/html; charset=big5"), Some("cn"));
        assert_eq!(d.source, CharsetSource::Bom);
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.text, "<meta charset=gbk>héllo");
        assert!(!d.had_errors);

        let mut le = vec![0xFF, 0xFE];
        for u in "hi".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode_html(&le, None, None);
        assert_eq!((d.encoding, &*d.text), ("UTF-16LE", "hi"));
    }

    #[test]
    fn header_charset_is_used_and_parsed_loosely() {
        let body = enc(ZH, encoding_rs::GBK);
        for ct in [
            "text/html; charset=gbk",
            "text/html;charset=GB2312",
            "text/html; Charset=\"gb2312\"",
            "text/html; foo=bar; charset='GBK' ",
        ] {
            let d = decode_html(&body, Some(ct), None);
            assert_eq!(
                (d.encoding, d.source),
                ("GBK", CharsetSource::Header),
                "{ct}"
            );
            assert_eq!(d.text, ZH);
        }
        // An unknown header label falls through.
        let d = decode_html(b"plain", Some("text/html; charset=klingon"), None);
        assert_eq!(d.source, CharsetSource::Detected);
    }

    #[test]
    fn meta_charset_forms() {
        let cases: &[(&[u8], &str)] = &[
            (b"<meta charset=gb2312>", "GBK"),
            (b"<META CHARSET=\"Big5\">", "Big5"),
            (b"<meta charset='shift_jis'/>", "Shift_JIS"),
            (b"<meta\ncharset = euc-kr >", "EUC-KR"),
            (
                b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=big5\">",
                "Big5",
            ),
            (
                b"<meta content='text/html;charset=windows-1251' http-equiv=content-type>",
                "windows-1251",
            ),
            (
                b"<meta content=\"text/html; charset='gbk'\" http-equiv=\"content-type\">",
                "GBK",
            ),
            (b"<meta charset=utf-16le>", "UTF-8"),
            (b"<meta charset=utf-16>", "UTF-8"),
            (b"<meta charset=x-user-defined>", "windows-1252"),
            (
                b"<html><head><title>x</title><meta charset=windows-1250></head>",
                "windows-1250",
            ),
            // The first charset attribute counts; the duplicate is ignored.
            (b"<meta charset=gbk charset=big5>", "GBK"),
        ];
        for (html, want) in cases {
            assert_eq!(
                prescan(html).map(|e| e.name()),
                Some(*want),
                "{}",
                String::from_utf8_lossy(html)
            );
        }
    }

    #[test]
    fn meta_prescan_rejections() {
        let cases: &[&[u8]] = &[
            // content without http-equiv=content-type
            b"<meta content=\"text/html; charset=gbk\">",
            // inside a comment
            b"<!-- <meta charset=gbk> -->",
            // unknown label
            b"<meta charset=klingon>",
            // replacement encoding label
            b"<meta charset=iso-2022-kr>",
            // inside an attribute value of another tag
            b"<div title='<meta charset=gbk>'>",
            // not a meta tag
            b"<metadata charset=gbk>",
            // unterminated
            b"<meta charset=gbk",
        ];
        for html in cases {
            assert_eq!(prescan(html), None, "{}", String::from_utf8_lossy(html));
        }
        // Beyond the first 1024 bytes.
        let mut late = vec![b' '; PRESCAN_BYTES];
        late.extend_from_slice(b"<meta charset=gbk>");
        assert_eq!(prescan(&late), None);
        // The comment "<!-->" is complete.
        assert_eq!(prescan(b"<!--><meta charset=gbk>"), Some(encoding_rs::GBK));
    }

    #[test]
    fn charset_from_content_algorithm() {
        assert_eq!(
            charset_from_content(b"text/html; charset=gbk"),
            Some(&b"gbk"[..])
        );
        assert_eq!(
            charset_from_content(b"charset = \"big5\" ;"),
            Some(&b"big5"[..])
        );
        assert_eq!(
            charset_from_content(b"charsetx; charset=sjis;x"),
            Some(&b"sjis"[..])
        );
        assert_eq!(charset_from_content(b"charset=\"unterminated"), None);
        assert_eq!(charset_from_content(b"charset="), None);
        assert_eq!(charset_from_content(b"text/html"), None);
    }

    #[test]
    fn detection_uses_tld() {
        let body = enc(&ZH.repeat(3), encoding_rs::GBK);
        let d = decode_html(&body, Some("text/html"), Some("cn"));
        assert_eq!((d.encoding, d.source), ("GBK", CharsetSource::Detected));
        assert_eq!(d.text, ZH.repeat(3));
        // Ugly TLDs are cleaned or ignored, never a panic.
        for tld in ["CN", "com.cn", "cn.", "", "中国", ".", "a.b.", "x y"] {
            let _ = decode_html(&body, None, Some(tld));
        }
        assert_eq!(
            decode_html(b"just ascii", None, Some("jp")).encoding,
            "UTF-8"
        );
        assert_eq!(decode_html(b"", None, None).text, "");
    }

    #[test]
    fn had_errors_reports_replacement() {
        let d = decode_html(
            b"ok \xFF\xFE\xFD bad",
            Some("text/html; charset=utf-8"),
            None,
        );
        assert!(d.had_errors);
        assert!(d.text.contains('\u{FFFD}'));
    }

    /// `text` encoded in UTF-8 with `bad` inserted before the `at`th character.
    fn utf8_with(text: &str, at: usize, bad: &[u8]) -> Vec<u8> {
        let split = text.char_indices().nth(at).map_or(text.len(), |(i, _)| i);
        [&text.as_bytes()[..split], bad, &text.as_bytes()[split..]].concat()
    }

    fn with_replacement(text: &str, at: usize) -> String {
        let split = text.char_indices().nth(at).map_or(text.len(), |(i, _)| i);
        format!("{}\u{FFFD}{}", &text[..split], &text[split..])
    }

    #[test]
    fn truncated_utf8_without_charset_is_utf8() {
        // A 163.com-like page cut after the first byte of its last "。" (E3 80 82).
        let page = format!("<html><head><title>新闻</title></head><body><p>{ZH}</p>");
        let cut = &page.as_bytes()[..page.len() - "</p>".len() - 2];
        let d = decode_html(cut, None, Some("com"));
        assert_eq!((d.encoding, d.source), ("UTF-8", CharsetSource::Detected));
        let kept = page.strip_suffix("。</p>").unwrap();
        assert_eq!(d.text, format!("{kept}\u{FFFD}"));
        assert_eq!((d.had_errors, d.decode_errors), (true, 1));
        // Cut after two of the three bytes: still one replaced character.
        let cut = &page.as_bytes()[..page.len() - "</p>".len() - 1];
        let d = decode_html(cut, Some("text/html"), None);
        assert_eq!((d.encoding, d.decode_errors), ("UTF-8", 1));
        assert_eq!(d.text, format!("{kept}\u{FFFD}"));
    }

    #[test]
    fn one_stray_byte_in_utf8_is_utf8_with_one_error() {
        let page = format!("<title>新闻</title><p>{ZH}</p>");
        for stray in [&[0xFF][..], &[0x80], &[0xC3]] {
            let bytes = utf8_with(&page, 30, stray);
            let d = decode_html(&bytes, None, None);
            assert_eq!((d.encoding, d.source), ("UTF-8", CharsetSource::Detected));
            assert_eq!(d.text, with_replacement(&page, 30), "{stray:?}");
            assert_eq!((d.had_errors, d.decode_errors), (true, 1));
        }
    }

    #[test]
    fn wrong_declared_charset_gives_way_to_the_bytes() {
        // Declared windows-1252, but UTF-8 with a stray byte: UTF-8, the stray byte counted.
        let bytes = utf8_with(ZH, 10, &[0xFE]);
        let d = decode_html(&bytes, Some("text/html; charset=windows-1252"), None);
        assert_eq!((d.encoding, d.source), ("UTF-8", CharsetSource::Detected));
        assert_eq!(d.text, with_replacement(ZH, 10));
        assert_eq!(d.decode_errors, 1);
        // Declared GBK, but valid UTF-8.
        let d = decode_html(ZH.as_bytes(), Some("text/html; charset=gbk"), None);
        assert_eq!((d.encoding, &*d.text, d.decode_errors), ("UTF-8", ZH, 0));
        // Declared UTF-8 (in a meta), but GBK: detection decodes it cleanly.
        let page = format!("<meta charset=utf-8><p>{}</p>", ZH.repeat(2));
        let gbk = enc(&page, encoding_rs::GBK);
        let d = decode_html(&gbk, None, Some("cn"));
        assert_eq!((d.encoding, d.source), ("GBK", CharsetSource::Detected));
        assert_eq!((&*d.text, d.decode_errors), (page.as_str(), 0));
    }

    #[test]
    fn gbk_with_a_few_bad_bytes_stays_gbk_with_the_errors_counted() {
        let text = ZH.repeat(3);
        let parts: Vec<&str> = text.splitn(4, '，').collect();
        assert_eq!(parts.len(), 4);
        let mut bytes = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                bytes.push(0xFF); // never valid in GBK
            }
            bytes.extend_from_slice(&enc(part, encoding_rs::GBK));
        }
        let want = parts.join("\u{FFFD}");
        let d = decode_html(&bytes, Some("text/html; charset=gbk"), Some("cn"));
        assert_eq!((d.encoding, d.source), ("GBK", CharsetSource::Header));
        assert_eq!(d.text, want);
        assert_eq!((d.had_errors, d.decode_errors), (true, 3));
        let mut page = b"<meta charset=gb2312>".to_vec();
        page.extend_from_slice(&bytes);
        let d = decode_html(&page, None, None);
        assert_eq!(
            (d.encoding, d.source, d.decode_errors),
            ("GBK", CharsetSource::Meta, 3)
        );
        assert_eq!(d.text, format!("<meta charset=gb2312>{want}"));
    }

    #[test]
    fn detection_looks_past_a_long_ascii_head() {
        let mut page = format!("<script>{}</script>", "var x = 1;\n".repeat(20_000));
        page.push_str(&ZH.repeat(3));
        let gbk = enc(&page, encoding_rs::GBK);
        let d = decode_html(&gbk, None, Some("cn"));
        assert_eq!((d.encoding, d.decode_errors), ("GBK", 0));
        assert_eq!(d.text, page);
    }

    proptest! {
        #[test]
        fn never_panics(
            bytes in proptest::collection::vec(any::<u8>(), 0..3000),
            ct in proptest::option::of(".{0,60}"),
            tld in proptest::option::of(".{0,8}"),
        ) {
            let d = decode_html(&bytes, ct.as_deref(), tld.as_deref());
            prop_assert!(!d.encoding.is_empty());
        }

        #[test]
        fn prescan_never_panics_on_markup_like_bytes(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just(&b"<meta "[..]), Just(&b"<!--"[..]), Just(&b"-->"[..]), Just(&b"<"[..]),
                    Just(&b">"[..]), Just(&b"="[..]), Just(&b"\""[..]), Just(&b"'"[..]),
                    Just(&b"/"[..]), Just(&b" "[..]), Just(&b"charset"[..]), Just(&b"content"[..]),
                    Just(&b"http-equiv"[..]), Just(&b"content-type"[..]), Just(&b"gbk"[..]),
                    Just(&b";"[..]), Just(&b"<a"[..]), Just(&b"</"[..]), Just(&b"<?"[..]),
                ],
                0..80,
            ),
        ) {
            let html: Vec<u8> = parts.concat();
            let _ = prescan(&html);
            let _ = decode_html(&html, None, None);
        }
    }
}
