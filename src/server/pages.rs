//! The web UI: server-rendered HTML that works without JavaScript. Every archived string is
//! escaped ([`escape`]) and every archived body is sanitised ([`render::markdown_to_html`]).

use std::fmt::Write as _;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::security::token_ok;
use super::{AppError, AppState, writes};
use crate::archive::{
    Archive, ArticleRow, ArticleStatus, ArticleSummary, ImageRow, Removal, ScreenshotRow,
    SearchOptions, SearchResult, SearchScope, ShotKind, ShotOutcome, VersionDetail, VersionKind,
};
use crate::diff::{DocumentDiff, diff_documents, diff_text};
use crate::document::Document;
use crate::feed::{article_path, kind_label, path_segment, removal_evidence_text};
use crate::pipeline::Outcome;
use crate::render::{self, display_time, escape, published_rfc3339};
use crate::search;
use crate::sites::published_zone;

/// Articles per list page.
pub const LIST_PAGE: usize = 50;

const STYLE: &str = "body{font:16px/1.6 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:0 1rem;color:#222}\
nav{display:flex;gap:1rem;padding:.6rem 0;border-bottom:1px solid #ddd;margin-bottom:1rem}\
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eee;vertical-align:top}\
ins{background:#d4f7d4;text-decoration:none}del{background:#f9d0d0}\
.removed{background:#fff3cd;border:1px solid #e0c060;padding:.5rem 1rem}\
.meta{color:#666;font-size:.9rem}img{max-width:100%;height:auto}pre{white-space:pre-wrap;word-break:break-all}\
form.inline{display:inline}.badge{font-size:.8rem;padding:0 .3rem;border-radius:.2rem;background:#eee}\
.badge.removed{background:#f9d0d0;border:0;padding:0 .3rem}\
td,th,p,h1,h2,li,a{overflow-wrap:anywhere}input{max-width:100%;box-sizing:border-box}\
@media (max-width:40rem){table,thead,tbody,tr,th,td{display:block;width:auto}thead{display:none}\
tr{border-bottom:1px solid #ddd;padding:.3rem 0}td,th{border:0;padding:.1rem 0}nav{flex-wrap:wrap}\
label{display:block}}";

/// A page in English (lists, status, messages).
fn layout(title: &str, head_extra: &str, body: &str) -> Html<String> {
    layout_in("en", title, head_extra, body)
}

/// A page whose main text is in `lang` (an article's language; `und` when unknown), so that
/// browsers pick fonts, hyphenation and screen-reader voices for it.
fn layout_in(lang: &str, title: &str, head_extra: &str, body: &str) -> Html<String> {
    let lang = if lang.trim().is_empty() {
        "und"
    } else {
        lang.trim()
    };
    Html(format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{} · newsvault</title><link rel=\"stylesheet\" href=\"/style.css\">{head_extra}</head>\
         <body><nav><a href=\"/\">Articles</a><a href=\"/status\">Status</a>\
         <a href=\"/feed.atom\">Feed</a><a href=\"/changes.atom\">Changes feed</a></nav>\n{body}\n</body></html>\n",
        escape(lang),
        escape(title)
    ))
}

/// A page with a title and one message (errors, outcomes).
pub fn message_page(title: &str, message: &str) -> Html<String> {
    layout(
        title,
        "",
        &format!("<h1>{}</h1><p>{}</p>", escape(title), escape(message)),
    )
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    s.finish()
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    site: Option<String>,
    q: Option<String>,
    before: Option<i64>,
    /// `all`: search every version, not only each article's latest.
    versions: Option<String>,
    /// Search results skipped (the pages before).
    offset: Option<usize>,
}

/// Search results per page.
pub const SEARCH_PAGE: usize = 20;

