//! Cleaning inside the body: Readability's conditional cleaning of blocks (link lists, forms,
//! share bars) and the boilerplate lines (copyright, disclaimers, editors, sources, prompts).

use std::sync::LazyLock;

use regex::Regex;
use scraper::ElementRef;

use super::analysis::{Analysis, NodeMap, NodeSet};
use super::classify::{class_and_id, class_weight};
use super::{BYLINE_WORDS, DATE_LINE};
use crate::extract::meta;

/// Elements inside the body that Readability's conditional cleaning would remove: link lists,
/// forms, share bars and other blocks with little running text.
pub(super) fn conditional_skips(
    containers: &[ElementRef<'_>],
    a: &Analysis,
    scores: &NodeMap<f64>,
) -> NodeSet {
    let mut skip = NodeSet::default();
    // A furniture box is weighed against the whole body: in a sibling joined to the body (a
    // block of tags and notes after the story) it may be most of its container's text.
    let whole_text: u32 = containers
        .iter()
        .filter_map(|c| a.stats.get(&c.id()))
        .map(|st| st.text)
        .sum();
    for container in containers {
        let body = a.stats.get(&container.id()).copied().unwrap_or_default();
        for el in container.descendent_elements() {
            if el.id() == container.id() {
                continue;
            }
            let name = el.value().name();
            if is_furniture_box(el.value())
                && a.stats
                    .get(&el.id())
                    .is_some_and(|st| 2 * st.text < whole_text)
            {
                skip.insert(el.id());
                continue;
            }
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
            let is_list = matches!(name, "ul" | "ol" | "dl");
            // Items that say something besides their link ("Jane fixed <a>a bug</a> in the
            // parser") are text; a list of nothing but links (related stories) is not.
            let text_items = is_list && mostly_text_items(&el);
            // A list's score starts below zero by its tag; a list of text (not links) is body.
            let tag_start = if is_list && (st.link_density() < 0.5 || text_items) {
                -3.0
            } else {
                0.0
            };
            if weight + score - tag_start < 0.0 {
                skip.insert(el.id());
                continue;
            }
            // Running text keeps a block; numbered link lists ("1、…" … "10、…") are not running
            // text, however many enumeration commas they have.
            if st.punct >= 10 && st.link_density() < 0.5 {
                continue;
            }
            let ld = st.link_density();
            let remove = (st.inputs > 0 && st.inputs * 3 > st.p)
                || (st.img > 1 && ld > 0.5 && st.text < 25 * st.img)
                || (!is_list && weight < 25.0 && ld > 0.2 && st.text - st.link_text < 100)
                || (weight >= 25.0 && ld > 0.5)
                || (st.embeds > 0 && st.text < 75);
            if remove {
                skip.insert(el.id());
            }
        }
    }
    skip
}

/// Letters outside links an item needs to count as text of its own.
const MIN_ITEM_LETTERS: usize = 8;

/// Whether at least half the items of a list hold [`MIN_ITEM_LETTERS`] letters outside links.
fn mostly_text_items(list: &ElementRef<'_>) -> bool {
    let items: Vec<ElementRef<'_>> = list
        .child_elements()
        .filter(|c| matches!(c.value().name(), "li" | "dd" | "dt"))
        .collect();
    let with_text = items
        .iter()
        .filter(|li| {
            let mut letters = 0;
            for node in li.descendants() {
                let Some(t) = node.value().as_text() else {
                    continue;
                };
                let in_link = node
                    .ancestors()
                    .take_while(|n| n.id() != li.id())
                    .any(|n| n.value().as_element().is_some_and(|e| e.name() == "a"));
                if !in_link {
                    letters += t.chars().filter(|c| c.is_alphabetic()).count();
                }
            }
            letters >= MIN_ITEM_LETTERS
        })
        .count();
    !items.is_empty() && 2 * with_text >= items.len()
}

/// Class and id names of the boxes that close an article without being part of it: the author's
/// bio (`div.author-bio`, `.saboxplugin-wrap`, `.TestReport__AuthorBox`, `.author-card`),
/// disclaimers (`.editorial-disclaimer`), affiliate notes, post-metadata stamps
/// (`p.postmetadata`), calls to action (`section.c-letters-cta`), WordPress's tag lists
/// (`span.tag-links`, `div.post-tags`), the post footer of its themes (`div.entry-utility`:
/// category, tags, permalink) and its embeds of other posts (`blockquote.wp-embedded-content`,
/// a linked teaser). They are not furniture of the page (the metadata pickers
/// still read the author's name in them), only of the body.
static FURNITURE_BOX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)author-?bio|author_bio|author-?box|about-(?:the-)?author|author-card|saboxplugin|disclaimer|disclosure|affiliate|postmetadata|(?:^|[-_\s])cta(?:$|[-_\s])|tags?-links|post-tags|wp-embedded-content|entry-utility")
        .expect("static regex")
});

