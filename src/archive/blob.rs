//! Raw captures made ready for the `blobs` table before any transaction: hashed and
//! compressed by the caller's thread, so the one thread holding the archive's write lock only
//! inserts bytes (compression was most of the commit thread's own CPU time).

use super::ArchiveError;
use super::sqlite::{hash_hex, to_i64};

/// The zstd level raw captures are stored at. benches/blobs.rs on 225 real pages (39.8 MB):
/// deflate level 6 gave ratio 5.30 at 27 MB/s, zstd 3 ratio 5.52 at 178 MB/s.
pub(crate) const RAW_ZSTD_LEVEL: i32 = 3;

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
            zstd: zstd::bulk::compress(raw, RAW_ZSTD_LEVEL)?,
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
