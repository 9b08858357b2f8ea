//! `newsvault diff <URL|ID> [A] [B]`: changed front-matter fields first, then the body, by
//! character for CJK and by word for Latin text; coloured on a terminal, plain when piped
//! (`[-deleted-]{+inserted+}`, as `git diff --word-diff`).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anstyle::{AnsiColor, Effects, Style};
use anyhow::{Result, bail};
use newsvault::archive::{self, Archive, Mode, VersionDetail, VersionKind};
use newsvault::config::Config;
use newsvault::diff::{DocumentDiff, Op, diff_documents, diff_text};
use newsvault::document::Document;

use super::history::find_article;

pub fn diff(config: &Config, key: &str, a: Option<u32>, b: Option<u32>) -> Result<ExitCode> {
    let archive = archive::connect(&config.archive.path, Mode::ReadOnly)?;
    let url = find_article(&archive, config, key)?;
    let versions = archive.version_details(&url)?;
    let (a, b) = match (a, b) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) => (a, versions.last().map_or(a, |v| v.seq)),
        _ => {
            if versions.len() < 2 {
                bail!(
                    "{url} has only {} version(s): nothing to compare",
                    versions.len()
                );
            }
            let n = versions.len();
            (versions[n - 2].seq, versions[n - 1].seq)
        }
    };
    let find = |seq: u32| {
        versions.iter().find(|v| v.seq == seq).ok_or_else(|| {
            anyhow::anyhow!(
                "{url} has no version {seq} (it has 1 to {})",
                versions.len()
            )
        })
    };
    let (va, vb) = (find(a)?, find(b)?);
    let color = std::io::stdout().is_terminal();
    let mut out = anstream::AutoStream::new(
        std::io::stdout().lock(),
        if color {
            anstream::ColorChoice::Always
        } else {
            anstream::ColorChoice::Never
        },
    );
    writeln!(out, "{url}")?;
    writeln!(
        out,
        "--- version {} ({}, {})",
        va.seq, va.kind, va.fetched_at
    )?;
    writeln!(
        out,
        "+++ version {} ({}, {})",
        vb.seq, vb.kind, vb.fetched_at
    )?;
    for v in [va, vb] {
        if v.kind == VersionKind::Removed {
            writeln!(
                out,
                "version {} is a removal: {} (HTTP {}, final URL {})",
                v.seq,
                v.removal_signal.as_deref().unwrap_or("?"),
                v.http_status.map_or("-".into(), |s| s.to_string()),
                v.final_url.as_deref().unwrap_or("-")
            )?;
        }
    }
    let (Some(da), Some(db)) = (content(&archive, &url, va)?, content(&archive, &url, vb)?) else {
        return Ok(ExitCode::SUCCESS);
    };
    let diff =
        stored_diff(vb, a).unwrap_or_else(|| match (Document::parse(&da), Document::parse(&db)) {
            (Ok(x), Ok(y)) => diff_documents(&x, &y),
            _ => diff_text(&da, &db),
        });
    print_diff(&mut out, &diff)?;
    Ok(ExitCode::SUCCESS)
}

/// The document of a version; a removal has none.
fn content(archive: &Archive, url: &str, v: &VersionDetail) -> Result<Option<String>> {
    if v.kind == VersionKind::Removed {
        return Ok(None);
    }
    Ok(archive.document(url, v.seq)?)
}

/// The diff stored with `v` at write time, when it is against `base`.
fn stored_diff(v: &VersionDetail, base: u32) -> Option<DocumentDiff> {
    let diff = DocumentDiff::from_json(v.diff.as_deref()?).ok()?;
    (diff.base == Some(base)).then_some(diff)
}

fn print_diff(out: &mut impl Write, diff: &DocumentDiff) -> Result<()> {
    let del = Style::new()
        .fg_color(Some(AnsiColor::Red.into()))
        .effects(Effects::STRIKETHROUGH);
    let ins = Style::new()
        .fg_color(Some(AnsiColor::Green.into()))
        .effects(Effects::UNDERLINE);
    let name = Style::new().effects(Effects::BOLD);
    if diff.is_empty() {
        writeln!(out, "no difference")?;
        return Ok(());
    }
    for field in &diff.fields {
        writeln!(
            out,
            "{name}{}{name:#}: {del}{:?}{del:#} → {ins}{:?}{ins:#}",
            field.name, field.old, field.new
        )?;
    }
    writeln!(out, "body: +{} −{} characters", diff.inserted, diff.deleted)?;
    // Show the paragraphs that changed, each with its changes marked.
    let mut paragraph = String::new();
    let mut changed = false;
    let flush =
        |paragraph: &mut String, changed: &mut bool, out: &mut dyn Write| -> std::io::Result<()> {
            if *changed {
                writeln!(out, "\n{}", paragraph.trim_matches('\n'))?;
            }
            paragraph.clear();
            *changed = false;
            Ok(())
        };
    for (op, text) in &diff.body {
        let mut parts = text.split("\n\n").peekable();
        while let Some(part) = parts.next() {
            match op {
                Op::Equal => paragraph.push_str(part),
                Op::Delete if !part.is_empty() => {
                    changed = true;
                    paragraph.push_str(&format!("{del}[-{part}-]{del:#}"));
                }
                Op::Insert if !part.is_empty() => {
                    changed = true;
                    paragraph.push_str(&format!("{ins}{{+{part}+}}{ins:#}"));
                }
                _ => {}
            }
            if parts.peek().is_some() {
                flush(&mut paragraph, &mut changed, out)?;
            }
        }
    }
    flush(&mut paragraph, &mut changed, out)?;
    Ok(())
}
