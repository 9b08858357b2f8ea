//! Importing existing archives: Hugo trees and single files in the archive document format
//! (those of the older generator too), without any network.
//!
//! Each file is registered by the source link on its last line: the site module's canonical
//! URL when the link is one of a known site (every Tencent News URL form merges into one
//! article), else the link itself. The file's exact text becomes a version of kind `import`;
//! a text the article already has is "already known", so importing the same tree twice
//! changes nothing. A bad file is reported as `path:line: what is wrong` and skipped; it never
//! stops the others. The SQL is in `archive::import`, done [`BATCH_SIZE`] files per
//! transaction.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::archive::{Archive, ArchiveError, ImportRecord, Imported, hash_hex};
use crate::config::SitesConfig;
use crate::document::{Document, content_path};
use crate::sites;

/// Files per transaction: large enough that syncing is not the cost, small enough that a
/// batch of big documents stays a few MB in memory.
pub const BATCH_SIZE: usize = 500;

/// A batch is stored early once its documents (text and parsed copy) take this much memory,
/// so that a folder of large files is streamed rather than held.
pub const MAX_BATCH_BYTES: usize = 32 * 1024 * 1024;

/// Larger files are refused: no article document comes near it, and reading one must not
/// exhaust memory.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Why an import stopped. Bad files never stop it; only the archive can.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
}

/// A file (or folder) that was skipped, and why. Displays as `path:line: message`, or
/// `path: message` when no line is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    /// 1-based; 0 when the problem is not on one line.
    pub line: usize,
    pub message: String,
}

impl Problem {
    fn new(path: &Path, line: usize, message: impl Into<String>) -> Problem {
        Problem {
            path: path.to_owned(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
        }
    }
}

/// What became of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    /// Stored (or found already stored) as a version of the article `canonical_url`.
    Stored {
        canonical_url: String,
        imported: Imported,
    },
    Skipped(Problem),
}

/// Counts for the closing summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Files that created an article.
    pub new_articles: u64,
    /// Files added as a new version of a known article.
    pub new_versions: u64,
    /// Files whose text the article already had.
    pub already_known: u64,
    /// Files (and unreadable folders) skipped, each reported.
    pub skipped: u64,
    /// Hidden files and folders passed over (names starting with `.`).
    pub hidden: u64,
}

impl ImportSummary {
    /// Files stored: new articles and new versions.
    pub fn imported(&self) -> u64 {
        self.new_articles + self.new_versions
    }

    pub fn count(&mut self, outcome: &FileOutcome) {
        match outcome {
            FileOutcome::Stored { imported, .. } => match imported {
                Imported::NewArticle { .. } => self.new_articles += 1,
                Imported::NewVersion { .. } => self.new_versions += 1,
                Imported::AlreadyKnown { .. } => self.already_known += 1,
            },
            FileOutcome::Skipped(_) => self.skipped += 1,
        }
    }
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "imported {} ({} new articles, {} new versions), already known {}, skipped {}",
            self.imported(),
            self.new_articles,
            self.new_versions,
            self.already_known,
            self.skipped
        )?;
        if self.hidden > 0 {
            write!(
                f,
                ", passed over {} hidden (names starting with '.')",
                self.hidden
            )?;
        }
        Ok(())
    }
}

/// What [`find_files`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// The files to import, in order.
    pub files: Vec<PathBuf>,
    /// Inputs and folders that could not be read.
    pub problems: Vec<Problem>,
    /// Hidden files and folders (names starting with `.`) passed over, each counted once
    /// (a hidden folder's contents are not looked at).
    pub hidden: Vec<PathBuf>,
}

