//! Hostile pages through the generic extractor: each ends in a clear outcome (an article or a
//! stated reason), without panicking, in bounded time and memory. No timing assertions: a
//! regression shows up as a hung or killed test.

use newsvault::config::Config;
use newsvault::extract::Extraction;
use newsvault::pipeline::extract_saved_page;

const URL: &str = "https://news.example.com/2024/05/01/story-123456.html";

fn outcome(bytes: &[u8]) -> Extraction {
    extract_saved_page(bytes, URL, &Config::default())
        .expect("resolves")
        .extraction
}

fn not_article(bytes: &[u8], needle: &str) {
    match outcome(bytes) {
        Extraction::NotArticle { reason } => assert!(reason.contains(needle), "{reason}"),
        other => panic!("expected NotArticle ({needle}), got {other:?}"),
    }
}

/// A small real-looking article, to wrap hostile parts around.
fn article_html(extra_head: &str, extra_body: &str) -> String {
    let para = "<p>The council met on Tuesday, and after a long debate, it voted to keep the library open on Sundays.</p>";
    format!(
        "<html lang=\"en\"><head><title>Library stays open - Example News</title>{extra_head}\
         <meta property=\"article:published_time\" content=\"2024-05-01T10:00:00Z\"></head>\
         <body><h1>Library stays open</h1>{}{extra_body}</body></html>",
        para.repeat(6)
    )
}

#[test]
fn deeply_nested_markup() {
    for tag in ["div", "span", "b", "table"] {
        let depth = 20_000;
        let html = format!(
            "<html><body>{}<p>Deep text, with commas, in a paragraph.</p>{}</body></html>",
            format!("<{tag}>").repeat(depth),
            format!("</{tag}>").repeat(depth)
        );
        // Whatever it is, it is an outcome, not a crash or a hang.
        let _ = outcome(html.as_bytes());
    }
    let nested_article = article_html(
        "",
        &format!("{}x{}", "<div>".repeat(30_000), "</div>".repeat(30_000)),
    );
    assert!(matches!(
        outcome(nested_article.as_bytes()),
        Extraction::Article(_)
    ));
}

#[test]
fn a_hundred_thousand_nested_elements_around_the_article() {
    let deep = "Deep inside the nesting, the librarian said, every book stays on its shelf.";
    for tag in ["div", "section", "span", "font"] {
        let depth = 100_000;
        let html = article_html(
            "",
            &format!(
                "{}<p>{deep}</p><p>{deep}</p>{}<p>After the nesting, with commas, a last paragraph.</p>",
                format!("<{tag}>").repeat(depth),
                format!("</{tag}>").repeat(depth)
            ),
        );
        let Extraction::Article(article) = outcome(html.as_bytes()) else {
            panic!("{tag}: not an article");
        };
        let text = &article.body.plain_text;
        assert!(text.contains("every book stays"), "{tag}: {text}");
        assert!(text.contains("a last paragraph"), "{tag}: {text}");
    }
}

#[test]
fn fifty_megabytes_of_text() {
    let mut html = b"<html><head><title>Big</title></head><body><p>".to_vec();
    html.extend(std::iter::repeat_n(b'a', 50 * 1024 * 1024));
    html.extend_from_slice(b"</p></body></html>");
    not_article(&html, "MB");
}

#[test]
fn binary_data_served_as_html() {
    // A deterministic pseudo-random byte stream (xorshift), like an image or archive.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..2 * 1024 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    not_article(&bytes, "binary");
    // A PNG header and NULs.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend(std::iter::repeat_n(0u8, 100_000));
    not_article(&png, "binary");
}

#[test]
fn entity_tricks_are_not_expanded() {
    // Billion laughs: HTML parsers do not expand DTD entities; the references stay text.
    let mut dtd = String::from("<!DOCTYPE html [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        dtd.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!(
                "&lol{};",
                if i == 1 {
                    String::new()
                } else {
                    (i - 1).to_string()
                }
            )
            .repeat(10)
        ));
    }
    dtd.push_str("]>");
    let refs = "&lol9;".repeat(1000);
    let numeric = "&#0;&#x110000;&#xD800;&#99999999999;&amp;amp;".repeat(1000);
    let html = format!(
        "{dtd}{}",
        article_html("", &format!("<p>{refs}</p><p>{numeric}</p>"))
    );
    match outcome(html.as_bytes()) {
        Extraction::Article(a) => {
            assert!(
                a.body.plain_text.len() < 200_000,
                "no expansion: {} bytes",
                a.body.plain_text.len()
            );
            assert!(!a.body.plain_text.contains("lollollol"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_json_ld_is_skipped() {
    let blocks = [
        r#"{"@type": "NewsArticle", "headline": "Broken", "datePublished": }"#.to_owned(),
        "[".repeat(200_000),
        r#"{"@type": "NewsArticle", "author": {"name": {"name": {"name": 1}}}, "image": [[[[]]]]}"#
            .to_owned(),
        "\u{0}\u{1}garbage".to_owned(),
        format!("{{\"@graph\": [{}]}}", "{\"@graph\": [".repeat(500)),
    ];
    let head: String = blocks
        .iter()
        .map(|b| format!("<script type=\"application/ld+json\">{b}</script>"))
        .collect();
    match outcome(article_html(&head, "").as_bytes()) {
        Extraction::Article(a) => {
            assert_eq!(a.title, "Library stays open");
            assert_eq!(a.published, "2024-05-01 10:00:00");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn many_attributes_and_huge_attribute_values() {
    let attrs: String = (0..20_000).map(|i| format!(" data-a{i}=\"{i}\"")).collect();
    let html = article_html(
        &format!(
            "<meta property=\"og:image\" content=\"{}\">",
            "x".repeat(2_000_000)
        ),
        &format!("<div{attrs}>attributes</div>"),
    );
    assert!(matches!(outcome(html.as_bytes()), Extraction::Article(_)));
}
