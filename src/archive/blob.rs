//! Raw captures made ready for the `blobs` table before any transaction: hashed and
//! compressed by the caller's thread, so the one thread holding the archive's write lock only
//! inserts bytes (compression was most of the commit thread's own CPU time).

use super::ArchiveError;
use super::sqlite::{hash_hex, to_i64};

/// The zstd level raw captures are stored at. benches/blobs.rs on 238 real pages (39.8 MB):
/// deflate level 6 gave ratio 5.29 at 54 MB/s, zstd 3 ratio 5.50 at 274 MB/s with a new
/// context per page and 382 MB/s with one kept per thread (zstd 1 kept: 453 MB/s, but 7%
/// larger, for as long as the archive lives).
pub(crate) const RAW_ZSTD_LEVEL: i32 = 3;

thread_local! {
    /// Each thread's zstd context, kept between pages: a new one allocates and clears its
    /// match tables for every page, a third of the time of compressing a typical page.
    static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// Pages larger than this are compressed with a context of their own: the kept one would
/// keep their larger tables (2.6 MB for a 1.6 MB page) for the next hundred pages.
const KEPT_CONTEXT_MOST: usize = 256 << 10;

/// `raw` as one zstd frame at [`RAW_ZSTD_LEVEL`], with this thread's kept context.
fn compress(raw: &[u8]) -> std::io::Result<Vec<u8>> {
    if raw.len() > KEPT_CONTEXT_MOST {
        return zstd::bulk::compress(raw, RAW_ZSTD_LEVEL);
    }
    COMPRESSOR.with(|cell| {
        let mut kept = cell.try_borrow_mut().map_err(std::io::Error::other)?;
        let compressor = match &mut *kept {
            Some(compressor) => compressor,
            empty => empty.insert(zstd::bulk::Compressor::new(RAW_ZSTD_LEVEL)?),
        };
        compressor.compress(raw)
    })
}

/// One raw response body as the archive stores it: its blake3 hash (the blob's key), its size
/// and its zstd frame. The stored format is unchanged: `compression = 'zstd'`, verified on
/// read against hash and size like every blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBlob {
    hash: String,
    size: i64,
    zstd: Vec<u8>,
}

impl RawBlob {
    /// Hashes and compresses `raw`. CPU work: call it off the archive's lock.
    pub fn new(raw: &[u8]) -> Result<RawBlob, ArchiveError> {
        Ok(RawBlob {
            hash: hash_hex(raw),
            size: to_i64(raw.len() as u64, "blob size")?,
            zstd: {
                // The frame comes in a buffer of the worst case's size (a little more than
                // the page) and waits with the article for its commit: kept at its own size.
                let mut frame = compress(raw)?;
                frame.shrink_to_fit();
                frame
            },
        })
    }

    /// The blake3 hex of the raw bytes, as stored in `blobs.hash` and `versions.raw_hash`.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The raw (uncompressed) size in bytes.
    pub fn size(&self) -> i64 {
        self.size
    }

    /// The bytes stored in `blobs.data`, with `compression = 'zstd'`.
    pub fn data(&self) -> &[u8] {
        &self.zstd
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::sqlite::decode_blob;

    #[test]
    fn the_kept_context_writes_the_frames_of_a_new_one() {
        // Large, small, empty, then large again: a kept context carries nothing over.
        let large = "<p>第一段 the first paragraph</p>".repeat(4_000);
        let larger = large.repeat(4);
        let small = "<html>short</html>".to_owned();
        for raw in [&large, &small, &String::new(), &larger, &large] {
            let blob = RawBlob::new(raw.as_bytes()).unwrap();
            let fresh = zstd::bulk::compress(raw.as_bytes(), RAW_ZSTD_LEVEL).unwrap();
            assert_eq!(blob.data(), fresh.as_slice(), "{} bytes", raw.len());
        }
    }

    #[test]
    fn a_prepared_blob_decodes_to_its_bytes() {
        let raw = "<html><body>同一页面 the same page</body></html>".repeat(50);
        let blob = RawBlob::new(raw.as_bytes()).unwrap();
        assert_eq!(blob.size(), raw.len() as i64);
        assert_eq!(blob.hash(), hash_hex(raw.as_bytes()));
        assert!(blob.data().len() < raw.len() / 4, "compressed");
        let back = decode_blob(blob.hash(), blob.size(), "zstd", blob.data().to_vec()).unwrap();
        assert_eq!(back, raw.as_bytes());
    }
}