/// Whether an element inside the body is one of the [`FURNITURE_BOX`]es.
pub(super) fn is_furniture_box(el: &scraper::node::Element) -> bool {
    if matches!(el.name(), "body" | "html" | "article" | "main") {
        return false;
    }
    let names = class_and_id(el);
    !names.is_empty() && FURNITURE_BOX.is_match(&names)
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
    // a byline line left at the body's end (`作者：未知 责任编辑：X`)
    "作者：",
    "作者:",
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
    "本文原标题",
    "（原题为",
    "(原题为",
    "本文来自",
    "(本文来自",
    "（本文来自",
    "图片来自网络",
    "图片均来自网络",
    "图片来源",
    "原标题:",
    "（原标题",
    "(原标题",
    "版权所有",
    "未经授权",
    "转载请注明",
    "本文系",
    // WordPress's post footer in Chinese (`此条目是由 X 发表在 Y 分类目录的`), its "This entry
    // was posted in"
    "此条目",
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

/// Words of a platform's notice that it only stores its users' posts.
const PLATFORM_NOTICES: &[&str] = &[
    "仅提供信息存储",
    "僅提供信息存儲",
    "only provides information storage",
];

/// A wire credit closing an article: `(FRANCE 24 with AFP, REUTERS)`, `(AP)`.
pub(super) static WIRE_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[(（].{0,60}(?-u:\b)(?:AFP|Reuters|REUTERS|AP|Associated Press|Bloomberg|dpa|Xinhua)(?-u:\b).{0,30}[)）]$")
        .expect("static regex")
});

/// Lines that are page furniture whatever the language, by how they open: picture credits
/// (`Foto:`, `Photograph by`, `Crédits photos`, `Kuva:`), pointers to other pages (`Lesen Sie
/// auch`, `Le puede interesar`, `Read more`, `Czytaj też`), share, comment and login prompts,
/// subscription and newsletter calls, advertising labels, "posted in" and "updated" stamps.
static FURNITURE_OPENING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^[\s(\[>»*•-]*(?i:",
        // picture credits
        r"fotos?\s*:|photos?\s*(?::|by(?-u:\b))|photograph(?:s|ed)?\s+by|image\s*(?:credit|:)|",
        r"pictures?\s*:|credits?\s*:|crédits?\s+photos?|crédito\s*:|(?:titel|beitrags)?bild\s*:|",
        r"bildquelle|kuva\s*:|zdjęcie\s*:|fot\.\s|quelle\s*:|źródło\s*:|source\s*:|fuente\s*:|",
        // pointers to other pages
        r"(?:das|dies)\s+(?:thema\s+)?könnte\s+(?:sie|dich|euch)\s+(?:auch\s+)?interessieren|",
        r"auch\s+interessant|lesen\s+sie\s+(?:auch|hier|mehr)|mehr\s+zum\s+thema|mehr\s+themen|",
        r"schon\s+gelesen|zum\s+weiterlesen|weitere\s+info(?:rmationen|s)?\s*(?::|$|unter(?-u:\b)|hier(?-u:\b))|",
        r"(?:le|te)\s+puede\s+interesar|puedes\s+ver\s*:|vea\s+también|lee\s+también|mire\s*:|mira\s*:|",
        r"(?:à\s+)?lire\s+aussi|voir\s+aussi|read\s+(?:more|also|next)(?-u:\b)|see\s+also(?-u:\b)|",
        r"you\s+(?:may|might)\s+also\s+like|more\s+from(?-u:\b)|czytaj\s+(?:też|także|więcej)|zobacz\s+(?:też|także)|",
        // share, comment, login, subscribe, advertising
        r"(?:diesen\s+)?artikel\s+teilen|möchten\s+sie\s+(?:den|diesen)\s+artikel|",
        r"war\s+(?:der|dieser)\s+artikel|sie\s+müssen\s+sich\s+einloggen|sie\s+sind\s+(?:aktuell\s+)?nicht\s+eingeloggt|",
        r"share\s+(?:this|on)(?-u:\b)|subscribe\s+(?:now|to|today)(?-u:\b)|sign\s+up(?-u:\b)|never\s+miss(?-u:\b)|",
        r"follow\s+(?:us|the\s+\S+)\s+on(?-u:\b)|jetzt\s+abonnieren|zapraszamy\s+(?:też\s+)?do\s+subskrypcji|",
        r"anzeige\s*-|\*?werbung\s*[.:]|advertising\s+disclosure|",
        // stamps
        r"this\s+entry\s+was\s+posted|der\s+beitrag\s+wurde\s+am|stand\s*:|aktualisiert\s+am|",
        r"veröffentlich(?:t|ung)\s*:|verfasst\s+von\s*:|von\s*:|release\s+date\s*:|zurück\s+zu|",
        // Drupal's stamp: `Submitted by admin on Mon, 01/21/2019 - 13:49`
        r"submitted\s+(?:by\s.{1,60}?\s)?on\s+\S.{0,20}?[0-9]",
        r")",
    ))
    .expect("static regex")
});

