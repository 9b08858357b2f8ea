//! The archive's closed vocabularies (version kinds, article states, fetch outcomes, queue
//! states), each with its one stored spelling (also its JSON form), and the domain rules about
//! them. Backends only map these to and from their columns; what counts as new, edit, minor,
//! removed or restored is decided here, once.

use std::fmt;
use std::str::FromStr;

/// A stored name that is not one of a vocabulary's words (a corrupt or foreign row).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {vocabulary} {value:?} in the archive")]
pub struct UnknownName {
    pub vocabulary: &'static str,
    pub value: String,
}

/// Declares a vocabulary: a fieldless enum, its stored names, `as_str`, `Display` and
/// `FromStr` (one mapping, both ways).
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident ($what:literal) { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// Serialised as the stored name (`--json` output).
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, UnknownName> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(UnknownName { vocabulary: $what, value: other.to_owned() }),
                }
            }
        }
    };
}
/// For the other vocabularies of the archive (`images`).
pub(super) use vocabulary;

vocabulary! {
    /// What a version is, as the archive reports it.
    VersionKind ("version kind") {
        /// The first capture of an article (seq 1).
        New = "new",
        /// The document changed in what it says.
        Edit = "edit",
        /// The document changed only in whitespace or punctuation ([`crate::diff::is_edit`]).
        Minor = "minor",
        /// The first capture after an import found the imported text unchanged: stored as
        /// "minor", reported as "recapture" (see [`VersionKind::reported`]).
        Recapture = "recapture",
        /// A confirmed removal: a tombstone with its evidence, no document.
        Removed = "removed",
        /// The article came back after a removal.
        Restored = "restored",
        /// A document read from an existing Hugo archive.
        Import = "import",
    }
}

vocabulary! {
    /// An article's state.
    ArticleStatus ("article status") {
        Live = "live",
        Removed = "removed",
    }
}

vocabulary! {
    /// Outcome of one fetch, as logged in the fetch log.
    FetchOutcome ("fetch outcome") {
        Archived = "archived",
        Unchanged = "unchanged",
        NotModified = "not_modified",
        Removed = "removed",
        Blocked = "blocked",
        Transient = "transient",
        NotArticle = "not_article",
        Failed = "failed",
    }
}

vocabulary! {
    /// A work queue item's stored state.
    QueueStatus ("queue state") {
        /// Waiting (possibly until its retry time).
        Pending = "pending",
        Done = "done",
        /// Gave up after too many attempts, or a permanent failure.
        Failed = "failed",
        /// Listed but not a text article: recorded, never fetched.
        Skipped = "skipped",
    }
}

vocabulary! {
    /// Where a version's document came from.
    VersionOrigin ("version origin") {
        Fetch = "fetch",
        Import = "import",
    }
}

vocabulary! {
    /// What a visual capture of a version is (`[capture] screenshot`, `pdf`).
    ShotKind ("screenshot kind") {
        /// A full-page PNG.
        Png = "png",
        /// The page printed to PDF.
        Pdf = "pdf",
    }
}

vocabulary! {
    /// How a visual capture ended.
    ShotOutcome ("screenshot outcome") {
        /// The image is stored.
        Ok = "ok",
        /// The page did not finish within `[capture] timeout`; the browser was killed.
        TimedOut = "timed_out",
        /// The browser failed, or what it gave was refused (too large, not an image).
        Failed = "failed",
        /// The configured browser was not found when the capture was due.
        BrowserMissing = "browser_missing",
    }
}

impl VersionKind {
    /// Whether the version carries a document (every kind but a removal tombstone).
    pub fn has_document(self) -> bool {
        self != VersionKind::Removed
    }

    /// Whether the version is a significant change of the article: the feeds' "updated"
    /// time is the newest of these (minor versions and re-captures are not edits).
    pub fn is_update(self) -> bool {
        matches!(
            self,
            VersionKind::New | VersionKind::Edit | VersionKind::Restored | VersionKind::Import
        )
    }

    /// Whether the version is an event of the changes feed (minor versions are not).
    pub fn is_change_event(self) -> bool {
        self != VersionKind::Minor
    }

    /// The kinds [`VersionKind::is_update`] accepts, as stored.
    pub const UPDATES: [VersionKind; 4] = [
        VersionKind::New,
        VersionKind::Edit,
        VersionKind::Restored,
        VersionKind::Import,
    ];

    /// The kind reported for a stored version: a "minor" right after an "import" is the first
    /// capture of the imported article and found it unchanged, a "recapture". Derived rather
    /// than stored, so that the kind CHECK of archives already made still holds.
    pub fn reported(stored: VersionKind, previous: Option<VersionKind>) -> VersionKind {
        match (stored, previous) {
            (VersionKind::Minor, Some(VersionKind::Import)) => VersionKind::Recapture,
            (kind, _) => kind,
        }
    }
}

