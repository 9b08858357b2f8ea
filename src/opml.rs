//! OPML 2.0 (opml.org/spec2.opml) for feed sources: people arrive from feed readers with an
//! OPML file of subscriptions, and leave with one.
//!
//! - [`read_opml`]: every `<outline>` with an http(s) `xmlUrl`, at any depth (folders of
//!   subscriptions are flattened), titled by its `title`, else `text`, else the URL's host.
//! - [`sources_toml`]: those feeds as the configuration's `[[sources]]` tables (`kind =
//!   "feed"`), names made unique, feeds already configured left out.
//! - [`write_opml`]: the configuration's feed sources as an OPML 2.0 document, written by hand
//!   like the Atom feeds (every text through [`crate::render::escape`]).

use quick_xml::events::{BytesStart, Event};

use crate::config::{SourceConfig, SourceKind};
use crate::render::escape;

/// One subscription of an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    pub title: String,
    pub xml_url: String,
}

/// What an OPML file held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpmlRead {
    pub feeds: Vec<OpmlFeed>,
    /// Outlines with an `xmlUrl` that is not an http(s) URL, with the reason.
    pub skipped: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum OpmlError {
    #[error("not well-formed XML at byte {offset}: {message}")]
    Xml { offset: u64, message: String },
    #[error("not an OPML document (the root element is <{0}>, not <opml>)")]
    NotOpml(String),
    #[error("not an OPML document (no root element)")]
    Empty,
}