/// The article list: newest first, a site filter, paged; or, with `q`, the full-text search.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let site = query.site.filter(|s| !s.trim().is_empty());
    let q = query.q.unwrap_or_default().trim().to_owned();
    if !q.is_empty() {
        let all_versions = query.versions.as_deref() == Some("all");
        return search_page(state, site, q, all_versions, query.offset.unwrap_or(0)).await;
    }
    let before = query.before;
    let site2 = site.clone();
    let (articles, next) = state
        .read(move |a| {
            let articles = a.article_summaries(site2.as_deref(), before, LIST_PAGE, false)?;
            let next = (articles.len() == LIST_PAGE)
                .then(|| articles.last().map(|x| x.id))
                .flatten();
            Ok((articles, next))
        })
        .await?;
    let site_s = site.clone().unwrap_or_default();
    let mut body = String::new();
    body.push_str("<h1>Archived articles</h1>");
    search_form(&mut body, &site_s, "", false);
    if articles.is_empty() {
        body.push_str("<p>No articles here.</p>");
    } else {
        body.push_str(
            "<table><thead><tr><th>Title</th><th>Site</th><th>Published</th><th>Versions</th><th>First archived</th></tr></thead><tbody>",
        );
        for a in &articles {
            list_row(&mut body, a);
        }
        body.push_str("</tbody></table>");
    }
    body.push_str("<p>");
    if before.is_some() {
        let _ = write!(
            body,
            "<a href=\"/?{}\">Newest</a> ",
            escape(&query_string(&[("site", &site_s)]))
        );
    }
    if let Some(next) = next {
        let _ = write!(
            body,
            "<a rel=\"next\" href=\"/?{}\">Older →</a>",
            escape(&query_string(&[
                ("site", &site_s),
                ("before", &next.to_string())
            ]))
        );
    }
    body.push_str("</p>");
    body.push_str(
        "<h2>Archive a URL</h2><form method=\"post\" action=\"/archive\">\
         <label>URL <input name=\"url\" size=\"50\" required></label> \
         <label>Token <input name=\"token\" type=\"password\"></label> \
         <button type=\"submit\">Archive</button></form>",
    );
    let feed = match &site {
        Some(s) => format!("/sites/{}.atom", path_segment(s)),
        None => "/feed.atom".to_owned(),
    };
    let head = format!(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Newest articles\" href=\"{}\">",
        escape(&feed)
    );
    Ok(layout("Archived articles", &head, &body))
}

/// The search form, filled in with what was asked.
fn search_form(body: &mut String, site: &str, q: &str, all_versions: bool) {
    let _ = write!(
        body,
        "<form method=\"get\" action=\"/\">\
         <label>Site <input name=\"site\" value=\"{}\" size=\"8\"></label> \
         <label>Search <input name=\"q\" value=\"{}\"></label> \
         <label><input type=\"checkbox\" name=\"versions\" value=\"all\"{}> every version</label> \
         <button type=\"submit\">Search</button></form>",
        escape(site),
        escape(q),
        if all_versions { " checked" } else { "" }
    );
}

/// `/?q=`: full-text search results, best first, each with its title and a snippet of its
/// text, the matches marked; paged by `offset`.
async fn search_page(
    state: Arc<AppState>,
    site: Option<String>,
    q: String,
    all_versions: bool,
    offset: usize,
) -> Result<Html<String>, AppError> {
    let query = search::Query::parse(&q).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let site2 = site.clone();
    let found = state
        .read(move |a| {
            let options = SearchOptions {
                site: site2.as_deref(),
                scope: if all_versions {
                    SearchScope::AllVersions
                } else {
                    SearchScope::Latest
                },
                offset,
                limit: SEARCH_PAGE,
            };
            Ok(a.search(&query, &options)?)
        })
        .await?;
    let site_s = site.unwrap_or_default();
    let mut body = String::from("<h1>Search</h1>");
    search_form(&mut body, &site_s, &q, all_versions);
    if found.results.is_empty() {
        body.push_str("<p>No article matches.</p>");
    }
    for result in &found.results {
        search_result(&mut body, result, all_versions);
    }
    let versions = if all_versions { "all" } else { "" };
    let page_link = |offset: usize| {
        let offset = offset.to_string();
        let pairs = [
            ("site", site_s.as_str()),
            ("q", &q),
            ("versions", versions),
            ("offset", &offset),
        ];
        escape(&format!("/?{}", query_string(&pairs)))
    };
    body.push_str("<p>");
    if offset > 0 {
        let _ = write!(
            body,
            "<a rel=\"prev\" href=\"{}\">← Better matches</a> ",
            page_link(offset.saturating_sub(SEARCH_PAGE))
        );
    }
    if found.more {
        let _ = write!(
            body,
            "<a rel=\"next\" href=\"{}\">More results →</a>",
            page_link(offset + SEARCH_PAGE)
        );
    }
    body.push_str("</p>");
    Ok(layout(&format!("Search: {q}"), "", &body))
}

