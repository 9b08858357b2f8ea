//! `newsvault export DIR [--site KEY] [--version first|latest] [--images]` and
//! `newsvault export --warc FILE [--site KEY]`

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};
use newsvault::archive::{self, Archive, Mode, VersionChoice};
use newsvault::config::Config;
use newsvault::export::{ExportEvent, IMAGES_MANIFEST, export_images, export_tree};
use newsvault::warc::{WarcOptions, export_warc};

use super::import::progress_bar;

/// Which version of each article `export DIR` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportVersion {
    /// The first version: a file, once written, is never overwritten
    First,
    /// The latest version: files follow edits
    Latest,
}

/// Exit status 1 when any article could not be written (each is reported): the tree is then
/// incomplete.
pub fn export(
    config: &Config,
    dir: &Path,
    site: Option<&str>,
    version: ExportVersion,
    images: bool,
) -> Result<ExitCode> {
    let archive = archive::connect(&config.archive.path, Mode::ReadOnly)?;
    require_site(&archive, site)?;
    let choice = match version {
        ExportVersion::First => VersionChoice::First,
        ExportVersion::Latest => VersionChoice::Latest,
    };
    let bar = progress_bar(archive.count_articles(site)?);
    let summary = export_tree(&archive, dir, site, choice, |event| {
        if let ExportEvent::Skipped {
            canonical_url,
            reason,
        } = event
        {
            bar.suspend(|| eprintln!("skipped    {canonical_url}: {reason}"));
        }
        bar.inc(1);
    });
    bar.finish_and_clear();
    let summary = summary?;
    eprintln!("{summary}");
    if images {
        let written = export_images(&archive, dir, site)?;
        eprintln!(
            "images: {} listed in {} ({} file(s) written)",
            written.images,
            dir.join(IMAGES_MANIFEST).display(),
            written.written
        );
    }
    Ok(if summary.skipped > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

pub fn export_warc_file(config: &Config, file: &Path, site: Option<&str>) -> Result<ExitCode> {
    let archive = archive::connect(&config.archive.path, Mode::ReadOnly)?;
    require_site(&archive, site)?;
    let bar = progress_bar(archive.count_raw_captures(site)?);
    let options = WarcOptions {
        site,
        user_agent: &config.fetch.user_agent,
    };
    let summary = export_warc(&archive, file, options, |_| bar.inc(1));
    bar.finish_and_clear();
    let summary = summary?;
    eprintln!(
        "wrote {}: {} responses with their requests ({} of them images), {} bytes of payload",
        file.display(),
        summary.responses,
        summary.images,
        summary.payload_bytes
    );
    Ok(ExitCode::SUCCESS)
}

/// `--site KEY` names a site of the archive: a typo is an error, as with `feed --site`, not an
/// empty export.
fn require_site(archive: &Archive, site: Option<&str>) -> Result<()> {
    if let Some(site) = site
        && !archive.site_exists(site)?
    {
        bail!("no archived article of site {site:?}");
    }
    Ok(())
}
