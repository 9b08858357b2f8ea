//! A picture's caption closing on its credit: `… angekommen. (Foto: Privat)`,
//! `… im Display. - © jollier_ - stock.adobe.com`, `… Berlin. Kuva: ALEXANDER BECHER`,
//! `…Mike Blake/Reuters files`.
//!
//! Written out by hand rather than as one regex: the regex (kept in the tests as the rule's
//! statement) ends in `$` with counted classes under `(?i)`, so the crate runs it backwards
//! with a lazy DFA whose cache kept filling; at 8 µs a line it was two thirds of the time of
//! every line rule together, and 5% of a page's extraction. Each form below is found from its
//! one fixed character (`:`, `©`) or from the line's end, in a few steps.

/// Characters at the end of a line that are looked at: a credit is at most about 90.
const TAIL: usize = 120;

/// Words a credit opens with before its colon (`Foto: dpa`), case aside.
const CREDIT_LABELS: &[&str] = &[
    "foto", "fotos", "photo", "bild", "kuva", "credit", "quelle", "crédito",
];

/// Agencies and picture libraries a caption may end on by name (`… Reuters`, `(AFP)`).
const AGENCIES: &[&str] = &[
    "reuters",
    "afp",
    "ap",
    "dpa",
    "istock",
    "istock.com",
    "stock.adobe.com",
];

/// Whether `line` closes on a picture credit: a label and a colon (`(Foto: Privat)`), a `©`
/// and a name, or an agency's name, each with at most 60 characters after it and no full stop,
/// `!` or `?`.
pub(super) fn closes_on_credit(line: &str) -> bool {
    let t = tail(line, TAIL);
    labelled_credit(t) || copyright_credit(t) || agency_credit(t)
}

/// The last `chars` characters of `t` (all of it when shorter).
fn tail(t: &str, chars: usize) -> &str {
    t.char_indices()
        .rev()
        .nth(chars.saturating_sub(1))
        .map_or(t, |(i, _)| &t[i..])
}

/// `(Foto: Privat)`, ` Bild: AFP/SID`: a label after `(` or a space, a colon, then the credit.
fn labelled_credit(t: &str) -> bool {
    t.match_indices(':').any(|(at, _)| {
        let rest = &t[at + 1..];
        let label_end = t[..at].trim_end();
        credit_fits(rest, true)
            && CREDIT_LABELS.iter().any(|label| {
                strip_suffix_ignoring_case(label_end, label)
                    .is_some_and(|before| before.ends_with(|c: char| c == '(' || c.is_whitespace()))
            })
    })
}

/// `© jollier_ - stock.adobe.com`.
fn copyright_credit(t: &str) -> bool {
    t.match_indices('©')
        .any(|(at, sign)| credit_fits(&t[at + sign.len()..], false))
}

/// `…Mike Blake/Reuters files`, `(AFP)`, `Getty Images`: the line ends on the name, standing
/// apart from the word before.
fn agency_credit(t: &str) -> bool {
    let t = t.strip_suffix(')').unwrap_or(t);
    let without_files = strip_suffix_ignoring_case(t, "files")
        .filter(|before| before.ends_with(char::is_whitespace))
        .map(str::trim_end);
    [Some(t), without_files].into_iter().flatten().any(|end| {
        let named = AGENCIES
            .iter()
            .filter_map(|agency| strip_suffix_ignoring_case(end, agency))
            .chain(getty_images(end));
        named.into_iter().any(|before| {
            before
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
        })
    })
}

/// `end` without a closing `Getty Images` (any space between the words).
fn getty_images(end: &str) -> Option<&str> {
    let before = strip_suffix_ignoring_case(end, "images")?;
    let gap = before.trim_end();
    (gap.len() < before.len())
        .then(|| strip_suffix_ignoring_case(gap, "getty"))
        .flatten()
}

/// Whether what follows a credit's label or `©` is a credit: spaces, then 2 to 60 characters
/// (a closing `)` aside when `paren` allows one) and no `.`, `!` or `?`.
fn credit_fits(rest: &str, paren: bool) -> bool {
    if rest.contains(['.', '!', '?']) {
        return false;
    }
    let all = rest.chars().count();
    let spaces = rest.chars().take_while(|c| c.is_whitespace()).count();
    let closing = usize::from(paren && rest.ends_with(')'));
    all >= 2 && all - spaces - closing.min(all - spaces) <= 60
}