/// One search result: the title (matches marked) linking to the matched version, the
/// snippet, and what the article is.
fn search_result(body: &mut String, r: &SearchResult, all_versions: bool) {
    let f = &r.found;
    let mut link = article_path(&f.site, &f.site_article_id, f.article_id);
    if all_versions {
        let _ = write!(link, "?v={}", f.seq);
    }
    let removed = if f.status == ArticleStatus::Removed {
        " <span class=\"badge removed\">removed</span>"
    } else {
        ""
    };
    let version = if all_versions {
        format!(" · version {} of {}", f.seq, f.latest_seq)
    } else {
        String::new()
    };
    let _ = write!(
        body,
        "<div class=\"result\"><h2 lang=\"{}\"><a href=\"{}\">{}</a>{removed}</h2>\
         <p lang=\"{}\">{}</p><p class=\"meta\">{} · {}{version}</p></div>",
        escape(&f.lang),
        escape(&link),
        r.title.render("<mark>", "</mark>", escape),
        escape(&f.lang),
        r.snippet.render("<mark>", "</mark>", escape),
        escape(&f.site),
        escape(&f.published),
    );
}

fn list_row(body: &mut String, a: &ArticleSummary) {
    let badge = if a.removal.is_some() {
        " <span class=\"badge removed\">removed</span>"
    } else {
        ""
    };
    let _ = write!(
        body,
        "<tr><td><a href=\"{}\">{}</a>{badge}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        escape(&article_path(&a.site, &a.site_article_id, a.id)),
        escape(&a.title),
        escape(&a.site),
        escape(&a.published),
        a.latest_seq,
        escape(&display_time(&a.first_seen_at)),
    );
}

#[derive(Debug, Deserialize)]
pub struct ArticleQuery {
    pub(crate) v: Option<u32>,
    pub(crate) before: Option<i64>,
}

/// An article's page: its document (the latest good version, or version `?v=N`), the source
/// link, the removal and its evidence when removed, and every version.
pub async fn article(
    state: Arc<AppState>,
    site: String,
    id: String,
    query: ArticleQuery,
) -> Result<Response, AppError> {
    let view = state
        .read(move |a| read_article(a, &site, &id, &query))
        .await?;
    let ArticleView {
        summary,
        versions,
        shown_seq,
        shown_doc,
        evidence,
        pending,
        images,
        shots,
    } = view;
    let copies = render::ArchivedCopies::new(images, super::media::PREFIX);
    let shown_detail = versions.iter().find(|d| d.seq == shown_seq);
    let page = article_path(&summary.site, &summary.site_article_id, summary.id);
    let parsed = Document::parse(&shown_doc).ok();
    let title = shown_title(parsed.as_ref(), shown_detail, &summary);
    let mut body = String::new();
    let _ = write!(body, "<h1>{}</h1>", escape(&title));
    article_meta(&mut body, &state, &summary, &versions, &page);
    if let Some(removal) = &summary.removal {
        removal_notice(&mut body, removal, summary.seq, evidence.as_deref());
    }
    if let Some(row) = &pending {
        pending_removal_notice(&mut body, row);
    }
    if shown_seq != summary.seq {
        let _ = write!(
            body,
            "<p class=\"meta\">Showing version {shown_seq} ({}). <a href=\"{}\">Latest version</a></p>",
            shown_detail.map_or("?", |d| kind_label(d.kind)),
            escape(&page)
        );
    }
    match shown_detail {
        Some(d) if d.kind == VersionKind::Removed => {
            removal_version(&mut body, d, evidence.as_deref());
        }
        _ => {
            let source = Some(summary.canonical_url.as_str());
            let html = match &parsed {
                Some(d) => render::markdown_to_html_with_images(&d.body, source, &copies),
                None => render::markdown_to_html_with_images(&shown_doc, source, &copies),
            };
            let _ = write!(body, "<article id=\"body\">{html}</article>");
        }
    }
    screenshot_figure(&mut body, &shots, shown_seq);
    versions_table(&mut body, &page, &versions, &shots);
    recheck_form(&mut body, &summary.canonical_url);
    let head = format!(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"History\" href=\"{}.atom\">",
        escape(&page)
    );
    Ok(layout_in(&summary.lang, &title, &head, &body).into_response())
}

/// The title of the version shown: its document's, else the one recorded with it, else the
/// article's.
fn shown_title(
    parsed: Option<&Document>,
    shown_detail: Option<&VersionDetail>,
    summary: &ArticleSummary,
) -> String {
    parsed
        .map(|d| d.title.clone())
        .or_else(|| shown_detail.map(|d| d.title.clone()))
        .unwrap_or_else(|| summary.title.clone())
}

