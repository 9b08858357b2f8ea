//! `newsvault extract FILE --url URL`

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use newsvault::config::Config;
use newsvault::extract::Extraction;
use newsvault::pipeline::extract_saved_page;

pub fn extract(config: &Config, file: &Path, url: &str) -> Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let (target, extraction) = extract_saved_page(&bytes, url, config)?;
    match extraction {
        Extraction::Article(article) => {
            print!("{}", article.to_document(&target).render());
            Ok(ExitCode::SUCCESS)
        }
        Extraction::Removed { signal } => bail!("{}: removed: {signal}", file.display()),
        Extraction::Blocked { signal } => bail!("{}: blocked: {signal}", file.display()),
        Extraction::NotArticle { reason } => bail!("{}: not an article: {reason}", file.display()),
    }
}