/// Lines that turn to the reader about the site rather than the story: follow us on social
/// networks, download the app, subscribe, join the channel, the newsletter, comment below,
/// visit the shop (`Follow The Gleaner on Twitter`, `¿Ya sabías que tenemos canal de
/// Telegram?`, `Gefällt dir unser Magazin?`, `If you enjoyed reading this post`). Searched
/// anywhere in a short line; ASCII word boundaries keep the regex on its fast engine.
static READER_PROMPT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i:(?-u:\b)(?:follow|like)\s+(?:us|[\w.@]+(?:\s+[\w.@]+)?)\s+on\s+(?:twitter|facebook|instagram|tiktok|linkedin|youtube)|",
        r"(?-u:\b)download\s+(?:the|our)\s.{0,40}apps?(?-u:\b)|",
        r"please\s+subscribe|already\s+a\s+subscriber|subscribers\s+also\s+receive|subscribe\s+to\s+(?:our|the)\s|",
        r"(?:nuestro|tenemos|our|unserem?n?|notre)\s+(?:canal|channel|kanal)\s+(?:de\s+|on\s+)?(?:youtube|telegram|whatsapp)|",
        r"(?:our|unserem?n?)\s+(?:youtube|telegram|whatsapp)[-\s]?(?:kanal|channel)|",
        r"únete|síguenos|suscríbete|abonnez-vous|suivez-nous|obserwuj\s+nas|",
        r"if\s+you\s+(?:enjoyed|liked)\s+(?:reading\s+)?this|do\s+you\s+want\s+to\s+be\s+informed|",
        r"(?:gefällt|gefallen)\s+(?:dir|euch|ihnen)\s+unser|kennt\s+ihr\s+schon\s+unser|besuchen\s+sie\s+unser|",
        r"(?:verraten|schreiben|sagen)\s+(?:sie|du|ihr)\s+(?:uns\s+)?(?:es\s+)?(?:gerne\s+)?in\s+den\s+kommentaren",
        r")",
    ))
    .expect("static regex")
});

/// Chinese staff and toolbar lines: `编辑 刘晓阳 校对 李铭`, `摄影/张艳  编辑/苏芳`, `摄影：产品经理`,
/// `打印  字体： 放大 正常 缩小`, `返回腾讯网首页>>`, `扫描下方二维码…`, forum edit notes.
static CN_STAFF_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^[(（【\[]?\s*(?:责任编辑|责编|编辑|校对|审核|审校|监制|摄影|摄像|制图|主编|终审|供图)\s*[:：|｜/\s]|",
        r"(?:责任编辑|责编|编辑|校对|摄影)\s*[|｜/]\s*\p{Han}|",
        r"字体\s*[:：]?\s*放大|^返回.{0,12}首页|二维码|",
        // a forum post's edit note (Discuz!'s `本帖最后由 X 于 2012-3-5 08:12 编辑`, phpwind's
        // `[ 此帖被X在2011-12-09 08:44重新编辑 ]`): the board's stamp, not the poster's text
        r"^[\[【(（]?\s*(?:本帖最后由|此帖被).{1,40}编辑",
    ))
    .expect("static regex")
});

/// A forum post's signature: a rule of dashes or underscores (`------------`), then a short
/// line of the poster's that every post of theirs repeats.
fn is_signature(t: &str) -> bool {
    let rule = t
        .chars()
        .take_while(|c| matches!(c, '-' | '_' | '=' | '─' | '—'))
        .count();
    rule >= 10 && t.chars().count() - rule <= 80
}

