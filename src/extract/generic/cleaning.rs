//! Cleaning inside the body: Readability's conditional cleaning of blocks (link lists, forms,
//! share bars) and the boilerplate lines (copyright, disclaimers, editors, sources, prompts).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ego_tree::NodeId;
use regex::Regex;
use scraper::ElementRef;

use super::analysis::Analysis;
use super::classify::class_weight;
use super::{BYLINE_WORDS, DATE_LINE};
use crate::extract::meta;

/// Elements inside the body that Readability's conditional cleaning would remove: link lists,
/// forms, share bars and other blocks with little running text.
pub(super) fn conditional_skips(
    containers: &[ElementRef<'_>],
    a: &Analysis,
    scores: &HashMap<NodeId, f64>,
) -> HashSet<NodeId> {
    let mut skip = HashSet::new();
    for container in containers {
        let body = a.stats.get(&container.id()).copied().unwrap_or_default();
        for el in container.descendent_elements() {
            if el.id() == container.id() {
                continue;
            }
            let name = el.value().name();
            if !matches!(
                name,
                "div"
                    | "section"
                    | "table"
                    | "ul"
                    | "ol"
                    | "dl"
                    | "form"
                    | "fieldset"
                    | "aside"
                    | "header"
                    | "center"
            ) {
                continue;
            }
            let Some(st) = a.stats.get(&el.id()) else {
                continue;
            };
            if st.noise {
                continue;
            }
            // A block holding most of the body's running text is the body, whatever its names
            // (page builders wrap every text in `elementor-widget-container`).
            if st.punct > 0
                && st.link_density() < 0.5
                && 2 * st.punct >= body.punct
                && 2 * st.text >= body.text
            {
                continue;
            }
            let weight = class_weight(el.value());
            let score = scores.get(&el.id()).copied().unwrap_or(0.0);
            if weight + score < 0.0 {
                skip.insert(el.id());
                continue;
            }
            // Running text keeps a block; numbered link lists ("1、…" … "10、…") are not running
            // text, however many enumeration commas they have.
            if st.punct >= 10 && st.link_density() < 0.5 {
                continue;
            }
            let ld = st.link_density();
            let is_list = matches!(name, "ul" | "ol" | "dl");
            let remove = (st.inputs > 0 && st.inputs * 3 > st.p)
                || (st.img > 1 && ld > 0.5 && st.text < 25 * st.img)
                || (!is_list && weight < 25.0 && ld > 0.2 && st.text - st.link_text < 100)
                || (weight >= 25.0 && ld > 0.5)
                || (is_list && ld > 0.5)
                || (st.embeds > 0 && st.text < 75);
            if remove {
                skip.insert(el.id());
            }
        }
    }
    skip
}

/// Lines of boilerplate inside bodies: copyright, disclaimers, editors, sources, prompts.
pub(super) const BOILERPLATE_STARTS: &[&str] = &[
    "责任编辑",
    "(责任编辑",
    "（责任编辑",
    "[责任编辑",
    "【责任编辑",
    "责编",
    "编辑：",
    "编辑:",
    "本文来源",
    "文章来源",
    "来源：",
    "来源:",
    "声明：",
    "声明:",
    "免责声明",
    "【免责声明】",
    "版权声明",
    "【版权声明】",
    "原标题：",
    "原标题:",
    "（原标题",
    "(原标题",
    "版权所有",
    "未经授权",
    "转载请注明",
    "本文系",
    "点击进入",
    "点击查看",
    "更多精彩",
    "关注我们",
    "扫描二维码",
    "长按识别",
    "打开APP",
    "举报/反馈",
    "返回搜狐",
    "相关阅读",
    "相关新闻",
    "延伸阅读",
    "推荐阅读",
    "分享到",
    "Copyright",
    "copyright",
    "©",
    "All rights reserved",
    "Share this",
    "Follow us",
    "Sign up for",
    "Advertisement",
    "ADVERTISEMENT",
    "Read more:",
    "Related:",
    "Click here",
];

/// A wire credit closing an article: `(FRANCE 24 with AFP, REUTERS)`, `(AP)`.
pub(super) static WIRE_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[(（].{0,60}\b(?:AFP|Reuters|REUTERS|AP|Associated Press|Bloomberg|dpa|Xinhua)\b.{0,30}[)）]$")
        .expect("static regex")
});

/// Letters and digits only, lower-cased: for finding a piece of the title.
pub(super) fn alnum_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

pub(super) fn is_boilerplate_line(text: &str, title_key: &str, title_alnum: &str) -> bool {
    let t = text.trim();
    if t.is_empty() {
        return false;
    }
    let len = t.chars().count();
    if !title_key.is_empty() && meta::normalize_for_match(t) == title_key {
        return true;
    }
    // A piece of the title shown as a kicker or deck ("Lupita Nyong'o", "$150K Pearl Oscar
    // Dress ... STOLEN!!!!" under "Lupita Nyong'o's $150K Pearl Oscar Dress -- STOLEN!!!").
    if len <= 80 {
        let key = alnum_key(t);
        let key_len = key.chars().count();
        if key_len >= 10
            && (title_alnum.starts_with(key.as_str())
                || title_alnum.ends_with(key.as_str())
                || 3 * key_len >= title_alnum.chars().count() && title_alnum.contains(key.as_str()))
        {
            return true;
        }
    }
    if WIRE_CREDIT.is_match(t) {
        return true;
    }
    if len <= 150 && BOILERPLATE_STARTS.iter().any(|p| t.starts_with(p)) {
        return true;
    }
    // App and account promotions: "证券时报APP", "微信公众号".
    if len <= 12
        && ["APP", "App", "公众号", "客户端"]
            .iter()
            .any(|e| t.ends_with(e))
    {
        return true;
    }
    // A date-and-source line ("2019-12-02 11:35 来源：新华网"), or a bare date.
    len <= 80 && DATE_LINE.is_match(t) && (BYLINE_WORDS.is_match(t) || len <= 24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boilerplate_lines() {
        let title = "Lupita Nyong'o's Pearl Dress Stolen";
        let (key, alnum) = (meta::normalize_for_match(title), alnum_key(title));
        let boiler = |t: &str| is_boilerplate_line(t, &key, &alnum);
        assert!(boiler("Lupita Nyong'o's Pearl Dress Stolen"));
        assert!(boiler("责任编辑：张三"));
        assert!(boiler("(FRANCE 24 with AFP, REUTERS)"));
        assert!(boiler("2019-12-02 11:35 来源：新华网"));
        assert!(!boiler(
            "The dress was taken from her hotel room on Wednesday."
        ));
        assert!(!boiler(""));
    }

    #[test]
    fn link_lists_inside_the_body_are_skipped() {
        let doc = scraper::Html::parse_document(
            "<div id=body><p>Some running text, with commas, and more, and more, and more, \
             and more, and more, and more, and more, and more.</p>\
             <ul id=more><li><a href=/1>One more story</a></li><li><a href=/2>Two more stories</a></li></ul></div>",
        );
        let a = super::super::analysis::analyse(&doc, true);
        let sel = |s: &str| {
            doc.select(&scraper::Selector::parse(s).unwrap())
                .next()
                .unwrap()
        };
        let skips = conditional_skips(&[sel("#body")], &a, &HashMap::new());
        assert!(skips.contains(&sel("#more").id()));
        assert_eq!(skips.len(), 1);
    }
}
