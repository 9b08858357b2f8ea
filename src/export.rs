//! Writing documents into a Hugo content tree: `content/<lang>/news/<site>/<id>.<lang>.md`.
//!
//! Files are written atomically (a temporary file in the same folder, then a rename), so a
//! reader or a crash never sees half a file; a file whose content is already right is left alone.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::document::{Document, DocumentError, content_path};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot name the file for {url}: {source}")]
    Path {
        url: String,
        #[source]
        source: DocumentError,
    },
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What writing one file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Created,
    Updated,
    Unchanged,
}

/// Writes `document` (article `id`) under `root`, returning its path and what was done.
pub fn write_document(
    root: &Path,
    document: &Document,
    id: &str,
) -> Result<(PathBuf, Written), ExportError> {
    let relative =
        content_path(&document.lang, &document.site, id).map_err(|source| ExportError::Path {
            url: document.source_url.clone(),
            source,
        })?;
    let path = root.join(relative);
    let written = write_atomically(&path, document.render().as_bytes())?;
    Ok((path, written))
}

/// Replaces `path` with `content` atomically, unless it already holds exactly that.
pub fn write_atomically(path: &Path, content: &[u8]) -> Result<Written, ExportError> {
    let io = |source| ExportError::Io {
        path: path.to_owned(),
        source,
    };
    let existing = match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    if existing.as_deref() == Some(content) {
        return Ok(Written::Unchanged);
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    temp.write_all(content).map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    temp.persist(path).map_err(|e| io(e.error))?;
    Ok(if existing.is_some() {
        Written::Updated
    } else {
        Written::Created
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_once_then_leaves_identical_content_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/c.md");
        assert_eq!(write_atomically(&path, b"x").unwrap(), Written::Created);
        assert_eq!(write_atomically(&path, b"x").unwrap(), Written::Unchanged);
        assert_eq!(write_atomically(&path, b"y").unwrap(), Written::Updated);
        assert_eq!(std::fs::read(&path).unwrap(), b"y");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary files left behind");
    }
}
