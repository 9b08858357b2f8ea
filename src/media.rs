//! Images a document shows, and what a fetched image is. Pure: the pipeline fetches the
//! images ([`crate::pipeline`]), the archive keeps them ([`crate::archive::Images`]), the
//! server, the feeds and the exports show or write them.
//!
//! An image's type is read from its bytes, never only from the server's header: a CDN that
//! answers a missing image with an HTML page "image/jpeg" would otherwise put a page, maybe
//! with scripts, where an image belongs. SVG is not kept at all: it is a document that can
//! carry scripts and load other resources, and the archive has no sanitiser for it; Tencent
//! News bodies do not use it.

use pulldown_cmark::{Event, Parser, Tag};

use crate::archive::ImageRole;
use crate::document::Document;

/// Where the server answers an archived image, by its blob hash: `/media/<hash>`.
pub const MEDIA_PREFIX: &str = "/media/";

/// The image types kept, each with its file extension.
const KINDS: &[(&str, &str)] = &[
    ("image/jpeg", "jpg"),
    ("image/png", "png"),
    ("image/gif", "gif"),
    ("image/webp", "webp"),
    ("image/avif", "avif"),
    ("image/bmp", "bmp"),
    ("image/vnd.microsoft.icon", "ico"),
];

/// The content type of image bytes, from their magic numbers; `None` when they are not an
/// image of a kept type (HTML, text, SVG, truncated or empty bytes).
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"\xFF\xD8\xFF") {
        Some("image/jpeg")
    } else if starts(b"\x89PNG\r\n\x1A\n") {
        Some("image/png")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if is_avif(bytes) {
        Some("image/avif")
    } else if bytes.len() >= 26 && starts(b"BM") {
        Some("image/bmp")
    } else if bytes.len() >= 6 && starts(b"\0\0\x01\0") && bytes[4..6] != [0, 0] {
        Some("image/vnd.microsoft.icon")
    } else {
        None
    }
}

/// An ISO BMFF `ftyp` box naming `avif` or `avis` as its major or a compatible brand.
fn is_avif(bytes: &[u8]) -> bool {
    if bytes.len() < 16 || &bytes[4..8] != b"ftyp" {
        return false;
    }
    let declared = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    let end = declared.clamp(16, bytes.len());
    let brands = std::iter::once(&bytes[8..12]).chain(bytes[16..end].chunks_exact(4));
    brands.into_iter().any(|b| b == b"avif" || b == b"avis")
}

/// The file extension of a kept image type (`bin` for anything else).
pub fn extension(content_type: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(kind, _)| *kind == content_type)
        .map_or("bin", |(_, ext)| ext)
}

/// Whether `content_type` is one of the kept image types (the server serves nothing else).
pub fn is_kept_type(content_type: &str) -> bool {
    KINDS.iter().any(|(kind, _)| *kind == content_type)
}

/// One image a document shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentImage {
    /// 0 for the cover, then the body's images in order.
    pub position: u32,
    pub role: ImageRole,
    /// Absolute http(s) URL.
    pub url: String,
}

/// The images `document` shows: its cover, then its body images in order, each URL once
/// (the first place it appears), resolved against the article's link; addresses that are not
/// http(s) are left out.
pub fn document_images(document: &Document) -> Vec<DocumentImage> {
    let base = url::Url::parse(&document.source_url).ok();
    let mut images: Vec<DocumentImage> = Vec::new();
    let mut body_images = 0;
    let mut add = |role: ImageRole, address: &str| {
        let Some(url) = resolve(base.as_ref(), address) else {
            return;
        };
        if images.iter().any(|image| image.url == url) {
            return;
        }
        let position = match role {
            ImageRole::Cover => 0,
            ImageRole::Body => {
                body_images += 1;
                body_images
            }
        };
        images.push(DocumentImage {
            position,
            role,
            url,
        });
    };
    add(ImageRole::Cover, &document.thumbnail);
    for event in Parser::new(&document.body) {
        if let Event::Start(Tag::Image { dest_url, .. }) = event {
            add(ImageRole::Body, &dest_url);
        }
    }
    images
}

/// An image address as the document writes it, made absolute: `//host/…` takes https,
/// a relative one the article's link. `None` for an empty or non-http(s) address.
pub fn resolve(base: Option<&url::Url>, address: &str) -> Option<String> {
    let address = address.trim();
    if address.is_empty() {
        return None;
    }
    let url = match url::Url::parse(address) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => match base {
            Some(base) => base.join(address).ok()?,
            None if address.starts_with("//") => {
                url::Url::parse(&format!("https:{address}")).ok()?
            }
            None => return None,
        },
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_types_are_read_from_the_bytes() {
        assert_eq!(
            sniff_image(b"\xFF\xD8\xFF\xE0\0\x10JFIF"),
            Some("image/jpeg")
        );
        assert_eq!(
            sniff_image(b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR"),
            Some("image/png")
        );
        assert_eq!(sniff_image(b"GIF89a\x01\0\x01\0"), Some("image/gif"));
        assert_eq!(sniff_image(b"RIFF\x24\0\0\0WEBPVP8 "), Some("image/webp"));
        let avif = b"\0\0\0\x1cftypmif1\0\0\0\0mif1avifmiaf";
        assert_eq!(sniff_image(avif), Some("image/avif"));
        let mp4 = b"\0\0\0\x18ftypisom\0\0\0\0isomiso2";
        assert_eq!(sniff_image(mp4), None);
        assert_eq!(sniff_image(b"<!DOCTYPE html><html>"), None);
        assert_eq!(
            sniff_image(b"<svg xmlns=\"http://www.w3.org/2000/svg\">"),
            None
        );
        assert_eq!(sniff_image(b"\xFF\xD8"), None, "too short to be a JPEG");
        assert_eq!(sniff_image(b""), None);
    }

    #[test]
    fn a_document_shows_its_cover_then_its_body_images_each_once() {
        let document = Document {
            title: "t".into(),
            date: "2025-02-11 10:00:00".into(),
            summary: String::new(),
            site: "qq".into(),
            lang: "zh-CN".into(),
            thumbnail: "https://img.example/cover.jpg".into(),
            body: "![图片](https://img.example/a.jpg)\n\ntext ![](//img.example/b.png)\n\n\
                   ![again](https://img.example/a.jpg) ![](rel/c.gif) ![](javascript:alert(1))"
                .into(),
            source_url: "https://news.example/a/1".into(),
        };
        let urls: Vec<_> = document_images(&document)
            .into_iter()
            .map(|i| (i.position, i.role, i.url))
            .collect();
        assert_eq!(
            urls,
            [
                (
                    0,
                    ImageRole::Cover,
                    "https://img.example/cover.jpg".to_owned()
                ),
                (1, ImageRole::Body, "https://img.example/a.jpg".to_owned()),
                (2, ImageRole::Body, "https://img.example/b.png".to_owned()),
                (
                    3,
                    ImageRole::Body,
                    "https://news.example/a/rel/c.gif".to_owned()
                ),
            ]
        );
    }
}