/// What an article's page shows, read from the archive in one go.
struct ArticleView {
    summary: ArticleSummary,
    versions: Vec<VersionDetail>,
    /// The version shown: the latest good one, or the one asked for.
    shown_seq: u32,
    /// Its document (empty for a removal).
    shown_doc: String,
    /// The page served in the article's place, kept as evidence of a removal (its first 4 KiB).
    evidence: Option<String>,
    /// The article's row while a removal is seen but not yet confirmed.
    pending: Option<ArticleRow>,
    images: Vec<ImageRow>,
    shots: Vec<ScreenshotRow>,
}

/// Reads what the page of article `site`/`id` shows (see [`ArticleView`]).
fn read_article(
    a: &Archive,
    site: &str,
    id: &str,
    query: &ArticleQuery,
) -> Result<ArticleView, AppError> {
    let summary = a
        .article_summary(site, id)?
        .ok_or_else(|| AppError::NotFound(format!("no archived article {site}/{id}")))?;
    let versions = a.version_details(&summary.canonical_url)?;
    let (shown_seq, shown_doc) = shown_version(a, &summary, &versions, query.v)?;
    let evidence = removal_evidence(a, &summary, &versions, query.v)?;
    let pending = a
        .article(&summary.canonical_url)?
        .filter(|row| row.removal_pending > 0 && summary.removal.is_none());
    let images = a.archived_images(&summary.canonical_url)?;
    let shots = a.screenshots(&summary.canonical_url)?;
    Ok(ArticleView {
        summary,
        versions,
        shown_seq,
        shown_doc,
        evidence,
        pending,
        images,
        shots,
    })
}

/// The version to show and its document: version `v` when asked for, else the latest good
/// one.
fn shown_version(
    a: &Archive,
    summary: &ArticleSummary,
    versions: &[VersionDetail],
    v: Option<u32>,
) -> Result<(u32, String), AppError> {
    Ok(match v {
        Some(v) if v != summary.seq => {
            let detail = versions
                .iter()
                .find(|d| d.seq == v)
                .ok_or_else(|| AppError::NotFound(format!("no version {v}")))?;
            let doc = if detail.kind == VersionKind::Removed {
                String::new()
            } else {
                a.document(&summary.canonical_url, v)?.unwrap_or_default()
            };
            (v, doc)
        }
        _ => (summary.seq, summary.document.clone()),
    })
}

/// The page served in the article's place, kept as evidence of a removal: that of version
/// `v` when it is a removal, else (no version asked for) that of the confirmed removal.
fn removal_evidence(
    a: &Archive,
    summary: &ArticleSummary,
    versions: &[VersionDetail],
    v: Option<u32>,
) -> Result<Option<String>, AppError> {
    let evidence_seq = match v {
        Some(v)
            if versions
                .iter()
                .any(|d| d.seq == v && d.kind == VersionKind::Removed) =>
        {
            Some(v)
        }
        Some(_) => None,
        None => summary.removal.as_ref().map(|r| r.seq),
    };
    Ok(match evidence_seq {
        Some(seq) => a
            .raw_capture(&summary.canonical_url, seq)?
            .map(|raw| String::from_utf8_lossy(&raw[..raw.len().min(4096)]).into_owned()),
        None => None,
    })
}

/// The line under an article's title: site, publication time, source and history feed.
fn article_meta(
    body: &mut String,
    state: &AppState,
    summary: &ArticleSummary,
    versions: &[VersionDetail],
    page: &str,
) {
    let zone = published_zone(
        &summary.site,
        &summary.canonical_url,
        &summary.lang,
        &state.config.sites,
    );
    let published =
        published_rfc3339(&summary.published, zone).unwrap_or_else(|| summary.published.clone());
    // Only an http(s) source is a link (an archive written before links were checked may
    // hold anything); any other is shown as text.
    let source = if crate::sites::is_http_url(&summary.canonical_url) {
        format!(
            "<a href=\"{}\" rel=\"noopener noreferrer nofollow\">source</a>",
            escape(&summary.canonical_url)
        )
    } else {
        format!("source: {}", escape(&summary.canonical_url))
    };
    let published = match versions.iter().find(|d| d.seq == summary.seq) {
        Some(d) if !d.date_found => {
            format!("{published} (no date on the page: first capture time)")
        }
        _ => published,
    };
    let _ = write!(
        body,
        "<p class=\"meta\">{} · published {} · {source} · <a href=\"{}.atom\">history feed</a></p>",
        escape(&summary.site),
        escape(&published),
        escape(page)
    );
}

