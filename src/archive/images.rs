//! The images each version's document shows, kept with the version (table `version_images`,
//! SQLite migration 14, PostgreSQL migration 7): what the backends store and give back. The
//! storage interface is [`crate::archive::Images`]; fetching them is the pipeline's.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use super::kinds::{UnknownName, vocabulary};

vocabulary! {
    /// Where in the document an image is.
    ImageRole ("image role") {
        /// The front matter's `thumbnail`.
        Cover = "cover",
        /// An image of the body.
        Body = "body",
    }
}

vocabulary! {
    /// What fetching an image came to.
    ImageOutcome ("image outcome") {
        /// Stored: the bytes are a blob.
        Ok = "ok",
        /// No image came back (network, HTTP error, timeout): retried at the next check.
        Failed = "failed",
        /// The bytes are not an image of a kept type, whatever the header said.
        NotImage = "not_image",
        /// Larger than the per-image cap, or than what the article's cap had left.
        TooLarge = "too_large",
        /// Not fetched: robots.txt or the target policy refused it.
        Refused = "refused",
    }
}

impl ImageOutcome {
    /// Whether the next check of the article tries this image again. Bytes that were not an
    /// image, or too large, may be fixed at the source too, so every outcome but `ok` is.
    pub fn retried(self) -> bool {
        self != ImageOutcome::Ok
    }
}

/// One image's outcome, to record for a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImage {
    pub position: u32,
    pub role: ImageRole,
    pub url: String,
    pub outcome: ImageOutcome,
    /// The sniffed content type (`ok`), or the one the server declared.
    pub content_type: Option<String>,
    /// The bytes to store (`ok` only); others may give their size.
    pub bytes: Option<Vec<u8>>,
    /// Instead of `bytes`: a blob already stored (an earlier version's copy of the image).
    pub blob_hash: Option<String>,
    pub size: Option<u64>,
    pub detail: String,
    pub fetched_at: DateTime<Utc>,
}

/// A stored image row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImageRow {
    pub position: u32,
    pub role: ImageRole,
    pub url: String,
    pub blob_hash: Option<String>,
    pub content_type: Option<String>,
    pub size: Option<u64>,
    pub outcome: ImageOutcome,
    pub detail: String,
    pub attempts: u32,
    pub fetched_at: String,
}

/// An archived image for exports: one per distinct URL and bytes, first capture first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedImage {
    pub url: String,
    pub blob_hash: String,
    pub content_type: String,
    /// The first capture of these bytes from this URL.
    pub fetched_at: String,
    /// The bytes, verified against their hash.
    pub bytes: Vec<u8>,
}
