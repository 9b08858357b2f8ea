//! The standard markup of the widespread software behind Chinese forums and blogs, kept in one
//! place: what each template marks as the opening post's (or the blog post's) author. These are
//! conventions of the software (every Discuz! or phpwind board, every Sina or Netease blog
//! shares them), not of one site.
//!
//! - Discuz! X: each post is a `div#post_<pid>`; its author is the link in `.authi`
//!   (`<a href="space-uid-3321.html">`, or `home.php?mod=space&uid=…`).
//! - Discuz! 6 and 7: each post's author cell is `td.postauthor`, the name its first link to the
//!   member's space (`space.php?uid=…`, `<cite><a>` in 6).
//! - phpwind: the author's name is `.readName` (`<div class="readName b"><a href="u.php?uid=…">`).
//! - Tianya: the thread's info line `.atl-info` (`楼主：<a uname="…">`), above the opening post;
//!   Baidu Tieba: each post's `a.p_author_name`.
//! - Sina blog: `<title>` is `Post_Nick_新浪博客`; Netease blog: `Post - Nick的日志 - 网易博客`.
//!
//! - Discuz! (6, 7 and X): each post's time is `em#authorposton<pid>` (`发表于 2012-3-4 10:20`);
//!   a recent one reads `3 天前` or `前天 10:20` with the time itself in a `span[title]`.
//! - Any board (Discuz!, Dvbbs, phpwind's and older ASP boards): the member's panel beside a
//!   post, the name then labels of rank and counts (`江边小舟 等级：版主 文章：356 注册：…`).
//!
//! On a thread page the first post's author comes first in document order, so the first match
//! is the thread's author; reply posts after it are never read.

use std::sync::LazyLock;

use regex::Regex;

use super::dates::{DayOrder, PageTime, parse_time, visible_time};
use super::{Elements, PageMeta, element_text};

/// The labels of a forum member's panel beside a post (`等级：版主`, `文章：356`,
/// `注册：2000-3-15`).
static MEMBER_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    // No boundary before a label: the panel's lines are parted by `<br>`s, which leave no space
    // in an element's text (`江边小舟等级：版主文章：356`).
    Regex::new(r"(?:等级|级别|头衔|文章|帖子|发帖|积分|经验|威望|金钱|精华|注册|注册时间|阅读权限|在线时间)\s*[:：]\s*\S")
        .expect("static regex")
});

/// Whether a line is a forum member's panel beside a post (name, rank, post count, sign-up
/// date): two of its labels or more.
pub fn is_member_panel(line: &str) -> bool {
    MEMBER_LABEL.find_iter(line).nth(1).is_some()
}

/// The name a member's panel opens with (`江边小舟 等级：版主 文章：356`), read from the lines
/// around and at the start of the body: a word, then two panel labels or more.
pub fn member_panel_author(lines: &[&str]) -> Option<String> {
    lines.iter().find_map(|line| {
        let t = line.trim();
        if !is_member_panel(t) {
            return None;
        }
        let first = MEMBER_LABEL.find(t)?;
        let name = t[..first.start()].trim();
        let ok = !name.is_empty()
            && name.chars().count() <= 20
            && !name.contains(char::is_whitespace)
            && !name.contains([':', '：']);
        ok.then(|| name.to_owned())
    })
}

/// What the boards' templates put in `<meta name="author">` (Discuz! 7 credits its own team
/// there): the software's, not the page's author.
pub fn is_software_credit(name: &str) -> bool {
    name.contains("Discuz!") || name.contains("Comsenz")
}

/// The author as the page's software marks it, if the page is one of theirs.
pub fn author(els: &Elements<'_>, meta: &PageMeta) -> Option<String> {
    meta.page_title
        .as_deref()
        .and_then(blog_title_author)
        .or_else(|| forum_author(els))
}

/// The opening post's time on a Discuz! thread page: the first `em#authorposton…`, its
/// `span[title]` when it shows a relative time. The edit note (`本帖最后由 X 于 … 编辑`) and the
/// replies are dated later; this is the thread's own time.
pub fn post_time(els: &Elements<'_>) -> Option<PageTime> {
    let em = els
        .marked
        .iter()
        .find(|m| m.id.is_some_and(|id| id.starts_with("authorposton")))?;
    let titled = em
        .el
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
        .find_map(|e| e.value().attr("title").and_then(parse_time));
    titled.or_else(|| {
        let text = element_text(&em.el);
        visible_time(&text, DayOrder::DayFirst).or_else(|| parse_time(&text))
    })
}

/// The blogger's name in a blog platform's `<title>`.
fn blog_title_author(title: &str) -> Option<String> {
    let name = if let Some(rest) = title.strip_suffix("_新浪博客") {
        // `外婆家的小院_林间小路_新浪博客`: the post's title may hold `_` too, the name not.
        rest.rsplit_once('_')?.1
    } else if let Some(rest) = title.strip_suffix("的日志 - 网易博客") {
        rest.rsplit_once(" - ")?.1
    } else {
        return None;
    };
    let name = name.trim();
    (!name.is_empty() && name.chars().count() <= 30).then(|| name.to_owned())
}

