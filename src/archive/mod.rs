//! The archive: every version of every article, the sources' work queue and the fetch log.
//! The only code that speaks SQL.
//!
//! This module is what the rest of newsvault sees: the vocabularies and domain rules
//! ([`VersionKind`] and what counts as new, edit, minor, removed or restored), the errors, and
//! [`connect`], the one way to open an archive. The storage itself is a backend module with
//! its own migrations: [`sqlite`], one file, the embedded default, or [`postgres`], a
//! PostgreSQL database named by a URL.
//!
//! The storage interface and why it is synchronous: [`store`].

use std::path::{Path, PathBuf};

use sqlite::SqliteArchive;

#[cfg(test)]
mod backend_tests;
pub mod backup;
mod blob;
pub mod copy;
mod group;
pub mod images;
mod kinds;
pub mod leases;
pub mod postgres;
pub mod screenshots;
pub mod search;
pub mod sqlite;
pub mod store;

pub use blob::RawBlob;
pub use group::GroupCommitter;
pub use images::{ArchivedImage, ImageOutcome, ImageRole, ImageRow, NewImage};
pub use kinds::{
    ArticleStatus, CaptureVerdict, FetchOutcome, Latest, QueueStatus, ShotKind, ShotOutcome,
    UnknownName, VersionKind, VersionOrigin, classify_capture,
};
pub use leases::{HostGrant, HostRequest, QueueEntry, RobotsRecord, SourcePoll};
pub use screenshots::{NewScreenshot, ScreenshotRow};
pub use search::{
    FoundVersion, IndexCounts, SearchCandidate, SearchOptions, SearchResult, SearchResults,
    SearchScope, SearchText,
};
pub use sqlite::{
    APPLICATION_ID, ArchiveStats, ArticleDocument, ArticleRow, ArticleSummary, ChosenVersion,
    FetchLog, FetchRow, ImportRecord, Imported, NewCapture, PollRecord, QueueCounts, QueueItem,
    QueueState, RawCapture, RawCaptureInfo, Recorded, Removal, RemovalSighting, RemovalState,
    ReprocessItem, SCHEMA_VERSION, ScheduleInputs, SourceRow, SourceStatus, ToQueue, VersionChoice,
    VersionDetail, VersionEvent, VersionRow, format_time, hash_hex,
};
pub use store::{
    Archive, Checks, Exports, Feeds, HostGates, Images, Imports, Leases, Queue, Screenshots,
    Search, Store, Versions,
};

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

/// Where an archive is, as `--db`, `NEWSVAULT_DB` or `[archive] path` give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file (the default).
    Sqlite(PathBuf),
    /// A PostgreSQL database, named by a `postgres://` or `postgresql://` URL. Its `Display`
    /// never shows a password.
    Postgres(PostgresUrl),
}

impl Location {
    /// Reads a configured location: a `postgres://` or `postgresql://` URL, else a file path.
    pub fn of(configured: &Path) -> Location {
        match configured.to_str() {
            Some(text) if is_postgres_url(text) => Location::Postgres(PostgresUrl(text.to_owned())),
            _ => Location::Sqlite(configured.to_path_buf()),
        }
    }
}

/// Shows a file's path, or a database URL without its password.
impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => write!(f, "{url}"),
        }
    }
}

fn is_postgres_url(text: &str) -> bool {
    let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// A PostgreSQL connection URL. It may carry a password (in its user part or as a
/// `password` parameter): it is shown only redacted, as [`PostgresUrl::redacted`].
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl(String);

impl PostgresUrl {
    /// The URL as given, password included: for the database client only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL without secrets: the password replaced by `***` and the query (where libpq
    /// also accepts `password=`) left out.
    pub fn redacted(&self) -> String {
        match url::Url::parse(&self.0) {
            Ok(mut url) => {
                if url.password().is_some() {
                    let _ = url.set_password(Some("***"));
                }
                let had_query = url.query().is_some();
                url.set_query(None);
                let mut shown = url.to_string();
                if had_query {
                    shown.push_str("?…");
                }
                shown
            }
            // libpq's forms the URL parser refuses, e.g. `postgresql://user:pw@/db?host=/run`.
            Err(_) => redact_by_hand(&self.0),
        }
    }
}

/// [`PostgresUrl::redacted`] of a URL that does not parse: the password between the user
/// part's `:` and its `@` replaced, the query left out.
fn redact_by_hand(text: &str) -> String {
    let (scheme, rest) = text.split_once("://").unwrap_or(("postgres", ""));
    let (before_query, query) = match rest.split_once('?') {
        Some((before, _)) => (before, "?…"),
        None => (rest, ""),
    };
    let (authority, path) = before_query
        .find('/')
        .map_or((before_query, ""), |at| before_query.split_at(at));
    let authority = match authority.rsplit_once('@') {
        Some((user_part, host)) => match user_part.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => format!("{user_part}@{host}"),
        },
        None => authority.to_owned(),
    };
    format!("{scheme}://{authority}{path}{query}")
}

impl std::fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl std::fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostgresUrl({})", self.redacted())
    }
}

/// Opens the archive at `location` for `mode`. Every command and the daemon open their
/// archive here, so where an archive is and how it is opened is decided once.
pub fn connect(location: &Path, mode: Mode) -> Result<Archive, ArchiveError> {
    if let Location::Postgres(url) = Location::of(location) {
        return postgres::PostgresArchive::connect(&url, mode).map(Archive::new);
    }
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
    /// The location names a kind of archive this build cannot open (shown without secrets).
    #[error("cannot open archive {location}: {what}")]
    Unsupported { location: String, what: String },
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
    /// Any other PostgreSQL error (with the server's message).
    #[error("archive database error: {}", postgres::describe(.0))]
    Postgres(#[from] ::postgres::Error),
    /// A PostgreSQL archive could not be reached or used (shown without secrets).
    #[error("archive {location}: {what}")]
    Database { location: String, what: String },
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

#[cfg(test)]
mod location_tests {
    use super::*;

    #[test]
    fn database_urls_are_told_from_paths_and_never_shown_with_their_password() {
        let url = |s: &str| match Location::of(Path::new(s)) {
            Location::Postgres(url) => url,
            other => panic!("{s} is a database URL, not {other:?}"),
        };
        assert_eq!(
            url("postgres://alice:s3cret@db.example:5433/news").to_string(),
            "postgres://alice:***@db.example:5433/news"
        );
        assert_eq!(
            url("PostgreSQL://alice@db.example/news?password=s3cret&sslmode=require").redacted(),
            "postgresql://alice@db.example/news?…"
        );
        // libpq's socket form, which the URL parser refuses.
        assert_eq!(
            url("postgresql://alice:s3cret@/news?host=/run/postgresql").redacted(),
            "postgresql://alice:***@/news?…"
        );
        let bad = url("postgres://alice:s3cret@[::1/news");
        assert!(!bad.redacted().contains("s3cret"), "{}", bad.redacted());
        assert!(!format!("{bad:?}").contains("s3cret"));
        assert_eq!(
            Location::of(Path::new("archives/postgres.db")),
            Location::Sqlite(PathBuf::from("archives/postgres.db"))
        );
    }
}
