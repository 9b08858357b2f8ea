//! Tencent News list APIs (tencent-news.md §1.6): the channel list (`sub_srv_id` such as
//! `24hours`, `tech`, `finance`), paged by offset, and an author's article list
//! (`getSubNewsMixedList`), paged by the opaque `offset_info` cursor. Pure: URLs out, JSON in.

use serde_json::Value;
use url::Url;

/// The APIs answer only requests that come from the site's pages.
pub const REFERER: &str = "https://news.qq.com/";
/// Items per channel page.
pub const CHANNEL_PAGE_SIZE: u32 = 20;

/// What a listed item is: only text articles are archived; the rest is recorded from the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
    Text,
    Video,
    /// Another non-text type, with the list's type code.
    Other(String),
}

impl ItemKind {
    /// `articletype`/`article_type`: 0 is text; 4 and 118 are video (RSSHub author.tsx).
    fn from_code(code: &str) -> ItemKind {
        match code {
            "" | "0" => ItemKind::Text,
            "4" | "118" => ItemKind::Video,
            other => ItemKind::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            ItemKind::Text => "text",
            ItemKind::Video => "video",
            ItemKind::Other(_) => "other",
        }
    }
}

/// One item of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListItem {
    pub url: String,
    pub title: String,
    /// Beijing time, as the list gives it.
    pub published: Option<String>,
    pub kind: ItemKind,
    /// The item as listed, kept for non-text items (title, cover, abstract...).
    pub listing: Value,
}

pub fn channel_page_url(api_base: &str, channel: &str, page: u32) -> Result<Url, url::ParseError> {
    let mut url = Url::parse(&format!(
        "{}/trpc.qqnews_web.kv_srv.kv_srv_http_proxy/list",
        api_base.trim_end_matches('/')
    ))?;
    url.query_pairs_mut()
        .append_pair("sub_srv_id", channel)
        .append_pair("srv_id", "pc")
        .append_pair("offset", &(page * CHANNEL_PAGE_SIZE).to_string())
        .append_pair("limit", &CHANNEL_PAGE_SIZE.to_string())
        .append_pair("strategy", "1")
        .append_pair(
            "ext",
            r#"{"pool":["high","top"],"is_filter":10,"check_type":true}"#,
        );
    Ok(url)
}

/// A channel page: its items, and whether another page may follow.
pub fn parse_channel_page(body: &[u8]) -> Result<(Vec<ListItem>, bool), String> {
    let json: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    check_ret(&json)?;
    let list = json
        .pointer("/data/list")
        .and_then(Value::as_array)
        .ok_or("no data.list in the channel answer")?;
    let items: Vec<ListItem> = list
        .iter()
        .filter_map(|item| {
            let id = text(item, "article_id");
            let url = text(item, "url")
                .or_else(|| id.map(|id| format!("https://new.qq.com/rain/a/{id}")))?;
            Some(ListItem {
                url,
                title: text(item, "title").unwrap_or_default(),
                published: text(item, "publish_time"),
                kind: ItemKind::from_code(&text(item, "article_type").unwrap_or_default()),
                listing: item.clone(),
            })
        })
        .collect();
    let more = list.len() as u32 >= CHANNEL_PAGE_SIZE;
    Ok((items, more))
}

pub fn author_page_url(
    api_base: &str,
    suid: &str,
    cursor: Option<&str>,
) -> Result<Url, url::ParseError> {
    let mut url = Url::parse(&format!(
        "{}/getSubNewsMixedList",
        api_base.trim_end_matches('/')
    ))?;
    url.query_pairs_mut()
        .append_pair("guestSuid", suid)
        .append_pair("tabId", "om_article")
        .append_pair("caller", "1")
        .append_pair("from_scene", "103")
        .append_pair("visit_type", "guest")
        .append_pair("offset_info", cursor.unwrap_or(""));
    Ok(url)
}