/// Lines of one word or two that are labels of the page's furniture, not text.
const FURNITURE_LABELS: &[&str] = &[
    "zurück",
    "back",
    "kommentieren",
    "teilen",
    "drucken",
    "reklama",
    "anzeige",
    "werbung",
    "advertisement",
    "publicidad",
    "publicité",
    "inhaltsverzeichnis",
    "table of contents",
    "kontakt",
    "kontakt:",
    "news",
    // headings of a list of sources or picture credits
    "quellen",
    "quellenangaben",
    "zusatzinformationen",
    "bildnachweis",
    "bildnachweise",
    // the buttons of a paywall or login box under a cut-off article
    "log in",
    "login",
    "sign in",
    "register",
    "einloggen",
    "anmelden",
    "registrieren",
    "se connecter",
    "iniciar sesión",
    "ログイン",
    "会員登録",
    "今すぐ登録",
    "登录",
    "注册",
    "登入",
    "註冊",
    // the label of a slideshow the page fills by script
    "图集",
    "組圖",
    "组图",
    "bildergalerie",
];

/// Caption and notice lines the other rules miss: figure labels (`Abbildung 4: …`, `Abb. 2:`),
/// a zoom button's label before the caption (`Vergrößern  Eine kleine …`), German captions
/// that place people (`Maria T. (l.) und …`, `v. l. n. r.`), a credit glued to its caption
/// (`… des TurniersBild: AFP/SID`), licence and citation notes (`… unter der Lizenz
/// CC-BY-NC-ND`, `SUGGESTED CITATION`) and disclaimers (`Alle Angaben ohne Gewähr`).
static CAPTION_OR_NOTICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^[\s(\[>»*•-]*(?i:abbildung(?:\s+[0-9]+)?\s*:|abb\.\s*[0-9]+\s*:|vergrößern\s|suggested\s+citation|alle\s+angaben\s+ohne\s+gewähr)|",
        r"\((?:l\.|r\.|li\.|re\.|Mitte|v\.\s?l\.(?:\s?n\.\s?r\.)?)\)|^v\.\s?l\.\s?n\.\s?r\.|",
        r"\p{Ll}(?:Bild|Foto|Fotos|Photo|Quelle)\s*:\s*[^.!?]{2,60}$|",
        r"(?i:(?:unter\s+der\s+lizenz|licensed\s+under|lizenziert\s+unter)\s+(?:a\s+|the\s+|einer\s+)?(?:creative\s+commons|cc[- ]by))",
    ))
    .expect("static regex")
});

/// Calls for money, jobs and newsletters and pointers to other pages that [`READER_PROMPT`] and
/// [`FURNITURE_OPENING`] miss: `Unterstütze RosaMag bereits mit 2,50!`, `Wesprzyj nas`,
/// `Support our journalism`, `2023 nichts mehr versäumen!`, `Hier geht es zur …`, and the
/// initials-and-agency stamp that closes a wire story (`aja/PAP`, `dpa/lnw`).
static APPEAL_OR_POINTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i:unterstütze\s+(?:uns|unsere\s+arbeit|\p{L}+\s+(?:bereits|schon|mit|jetzt))|unterstützen\s+sie\s+(?:uns|unsere\s+arbeit)|",
        r"wesprzyj\s+(?:nas|nasz)|support\s+(?:us|our\s+(?:journalism|work|reporting))(?-u:\b)|jetzt\s+spenden|",
        r"nichts\s+(?:mehr\s+)?(?:verpassen|versäumen)|^hier\s+geht(?:'s|\s+es)\s+zu)|",
        r"^(?:[A-Za-z]{2,5}\s*/\s*)?(?:PAP|dpa|AFP|APA|KNA|epd|SDA|ANSA|EFE)(?:\s*/\s*[A-Za-z]{2,5})?$",
    ))
    .expect("static regex")
});

/// A gallery's buttons and a video's availability stamp: `Bild anzeigen Bild schließen`,
/// `Video verfügbar bis 28.02.2021`. (Not a gallery's counter, `1 / 5`: Readability keeps it.)
static GALLERY_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?i:bild\s+(?:anzeigen|schließen|vergrößern)|video\s+verfügbar\s+bis)")
        .expect("static regex")
});

