//! The archive: every version of every article, the sources' work queue and the fetch log.
//! The only code that speaks SQL.
//!
//! This module is what the rest of newsvault sees: the vocabularies and domain rules
//! ([`VersionKind`] and what counts as new, edit, minor, removed or restored), the errors, and
//! [`connect`], the one way to open an archive. The storage itself is a backend module with
//! its own migrations: [`sqlite`], one file, the embedded default.
//!
//! The storage interface and why it is synchronous: [`store`].

use std::path::{Path, PathBuf};

use sqlite::SqliteArchive;

mod group;
mod kinds;
pub mod sqlite;
pub mod store;

pub use group::GroupCommitter;
pub use kinds::{
    ArticleStatus, CaptureVerdict, FetchOutcome, Latest, QueueStatus, UnknownName, VersionKind,
    VersionOrigin, classify_capture,
};
pub use sqlite::{
    APPLICATION_ID, ArchiveStats, ArticleDocument, ArticleRow, ArticleSummary, ChosenVersion,
    FetchLog, FetchRow, ImportRecord, Imported, NewCapture, PollRecord, QueueCounts, QueueItem,
    QueueState, RawCapture, Recorded, Removal, RemovalSighting, RemovalState, ReprocessItem,
    SCHEMA_VERSION, ScheduleInputs, SearchPage, SourceRow, SourceStatus, ToQueue, VersionChoice,
    VersionDetail, VersionEvent, VersionRow, format_time, hash_hex,
};
pub use store::{Archive, Checks, Exports, Feeds, Imports, Queue, Store, Versions};

/// How a command uses the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Reads and writes; the archive is created when missing and its schema brought up to
    /// date.
    ReadWrite,
    /// Only reads: never creates, never writes (not even a schema upgrade when the file
    /// cannot be written), so it works on a backup, a read-only mount or another user's
    /// file. A missing archive is [`ArchiveError::NoArchive`].
    ReadOnly,
}

/// Opens the archive at `location` (an SQLite file) for `mode`. Every command and the daemon
/// open their archive here, so where an archive is and how it is opened is decided once.
pub fn connect(location: &Path, mode: Mode) -> Result<Archive, ArchiveError> {
    if location.is_dir() {
        return Err(ArchiveError::Folder {
            path: location.to_path_buf(),
        });
    }
    let store = match mode {
        Mode::ReadWrite => SqliteArchive::open(location)?,
        Mode::ReadOnly => {
            if !location.exists() {
                return Err(ArchiveError::NoArchive {
                    path: location.to_path_buf(),
                });
            }
            SqliteArchive::open_read_only_upgrading(location)?
        }
    };
    Ok(Archive::new(store))
}

/// Errors from the archive. Messages name the file (or blob) concerned.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// A read-only command was pointed at an archive that does not exist (nothing created).
    #[error("no archive at {} (set --db, NEWSVAULT_DB or [archive] path)", path.display())]
    NoArchive { path: PathBuf },
    /// The archive location is a folder.
    #[error("{} is a folder, not an archive file (give the path of the .db file)", path.display())]
    Folder { path: PathBuf },
    /// The file could not be opened or read as a database.
    #[error("cannot open archive {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The file exists but is not an SQLite database. It was left untouched.
    #[error(
        "{} is not an SQLite database (corrupt or some other kind of file); it was left untouched",
        path.display()
    )]
    NotADatabase { path: PathBuf },
    /// The file is an SQLite database, but not a newsvault archive. It was left untouched.
    #[error("{} is an SQLite database but not a newsvault archive ({reason}); it was left untouched", path.display())]
    NotAnArchive { path: PathBuf, reason: String },
    /// The archive was written by a newer newsvault, with a schema this code does not know.
    #[error(
        "archive {} has schema version {found}, newer than the latest this newsvault supports ({supported}); upgrade newsvault",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: usize,
        supported: usize,
    },
    /// A read-only open found an archive at an older schema it could not upgrade.
    #[error(
        "archive {} has schema version {found}, this newsvault reads {current}: run a command that writes (e.g. `newsvault status` as the file's owner) once to upgrade it",
        path.display()
    )]
    Outdated {
        path: PathBuf,
        found: usize,
        current: usize,
    },
    /// Any other SQLite error.
    #[error("archive database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Bringing the schema up to date failed (nothing was changed: migrations are atomic).
    #[error("archive schema migration failed: {0}")]
    Migration(String),
    /// Stored data failed verification (bad blob, hash mismatch, corrupt database file...).
    #[error("archive corrupt: {0}")]
    Corrupt(String),
    /// A value does not fit the archive's integer columns (e.g. a u64 above i64::MAX).
    #[error("value out of range for the archive: {0}")]
    OutOfRange(String),
    /// Compressing a blob failed.
    #[error("blob compression failed: {0}")]
    Io(#[from] std::io::Error),
    /// The transaction shared with other articles' writes could not be committed, or the
    /// thread committing it is gone: nothing of this unit of work was stored.
    #[error("archive commit failed, nothing stored: {0}")]
    Commit(String),
}