/// The first post's author on a Discuz!, phpwind, Tianya or Tieba thread page.
fn forum_author(els: &Elements<'_>) -> Option<String> {
    let short = |t: &String| !t.is_empty() && t.chars().count() <= 30;
    els.marked.iter().find_map(|m| {
        let mut classes = m.class?.split_whitespace();
        let links = || {
            m.el.descendants()
                .filter_map(scraper::ElementRef::wrap)
                .filter(|a| a.value().name() == "a")
        };
        match classes.find(|c| {
            matches!(
                *c,
                "authi" | "postauthor" | "readName" | "atl-info" | "p_author_name"
            )
        })? {
            // Tieba: the name link itself.
            "p_author_name" => Some(element_text(&m.el)).filter(short),
            // Tianya: `楼主：<a uname="…">` in the thread's info line.
            "atl-info" => links()
                .find_map(|a| a.value().attr("uname").map(str::trim).map(str::to_owned))
                .filter(short),
            _ => links()
                .filter(|a| a.value().attr("href").is_some_and(is_member_page))
                .map(|a| element_text(&a))
                .find(short),
        }
    })
}

/// A member's page on a board: `space-uid-3321.html`, `space.php?uid=881`,
/// `home.php?mod=space&uid=…`, `u.php?uid=…`, `profile.php?uid=…`.
fn is_member_page(href: &str) -> bool {
    href.contains("uid=") || href.contains("uid-") || href.contains("space.php?username=")
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn author_of(html: &str) -> Option<String> {
        let doc = Html::parse_document(html);
        let els = Elements::new(&doc);
        author(&els, &super::super::collect_in(&els))
    }

    #[test]
    fn forum_thread_pages_name_the_first_posts_author() {
        let discuz_x = concat!(
            r#"<title>T - 论坛 - Powered by Discuz!</title><div id="postlist">"#,
            r#"<div id="post_1"><div class="authi"><a href="space-uid-7.html" class="xw1">楼主甲</a></div></div>"#,
            r#"<div id="post_2"><div class="authi"><a href="space-uid-8.html">回帖乙</a></div></div></div>"#,
        );
        assert_eq!(author_of(discuz_x).as_deref(), Some("楼主甲"));
        let discuz_7 = concat!(
            r#"<table><tr><td class="postauthor"><div class="postinfo">"#,
            r#"<a href="space.php?uid=881">陈师傅</a></div></td></tr></table>"#,
        );
        assert_eq!(author_of(discuz_7).as_deref(), Some("陈师傅"));
        let phpwind = r#"<div class="readName b"><a href="u.php?uid=4">小米</a></div>"#;
        assert_eq!(author_of(phpwind).as_deref(), Some("小米"));
        let tianya = r#"<div class="atl-info"><span>楼主：<a href="./p/4" uname="阿青">阿青</a></span></div>"#;
        assert_eq!(author_of(tianya).as_deref(), Some("阿青"));
        let tieba = concat!(
            r#"<li class="d_name"><a class="p_author_name j_user_card" href="./home">老孙</a></li>"#,
            r#"<div class="d_badge_title">钟表迷</div>"#,
        );
        assert_eq!(author_of(tieba).as_deref(), Some("老孙"));
        // Not a member's link: a page's own `.authi` box of another kind names nobody.
        let other = r#"<div class="authi"><a href="/about">关于我们</a></div>"#;
        assert_eq!(author_of(other), None);
        assert!(is_software_credit("Discuz! Team and Comsenz UI Team"));
    }

    #[test]
    fn discuz_post_times_are_the_opening_posts() {
        let time = |html: &str| {
            let doc = Html::parse_document(html);
            post_time(&Elements::new(&doc)).map(|t| t.local.to_string())
        };
        let html = concat!(
            r#"<div id="post_1"><em id="authorposton1">发表于 2012-3-4 10:20</em></div>"#,
            r#"<div id="post_2"><em id="authorposton2">发表于 2012-3-5 08:00</em></div>"#,
        );
        assert_eq!(time(html).as_deref(), Some("2012-03-04 10:20:00"));
        let recent =
            r#"<em id="authorposton9">发表于 <span title="2012-3-4 10:20">3&nbsp;天前</span></em>"#;
        assert_eq!(time(recent).as_deref(), Some("2012-03-04 10:20:00"));
        assert_eq!(time("<em id=\"other\">发表于 2012-3-4 10:20</em>"), None);
    }

    #[test]
    fn blog_platform_titles_name_the_blogger() {
        assert_eq!(
            blog_title_author("外婆家的_小院_林间小路_新浪博客").as_deref(),
            Some("林间小路")
        );
        assert_eq!(
            blog_title_author("第一次带父母出国旅行 - 晴天的日志 - 网易博客").as_deref(),
            Some("晴天")
        );
        assert_eq!(blog_title_author("新浪博客"), None);
        assert_eq!(
            member_panel_author(&["标题", "江边小舟 等级：版主 文章：356 注册：2000-3-15"])
                .as_deref(),
            Some("江边小舟")
        );
        assert_eq!(member_panel_author(&["等级：版主 文章：356"]), None);
        assert_eq!(
            member_panel_author(&["江边小舟等级：版主文章：356"]).as_deref(),
            Some("江边小舟")
        );
        assert_eq!(member_panel_author(&["他说 文章：好"]), None);
        assert_eq!(blog_title_author("某某新闻_新浪网"), None);
    }
}