/// Disclosures and disclaimers about the page, not the story: affiliate links (`Dieser Artikel
/// enthält Affiliate-Links …`, `Some of the links above are affiliate links …`), paid links
/// (`We may receive compensation when you click …`), and a site's word on its contributors
/// (`… is not responsible for the opinions …`, `Opinions expressed here are the author's alone`).
static DISCLOSURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i:affiliate[-\s]?links?(?-u:\b).{0,200}(?:klick|click|kauf|purchase|provision|commission|gekennzeichnet|marked)|",
        r"(?:enthält|contains?|sind\s+(?:mit\s+)?)\s+(?:sogenannte\s+)?affiliate[-\s]?links|",
        r"we\s+may\s+(?:receive|earn|get)\s+(?:a\s+)?(?:small\s+)?(?:compensation|commission)|",
        r"(?:is|are)\s+not\s+responsible\s+for\s+(?:the\s+)?(?:opinions?|content|comments|views)|",
        r"opinions\s+expressed\s+(?:here|in\s+this\s+\S+)\s+are\s+(?:the\s+author|solely|those))",
    ))
    .expect("static regex")
});

/// A teaser cut off before a link on (`Auskunft über vergangenes Wetter…   mehr`, `… Read
/// more »`) and a download link's file note (`Informationsschreiben PDF | 38 KB | …`).
static TEASER_OR_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:…|\.\.\.)\s*(?i:mehr|weiterlesen|read\s+more|more|lire\s+la\s+suite|leer\s+más)[\s\u{a0}»›>•.]*$|",
        r"(?i:pdf|docx?|xlsx?|pptx?|zip)\s*[|,(]\s*[0-9]+(?:[.,][0-9]+)?\s*(?i:[kmg]i?b)(?-u:\b)",
    ))
    .expect("static regex")
});

/// Whether a short line is page furniture by its words ([`FURNITURE_OPENING`],
/// [`FURNITURE_LABELS`]) or a caption by its credit ([`super::credit`]).
pub(super) fn is_furniture_line(t: &str, len: usize) -> bool {
    if len <= 24 {
        let lower = t.to_lowercase();
        if FURNITURE_LABELS.contains(&lower.trim_end_matches(['.', '!', ':', ' '])) {
            return true;
        }
        // A like button's count (`+1`, `+12`).
        if t.strip_prefix('+')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        {
            return true;
        }
    }
    (len <= 200 && FURNITURE_OPENING.is_match(t))
        || (len <= 300 && READER_PROMPT.is_match(t))
        || (len <= 240 && super::credit::closes_on_credit(t))
        || (len <= 80 && CN_STAFF_LINE.is_match(t))
        || (len <= 240 && CAPTION_OR_NOTICE.is_match(t))
        || (len <= 150 && APPEAL_OR_POINTER.is_match(t))
        || (len <= 60 && GALLERY_LINE.is_match(t))
        || (len <= 400 && DISCLOSURE.is_match(t))
        || (len <= 200 && TEASER_OR_FILE.is_match(t))
        // A teaser link set off by arrows (`>> Another story <<`).
        || (len <= 200 && t.starts_with(">>") && t.ends_with("<<"))
        || (len <= 200 && WIDGET_NOTICES.iter().any(|w| t.contains(w)))
}

