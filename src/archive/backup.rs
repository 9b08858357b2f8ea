//! A consistent copy of a live archive (`newsvault backup FILE`), with SQLite's online backup:
//! the copy is one snapshot of the database, WAL included, taken while a daemon may be
//! writing (in WAL mode a reader never blocks the writer). A plain `cp` of the file misses
//! what is still in `-wal`.
//!
//! The source is opened read-only on a connection of its own, so a backup never changes the
//! archive (no migration, no checkpoint). The copy is written to a temporary file beside the
//! destination, switched to a single-file journal, checked, and only then moved into place;
//! an existing destination is never overwritten.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

/// How long a backup waits for a lock held by a writer before giving up.
const BUSY_WAIT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{} already exists; not overwriting it", .0.display())]
    Exists(PathBuf),
    #[error("no archive at {}", .0.display())]
    NoSource(PathBuf),
    #[error("cannot read archive {}: {source}", path.display())]
    Source {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot write backup {}: {source}", path.display())]
    Destination {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("backup into {} failed: {source}", path.display())]
    Copy {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the archive stayed locked for {}s; try again", BUSY_WAIT.as_secs())]
    Busy,
    #[error("the copy in {} fails SQLite's check: {report}", path.display())]
    Check { path: PathBuf, report: String },
}

/// What a backup copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupStats {
    pub pages: u64,
    pub bytes: u64,
}

/// Copies the archive at `source` into the new file `dest`.
pub fn backup_file(source: &Path, dest: &Path) -> Result<BackupStats, BackupError> {
    if !source.is_file() {
        return Err(BackupError::NoSource(source.to_path_buf()));
    }
    if dest.exists() {
        return Err(BackupError::Exists(dest.to_path_buf()));
    }
    let source_error = |e| BackupError::Source {
        path: source.to_path_buf(),
        source: e,
    };
    let from = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(source_error)?;
    from.busy_timeout(BUSY_WAIT).map_err(source_error)?;

    let dest_error = |e| BackupError::Destination {
        path: dest.to_path_buf(),
        source: e,
    };
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".newsvault-backup-")
        .tempfile_in(parent)
        .map_err(dest_error)?;
    let copy_error = |e| BackupError::Copy {
        path: dest.to_path_buf(),
        source: e,
    };
    let mut to = Connection::open(tmp.path()).map_err(copy_error)?;
    let pages = copy_snapshot(&from, &mut to).map_err(|e| match e {
        CopyError::Busy => BackupError::Busy,
        CopyError::Sqlite(e) => copy_error(e),
    })?;
    // One self-contained file: no -wal beside it.
    to.pragma_update(None, "journal_mode", "DELETE")
        .map_err(copy_error)?;
    let report: String = to
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(copy_error)?;
    if report != "ok" {
        return Err(BackupError::Check {
            path: dest.to_path_buf(),
            report,
        });
    }
    to.close().map_err(|(_, e)| copy_error(e))?;
    let bytes = std::fs::metadata(tmp.path()).map_err(dest_error)?.len();
    tmp.persist_noclobber(dest)
        .map_err(|e| match e.error.kind() {
            std::io::ErrorKind::AlreadyExists => BackupError::Exists(dest.to_path_buf()),
            _ => dest_error(e.error),
        })?;
    Ok(BackupStats { pages, bytes })
}

enum CopyError {
    Busy,
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for CopyError {
    fn from(e: rusqlite::Error) -> Self {
        CopyError::Sqlite(e)
    }
}

/// Copies every page in one step: one read transaction, so one snapshot (stepping a few
/// pages at a time would restart whenever the daemon writes in between).
fn copy_snapshot(from: &Connection, to: &mut Connection) -> Result<u64, CopyError> {
    let backup = Backup::new(from, to)?;
    let started = std::time::Instant::now();
    loop {
        match backup.step(-1)? {
            StepResult::Done => {
                return Ok(u64::try_from(backup.progress().pagecount).unwrap_or(0));
            }
            StepResult::More => {}
            // Busy, Locked: a writer holds a lock for a moment.
            _ => {
                if started.elapsed() > BUSY_WAIT {
                    return Err(CopyError::Busy);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}
