//! `newsvault search QUERY... [--site KEY] [--all-versions] [--limit N] [--json]` and
//! `newsvault reindex`.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use newsvault::archive::{self, Mode, SearchOptions, SearchResult, SearchScope};
use newsvault::config::Config;
use newsvault::search::Query;
use serde_json::json;

/// What `search` was asked.
pub struct SearchArgs<'a> {
    pub words: &'a [String],
    pub site: Option<&'a str>,
    pub all_versions: bool,
    pub limit: usize,
    pub json: bool,
}

pub fn search(config: &Config, args: &SearchArgs<'_>) -> Result<ExitCode> {
    let text = args.words.join(" ");
    let query = Query::parse(&text).with_context(|| format!("cannot search for {text:?}"))?;
    let archive = archive::connect(&config.archive.path, Mode::ReadOnly)?;
    let options = SearchOptions {
        site: args.site,
        scope: if args.all_versions {
            SearchScope::AllVersions
        } else {
            SearchScope::Latest
        },
        offset: 0,
        limit: args.limit,
    };
    let found = archive.search(&query, &options)?;
    if found.results.is_empty() {
        eprintln!("no article matches {text:?}");
    }
    let mut out = std::io::stdout().lock();
    for result in &found.results {
        if args.json {
            serde_json::to_writer(&mut out, &result_json(result))?;
            out.write_all(b"\n")?;
        } else {
            write_result(&mut out, result)?;
        }
    }
    if found.more && !args.json {
        eprintln!("more results follow: raise --limit");
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// A result for people: the article and version, its title and the snippet, matches in
/// `[`brackets`]`.
fn write_result(out: &mut impl Write, r: &SearchResult) -> std::io::Result<()> {
    let f = &r.found;
    let removed = if f.status == archive::ArticleStatus::Removed {
        "  (removed)"
    } else {
        ""
    };
    writeln!(
        out,
        "{}/{} v{}  {}{removed}",
        f.site,
        f.site_article_id,
        f.seq,
        r.title.render("[", "]", str::to_owned)
    )?;
    writeln!(out, "  {}", f.canonical_url)?;
    writeln!(out, "  {}", r.snippet.render("[", "]", str::to_owned))?;
    writeln!(out)
}

/// A result for scripts: marks are `[start, end]` character offsets into the text.
fn result_json(r: &SearchResult) -> serde_json::Value {
    let f = &r.found;
    json!({
        "url": f.canonical_url,
        "site": f.site,
        "id": f.site_article_id,
        "article_status": f.status.as_str(),
        "seq": f.seq,
        "latest_seq": f.latest_seq,
        "kind": f.kind.as_str(),
        "fetched_at": f.fetched_at,
        "published": f.published,
        "score": r.score,
        "title": {"text": r.title.text, "marks": r.title.char_marks()},
        "snippet": {"text": r.snippet.text, "marks": r.snippet.char_marks()},
    })
}

pub fn reindex(config: &Config) -> Result<ExitCode> {
    let mut archive = archive::connect(&config.archive.path, Mode::ReadWrite)?;
    let started = Instant::now();
    let counts = archive.rebuild_search_index()?;
    eprintln!(
        "indexed {} article(s) and {} version(s) in {:.1} s",
        counts.articles,
        counts.versions,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