/// The notice of a confirmed removal, with the page served in the article's place; the
/// page goes on to show `last_good`, the last good version.
fn removal_notice(body: &mut String, removal: &Removal, last_good: u32, evidence: Option<&str>) {
    let _ = write!(
        body,
        "<div class=\"removed\" id=\"removal\"><p><strong>Removed from the source</strong> \
         (confirmed {}, version {}): {}.</p><p>Shown below: the last good version, version {}.</p>",
        escape(&display_time(&removal.at)),
        removal.seq,
        escape(&removal_evidence_text(
            &removal.signal,
            removal.http_status,
            removal.final_url.as_deref()
        )),
        last_good,
    );
    if let Some(evidence) = evidence {
        let _ = write!(
            body,
            "<details><summary>The page served in the article's place</summary><pre>{}</pre></details>",
            escape(evidence)
        );
    }
    body.push_str("</div>");
}

/// The notice of a removal seen but not yet confirmed.
fn pending_removal_notice(body: &mut String, row: &ArticleRow) {
    let _ = write!(
        body,
        "<div class=\"removed\" id=\"pending-removal\"><p><strong>Seen removed, not yet \
         confirmed</strong>: {} time(s), first at {}. A removal is recorded only after \
         repeated checks some time apart; until then this is the article as last \
         archived.</p></div>",
        row.removal_pending,
        escape(
            &row.removal_pending_since
                .as_deref()
                .map(display_time)
                .unwrap_or_default()
        ),
    );
}

/// A removal version shown in the document's place: its signal and the page served.
fn removal_version(body: &mut String, d: &VersionDetail, evidence: Option<&str>) {
    let _ = write!(
        body,
        "<div class=\"removed\"><p>Version {} is the removal: {}.</p>{}</div>",
        d.seq,
        escape(&removal_evidence_text(
            d.removal_signal.as_deref().unwrap_or(""),
            d.http_status,
            d.final_url.as_deref()
        )),
        evidence
            .map(|e| format!("<pre>{}</pre>", escape(e)))
            .unwrap_or_default()
    );
}

/// The form that asks for an article to be checked again now (it needs the token).
fn recheck_form(body: &mut String, canonical_url: &str) {
    let _ = write!(
        body,
        "<h2>Check again</h2><form method=\"post\" action=\"/check\">\
         <input type=\"hidden\" name=\"article\" value=\"{}\">\
         <label>Token <input name=\"token\" type=\"password\"></label> \
         <button type=\"submit\">Re-check now</button></form>",
        escape(canonical_url)
    );
}

/// The picture of version `seq` as the page was served, folded (a page is often many
/// screens tall), when there is one.
fn screenshot_figure(body: &mut String, shots: &[ScreenshotRow], seq: u32) {
    let Some(png) = shots
        .iter()
        .find(|s| s.seq == seq && s.kind == ShotKind::Png && s.outcome == ShotOutcome::Ok)
    else {
        return;
    };
    let src = screenshot_path(png.version_id, ShotKind::Png);
    let (w, h) = (png.width.unwrap_or(0), png.height.unwrap_or(0));
    let _ = write!(
        body,
        "<details class=\"screenshot\" id=\"screenshot-{seq}\"><summary>Screenshot of version {seq} \
         as the page was served ({w}×{h} pixels, captured {})</summary><a href=\"{src}\">\
         <img src=\"{src}\" width=\"{w}\" height=\"{h}\" loading=\"lazy\" \
         alt=\"The page of version {seq} as it was served\"></a></details>",
        escape(&display_time(&png.captured_at)),
    );
}

/// Where a version's picture is served.
fn screenshot_path(version_id: i64, kind: ShotKind) -> String {
    format!("/screenshot/{version_id}.{}", kind.as_str())
}

/// A version's pictures in the versions table: links, or why there is none.
fn screenshot_cell(shots: &[ScreenshotRow], seq: u32) -> String {
    shots
        .iter()
        .filter(|s| s.seq == seq)
        .map(|s| match s.outcome {
            ShotOutcome::Ok => format!(
                "<a href=\"{}\">{}</a>",
                screenshot_path(s.version_id, s.kind),
                s.kind.as_str().to_ascii_uppercase()
            ),
            outcome => format!(
                "<span class=\"meta\" title=\"{}\">{}: {}</span>",
                escape(&s.detail),
                s.kind.as_str().to_ascii_uppercase(),
                escape(&outcome.as_str().replace('_', " "))
            ),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A version's picture, served as stored (`image/png` or `application/pdf`), never as HTML.
pub async fn screenshot(
    State(state): State<Arc<AppState>>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let not_found = || AppError::NotFound(format!("no screenshot {file}"));
    let (id, kind) = file.rsplit_once('.').ok_or_else(not_found)?;
    let kind: ShotKind = kind.parse().map_err(|_| not_found())?;
    let version_id: i64 = id.parse().map_err(|_| not_found())?;
    let image = state
        .read(move |a| Ok(a.screenshot_image(version_id, kind)?))
        .await?
        .ok_or_else(not_found)?;
    let (content_type, disposition) = match kind {
        ShotKind::Png => ("image/png", "inline"),
        // A PDF viewer is a program of its own: saved, not opened in the archive's origin.
        ShotKind::Pdf => ("application/pdf", "attachment"),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "{disposition}; filename=\"version-{version_id}.{}\"",
                    kind.as_str()
                ),
            ),
            (header::CACHE_CONTROL, "max-age=3600".to_owned()),
        ],
        image,
    )
        .into_response())
}