/// An article's latest version, as far as classifying a new capture needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Latest<'a> {
    pub seq: u32,
    pub kind: VersionKind,
    pub content_hash: &'a str,
}

/// What a new capture of an article becomes, by [`classify_capture`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureVerdict {
    /// Same document as the latest version: no version is added.
    Unchanged { seq: u32 },
    /// Append version `seq` of this kind.
    Append { seq: u32, kind: VersionKind },
}

/// The domain rule for a successful capture: the first capture is "new"; a capture after a
/// removal is "restored" (even with the same text); a different text is "edit", or "minor"
/// when only whitespace or punctuation changed (`minor`); the same text adds nothing.
/// `latest` is `None` for an article not yet archived.
pub fn classify_capture(
    latest: Option<Latest<'_>>,
    content_hash: &str,
    minor: bool,
) -> CaptureVerdict {
    match latest {
        None => CaptureVerdict::Append {
            seq: 1,
            kind: VersionKind::New,
        },
        Some(l) if l.kind == VersionKind::Removed => CaptureVerdict::Append {
            seq: l.seq + 1,
            kind: VersionKind::Restored,
        },
        Some(l) if l.content_hash == content_hash => CaptureVerdict::Unchanged { seq: l.seq },
        Some(l) => CaptureVerdict::Append {
            seq: l.seq + 1,
            kind: if minor {
                VersionKind::Minor
            } else {
                VersionKind::Edit
            },
        },
    }
}

/// The domain rule for a removal sighting: confirmed once the article has been seen removed
/// `confirmations` times (at least once), the first of them (`first_seen`, archive time text;
/// this sighting when unreadable) at least `confirm_after` before this one (`at`). `count`
/// includes this sighting.
pub fn removal_confirmed(
    count: u32,
    confirmations: u32,
    first_seen: &str,
    at: chrono::DateTime<chrono::Utc>,
    confirm_after: std::time::Duration,
) -> bool {
    let first = chrono::DateTime::parse_from_rfc3339(first_seen)
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or(at);
    let waited = (at - first).to_std().unwrap_or_default();
    count >= confirmations.max(1) && waited >= confirm_after
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips_and_unknown_names_are_errors() {
        for k in VersionKind::ALL {
            assert_eq!(k.as_str().parse::<VersionKind>(), Ok(*k));
        }
        for s in ArticleStatus::ALL {
            assert_eq!(s.as_str().parse::<ArticleStatus>(), Ok(*s));
        }
        for o in FetchOutcome::ALL {
            assert_eq!(o.as_str().parse::<FetchOutcome>(), Ok(*o));
        }
        for q in QueueStatus::ALL {
            assert_eq!(q.as_str().parse::<QueueStatus>(), Ok(*q));
        }
        assert_eq!(
            serde_json::to_string(&FetchOutcome::NotModified).unwrap(),
            "\"not_modified\""
        );
        let err = "Edit".parse::<VersionKind>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown version kind \"Edit\" in the archive"
        );
    }

    #[test]
    fn captures_are_classified_by_the_latest_version() {
        let latest = |kind| Latest {
            seq: 3,
            kind,
            content_hash: "h",
        };
        assert_eq!(
            classify_capture(None, "h", true),
            CaptureVerdict::Append {
                seq: 1,
                kind: VersionKind::New
            }
        );
        assert_eq!(
            classify_capture(Some(latest(VersionKind::Edit)), "h", false),
            CaptureVerdict::Unchanged { seq: 3 }
        );
        assert_eq!(
            classify_capture(Some(latest(VersionKind::Removed)), "h", false),
            CaptureVerdict::Append {
                seq: 4,
                kind: VersionKind::Restored
            }
        );
        assert_eq!(
            classify_capture(Some(latest(VersionKind::New)), "other", false),
            CaptureVerdict::Append {
                seq: 4,
                kind: VersionKind::Edit
            }
        );
        assert_eq!(
            classify_capture(Some(latest(VersionKind::Import)), "other", true),
            CaptureVerdict::Append {
                seq: 4,
                kind: VersionKind::Minor
            }
        );
    }

    #[test]
    fn a_minor_version_after_an_import_is_reported_as_a_recapture() {
        use VersionKind::*;
        assert_eq!(VersionKind::reported(Minor, Some(Import)), Recapture);
        assert_eq!(VersionKind::reported(Minor, Some(Edit)), Minor);
        assert_eq!(VersionKind::reported(Edit, Some(Import)), Edit);
        assert_eq!(VersionKind::reported(New, None), New);
    }
}