/// Words of the notices that widgets put under an article, in any language: the "found a
/// mistake? select it and press Ctrl+Enter" box of Russian and Baltic sites, a Japanese
/// paywall's "members only" (`この記事は会員限定です`).
const WIDGET_NOTICES: &[&str] = &["Ctrl+Enter", "Ctrl + Enter", "会員限定"];

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
    // Only a line in brackets can be one (checked first: the regex is slow on long lines).
    if t.starts_with(['(', '（']) && t.ends_with([')', '）']) && WIRE_CREDIT.is_match(t) {
        return true;
    }
    if len <= 150 && BOILERPLATE_STARTS.iter().any(|p| t.starts_with(p)) {
        return true;
    }
    // The notice of a self-media platform (网易号, 搜狐号) under each of its users' posts: it
    // only stores what they publish (the wording of China's safe-harbour rule).
    if len <= 300 && PLATFORM_NOTICES.iter().any(|w| t.contains(w)) {
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
    if is_furniture_line(t, len) {
        return true;
    }
    if len <= 160 && (meta::software::is_member_panel(t) || is_signature(t)) {
        return true;
    }
    // A date-and-source line ("2019-12-02 11:35 来源：新华网"), or a date followed by a word or
    // three (`23.10.2018`, `24. März 2004, 19:49 | Genesis`), in any of the visible forms.
    let few_words = || {
        len <= 40
            && t.starts_with(|c: char| c.is_ascii_digit())
            && t.split_whitespace()
                .filter(|w| w.chars().any(char::is_alphabetic))
                .count()
                <= 3
            // Han text has no spaces: a dated caption is many letters in one "word".
            && t.chars().filter(|c| c.is_alphabetic()).count() <= 16
    };
    len <= 80
        && (DATE_LINE.is_match(t)
            || len <= 40 && meta::dates::visible_time(t, meta::dates::DayOrder::DayFirst).is_some())
        && (BYLINE_WORDS.is_match(t) || len <= 24 || few_words())
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
        // Forum posts: edit notes, the member's panel, the signature under its rule, the
        // post's stamp line.
        assert!(boiler("本帖最后由 山风老李 于 2012-3-5 08:12 编辑"));
        assert!(boiler("[ 此帖被绿手指小米在2011-12-09 08:44重新编辑 ]"));
        assert!(boiler("江边小舟\n等级：版主\n文章：356\n注册：2000-3-15"));
        assert!(boiler(
            "------------------------\n天涯何处无芳草，何必单恋一枝花"
        ));
        assert!(boiler("发表于：2002-10-13 19:45:21 引用 编辑"));
        // A self-media platform's notice, in both of its languages.
        assert!(boiler(
            "特别声明：以上内容(如有图片或视频亦包括在内)为自媒体平台“网易号”用户上传并发布，本平台仅提供信息存储服务。"
        ));
        assert!(boiler(
            "Notice: The content above (including the pictures and videos if any) is uploaded and posted by a user of NetEase Hao, which is a social media platform and only provides information storage services."
        ));
        assert!(!boiler(
            "文章：这是一段正文，说的是一篇文章的事情，不是会员资料。"
        ));
        assert!(!boiler("-----"));
        assert!(!boiler(
            "The dress was taken from her hotel room on Wednesday."
        ));
        assert!(!boiler(""));
    }

    #[test]
    fn furniture_lines_in_several_languages() {
        let boiler = |t: &str| is_boilerplate_line(t, "", "");
        for line in [
            "Foto: Christof Stache",
            "Photograph by Ed Marshall, Redonda Restoration Programme",
            "(Credit: Clayton Aldern / Grist)",
            "Crédits photos : Bestimage",
            "Das könnte Sie auch interessieren!",
            "Lesen Sie auch die folgenden Beiträge:",
            "LE PUEDE INTERESAR: La ficha de Juan Orlando Hernández",
            "Lire aussi : Les critiques de la CNIL",
            "Diesen Artikel teilen",
            "Sie müssen sich einloggen, um sich an einer Diskussion beteiligen zu können.",
            "Never miss the latest news by signing up to our newsletter today!",
            "This entry was posted in Allgemein. Bookmark the permalink.",
            "Weitere Informationen:",
            "zurück",
            "Reklama",
            "Maxi Taucher ist in der Weltspitze der Junioren angekommen. (Foto: Privat)",
            "Microsoft plans to cut its emissions by 2030.   Mike Blake/Reuters files",
            // A long caption: only its end is looked at, and the credit is there.
            "Die Läuferinnen und Läufer des Stadtlaufs starten am Sonntagmorgen bei bestem Wetter am Marktplatz, begleitet vom Applaus vieler Zuschauer. (Foto: Stadt Musterhausen)",
            "23.10.2018",
            "24. März 2004, 19:49 | Genesis",
            "编辑 刘晓阳 校对 李铭",
            "医技药剂党支部、药剂科供稿  摄影/张艳  编辑/苏芳",
            "打印  字体： 放大 正常 缩小  分享",
            "返回腾讯网首页>>",
            "图集",
            "+1",
            "(本文来自澎湃新闻，更多原创资讯请下载“澎湃新闻”APP)",
            "原创 GameForce 2019-09-04 22:18:34",
            "Follow The Gleaner on Twitter and Instagram @JamaicaGleaner",
            "Submitted on Mon, 2019-01-21 13:49",
            "Submitted by admin on Mon, 01/21/2019 - 13:49",
            "ログイン",
            "Log in",
            "Iezīmējiet tekstu un spiediet Ctrl+Enter, lai nosūtītu labojamo teksta fragmentu redaktoram!",
            "Нашли ошибку? Выделите её и нажмите Ctrl + Enter",
            "［有料会員限定］ この記事は会員限定です。電子版に登録すると続きをお読みいただけます。",
            "For the latest stories download the Nationnews apps for iOS and Android.",
            "To view the full story, please subscribe to The Haitian Times.",
            "¿Ya sabías que tenemos canal de Telegram? Únete desde tu celular.",
            "¡Mira lo que tiene nuestro canal de YouTube!",
            "Gefällt dir unser Klettermagazin?",
            "Verraten Sie gerne in den Kommentaren: Wie war es bei Ihnen?",
            "If you enjoyed reading this post, consider a donation.",
        ] {
            assert!(boiler(line), "{line}");
        }
        for line in [
            "Weitere Informationen erteilt Anne Althaus unter Tel. 02382 59743.",
            "Termin: 29.02.2020, 19 Uhr",
            "Am 7. Mai 2005 begann alles",
            "Von Anfang an war klar, dass die Sache schwierig wird, sagte sie.",
            "编辑部的同事们都认为这是一个很好的决定。",
            "2019年10月15日，沈阳，在八一公园晨练的老年人。（视觉中国）",
            "Netflix said it gained two million subscribers in the quarter, and shares rose.",
            "The app was downloaded a million times, the company said on Twitter.",
            "Für die Challenge nutzen wir die Sequenzen meines Youtube-Kanals, die ich zusammenstellte.",
            "Submitted by the council in 2019, the plan was rejected.",
            "Login data of 2 million users leaked on Monday.",
        ] {
            assert!(!boiler(line), "{line}");
        }
    }

    #[test]
    fn captions_notices_appeals_and_gallery_buttons() {
        let boiler = |t: &str| is_boilerplate_line(t, "", "");
        for line in [
            "Abbildung 4: Eine Schicht aus kantigen Körnern.",
            "Abbildung: Vergleich der Schneehöhen im Tal",
            "Vergrößern  Die Kamera sitzt in einer Aussparung.",
            "Anna Muster (l.) und Berta Beispiel beim Treffen im Rathaus",
            "v. l. n. r.: Anna Muster, Berta Beispiel",
            "Der Spieler jubelt nach dem SiegBild: Agentur/Fotograf",
            "Dieser Text wurde veröffentlicht unter der Lizenz CC-BY-NC-ND-4.0-DE.",
            "This post is licensed under a Creative Commons licence.",
            "SUGGESTED CITATION Muster, Anna: Ein Text, Blog, 2020",
            "(Alle Angaben ohne Gewähr)",
            ">> Noch eine Geschichte: Das Lokal schließt <<",
            "Unterstütze Beispielmagazin bereits mit 2,50!",
            "Wesprzyj nas już dziś",
            "Support our journalism today",
            "2023 nichts mehr versäumen!",
            "Hier geht es zur neuen Satzung",
            "aja/PAP",
            "dpa/lnw",
            "Bild anzeigen   Bild schließen",
            "Video verfügbar bis 28.02.2021",
            "Dieser Artikel enthält Affiliate-Links und/oder werbende Inhalte.",
            "*Disclosure: Some of the links above are affiliate links, meaning Site will earn a \
             commission if you click through.",
            "We may receive compensation when you click on links to those products.",
            "Site is not responsible for the opinions presented by contributors.",
            "Editorial Note: Opinions expressed here are the author's alone.",
            "Auskunft über vergangenes Wetter…   mehr\u{a0}\u{a0}•••",
            "The council met again on Monday... Read more »",
            "Informationsschreiben vom 14. Oktober 2021PDF | 38 KB | Datei ist nicht barrierefrei",
            "Quellenangaben:",
            "Bildnachweis",
        ] {
            assert!(boiler(line), "{line}");
        }
        for line in [
            "Wir unterstützen die Vereine seit Jahren mit Geld und Rat.",
            "Die Abbildung zeigt, wie sich die Schicht über Jahre bildet.",
            "Hier geht die Straße steil bergauf, sagte der Fahrer.",
            "The library is licensed under the Mozilla Public License.",
            "Die dpa meldete am Abend neue Zahlen.",
            "1 / 5",
            "Affiliate links are how many blogs pay their bills, the study found.",
            "The minister said he is not responsible for the delay.",
            "Und dann… mehr oder weniger Glück, sagte sie.",
            "Die Quellen der Donau liegen im Schwarzwald.",
        ] {
            assert!(!boiler(line), "{line}");
        }
    }

    #[test]
    fn lists_of_text_stay_in_the_body() {
        let doc = scraper::Html::parse_document(
            "<div id=body><p>Some running text, with commas, and more, and more, and more, \
             and more, and more, and more, and more, and more.</p>\
             <ul id=points><li>Wie sieht dein Alltag aus?</li></ul></div>",
        );
        let a = super::super::analysis::analyse(&doc, true);
        let body = doc
            .select(&scraper::Selector::parse("#body").unwrap())
            .next()
            .unwrap();
        let scores = super::super::candidates::score(&doc, &a);
        assert!(conditional_skips(&[body], &a, &scores).is_empty());
    }

    #[test]
    fn lists_whose_items_say_more_than_their_links_stay() {
        let doc = scraper::Html::parse_document(
            "<div id=body><p>Some running text, with commas, and more, and more, and more, \
             and more, and more, and more, and more, and more.</p>\
             <ul id=fixes><li>Jane Doe <a href=/1>fixed the crash on start</a> in the parser</li>\
             <li>John Roe <a href=/2>removed an old attribute from dialogs</a></li></ul></div>",
        );
        let a = super::super::analysis::analyse(&doc, true);
        let sel = |s: &str| {
            doc.select(&scraper::Selector::parse(s).unwrap())
                .next()
                .unwrap()
        };
        assert!(mostly_text_items(&sel("#fixes")));
        let skips = conditional_skips(&[sel("#body")], &a, &NodeMap::default());
        assert!(skips.is_empty());
    }

    /// A plain list of links inside the body stays, as Readability keeps it (a changelog's
    /// list of fixed bugs, a sub-list of an outline); the Markdown drops one that ends the body.
    /// A list named like furniture goes.
    #[test]
    fn link_lists_inside_the_body_stay_unless_named_like_furniture() {
        let doc = scraper::Html::parse_document(
            "<div id=body><p>Some running text, with commas, and more, and more, and more, \
             and more, and more, and more, and more, and more.</p>\
             <ul id=bugs><li><a href=/1>One more bug</a></li><li><a href=/2>Two more bugs</a></li></ul>\
             <ul id=more class=promo><li><a href=/1>One more story</a></li><li><a href=/2>Two more stories</a></li></ul></div>",
        );
        let a = super::super::analysis::analyse(&doc, true);
        let sel = |s: &str| {
            doc.select(&scraper::Selector::parse(s).unwrap())
                .next()
                .unwrap()
        };
        let skips = conditional_skips(&[sel("#body")], &a, &NodeMap::default());
        assert!(!skips.contains(&sel("#bugs").id()));
        assert!(skips.contains(&sel("#more").id()));
        assert_eq!(skips.len(), 1);
    }

    #[test]
    fn author_bios_disclaimers_and_calls_to_action_close_no_body() {
        let doc = scraper::Html::parse_document(
            "<div id=body><p>Some running text, with commas, and more, and more, and more, \
             and more, and more, and more, and more, and more, and more, and more, and more.</p>\
             <div id=bio class=saboxplugin-wrap><p>Jane Doe writes about food, travel, and more.</p></div>\
             <p id=stamp class=\"postmetadata alt\">This entry was filed under Food, and Travel.</p>\
             <section id=cta class=c-letters-cta><p>Tell us what you think, write to us.</p></section>\
             <div id=note class=editorial-disclaimer><p>The disclaimer below does not apply.</p></div>\
             <blockquote id=embed class=wp-embedded-content><p><a href=/other>Another post</a></p></blockquote>\
             <div id=tags class=post-tags><a href=/t/a>Food</a>, <a href=/t/b>Travel</a></div>\
             <p id=actor>The actress, who played in Nomadland, said so.</p></div>",
        );
        let a = super::super::analysis::analyse(&doc, true);
        let sel = |s: &str| {
            doc.select(&scraper::Selector::parse(s).unwrap())
                .next()
                .unwrap()
        };
        let skips = conditional_skips(&[sel("#body")], &a, &NodeMap::default());
        for id in ["#bio", "#stamp", "#cta", "#note", "#embed", "#tags"] {
            assert!(skips.contains(&sel(id).id()), "{id}");
        }
        assert!(!skips.contains(&sel("#actor").id()));
        // The author's name in the bio stays readable for the metadata pickers.
        assert!(!a.stats[&sel("#bio").id()].noise);
    }

    #[test]
    fn a_furniture_box_in_a_joined_sibling_is_weighed_against_the_whole_body() {
        let doc = scraper::Html::parse_document(
            "<div id=body><p>Some running text, with commas, and more, and more, and more, \
             and more, and more, and more, and more, and more, and more, and more, and more.</p></div>\
             <div id=after><p>More:</p><section id=note class=editorial-disclosure>\
             <p>We may receive compensation for some of the links in our stories.</p></section></div>",
        );
        let a = super::super::analysis::analyse(&doc, true);
        let sel = |s: &str| {
            doc.select(&scraper::Selector::parse(s).unwrap())
                .next()
                .unwrap()
        };
        let skips = conditional_skips(&[sel("#body"), sel("#after")], &a, &NodeMap::default());
        assert!(skips.contains(&sel("#note").id()));
    }
}
