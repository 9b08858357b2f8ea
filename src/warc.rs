//! WARC/1.1 export of the raw captures, readable by standard WARC tools (warcio, pywb, ...).
//!
//! The file starts with a `warcinfo` record; then, for every fetched version with a raw capture,
//! oldest first, a `response` record and the `request` record that asked for it; then the same
//! pair for every archived image (one per URL and bytes, status 200, the type read from the
//! bytes):
//!
//! - `WARC-Target-URI` is the URL the body came from (after redirects), `WARC-Date` the capture
//!   time (UTC, milliseconds, as WARC/1.1 allows);
//! - `WARC-Record-ID` is a UUID (version 8, RFC 9562) derived from the blob hash, the URL and
//!   the capture time, so exporting the same archive again gives the same record ids;
//! - the HTTP header block is reconstructed from the stored status and `Content-Type` (the
//!   archive keeps the body, not the whole header), with the body's real `Content-Length`; the
//!   payload is the body as stored, already freed of any `Content-Encoding`, so none is
//!   declared. The request is likewise reconstructed: GET line, `Host`, the configured
//!   `User-Agent`;
//! - `WARC-Block-Digest` and `WARC-Payload-Digest` are `sha1:` + base32, the convention every
//!   WARC tool (warcio `check`, pywb, CDX indexers) verifies; blake3, the archive's own hash,
//!   would be allowed by the standard but no tool could check it.
//!
//! A name ending in `.gz` gives a `.warc.gz` of one gzip member per record, the standard layout
//! that lets readers seek to a record. The file is written to a temporary file beside it and
//! renamed into place, so a reader never sees half a WARC and a failed export leaves any
//! previous file intact.
//!
//! The writer is hand-written rather than the `warc` crate's: its writer opens files without
//! truncating them (a shorter re-export leaves trailing garbage) and wraps a whole `.warc.gz`
//! in a single gzip member (rust-ecosystem.md §1.10); what is needed here is a few lines.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use data_encoding::BASE32;
use flate2::Compression;
use flate2::write::GzEncoder;
use sha1::{Digest, Sha1};

use crate::archive::{Archive, ArchiveError, RawCapture};

/// What to export.
#[derive(Debug, Clone, Copy)]
pub struct WarcOptions<'a> {
    /// Only this site's articles, if given.
    pub site: Option<&'a str>,
    /// The User-Agent written in request records (the configured one).
    pub user_agent: &'a str,
}

