//! The page's language: declared, unless the text's script says otherwise.

use std::sync::LazyLock;

/// Characters written differently in simplified and traditional Chinese, pairwise.
const SIMPLIFIED: &str = "们这个来时说国会为与对后过还发经从见问现点样当将开关长门东车业学体实机电话党军华区资应无称统报总场处内产万几间头动进种么让认变义标项记据并务价选";
const TRADITIONAL: &str = "們這個來時說國會為與對後過還發經從見問現點樣當將開關長門東車業學體實機電話黨軍華區資應無稱統報總場處內產萬幾間頭動進種麼讓認變義標項記據並務價選";

/// The page's language: `<html lang>` (or JSON-LD/meta) when the text does not contradict it,
/// else detected from the text by script: Han → `zh-CN`/`zh-TW` (simplified vs traditional
/// character frequency), kana → `ja`, hangul → `ko`, Latin → `en`.
pub fn language(declared: Option<&str>, text: &str) -> String {
    let detected = detect_script(text);
    let declared = declared.map(normalize_lang).filter(|l| !l.is_empty());
    match (declared, detected) {
        (Some(d), Some(det)) => {
            let d_zh = d.starts_with("zh");
            let det_zh = det.starts_with("zh");
            if (d_zh != det_zh && (det_zh || det == "en")) || d == "zh" {
                det.to_owned()
            } else {
                d
            }
        }
        (Some(d), None) if d == "zh" => "zh-CN".to_owned(),
        (Some(d), None) => d,
        (None, Some(det)) => det.to_owned(),
        (None, None) => "en".to_owned(),
    }
}

fn normalize_lang(tag: &str) -> String {
    let tag = tag.trim().replace('_', "-").to_ascii_lowercase();
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    match primary {
        "zh" => {
            if rest.iter().any(|p| matches!(*p, "hk" | "mo")) {
                "zh-HK".to_owned()
            } else if rest.iter().any(|p| matches!(*p, "tw" | "hant")) {
                "zh-TW".to_owned()
            } else if rest.iter().any(|p| matches!(*p, "cn" | "hans" | "sg")) {
                "zh-CN".to_owned()
            } else {
                "zh".to_owned()
            }
        }
        "" => String::new(),
        p if p.len() <= 3 && p.bytes().all(|b| b.is_ascii_alphabetic()) => p.to_owned(),
        _ => String::new(),
    }
}

/// [`SIMPLIFIED`] and [`TRADITIONAL`] as sorted characters, looked up by binary search (a
/// search of the strings for every Han character of the page was a hundredth of extraction).
static SORTED_FORMS: LazyLock<[Vec<char>; 2]> = LazyLock::new(|| {
    [SIMPLIFIED, TRADITIONAL].map(|s| {
        let mut chars: Vec<char> = s.chars().collect();
        chars.sort_unstable();
        chars
    })
});

fn detect_script(text: &str) -> Option<&'static str> {
    let [simplified, traditional] = &*SORTED_FORMS;
    let (mut han, mut latin, mut kana, mut hangul, mut simp, mut trad) =
        (0u32, 0u32, 0u32, 0u32, 0u32, 0u32);
    for c in text.chars().take(20_000) {
        match c {
            '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' => {
                han += 1;
                if simplified.binary_search(&c).is_ok() {
                    simp += 1;
                } else if traditional.binary_search(&c).is_ok() {
                    trad += 1;
                }
            }
            '\u{3040}'..='\u{30FF}' => kana += 1,
            '\u{AC00}'..='\u{D7AF}' => hangul += 1,
            c if c.is_ascii_alphabetic() => latin += 1,
            _ => {}
        }
    }
    let cjk = han + kana + hangul;
    if cjk == 0 && latin == 0 {
        return None;
    }
    // A Han character carries about as much text as four Latin letters.
    if cjk * 4 >= latin {
        if hangul * 2 > cjk {
            return Some("ko");
        }
        if kana * 10 > cjk {
            return Some("ja");
        }
        return Some(if trad > simp { "zh-TW" } else { "zh-CN" });
    }
    Some("en")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages() {
        assert_eq!(language(Some("zh-cn"), "中文"), "zh-CN");
        assert_eq!(
            language(Some("en"), "这是一篇中文新闻，说的是国内的事情。"),
            "zh-CN"
        );
        assert_eq!(
            language(None, "這是一篇中文新聞，說的是國內的事情。"),
            "zh-TW"
        );
        assert_eq!(
            language(Some("zh"), "這是一篇中文新聞，說的是國內的事情。"),
            "zh-TW"
        );
        assert_eq!(language(None, "This is an English story."), "en");
        assert_eq!(language(Some("en-GB"), "This is an English story."), "en");
        assert_eq!(language(Some("fr"), "Ceci est un article."), "fr");
        assert_eq!(language(Some("zh-Hant-TW"), ""), "zh-TW");
        assert_eq!(language(None, "日本語のニュースです。"), "ja");
    }
}
