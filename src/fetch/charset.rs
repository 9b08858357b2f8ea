//! Decoding HTML bytes to text: BOM, then the `Content-Type` charset, then a WHATWG-style
//! `<meta>` prescan, then chardetng detection.
//!
//! Departures from the browser algorithm, on purpose (we archive text, we do not render it):
//! a declaration the bytes contradict loses to the bytes (see [`decode_html`]);
//! labels that WHATWG maps to the "replacement" encoding (`iso-2022-kr`, `hz-gb-2312`, ...) are
//! treated as unknown and fall through to detection instead of turning the page into one U+FFFD;
//! UTF-8 may be detected; a document with no non-ASCII bytes and no declaration is reported as
//! UTF-8.

use encoding_rs::{Encoding, REPLACEMENT, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};

/// How many bytes the `<meta>` prescan looks at.
pub const PRESCAN_BYTES: usize = 1024;
/// How many bytes chardetng is fed at most.
pub const DETECT_BYTES: usize = 1024 * 1024;

/// Text decoded from a document, with how its encoding was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    /// The encoding_rs name of the encoding used, e.g. "UTF-8", "GBK", "Big5", "Shift_JIS".
    pub encoding: &'static str,
    pub source: CharsetSource,
    /// True if malformed byte sequences were replaced with U+FFFD.
    pub had_errors: bool,
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
    /// chardetng's guess (or UTF-8 for pure ASCII), also when the declared charset was
    /// contradicted by the bytes (valid UTF-8 declared as another encoding, or bytes invalid in
    /// the declared encoding that detection decodes cleanly).
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

/// Decodes an HTML document. Never panics, whatever the bytes or the header.
///
/// `tld` is the rightmost label of the host the document came from ("cn", "jp", ...); it steers
/// detection. Anything that is not a plain ASCII label is ignored.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>, tld: Option<&str>) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return decode_with(encoding, &bytes[bom_len..], CharsetSource::Bom);
    }
    let declared = content_type
        .and_then(header_charset)
        .map(|e| (e, CharsetSource::Header))
        .or_else(|| prescan(bytes).map(|e| (e, CharsetSource::Meta)));
    let Some((encoding, source)) = declared else {
        return decode_with(detect(bytes, tld), bytes, CharsetSource::Detected);
    };
    // Declarations lie: pages re-saved as UTF-8 keep their old `<meta charset=gb2312>`, and
    // servers label GBK pages UTF-8. Valid UTF-8 with non-ASCII text is UTF-8 whatever the label
    // (legacy CJK text is essentially never valid UTF-8); a declared encoding the bytes break
    // gives way to detection when detection decodes them cleanly.
    if encoding != UTF_8 && !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok() {
        return decode_with(UTF_8, bytes, CharsetSource::Detected);
    }
    let decoded = decode_with(encoding, bytes, source);
    if decoded.had_errors {
        let guess = detect(bytes, tld);
        // Only a multi-byte CJK guess can be trusted here: a single-byte encoding decodes any
        // bytes "cleanly", which would hide broken bytes as mojibake instead of reporting them.
        let multi_byte =
            ["GBK", "gb18030", "Big5", "Shift_JIS", "EUC-JP", "EUC-KR"].contains(&guess.name());
        if guess != encoding && multi_byte {
            let retry = decode_with(guess, bytes, CharsetSource::Detected);
            if !retry.had_errors {
                return retry;
            }
        }
    }
    decoded
}

fn decode_with(encoding: &'static Encoding, bytes: &[u8], source: CharsetSource) -> Decoded {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: encoding.name(),
        source,
        had_errors,
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
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let sample = &bytes[..bytes.len().min(DETECT_BYTES)];
    let non_ascii = detector.feed(sample, sample.len() == bytes.len());
    if !non_ascii {
        return UTF_8;
    }
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
        assert_eq!((d.encoding, d.text.as_str()), ("UTF-16LE", "hi"));
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