/// Counts for the closing summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WarcSummary {
    /// Response records (each with its request record).
    pub responses: u64,
    /// Total size of their payloads.
    pub payload_bytes: u64,
    /// Response records of archived images (among `responses`).
    pub images: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum WarcError {
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Archive(#[from] ArchiveError),
}

/// Writes the raw captures of `archive` to `path` as WARC/1.1 (gzip per record when the name
/// ends in `.gz`), atomically, calling `progress` after each capture is written.
pub fn export_warc(
    archive: &Archive,
    path: &Path,
    options: WarcOptions<'_>,
    mut progress: impl FnMut(&RawCapture),
) -> Result<WarcSummary, WarcError> {
    let io_err = |source| WarcError::Io {
        path: path.to_owned(),
        source,
    };
    let gzip = path.extension().is_some_and(|e| e == "gz");
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let temp = tempfile::NamedTempFile::new_in(dir).map_err(io_err)?;
    let mut writer = WarcWriter::new(BufWriter::new(temp), gzip);

    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let filename = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let info_id = record_id(&[b"warcinfo", now.as_bytes(), filename.as_bytes()]);
    let info = format!(
        "software: newsvault/{}\r\n\
         format: WARC File Format 1.1\r\n\
         conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n\
         http-header-user-agent: {}\r\n\
         description: raw captures of a newsvault archive; HTTP headers reconstructed from the stored status and content type\r\n",
        env!("CARGO_PKG_VERSION"),
        field_value(options.user_agent),
    );
    writer
        .write_record(
            &[
                ("WARC-Type", "warcinfo"),
                ("WARC-Record-ID", &info_id),
                ("WARC-Date", &now),
                ("WARC-Filename", &field_value(&filename)),
                ("Content-Type", "application/warc-fields"),
            ],
            info.as_bytes(),
        )
        .map_err(io_err)?;

    let mut summary = WarcSummary::default();
    archive.for_each_raw_capture(options.site, |capture| {
        write_capture(&mut writer, &capture, &info_id, options.user_agent).map_err(io_err)?;
        summary.responses += 1;
        summary.payload_bytes += capture.raw.len() as u64;
        progress(&capture);
        Ok::<(), WarcError>(())
    })?;

    // Then each archived image, as the response its URL gave (200, the type read from its
    // bytes), with the request that asked for it.
    archive.for_each_image(options.site, |image| {
        let capture = RawCapture {
            canonical_url: image.url.clone(),
            seq: 0,
            final_url: image.url,
            fetched_at: image.fetched_at,
            http_status: Some(200),
            content_type: Some(image.content_type),
            raw_hash: image.blob_hash,
            raw: image.bytes,
        };
        write_capture(&mut writer, &capture, &info_id, options.user_agent).map_err(io_err)?;
        summary.responses += 1;
        summary.images += 1;
        summary.payload_bytes += capture.raw.len() as u64;
        Ok::<(), WarcError>(())
    })?;

    let temp = writer
        .into_inner()
        .into_inner()
        .map_err(|e| io_err(e.into_error()))?;
    temp.as_file().sync_all().map_err(io_err)?;
    temp.persist(path).map_err(|e| io_err(e.error))?;
    Ok(summary)
}

/// The response record of one capture and the request record that goes with it.
fn write_capture<W: Write>(
    writer: &mut WarcWriter<W>,
    capture: &RawCapture,
    info_id: &str,
    user_agent: &str,
) -> io::Result<()> {
    let uri = field_value(&capture.final_url);
    let key = [
        capture.raw_hash.as_bytes(),
        uri.as_bytes(),
        capture.fetched_at.as_bytes(),
    ];
    let response_id = record_id(&[&[b"response".as_slice()], &key[..]].concat());
    let request_id = record_id(&[&[b"request".as_slice()], &key[..]].concat());

    // Captures store a status; 200 stands in should one ever lack it.
    let status = capture.http_status.unwrap_or(200);
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    if let Some(content_type) = &capture.content_type {
        head.push_str(&format!("Content-Type: {}\r\n", field_value(content_type)));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", capture.raw.len()));
    let mut block = Vec::with_capacity(head.len() + capture.raw.len());
    block.extend_from_slice(head.as_bytes());
    block.extend_from_slice(&capture.raw);
    writer.write_record(
        &[
            ("WARC-Type", "response"),
            ("WARC-Record-ID", &response_id),
            ("WARC-Date", &capture.fetched_at),
            ("WARC-Target-URI", &uri),
            ("WARC-Warcinfo-ID", info_id),
            ("WARC-Payload-Digest", &sha1_digest(&capture.raw)),
            ("WARC-Block-Digest", &sha1_digest(&block)),
            ("Content-Type", "application/http; msgtype=response"),
        ],
        &block,
    )?;

    let (target, host) = match url::Url::parse(&capture.final_url) {
        Ok(url) => {
            let mut target = url.path().to_owned();
            if let Some(query) = url.query() {
                target.push('?');
                target.push_str(query);
            }
            let host = match (url.host_str(), url.port()) {
                (Some(host), Some(port)) => format!("{host}:{port}"),
                (Some(host), None) => host.to_owned(),
                (None, _) => String::new(),
            };
            (target, host)
        }
        Err(_) => (uri.clone(), String::new()),
    };
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {}\r\nAccept: */*\r\n\r\n",
        field_value(&target),
        field_value(&host),
        field_value(user_agent)
    );
    writer.write_record(
        &[
            ("WARC-Type", "request"),
            ("WARC-Record-ID", &request_id),
            ("WARC-Date", &capture.fetched_at),
            ("WARC-Target-URI", &uri),
            ("WARC-Warcinfo-ID", info_id),
            ("WARC-Concurrent-To", &response_id),
            ("WARC-Block-Digest", &sha1_digest(request.as_bytes())),
            ("Content-Type", "application/http; msgtype=request"),
        ],
        request.as_bytes(),
    )
}

/// Writes WARC records: the `WARC/1.1` line, the named fields, `Content-Length`, the block and
/// the two CRLFs that end a record; with `gzip`, each record is one gzip member.
#[derive(Debug)]
pub struct WarcWriter<W: Write> {
    out: W,
    gzip: bool,
}

impl<W: Write> WarcWriter<W> {
    pub fn new(out: W, gzip: bool) -> Self {
        WarcWriter { out, gzip }
    }

    /// Writes one record. Field values must be single-line (see [`field_value`]).
    pub fn write_record(&mut self, fields: &[(&str, &str)], block: &[u8]) -> io::Result<()> {
        let mut head = String::from("WARC/1.1\r\n");
        for (name, value) in fields {
            head.push_str(name);
            head.push_str(": ");
            head.push_str(value);
            head.push_str("\r\n");
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", block.len()));
        if self.gzip {
            let mut member = GzEncoder::new(&mut self.out, Compression::default());
            member.write_all(head.as_bytes())?;
            member.write_all(block)?;
            member.write_all(b"\r\n\r\n")?;
            member.finish()?;
        } else {
            self.out.write_all(head.as_bytes())?;
            self.out.write_all(block)?;
            self.out.write_all(b"\r\n\r\n")?;
        }
        Ok(())
    }

    /// The underlying writer (flush it yourself).
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// A header field value on one line: control characters (CR, LF, ...), which would end the
/// field, are percent-encoded.
pub fn field_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_control() {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `sha1:` + base32 of the SHA-1 of `bytes`: the digest notation WARC tools expect.
pub fn sha1_digest(bytes: &[u8]) -> String {
    format!("sha1:{}", BASE32.encode(&Sha1::digest(bytes)))
}

/// `<urn:uuid:...>`: a version 8 UUID from the blake3 hash of `parts` (each length-prefixed, so
/// that different parts never hash alike).
pub fn record_id(parts: &[&[u8]]) -> String {
    let mut hasher = blake3::Hasher::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let hash = hasher.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash.as_bytes()[..16]);
    b[6] = (b[6] & 0x0F) | 0x80; // version 8
    b[8] = (b[8] & 0x3F) | 0x80; // RFC 9562 variant
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "<urn:uuid:{}-{}-{}-{}-{}>",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_digest_is_base32() {
        // SHA-1("abc") = a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d
        assert_eq!(sha1_digest(b"abc"), "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5");
    }

    #[test]
    fn record_ids_are_stable_v8_uuids() {
        let a = record_id(&[b"response", b"h", b"https://x/"]);
        assert_eq!(a, record_id(&[b"response", b"h", b"https://x/"]));
        assert_ne!(a, record_id(&[b"response", b"hh", b"ttps://x/"]));
        assert_eq!(a.len(), "<urn:uuid:>".len() + 36);
        let uuid = &a[10..46];
        assert_eq!(&uuid[14..15], "8");
        assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"), "{uuid}");
    }

    #[test]
    fn field_values_stay_on_one_line() {
        assert_eq!(field_value("a\r\nb\tc d"), "a%0D%0Ab%09c d");
    }

    #[test]
    fn gzip_records_are_separate_members() {
        let mut w = WarcWriter::new(Vec::new(), true);
        w.write_record(&[("WARC-Type", "resource")], b"one")
            .unwrap();
        w.write_record(&[("WARC-Type", "resource")], b"two")
            .unwrap();
        let bytes = w.into_inner();
        let members = bytes
            .windows(3)
            .filter(|w| w == &[0x1f, 0x8b, 0x08])
            .count();
        assert_eq!(members, 2);
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::MultiGzDecoder::new(&bytes[..]),
            &mut text,
        )
        .unwrap();
        assert_eq!(
            text,
            "WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 3\r\n\r\none\r\n\r\n\
             WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 3\r\n\r\ntwo\r\n\r\n"
        );
    }
}
