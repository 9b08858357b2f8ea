//! The title a reader sees: the heading that shows the `<title>`, `og:title` or JSON-LD
//! headline, else the declared title without the site-name suffix, else the first `<h1>`.

use std::sync::LazyLock;

use scraper::{Html, Selector};

use super::{PageMeta, Place, clean_text, element_text};

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

static HEADINGS: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("h1, h2, h3").expect("static selector"));

/// The title, and the position of the heading that shows it (if one does).
pub fn pick(doc: &Html, meta: &PageMeta, place: Place<'_>) -> (Option<String>, Option<u32>) {
    let references: Vec<&str> = [
        meta.page_title.as_deref(),
        meta.get(&["og:title", "twitter:title"]),
        meta.ld.headline.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut best: Option<(String, u32, usize)> = None;
    for h in doc.select(&HEADINGS).take(50) {
        let placed = place(h.id());
        if placed.is_some_and(|p| p.noise) && h.value().name() != "h1" {
            continue;
        }
        let text = element_text(&h);
        if text.chars().count() > 300 {
            continue;
        }
        if references.iter().any(|r| heading_matches(&text, r)) {
            let len = text.chars().count();
            // h1 first; among equals the longest.
            let rank = if h.value().name() == "h1" {
                2 * len + 1000
            } else {
                len
            };
            if best.as_ref().is_none_or(|(_, _, r)| rank > *r) {
                let open = placed.map_or(0, |p| p.open);
                best = Some((text, open, rank));
            }
        }
    }
    if let Some((text, open, _)) = best {
        return (Some(text), Some(open));
    }
    let names = meta.site_names();
    let from_meta = meta
        .ld
        .headline
        .as_deref()
        .or_else(|| meta.get(&["og:title", "twitter:title"]))
        .or(meta.page_title.as_deref())
        .map(|t| strip_site_suffix(t, &names))
        .filter(|t| !t.is_empty());
    if from_meta.is_some() {
        return (from_meta, None);
    }
    let h1 = doc
        .select(&HEADINGS)
        .find(|h| h.value().name() == "h1")
        .map(|h| element_text(&h))
        .filter(|t| !t.is_empty());
    (h1, None)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn pick_prefers_the_heading_that_shows_the_title() {
        let place = |_| None;
        let doc = Html::parse_document(
            r#"<title>Big news today - Example Times</title><h2>Other</h2><h1>Big news today</h1>"#,
        );
        let meta = super::super::collect(&doc);
        assert_eq!(
            pick(&doc, &meta, &place),
            (Some("Big news today".into()), Some(0))
        );
        let doc =
            Html::parse_document(r#"<title>标题很长的一篇文章_网易新闻</title><h1>网易</h1>"#);
        let meta = super::super::collect(&doc);
        assert_eq!(
            pick(&doc, &meta, &place),
            (Some("标题很长的一篇文章".into()), None)
        );
        let doc = Html::parse_document("<h1>Only a heading</h1>");
        let meta = super::super::collect(&doc);
        assert_eq!(
            pick(&doc, &meta, &place),
            (Some("Only a heading".into()), None)
        );
    }
}