fn versions_table(
    body: &mut String,
    page: &str,
    versions: &[VersionDetail],
    shots: &[ScreenshotRow],
) {
    body.push_str(
        "<h2>Versions</h2><table id=\"versions\"><thead><tr><th>#</th><th>Kind</th><th>Fetched</th>\
         <th>HTTP</th><th>Title</th><th></th><th>Screenshot</th></tr></thead><tbody>",
    );
    let mut previous_with_content: Option<u32> = None;
    for v in versions {
        let diff_link = match previous_with_content {
            Some(p) => format!(
                "<a href=\"{}/diff?a={p}&amp;b={}\">diff with {p}</a>",
                escape(page),
                v.seq
            ),
            None => String::new(),
        };
        let _ = write!(
            body,
            "<tr class=\"{}\"><td><a href=\"{}?v={}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{diff_link}</td><td>{}</td></tr>",
            escape(v.kind.as_str()),
            escape(page),
            v.seq,
            v.seq,
            escape(v.kind.as_str()),
            escape(&display_time(&v.fetched_at)),
            v.http_status.map_or("-".to_owned(), |s| s.to_string()),
            escape(&v.title),
            screenshot_cell(shots, v.seq),
        );
        if v.kind != VersionKind::Removed {
            previous_with_content = Some(v.seq);
        }
    }
    body.push_str("</tbody></table>");
    if versions.len() >= 2 {
        let options = |selected: u32| -> String {
            versions
                .iter()
                .map(|v| {
                    format!(
                        "<option value=\"{}\"{}>{} ({})</option>",
                        v.seq,
                        if v.seq == selected { " selected" } else { "" },
                        v.seq,
                        escape(v.kind.as_str())
                    )
                })
                .collect()
        };
        let n = versions.len();
        let _ = write!(
            body,
            "<form method=\"get\" action=\"{}/diff\">Compare <select name=\"a\">{}</select> with \
             <select name=\"b\">{}</select> <button type=\"submit\">Diff</button></form>",
            escape(page),
            options(versions[n - 2].seq),
            options(versions[n - 1].seq)
        );
    }
}

#[derive(Debug, Deserialize)]
pub struct DiffQuery {
    a: Option<u32>,
    b: Option<u32>,
}

/// Two versions of an article and the difference between them (the web UI's diff page and
/// the API's).
pub(crate) struct VersionPair {
    pub summary: ArticleSummary,
    pub versions: Vec<VersionDetail>,
    pub a: VersionDetail,
    pub b: VersionDetail,
    /// `None` when either version is a removal (it has no document).
    pub diff: Option<DocumentDiff>,
    /// The article's screenshots (every version's).
    pub shots: Vec<ScreenshotRow>,
}

/// Reads versions `a` and `b` (by default the last two) of an article and diffs them: the
/// diff stored at write time for adjacent versions, computed for any other pair.
pub(crate) async fn version_pair(
    state: &Arc<AppState>,
    site: String,
    id: String,
    a: Option<u32>,
    b: Option<u32>,
) -> Result<VersionPair, AppError> {
    state
        .read(move |archive| {
            let summary = archive
                .article_summary(&site, &id)?
                .ok_or_else(|| AppError::NotFound(format!("no archived article {site}/{id}")))?;
            let versions = archive.version_details(&summary.canonical_url)?;
            let n = versions.len();
            let default_a = if n >= 2 { versions[n - 2].seq } else { 1 };
            let default_b = versions.last().map_or(1, |v| v.seq);
            let mut docs = Vec::new();
            for seq in [a.unwrap_or(default_a), b.unwrap_or(default_b)] {
                let detail = versions
                    .iter()
                    .find(|d| d.seq == seq)
                    .ok_or_else(|| AppError::NotFound(format!("no version {seq}")))?
                    .clone();
                let doc = if detail.kind == VersionKind::Removed {
                    None
                } else {
                    archive.document(&summary.canonical_url, seq)?
                };
                docs.push((detail, doc));
            }
            let [(va, da), (vb, db)] = <[_; 2]>::try_from(docs)
                .map_err(|_| AppError::Internal("two versions expected".into()))?;
            let diff = match (da, db) {
                (Some(da), Some(db)) => Some(diff_versions(&va, &vb, &da, &db)),
                _ => None,
            };
            let shots = archive.screenshots(&summary.canonical_url)?;
            Ok(VersionPair {
                summary,
                versions,
                a: va,
                b: vb,
                diff,
                shots,
            })
        })
        .await
}

