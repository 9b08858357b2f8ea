//! The visual capture of versions (`[capture] screenshot`, `pdf`; see [`crate::capture`]): what
//! the archive keeps of each attempt, in `version_screenshots` (SQLite migration 15,
//! PostgreSQL 8). An image is a blob like a raw capture, deduplicated by hash; it is stored
//! without compression (PNG and PDF are compressed already).

use chrono::{DateTime, Utc};

use super::kinds::{ShotKind, ShotOutcome};

/// One attempt at a visual capture of a version, ready to record.
#[derive(Debug, Clone, Copy)]
pub struct NewScreenshot<'a> {
    pub kind: ShotKind,
    pub outcome: ShotOutcome,
    /// The image: present exactly when `outcome` is [`ShotOutcome::Ok`].
    pub image: Option<&'a [u8]>,
    /// Size in pixels (PNG only).
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Why it failed, or what was cut (empty when there is nothing to say).
    pub detail: &'a str,
    pub took_ms: u64,
    pub captured_at: DateTime<Utc>,
}

/// A recorded attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenshotRow {
    pub version_id: i64,
    pub seq: u32,
    pub kind: ShotKind,
    pub blob_hash: Option<String>,
    /// The image's size in bytes, when there is one.
    pub size: Option<u64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub outcome: ShotOutcome,
    pub detail: String,
    pub took_ms: u64,
    pub captured_at: String,
}

/// Why a screenshot could not be recorded because of what it names (not the database).
pub(crate) fn check_new(shot: &NewScreenshot<'_>) -> Result<(), super::ArchiveError> {
    if (shot.outcome == ShotOutcome::Ok) != shot.image.is_some() {
        return Err(super::ArchiveError::Corrupt(format!(
            "a {} screenshot with outcome {} must {}carry an image",
            shot.kind,
            shot.outcome,
            if shot.outcome == ShotOutcome::Ok {
                ""
            } else {
                "not "
            }
        )));
    }
    Ok(())
}

pub(crate) fn no_such_version(canonical_url: &str, seq: u32) -> super::ArchiveError {
    super::ArchiveError::Corrupt(format!(
        "cannot record a screenshot of {canonical_url} version {seq}: no such version"
    ))
}