/// An author page: its items, and the cursor of the next page (when there is one).
pub fn parse_author_page(body: &[u8]) -> Result<(Vec<ListItem>, Option<String>), String> {
    let json: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    check_ret(&json)?;
    let list = json
        .get("newslist")
        .and_then(Value::as_array)
        .ok_or("no newslist in the author answer")?;
    let items = list
        .iter()
        .filter_map(|item| {
            let url = text(item, "url")
                .or_else(|| {
                    item.pointer("/link_info/url")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .or_else(|| text(item, "id").map(|id| format!("https://new.qq.com/rain/a/{id}")))?;
            let published = text(item, "time")
                .or_else(|| text(item, "publish_time"))
                .or_else(|| {
                    item.get("timestamp")
                        .and_then(Value::as_i64)
                        .and_then(beijing_from_epoch)
                });
            Some(ListItem {
                url,
                title: text(item, "title")
                    .or_else(|| text(item, "longtitle"))
                    .unwrap_or_default(),
                published,
                kind: ItemKind::from_code(&text(item, "articletype").unwrap_or_default()),
                listing: item.clone(),
            })
        })
        .collect();
    let has_next = match json.get("hasNext") {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    };
    let cursor = json
        .get("offsetInfo")
        .and_then(Value::as_str)
        .filter(|c| has_next && !c.is_empty())
        .map(str::to_owned);
    Ok((items, cursor))
}

fn check_ret(json: &Value) -> Result<(), String> {
    match json.get("ret").and_then(Value::as_i64) {
        None | Some(0) => Ok(()),
        Some(code) => Err(format!(
            "the API answered ret={code} ({})",
            json.get("msg")
                .and_then(Value::as_str)
                .unwrap_or("no message")
        )),
    }
}

/// A string or number field as text, if not empty.
fn text(item: &Value, key: &str) -> Option<String> {
    let s = match item.get(key)? {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

fn beijing_from_epoch(secs: i64) -> Option<String> {
    let beijing = chrono::FixedOffset::east_opt(8 * 3600)?;
    let t = chrono::DateTime::from_timestamp(secs, 0)?;
    Some(
        t.with_timezone(&beijing)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_pages() {
        let body = br#"{"ret":0,"data":{"list":[
            {"article_id":"20250211A013J400","title":"t1","url":"https://new.qq.com/rain/a/20250211A013J400","publish_time":"2025-02-11 07:03:08","article_type":0},
            {"article_id":"20250211V0000000","title":"v","article_type":"4"}]}}"#;
        let (items, more) = parse_channel_page(body).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].kind, ItemKind::Text);
        assert_eq!(items[1].kind, ItemKind::Video);
        assert_eq!(items[1].url, "https://new.qq.com/rain/a/20250211V0000000");
        assert!(!more);
        assert!(
            parse_channel_page(b"{\"ret\":-1,\"msg\":\"bad\"}")
                .unwrap_err()
                .contains("ret=-1")
        );
        assert!(parse_channel_page(b"<html>").is_err());
        let url = channel_page_url("https://i.news.qq.com", "tech", 2).unwrap();
        assert!(url.as_str().contains("sub_srv_id=tech") && url.as_str().contains("offset=40"));
    }

    #[test]
    fn author_pages() {
        let body = br#"{"ret":0,"newslist":[{"id":"20250211A013J400","title":"t","url":"https://new.qq.com/rain/a/20250211A013J400","articletype":"0","timestamp":1739228588}],"hasNext":1,"offsetInfo":"abc"}"#;
        let (items, cursor) = parse_author_page(body).unwrap();
        assert_eq!(items[0].published.as_deref(), Some("2025-02-11 07:03:08"));
        assert_eq!(cursor.as_deref(), Some("abc"));
        let last = br#"{"ret":0,"newslist":[],"hasNext":false,"offsetInfo":"x"}"#;
        assert_eq!(parse_author_page(last).unwrap().1, None);
    }
}