/// Adjacent versions use the diff stored at write time; any other pair is computed.
fn diff_versions(va: &VersionDetail, vb: &VersionDetail, da: &str, db: &str) -> DocumentDiff {
    let stored = vb
        .diff
        .as_deref()
        .and_then(|j| DocumentDiff::from_json(j).ok())
        .filter(|d| d.base == Some(va.seq));
    stored.unwrap_or_else(|| match (Document::parse(da), Document::parse(db)) {
        (Ok(x), Ok(y)) => diff_documents(&x, &y),
        _ => diff_text(da, db),
    })
}

/// The difference between two versions: changed fields, then the whole body with deleted and
/// inserted text highlighted (by character for CJK).
pub async fn diff(
    State(state): State<Arc<AppState>>,
    Path((site, id)): Path<(String, String)>,
    Query(query): Query<DiffQuery>,
) -> Result<Html<String>, AppError> {
    let VersionPair {
        summary,
        versions,
        a: va,
        b: vb,
        diff,
        shots,
    } = version_pair(&state, site, id, query.a, query.b).await?;
    let page = article_path(&summary.site, &summary.site_article_id, summary.id);
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>Changes to <a href=\"{}\">{}</a></h1>\
         <p class=\"meta\">Version {} ({}, {}) → version {} ({}, {})</p>",
        escape(&page),
        escape(&summary.title),
        va.seq,
        escape(kind_label(va.kind)),
        escape(&display_time(&va.fetched_at)),
        vb.seq,
        escape(kind_label(vb.kind)),
        escape(&display_time(&vb.fetched_at)),
    );
    for v in [&va, &vb] {
        if v.kind == VersionKind::Removed {
            let _ = write!(
                body,
                "<div class=\"removed\"><p>Version {} is a removal: {}.</p></div>",
                v.seq,
                escape(&removal_evidence_text(
                    v.removal_signal.as_deref().unwrap_or(""),
                    v.http_status,
                    v.final_url.as_deref()
                ))
            );
        }
    }
    if let Some(diff) = diff {
        let _ = write!(
            body,
            "<div id=\"diff\">{}</div>",
            render::diff_to_html(&diff, false)
        );
    }
    screenshot_figure(&mut body, &shots, va.seq);
    screenshot_figure(&mut body, &shots, vb.seq);
    versions_table(&mut body, &page, &versions, &shots);
    Ok(layout_in(
        &summary.lang,
        &format!("Changes to {}", summary.title),
        "",
        &body,
    ))
}