/// `s` without `suffix` at its end, compared without case.
fn strip_suffix_ignoring_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let n = suffix.chars().count();
    let (start, _) = s.char_indices().rev().nth(n.checked_sub(1)?)?;
    let end = &s[start..];
    let same = end
        .chars()
        .flat_map(char::to_lowercase)
        .eq(suffix.chars().flat_map(char::to_lowercase));
    same.then(|| &s[..start])
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use regex::Regex;

    use super::*;

    /// The rule as one regex, matched on the line's tail: the statement the code must agree
    /// with.
    static RULE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"(?i:[(\s](?:foto|fotos|photo|bild|kuva|credit|quelle|crédito)\s*:\s*[^.!?]{2,60}\)?|",
            r"©\s*[^.!?]{2,60}|(?:^|\W)(?:reuters|afp|ap|dpa|getty\s+images|istock(?:\.com)?|stock\.adobe\.com)(?:\s+files)?\)?)$",
        ))
        .unwrap()
    });

    const LINES: &[&str] = &[
        "Die Gäste sind angekommen. (Foto: Privat)",
        "Die Gäste sind angekommen. (foto : Privat)",
        "Die Gäste sind angekommen.(Foto: Privat)",
        "Ein Bild im Display. - © jollier_ - stock.adobe.com",
        "Ein Bild. ©a",
        "Ein Bild. ©",
        "Ein Bild. © ab ©",
        "Berlin. Kuva: ALEXANDER BECHER",
        "Mike Blake/Reuters files",
        "Mike Blake/Reuters  FILES)",
        "Mike Blake/Reutersfiles",
        "The minister spoke. (AP)",
        "The minister spoke, AP",
        "It was cheap",
        "Photo: Getty Images",
        "Photographer Getty   Images",
        "GettyImages",
        "Quelle: dpa.",
        "Quelle: dpa!",
        "Crédito: Juan Pérez",
        "CRÉDITO: Juan Pérez",
        "Bildquelle: picture alliance",
        "Titelbild: AFP/SID",
        "des TurniersBild: AFP/SID",
        "Credit: x",
        "Credit: xy",
        "Credit:      xy)",
        "Credit: xy)",
        "Credit: x)",
        "Foto: Dies ist ein sehr langer Satz ohne Punkt der weit über sechzig Zeichen hinaus geht und weiter",
        "(Foto:                                                                        kurz)",
        "Copyright © 2020 Example Media Group all rights reserved by the owners of this site",
        "Text mit istock.com",
        "Text mit iStock",
        "Text mit ISTOCK.COM)",
        "Text mit xistock",
        "Bericht von dpa",
        "reuters",
        "ap)",
        "Um 12:30 Uhr begann die Sitzung",
        "Foto: Hans Müller / Foto: Eva",
        "新华社记者 摄（Foto: 新华社）",
        "Line with a final colon Foto:",
        "",
    ];

    #[test]
    fn agrees_with_the_rule_on_crafted_lines() {
        for line in LINES {
            assert_eq!(
                closes_on_credit(line),
                RULE.is_match(tail(line, TAIL)),
                "{line:?}"
            );
        }
    }

    #[test]
    fn agrees_with_the_rule_on_the_quality_pages() {
        // Every text line of the committed quality pages, as a crude cut between tags.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/quality/pages");
        let mut lines = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let html = std::fs::read(entry.unwrap().path()).unwrap();
            let html = String::from_utf8_lossy(&html);
            for line in html.split(['<', '>', '\n']).map(str::trim) {
                lines += 1;
                assert_eq!(
                    closes_on_credit(line),
                    RULE.is_match(tail(line, TAIL)),
                    "{line:?}"
                );
            }
        }
        assert!(lines > 10_000, "{lines} lines");
    }

    #[test]
    fn tail_counts_characters() {
        assert_eq!(tail("abc", 5), "abc");
        assert_eq!(tail("abcdef", 3), "def");
        assert_eq!(tail("新闻摄影记者", 2), "记者");
        assert_eq!(tail("", 3), "");
    }
}
