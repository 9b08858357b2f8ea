//! `newsvault extract FILE [--url URL]` and `newsvault extract --json FILE... [--url URL]`

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use newsvault::config::Config;
use newsvault::extract::Extraction;
use newsvault::pipeline::{ExtractRecord, PageRoom, extract_saved_file};

/// Prints the archive document of one saved page.
pub fn extract(config: &Config, files: &[PathBuf], url: Option<&str>) -> Result<ExitCode> {
    let [file] = files else {
        bail!("several files need --json (one JSON record per line)");
    };
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut saved = extract_saved_file(&bytes, file, url, config)?;
    saved.date_from_capture(saved_at(file));
    if saved.decode_errors {
        eprintln!(
            "newsvault: {}: bytes invalid in {} were replaced with U+FFFD while decoding",
            file.display(),
            saved.encoding
        );
    }
    match saved.extraction {
        Extraction::Article(article) => {
            print!("{}", article.to_document(&saved.target).render());
            Ok(ExitCode::SUCCESS)
        }
        Extraction::Removed { signal } => bail!("{}: removed: {signal}", file.display()),
        Extraction::Blocked { signal } => bail!("{}: blocked: {signal}", file.display()),
        Extraction::NotArticle { reason } => bail!("{}: not an article: {reason}", file.display()),
    }
}

/// Prints one JSON record per file, in order; fails (after printing all) when any file is not
/// an article. Files are read and extracted on one thread per core, big pages alone (as the
/// archiving pool lets them in: [`PageRoom`]); records are printed in the order of `files` as
/// soon as they and those before them are done.
pub fn extract_json(config: &Config, files: &[PathBuf], url: Option<&str>) -> Result<ExitCode> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len().max(1));
    let next = AtomicUsize::new(0);
    let room = PageRoom::default();
    let (done, records) = mpsc::channel::<(usize, ExtractRecord)>();
    let mut stdout = std::io::stdout().lock();
    let mut not_articles = 0;
    std::thread::scope(|scope| -> Result<()> {
        for _ in 0..workers {
            let done = done.clone();
            let (next, room) = (&next, &room);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    if done
                        .send((i, extract_record(config, file, url, room)))
                        .is_err()
                    {
                        break;
                    }
                }
            });
        }
        drop(done);
        let mut waiting = BTreeMap::new();
        let mut next_out = 0;
        for (i, record) in records {
            waiting.insert(i, record);
            while let Some(record) = waiting.remove(&next_out) {
                if record.outcome != "article" {
                    not_articles += 1;
                }
                serde_json::to_writer(&mut stdout, &record)?;
                stdout.write_all(b"\n")?;
                next_out += 1;
            }
        }
        Ok(())
    })?;
    stdout.flush()?;
    Ok(if not_articles > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn extract_record(
    config: &Config,
    file: &Path,
    url: Option<&str>,
    room: &PageRoom,
) -> ExtractRecord {
    let name = file.display().to_string();
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) => return ExtractRecord::error(&name, format!("cannot read {name}: {e}")),
    };
    let extracted = {
        let _taken = room.take(bytes.len());
        extract_saved_file(&bytes, file, url, config)
    };
    match extracted {
        Ok(mut saved) => {
            saved.date_from_capture(saved_at(file));
            saved.record(&name)
        }
        Err(e) => ExtractRecord::error(&name, e.to_string()),
    }
}

/// When a saved page was captured, as far as we can tell: its file's modification time (a
/// browser or `curl` writes the file when it fetches the page), else now. Stands in for the
/// publish time of a page that shows none, as the first capture time does in the archive.
fn saved_at(file: &Path) -> DateTime<Utc> {
    std::fs::metadata(file)
        .and_then(|m| m.modified())
        .map(DateTime::<Utc>::from)
        .unwrap_or_else(|_| Utc::now())
}