/// The archive's counts, the sources and the queue, the articles archived last and the
/// outcomes of the latest fetches (by article, not by fetch URL).
pub async fn status(State(state): State<Arc<AppState>>) -> Result<Html<String>, AppError> {
    let (stats, sources, queue, articles, fetches) = state
        .read(|a| {
            Ok((
                a.stats()?,
                a.sources_status()?,
                a.queue_counts()?,
                a.article_summaries(None, None, STATUS_ARTICLES, false)?,
                a.recent_fetches(STATUS_ARTICLES)?,
            ))
        })
        .await?;
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>Status</h1><table id=\"counts\"><tbody>\
         <tr><th>Articles</th><td>{}</td></tr><tr><th>Removed</th><td>{}</td></tr>\
         <tr><th>Versions</th><td>{}</td></tr><tr><th>Raw captures</th><td>{}</td></tr>\
         <tr><th>Fetches logged</th><td>{}</td></tr></tbody></table>",
        stats.articles, stats.removed, stats.versions, stats.blobs, stats.fetches
    );
    status_sources(&mut body, &sources, &state.config.sources);
    let _ = write!(
        body,
        "<h2>Queue</h2><table id=\"queue\"><tbody><tr><th>Waiting</th><td>{}</td></tr>\
         <tr><th>Archived</th><td>{}</td></tr><tr><th>Failed</th><td>{}</td></tr>\
         <tr><th>Not text (recorded)</th><td>{}</td></tr></tbody></table>",
        queue.pending, queue.done, queue.failed, queue.skipped
    );
    body.push_str(
        "<h2>Latest articles</h2><table id=\"articles\"><thead><tr><th>Archived</th>\
         <th>Article</th><th>Site</th><th>Version</th></tr></thead><tbody>",
    );
    for a in &articles {
        let _ = write!(
            body,
            "<tr><td>{}</td><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
            escape(&display_time(&a.updated_at)),
            escape(&article_path(&a.site, &a.site_article_id, a.id)),
            escape(&a.title),
            escape(&a.site),
            a.latest_seq
        );
    }
    body.push_str(
        "</tbody></table><h2>Latest fetches</h2><table id=\"fetches\"><thead><tr>\
         <th>Started</th><th>Host</th><th>Outcome</th><th>HTTP</th><th>Detail</th></tr></thead><tbody>",
    );
    for f in &fetches {
        let host = url::Url::parse(&f.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&display_time(&f.started_at)),
            escape(&host),
            escape(f.outcome.as_str()),
            f.http_status.map_or("-".to_owned(), |s| s.to_string()),
            escape(&f.detail)
        );
    }
    body.push_str("</tbody></table>");
    Ok(layout("Status", "", &body))
}

/// Articles and fetches the status page lists.
const STATUS_ARTICLES: usize = 30;

/// The status page's sources: each polled source's state, then configured ones not polled yet.
fn status_sources(
    body: &mut String,
    sources: &[crate::archive::SourceStatus],
    configured: &[crate::config::SourceConfig],
) {
    body.push_str(
        "<h2>Sources</h2><table id=\"sources\"><thead><tr><th>Source</th><th>Kind</th>\
         <th>Last poll</th><th>Next poll</th><th>Archived</th><th>Waiting</th><th>Errors</th>\
         <th>Last error</th></tr></thead><tbody>",
    );
    let time = |t: &Option<String>| t.as_deref().map(display_time).unwrap_or_else(|| "-".into());
    for s in sources {
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&s.name),
            escape(&s.kind),
            escape(&time(&s.last_poll_at)),
            escape(&time(&s.next_poll_at)),
            s.archived,
            s.pending,
            s.errors,
            escape(s.last_error.as_deref().unwrap_or("-"))
        );
    }
    for c in configured
        .iter()
        .filter(|c| !sources.iter().any(|s| s.name == c.name))
    {
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td colspan=\"6\">configured, not polled yet</td></tr>",
            escape(&c.name),
            c.kind.as_str()
        );
    }
    if sources.is_empty() && configured.is_empty() {
        body.push_str("<tr><td colspan=\"8\">No [[sources]] configured.</td></tr>");
    }
    body.push_str("</tbody></table>");
}

#[derive(Debug, Deserialize)]
pub struct ArchiveForm {
    url: String,
    #[serde(default)]
    token: Option<String>,
}

/// Archives a URL through the pipeline (token required; local targets refused).
pub async fn archive_url(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<ArchiveForm>,
) -> Result<Response, AppError> {
    if !token_ok(&state.config.server.token, form.token.as_deref(), &headers) {
        return Err(writes::forbidden(&state));
    }
    let outcome = writes::archive_url(&state, &form.url).await?;
    Ok(outcome_response(&outcome))
}

#[derive(Debug, Deserialize)]
pub struct CheckForm {
    article: String,
    #[serde(default)]
    token: Option<String>,
}

/// Re-checks one archived article now (token required).
pub async fn recheck(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<CheckForm>,
) -> Result<Response, AppError> {
    if !token_ok(&state.config.server.token, form.token.as_deref(), &headers) {
        return Err(writes::forbidden(&state));
    }
    let outcome = writes::check_article(&state, &form.article).await?;
    Ok(outcome_response(&outcome))
}

/// After a write: to the article's page when it is archived, else a page saying what happened.
fn outcome_response(outcome: &Outcome) -> Response {
    match (outcome.is_success(), outcome.target()) {
        (true, Some(target)) => {
            Redirect::to(&article_path(target.site.key(), &target.id, 0)).into_response()
        }
        _ => {
            let status = if outcome.is_failure() {
                StatusCode::BAD_GATEWAY
            } else {
                StatusCode::OK
            };
            (status, message_page("Not archived", &outcome.summary())).into_response()
        }
    }
}