/// The files to import, in a stable order: each input file as given (whatever its name), and
/// under each input folder every `*.md` file, sorted by name. Hidden folders and files (`.git`,
/// ...) and Hugo's section pages (`_index.md`) are not articles and are passed over (the hidden
/// ones are listed, so that they can be reported). Inputs and folders that cannot be read are
/// returned as problems.
pub fn find_files(inputs: &[PathBuf]) -> Found {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut hidden = Vec::new();
    for input in inputs {
        match std::fs::metadata(input) {
            Err(e) => problems.push(Problem::new(input, 0, format!("cannot read: {e}"))),
            Ok(meta) if meta.is_file() => files.push(input.clone()),
            Ok(meta) if !meta.is_dir() => {
                problems.push(Problem::new(input, 0, "not a file or a folder"));
            }
            Ok(_) => {
                let walk = walkdir::WalkDir::new(input)
                    .follow_links(true)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_entry(|e| {
                        let pass_over = e.depth() > 0 && is_hidden(e.file_name());
                        if pass_over {
                            hidden.push(e.path().to_owned());
                        }
                        !pass_over
                    });
                for entry in walk {
                    match entry {
                        Ok(e) if e.file_type().is_file() && is_article_file(e.file_name()) => {
                            files.push(e.into_path());
                        }
                        Ok(_) => {}
                        Err(e) => {
                            let path = e.path().unwrap_or(input).to_owned();
                            let message = match e.io_error() {
                                Some(io) => format!("cannot read: {io}"),
                                None => e.to_string(), // a symlink loop
                            };
                            problems.push(Problem {
                                path,
                                line: 0,
                                message,
                            });
                        }
                    }
                }
            }
        }
    }
    Found {
        files,
        problems,
        hidden,
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().starts_with(b".")
}

fn is_article_file(name: &std::ffi::OsStr) -> bool {
    let name = name.as_encoded_bytes();
    name.ends_with(b".md") && name != b"_index.md"
}

/// A file read, parsed and identified, ready to store.
#[derive(Debug, Clone)]
struct Prepared {
    import_path: String,
    text: String,
    document: Document,
    canonical_url: String,
    site: String,
    id: String,
    captured_at: DateTime<Utc>,
}

impl Prepared {
    fn record(&self) -> ImportRecord<'_> {
        ImportRecord {
            canonical_url: &self.canonical_url,
            site: &self.site,
            site_article_id: &self.id,
            lang: &self.document.lang,
            title: &self.document.title,
            published: &self.document.date,
            document: &self.text,
            captured_at: self.captured_at,
            import_path: &self.import_path,
        }
    }
}

/// Reads one file: size cap, UTF-8, the document format, a usable source link.
fn prepare(path: &Path, sites: &SitesConfig, now: DateTime<Utc>) -> Result<Prepared, Problem> {
    let cannot_read = |e: std::io::Error| Problem::new(path, 0, format!("cannot read: {e}"));
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    let meta = file.metadata().map_err(cannot_read)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).min(1 << 20));
    // One byte more than allowed tells a file that is too large, even one still growing.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Problem::new(
            path,
            0,
            format!(
                "larger than the {} MiB an article document may have",
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
        Problem::new(
            path,
            line,
            format!("not UTF-8 text (invalid byte at offset {valid})"),
        )
    })?;
    let document = Document::parse(&text).map_err(|e| Problem::new(path, e.line, e.message))?;
    if document.source_url.trim().is_empty() {
        let lines: Vec<&str> = text.split('\n').collect();
        let line = lines
            .iter()
            .rposition(|l| !l.trim_ascii().is_empty())
            .map_or(0, |i| i + 1);
        return Err(Problem::new(path, line, "the source link is empty"));
    }
    if !sites::is_http_url(&document.source_url) {
        let line = text.trim_end().split('\n').count();
        return Err(Problem::new(
            path,
            line,
            format!(
                "the source link {:?} is not an http(s) URL",
                document.source_url.trim()
            ),
        ));
    }
    let (canonical_url, site, id) = identify(&document, path, sites);
    // The file's modification time is the best evidence of when the text was captured (the
    // older generator wrote each file once, when it fetched the item); never in the future,
    // nor before 1970 (a nonsense time the archive's time format might not hold).
    let captured_at = meta
        .modified()
        .ok()
        .map(DateTime::<Utc>::from)
        .filter(|t| t.timestamp() >= 0)
        .map_or(now, |t| t.min(now));
    let import_path = std::path::absolute(path)
        .unwrap_or_else(|_| path.to_owned())
        .to_string_lossy()
        .into_owned();
    Ok(Prepared {
        import_path,
        text,
        document,
        canonical_url,
        site,
        id,
        captured_at,
    })
}

