//! `--json` output of `archive`, `check`, `history` and `status`: one JSON object per line, the
//! fields documented in the README ("Machine-readable output"). Field names and meanings are
//! stable; fields may be added, never renamed or removed.

use std::io::Write;

use newsvault::archive::{
    ArticleRow, QueueCounts, RemovalState, SourceStatus, VersionDetail, VersionKind,
};
use newsvault::pipeline::Outcome;
use serde_json::{Value, json};

/// Writes `value` as one line of JSON to stdout.
pub fn print_line(value: &Value) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, value)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// One `archive` or `check` outcome.
pub fn outcome(o: &Outcome) -> Value {
    let target = o.target();
    let mut seq = None;
    let mut http_status = None;
    let mut reason = None;
    let mut removal = None;
    let kind = match o {
        Outcome::Archived { recorded, .. } => {
            seq = Some(recorded.seq());
            match recorded {
                newsvault::archive::Recorded::New { .. } => "new",
                newsvault::archive::Recorded::Unchanged { .. } => "unchanged",
                newsvault::archive::Recorded::Changed { .. } => "changed",
            }
        }
        Outcome::NotModified { .. } => "not_modified",
        Outcome::Removed {
            signal,
            status,
            state,
            ..
        } => {
            http_status = Some(*status);
            reason = Some(signal.clone());
            removal = Some(match state {
                RemovalState::Unknown => json!({"state": "not_archived"}),
                RemovalState::Pending { count } => json!({"state": "pending", "sightings": count}),
                RemovalState::Confirmed { seq: s } => {
                    seq = Some(*s);
                    json!({"state": "confirmed"})
                }
                RemovalState::AlreadyRemoved { seq: s } => {
                    seq = Some(*s);
                    json!({"state": "already_removed"})
                }
            });
            "removed"
        }
        Outcome::Blocked { signal, .. } => {
            reason = Some(signal.clone());
            "blocked"
        }
        Outcome::Transient { reason: r, .. } => {
            reason = Some(r.clone());
            "transient"
        }
        Outcome::NotArticle { reason: r, .. } => {
            reason = Some(r.clone());
            "not_article"
        }
        Outcome::Failed { reason: r, .. } => {
            reason = Some(r.clone());
            "failed"
        }
    };
    let url = match (o, target) {
        (Outcome::Failed { url, .. }, _) => url.clone(),
        (_, Some(t)) => t.canonical_url.clone(),
        (_, None) => String::new(),
    };
    json!({
        "outcome": kind,
        "url": url,
        "site": target.map(|t| t.site.key()),
        "id": target.map(|t| t.id.as_str()),
        "seq": seq,
        "http_status": http_status,
        "reason": reason,
        "removal": removal,
    })
}

/// One version of `history`.
pub fn version(article: &ArticleRow, v: &VersionDetail) -> Value {
    json!({
        "url": article.canonical_url,
        "site": article.site,
        "id": article.site_article_id,
        "article_status": article.status,
        "seq": v.seq,
        "kind": v.kind,
        "fetched_at": v.fetched_at,
        "http_status": v.http_status,
        "final_url": v.final_url,
        "size": if v.kind == VersionKind::Removed { None } else { Some(v.size) },
        "title": v.title,
        "published": v.published,
        "date_found": v.date_found,
        "removal_signal": v.removal_signal,
        "extractor": v.extractor,
        "import_path": v.import_path,
    })
}

/// The whole of `status`.
pub fn status(
    sources: &[SourceStatus],
    not_polled: &[&str],
    queue: &QueueCounts,
    counts: (u64, u64),
    due: (usize, bool),
) -> Value {
    let sources: Vec<Value> = sources
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "kind": s.kind,
                "last_poll_at": s.last_poll_at,
                "last_success_at": s.last_success_at,
                "next_poll_at": s.next_poll_at,
                "last_error": s.last_error,
                "polls": s.polls,
                "errors": s.errors,
                "items_listed": s.items_listed,
                "items_queued": s.items_queued,
                "archived": s.archived,
                "pending": s.pending,
                "failed": s.failed,
                "skipped": s.skipped,
            })
        })
        .collect();
    json!({
        "sources": sources,
        "configured_not_polled": not_polled,
        "queue": {
            "pending": queue.pending,
            "done": queue.done,
            "failed": queue.failed,
            "skipped": queue.skipped,
        },
        "archive": {
            "articles": counts.0,
            "versions": counts.1,
            "due_for_check": due.0,
            "due_at_least": due.1,
        },
    })
}