/// The feed subscriptions of an OPML document.
pub fn read_opml(xml: &str) -> Result<OpmlRead, OpmlError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut read = OpmlRead::default();
    let mut root_seen = false;
    loop {
        let event = reader.read_event().map_err(|e| OpmlError::Xml {
            offset: reader.error_position(),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name().as_ref().to_owned();
                if !root_seen {
                    if name != "opml" {
                        return Err(OpmlError::NotOpml(name));
                    }
                    root_seen = true;
                } else if name == "outline" {
                    outline(&e, &mut read).map_err(|message| OpmlError::Xml {
                        offset: reader.buffer_position(),
                        message,
                    })?;
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root_seen {
        return Err(OpmlError::Empty);
    }
    Ok(read)
}

/// Reads one `<outline>`: a subscription when it has an `xmlUrl`.
fn outline(e: &BytesStart<'_>, read: &mut OpmlRead) -> Result<(), String> {
    let (mut xml_url, mut title, mut text) = (None, None, None);
    for attr in e.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        let value = value.trim().to_owned();
        // Some readers write `xmlurl`; attribute names are otherwise case-sensitive.
        match attr.key.as_ref().to_ascii_lowercase().as_str() {
            "xmlurl" => xml_url = Some(value),
            "title" => title = Some(value),
            "text" => text = Some(value),
            _ => {}
        }
    }
    let Some(xml_url) = xml_url else {
        return Ok(());
    };
    match url::Url::parse(&xml_url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {
            let title = [title, text]
                .into_iter()
                .flatten()
                .find(|t| !t.is_empty())
                .unwrap_or_else(|| u.host_str().unwrap_or("feed").to_owned());
            read.feeds.push(OpmlFeed { title, xml_url });
        }
        _ => read
            .skipped
            .push(format!("{xml_url:?}: not an http(s) feed URL")),
    }
    Ok(())
}

/// The feeds as `[[sources]]` tables, and how many were left out because a source already
/// has their URL. Names are the feeds' titles, made unique among `existing` and each other.
pub fn sources_toml(feeds: &[OpmlFeed], existing: &[SourceConfig]) -> (String, usize) {
    let mut names: Vec<String> = existing.iter().map(|s| s.name.clone()).collect();
    let mut urls: Vec<&str> = existing.iter().filter_map(|s| s.url.as_deref()).collect();
    let mut out = String::new();
    let mut already = 0;
    for feed in feeds {
        if urls.contains(&feed.xml_url.as_str()) {
            already += 1;
            continue;
        }
        urls.push(&feed.xml_url);
        let mut name = feed.title.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{} ({n})", feed.title);
            n += 1;
        }
        out.push_str(&format!(
            "[[sources]]\nname = {}\nkind = \"feed\"\nurl = {}\n\n",
            toml_string(&name),
            toml_string(&feed.xml_url)
        ));
        names.push(name);
    }
    (out, already)
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// The feed sources (`kind = "feed"`) as an OPML 2.0 document.
pub fn write_opml(sources: &[SourceConfig], title: &str) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n");
    out.push_str(&format!(
        "<head>\n<title>{}</title>\n</head>\n<body>\n",
        escape(title)
    ));
    for source in sources.iter().filter(|s| s.kind == SourceKind::Feed) {
        let Some(url) = &source.url else { continue };
        out.push_str(&format!(
            "<outline type=\"rss\" text=\"{0}\" title=\"{0}\" xmlUrl=\"{1}\"/>\n",
            escape(&source.name),
            escape(url)
        ));
    }
    out.push_str("</body>\n</opml>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_outlines_and_skips_what_is_not_a_feed() {
        let xml = r#"<?xml version="1.0"?>
<opml version="1.0"><head><title>Subs</title></head><body>
<outline text="新闻">
  <outline type="rss" text="腾讯 &amp; 新闻" xmlUrl="https://news.example.com/rss.xml"/>
  <outline type="rss" title="BBC" text="ignored" xmlurl=" https://feeds.example.org/world.xml "/>
</outline>
<outline type="rss" xmlUrl="https://untitled.example.net/feed"/>
<outline type="rss" text="local" xmlUrl="file:///etc/passwd"/>
<outline text="a folder without feeds"/>
</body></opml>"#;
        let read = read_opml(xml).unwrap();
        let got: Vec<(&str, &str)> = read
            .feeds
            .iter()
            .map(|f| (f.title.as_str(), f.xml_url.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("腾讯 & 新闻", "https://news.example.com/rss.xml"),
                ("BBC", "https://feeds.example.org/world.xml"),
                ("untitled.example.net", "https://untitled.example.net/feed"),
            ]
        );
        assert_eq!(read.skipped.len(), 1, "{:?}", read.skipped);
    }

    #[test]
    fn bad_documents_say_what_and_where() {
        let err = read_opml("<opml><body><outline xmlUrl=\"x\"></body></opml>").unwrap_err();
        assert!(matches!(err, OpmlError::Xml { .. }), "{err}");
        assert!(err.to_string().contains("at byte"), "{err}");
        let err = read_opml("<rss version=\"2.0\"/>").unwrap_err();
        assert_eq!(
            err.to_string(),
            "not an OPML document (the root element is <rss>, not <opml>)"
        );
        assert!(matches!(read_opml("").unwrap_err(), OpmlError::Empty));
    }

    #[test]
    fn toml_names_are_unique_and_configured_feeds_left_out() {
        let feeds = [
            OpmlFeed {
                title: "World \"news\"".into(),
                xml_url: "https://a.example.com/rss".into(),
            },
            OpmlFeed {
                title: "World \"news\"".into(),
                xml_url: "https://b.example.com/rss".into(),
            },
            OpmlFeed {
                title: "Old".into(),
                xml_url: "https://old.example.com/rss".into(),
            },
        ];
        let existing: Vec<SourceConfig> = toml::from_str::<crate::config::Config>(
            "[[sources]]\nname = \"Old\"\nkind = \"feed\"\nurl = \"https://old.example.com/rss\"\n",
        )
        .unwrap()
        .sources;
        let (text, already) = sources_toml(&feeds, &existing);
        assert_eq!(already, 1);
        let parsed: crate::config::Config = toml::from_str(&text).unwrap();
        let names: Vec<&str> = parsed.sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["World \"news\"", "World \"news\" (2)"]);
        assert!(parsed.sources.iter().all(|s| s.kind == SourceKind::Feed));
    }
}