/// The article a document belongs to: (canonical URL, site key, site article id).
///
/// A link of a known site gives that site's canonical URL and id. Any other link is its own
/// canonical URL (trimmed); the site is the document's (`categories[0]`) and the id the file
/// name without `.md` and `.<lang>`, as the older generator named files, or, when that gives no
/// usable file name, a hash of the link (archive-format.md: "a stable hash of the canonical
/// URL").
pub fn identify(document: &Document, path: &Path, sites: &SitesConfig) -> (String, String, String) {
    let resolved = sites::resolve(&document.source_url, sites);
    // A site with a module knows its ids (qq's URL forms all merge into one article).
    if let Ok(target) = &resolved
        && !matches!(target.site, sites::Site::Generic(_))
    {
        return (
            target.canonical_url.clone(),
            target.site.key().to_owned(),
            target.id.clone(),
        );
    }
    // Any other site keeps the file's own site key and id, so that exporting writes the file
    // back where it was; the link is canonicalised as a fetch would (tracking parameters off).
    let canonical_url = match resolved {
        Ok(target) => target.canonical_url,
        Err(_) => document.source_url.trim().to_owned(),
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id = stem
        .strip_suffix(&format!(".{}", document.lang))
        .unwrap_or(&stem)
        .to_owned();
    let id = if content_path(&document.lang, &document.site, &id).is_ok() {
        id
    } else {
        hash_hex(canonical_url.as_bytes())[..16].to_owned()
    };
    (canonical_url, document.site.clone(), id)
}

/// Imports `files` into `archive`, [`BATCH_SIZE`] files per transaction, calling `report` once
/// per file, in order, with what became of it. Bad files are reported and skipped; only an
/// archive error stops the import (the batches committed before it stay, and importing again
/// resumes where it stopped, as already stored files are "already known").
pub fn import_files(
    archive: &mut Archive,
    sites: &SitesConfig,
    files: &[PathBuf],
    mut report: impl FnMut(&Path, &FileOutcome),
) -> Result<ImportSummary, ImportError> {
    let mut summary = ImportSummary::default();
    // Skipped files wait in the batch too, so that reports come in file order.
    let mut batch: Vec<(&Path, Result<Prepared, Problem>)> = Vec::with_capacity(BATCH_SIZE);
    let (mut prepared, mut batch_bytes) = (0, 0);
    let now = Utc::now();
    for (i, path) in files.iter().enumerate() {
        let read = prepare(path, sites, now);
        prepared += usize::from(read.is_ok());
        batch_bytes += read.as_ref().map_or(0, |p| p.text.len() * 2);
        batch.push((path, read));
        if prepared == BATCH_SIZE || batch_bytes >= MAX_BATCH_BYTES || i + 1 == files.len() {
            store_batch(archive, &mut batch, &mut summary, &mut report)?;
            (prepared, batch_bytes) = (0, 0);
        }
    }
    Ok(summary)
}

fn store_batch(
    archive: &mut Archive,
    batch: &mut Vec<(&Path, Result<Prepared, Problem>)>,
    summary: &mut ImportSummary,
    report: &mut impl FnMut(&Path, &FileOutcome),
) -> Result<(), ImportError> {
    let records: Vec<ImportRecord<'_>> = batch
        .iter()
        .filter_map(|(_, read)| read.as_ref().ok().map(Prepared::record))
        .collect();
    let mut results = archive.import_documents(&records)?.into_iter();
    for (path, read) in batch.drain(..) {
        let outcome = match read {
            Ok(prepared) => FileOutcome::Stored {
                canonical_url: prepared.canonical_url,
                // One result per record, in order.
                imported: results.next().ok_or_else(|| {
                    ArchiveError::Corrupt("import: fewer results than records".into())
                })?,
            },
            Err(problem) => FileOutcome::Skipped(problem),
        };
        summary.count(&outcome);
        report(path, &outcome);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(site: &str, lang: &str, link: &str) -> Document {
        Document {
            title: "t".into(),
            date: "2025-01-01 00:00:00".into(),
            summary: String::new(),
            site: site.into(),
            lang: lang.into(),
            thumbnail: String::new(),
            body: "b".into(),
            source_url: link.into(),
        }
    }

    #[test]
    fn known_sites_give_their_canonical_url() {
        let sites = SitesConfig::default();
        for link in [
            "https://view.inews.qq.com/a/20250211A013J400",
            " https://news.qq.com/rain/a/20250211A013J400 ",
            "https://new.qq.com/omn/20250211/20250211A013J400.html",
        ] {
            let got = identify(&doc("qq", "zh-CN", link), Path::new("x/any.md"), &sites);
            assert_eq!(
                got,
                (
                    "https://new.qq.com/rain/a/20250211A013J400".to_owned(),
                    "qq".to_owned(),
                    "20250211A013J400".to_owned()
                )
            );
        }
    }

    #[test]
    fn other_links_are_their_own_canonical_url() {
        let sites = SitesConfig::default();
        let d = doc("Reuters", "en-US", " https://www.reuters.com/markets/x ");
        let path = Path::new("content/en-US/news/tradingview/abc123.en-US.md");
        assert_eq!(
            identify(&d, path, &sites),
            (
                "https://www.reuters.com/markets/x".to_owned(),
                "Reuters".to_owned(),
                "abc123".to_owned()
            )
        );
        // No language suffix: the whole stem.
        assert_eq!(identify(&d, Path::new("abc.md"), &sites).2, "abc");
        // A stem that gives no file name: a hash of the link.
        let (_, _, id) = identify(&d, Path::new("..en-US.md"), &sites);
        assert_eq!(id, hash_hex(b"https://www.reuters.com/markets/x")[..16]);
    }

    #[test]
    fn problems_display_with_and_without_a_line() {
        let p = Problem::new(Path::new("a/b.md"), 3, "bad");
        assert_eq!(p.to_string(), "a/b.md:3: bad");
        let p = Problem::new(Path::new("a/b.md"), 0, "cannot read: gone");
        assert_eq!(p.to_string(), "a/b.md: cannot read: gone");
    }
}
