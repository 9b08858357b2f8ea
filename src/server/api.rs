//! The JSON API under `/api/v1/`: the archive's articles, versions, raw captures and diffs,
//! its sources and queue, and the two writing actions of the web forms (same token, target
//! and rate rules: [`super::writes`], [`super::security::limit_writes`]).
//!
//! Field names are stable (the README lists them). Every error is `{"error": "..."}` with its
//! status; [`json_errors`] turns the answers other layers give under `/api/` (an unknown path,
//! a wrong method, a body too large, too many writes, a query too long) into that form too.
//! Lists are keyset-paged: `next` is the path of the following page, `null` on the last.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use super::pages::{VersionPair, version_pair};
use super::{AppError, AppState, writes};
use crate::archive::{
    ArticleSummary, QueueCounts, RawCaptureInfo, SearchOptions, SearchScope, SourceStatus,
    VersionDetail, VersionKind,
};
use crate::diff::DocumentDiff;
use crate::feed::{article_path, path_segment};
use crate::pipeline::Outcome;
use crate::search::Marked;

/// Articles per page unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 50;
/// The largest `limit` allowed.
const MAX_LIMIT: usize = 200;
/// Where the API lives.
pub const PREFIX: &str = "/api/v1";

/// The API's routes (nested under [`PREFIX`]).
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/articles", get(articles))
        .route("/articles/{site}/{id}", get(article))
        .route("/articles/{site}/{id}/diff", get(diff))
        .route("/articles/{site}/{id}/versions/{seq}", get(version))
        .route("/articles/{site}/{id}/versions/{seq}/raw", get(raw))
        .route("/sources", get(sources))
        .route("/queue", get(queue))
        .route("/archive", post(archive_url))
        .route("/check", post(check))
}

/// An error of the API: [`AppError`] answered as JSON.
#[derive(Debug)]
pub struct ApiError(AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let unauthorized = matches!(self.0, AppError::Unauthorized(_));
        let (status, message) = self.0.status_and_message();
        let mut response = error_response(status, &message);
        if unauthorized {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"newsvault\""),
            );
        }
        response
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
}

/// `{"error": message}` with `status`.
pub fn error_response(status: StatusCode, message: &str) -> Response {
    (status, json(&ErrorBody { error: message })).into_response()
}

/// A JSON body.
fn json(value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        Err(e) => AppError::Internal(format!("cannot write JSON: {e}")).into_response(),
    }
}

type ApiResult = Result<Response, ApiError>;

/// Query parameters, each allowed once and only those an endpoint knows.
struct Params(HashMap<String, String>);

impl Params {
    fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Params, AppError> {
        let mut map = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            if !allowed.contains(&name.as_ref()) {
                let known = if allowed.is_empty() {
                    "none".to_owned()
                } else {
                    allowed.join(", ")
                };
                return Err(AppError::BadRequest(format!(
                    "unknown parameter {name:?} (known: {known})"
                )));
            }
            if map.insert(name.to_string(), value.into_owned()).is_some() {
                return Err(AppError::BadRequest(format!(
                    "parameter {name:?} is given more than once"
                )));
            }
        }
        Ok(Params(map))
    }

    /// A non-empty text parameter.
    fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// A number parameter within `min..=max`.
    fn number<T: FromStr + PartialOrd + std::fmt::Display>(
        &self,
        name: &str,
        min: T,
        max: T,
    ) -> Result<Option<T>, AppError> {
        let Some(raw) = self.0.get(name) else {
            return Ok(None);
        };
        match raw.trim().parse::<T>() {
            Ok(n) if n >= min && n <= max => Ok(Some(n)),
            _ => Err(AppError::BadRequest(format!(
                "parameter {name:?} must be a whole number from {min} to {max}, not {raw:?}"
            ))),
        }
    }
}

/// The API path of an article (`id` as in the web UI: the site's id, or `_<row id>`).
fn article_api_path(site: &str, site_article_id: &str, row_id: i64) -> String {
    format!(
        "{PREFIX}{}",
        article_path(site, site_article_id, row_id).replacen("/a/", "/articles/", 1)
    )
}

#[derive(Serialize)]
struct ArticleJson {
    site: String,
    /// The id in the article's paths: the site's article id, or `_<row id>`.
    id: String,
    canonical_url: String,
    lang: String,
    /// "live" or "removed".
    status: &'static str,
    title: String,
    published: String,
    author: Option<String>,
    first_seen_at: String,
    /// When the shown version (the latest with a document) was fetched.
    fetched_at: String,
    /// The last significant change (new, edit, restored, import).
    updated_at: String,
    latest_seq: u32,
    /// The latest version that has a document (a removal has none).
    content_seq: u32,
    removal: Option<RemovalJson>,
    links: ArticleLinks,
}

#[derive(Serialize)]
struct RemovalJson {
    seq: u32,
    at: String,
    http_status: Option<u16>,
    final_url: Option<String>,
    signal: String,
}

#[derive(Serialize)]
struct ArticleLinks {
    #[serde(rename = "self")]
    this: String,
    page: String,
    history_feed: String,
}

impl From<ArticleSummary> for ArticleJson {
    fn from(a: ArticleSummary) -> Self {
        let page = article_path(&a.site, &a.site_article_id, a.id);
        let id = if a.site_article_id.is_empty() {
            format!("_{}", a.id)
        } else {
            a.site_article_id.clone()
        };
        ArticleJson {
            links: ArticleLinks {
                this: article_api_path(&a.site, &a.site_article_id, a.id),
                history_feed: format!("{page}.atom"),
                page,
            },
            id,
            site: a.site,
            canonical_url: a.canonical_url,
            lang: a.lang,
            status: if a.removal.is_some() {
                "removed"
            } else {
                "live"
            },
            title: a.title,
            published: a.published,
            author: a.author,
            first_seen_at: a.first_seen_at,
            fetched_at: a.fetched_at,
            updated_at: a.updated_at,
            latest_seq: a.latest_seq,
            content_seq: a.seq,
            removal: a.removal.map(|r| RemovalJson {
                seq: r.seq,
                at: r.at,
                http_status: r.http_status,
                final_url: r.final_url,
                signal: r.signal,
            }),
        }
    }
}

#[derive(Serialize)]
struct VersionJson {
    seq: u32,
    /// new, edit, minor, removed, restored, import.
    kind: &'static str,
    fetched_at: String,
    http_status: Option<u16>,
    final_url: Option<String>,
    title: String,
    published: String,
    /// False when the page showed no publication time (`published` is then the capture time).
    date_found: bool,
    /// Size of the document in bytes (0 for removals).
    size: usize,
    extractor: Option<String>,
    import_path: Option<String>,
    removal_signal: Option<String>,
    /// The API path of this version.
    url: String,
}

fn version_json(article: &str, v: VersionDetail) -> VersionJson {
    VersionJson {
        url: format!("{article}/versions/{}", v.seq),
        seq: v.seq,
        kind: v.kind.as_str(),
        fetched_at: v.fetched_at,
        http_status: v.http_status,
        final_url: v.final_url,
        title: v.title,
        published: v.published,
        date_found: v.date_found,
        size: v.size,
        extractor: v.extractor,
        import_path: v.import_path,
        removal_signal: v.removal_signal,
    }
}

#[derive(Serialize)]
struct ArticlesPage {
    articles: Vec<ArticleJson>,
    /// The path of the next (older) page; `null` on the last.
    next: Option<String>,
}

/// `GET /articles?site=&q=&versions=&cursor=&limit=`: newest archived first; with `q`, the
/// full-text search, best first (see [`search_articles`]).
async fn articles(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> ApiResult {
    let params = Params::parse(
        raw.as_deref(),
        &["site", "q", "versions", "cursor", "limit"],
    )?;
    let site = params.text("site").map(str::to_owned);
    let cursor = params.number::<i64>("cursor", 1, i64::MAX)?;
    let limit = params
        .number::<usize>("limit", 1, MAX_LIMIT)?
        .unwrap_or(DEFAULT_LIMIT);
    let scope = match params.text("versions") {
        None | Some("latest") => SearchScope::Latest,
        Some("all") => SearchScope::AllVersions,
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "parameter \"versions\" must be \"latest\" or \"all\", not {other:?}"
            ))
            .into());
        }
    };
    if let Some(q) = params.text("q") {
        let offset = usize::try_from(cursor.unwrap_or(0)).unwrap_or(usize::MAX);
        let search = Search {
            q: q.to_owned(),
            scope,
            offset,
            limit,
        };
        return search_articles(state, site, search).await;
    }
    if params.text("versions").is_some() {
        return Err(AppError::BadRequest("parameter \"versions\" needs \"q\"".into()).into());
    }
    let site2 = site.clone();
    let articles = state
        .read(move |a| {
            if let Some(site) = &site2 {
                ensure_site(a, site)?;
            }
            Ok(a.article_summaries(site2.as_deref(), cursor, limit, false)?)
        })
        .await?;
    let next = (articles.len() == limit)
        .then(|| articles.last().map(|x| x.id))
        .flatten()
        .map(|cursor| articles_path(site.as_deref(), None, cursor, limit));
    Ok(json(&ArticlesPage {
        articles: articles.into_iter().map(ArticleJson::from).collect(),
        next,
    }))
}

/// A 404 for a site that has no archived article.
fn ensure_site(a: &crate::archive::Archive, site: &str) -> Result<(), AppError> {
    if a.site_exists(site)? {
        Ok(())
    } else {
        Err(AppError::NotFound(format!(
            "no archived article of site {site:?}"
        )))
    }
}

/// The path of a page of `/articles`: `search` gives `q`, `versions` (when all) and the
/// cursor as the results skipped; otherwise the cursor is the keyset's.
fn articles_path(site: Option<&str>, search: Option<&Search>, cursor: i64, limit: usize) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    if let Some(site) = site {
        s.append_pair("site", site);
    }
    if let Some(search) = search {
        s.append_pair("q", &search.q);
        if search.scope == SearchScope::AllVersions {
            s.append_pair("versions", "all");
        }
    }
    s.append_pair("cursor", &cursor.to_string());
    if limit != DEFAULT_LIMIT {
        s.append_pair("limit", &limit.to_string());
    }
    format!("{PREFIX}/articles?{}", s.finish())
}

/// A full-text search as `/articles` was asked for it.
struct Search {
    q: String,
    scope: SearchScope,
    offset: usize,
    limit: usize,
}

#[derive(Serialize)]
struct SearchPageJson {
    articles: Vec<SearchHitJson>,
    /// The path of the next page of results; `null` on the last.
    next: Option<String>,
}

/// An article found by a search: the article, and what matched.
#[derive(Serialize)]
struct SearchHitJson {
    #[serde(flatten)]
    article: ArticleJson,
    search: MatchJson,
}

#[derive(Serialize)]
struct MatchJson {
    /// The version that matched (the latest with a document, unless `versions=all`).
    seq: u32,
    /// The rank (higher is better), comparable within one search.
    score: f64,
    title: MarkedJson,
    snippet: MarkedJson,
}

/// A text and its matches, `[start, end)` in characters.
#[derive(Serialize)]
struct MarkedJson {
    text: String,
    marks: Vec<[usize; 2]>,
}

impl From<&Marked> for MarkedJson {
    fn from(m: &Marked) -> Self {
        MarkedJson {
            text: m.text.clone(),
            marks: m.char_marks(),
        }
    }
}

/// `/articles?q=`: the full-text search, best first; `cursor` counts the results skipped.
async fn search_articles(state: Arc<AppState>, site: Option<String>, search: Search) -> ApiResult {
    let query = crate::search::Query::parse(&search.q)
        .map_err(|e| AppError::BadRequest(format!("parameter \"q\": {e}")))?;
    let (site2, scope, offset, limit) = (site.clone(), search.scope, search.offset, search.limit);
    let (hits, more) = state
        .read(move |a| {
            if let Some(site) = &site2 {
                ensure_site(a, site)?;
            }
            let options = SearchOptions {
                site: site2.as_deref(),
                scope,
                offset,
                limit,
            };
            let found = a.search(&query, &options)?;
            let mut hits = Vec::with_capacity(found.results.len());
            for r in found.results {
                let f = &r.found;
                let Some(article) = a.article_summary(&f.site, &path_id(f))? else {
                    continue;
                };
                hits.push(SearchHitJson {
                    article: ArticleJson::from(article),
                    search: MatchJson {
                        seq: f.seq,
                        score: r.score,
                        title: MarkedJson::from(&r.title),
                        snippet: MarkedJson::from(&r.snippet),
                    },
                });
            }
            Ok((hits, found.more))
        })
        .await?;
    let next = more.then(|| {
        let cursor = i64::try_from(offset + limit).unwrap_or(i64::MAX);
        articles_path(site.as_deref(), Some(&search), cursor, limit)
    });
    Ok(json(&SearchPageJson {
        articles: hits,
        next,
    }))
}

/// The id of a found article in its paths: the site's id, or `_<row id>`.
fn path_id(f: &crate::archive::FoundVersion) -> String {
    if f.site_article_id.is_empty() {
        format!("_{}", f.article_id)
    } else {
        f.site_article_id.clone()
    }
}

#[derive(Serialize)]
struct ArticleWithVersions {
    article: ArticleJson,
    versions: Vec<VersionJson>,
}

/// `GET /articles/{site}/{id}`: the article and every version, oldest first.
async fn article(
    State(state): State<Arc<AppState>>,
    Path((site, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    Params::parse(raw.as_deref(), &[])?;
    let (summary, versions) = state
        .read(move |a| {
            let summary = find_article(a, &site, &id)?;
            let versions = a.version_details(&summary.canonical_url)?;
            Ok((summary, versions))
        })
        .await?;
    let article = ArticleJson::from(summary);
    let versions = versions
        .into_iter()
        .map(|v| version_json(&article.links.this, v))
        .collect();
    Ok(json(&ArticleWithVersions { article, versions }))
}

fn find_article(
    a: &crate::archive::Archive,
    site: &str,
    id: &str,
) -> Result<ArticleSummary, AppError> {
    a.article_summary(site, id)?
        .ok_or_else(|| AppError::NotFound(format!("no archived article {site}/{id}")))
}

#[derive(Serialize)]
struct VersionWithDocument {
    article: ArticleJson,
    version: VersionJson,
    /// The archived document (Markdown with YAML front matter); `null` for a removal.
    document: Option<String>,
    /// The raw response the document was made from; `null` for imports and removals.
    raw: Option<RawJson>,
}

#[derive(Serialize)]
struct RawJson {
    /// blake3 hex of the bytes.
    hash: String,
    size: u64,
    content_type: Option<String>,
    fetched_at: String,
    /// The API path of the bytes themselves.
    url: String,
}

/// One version of an article, found by its seq.
struct FoundVersion {
    summary: ArticleSummary,
    detail: VersionDetail,
    document: Option<String>,
    raw: Option<RawCaptureInfo>,
}

/// `seq` as a path segment: a whole number from 1.
fn parse_seq(seq: &str) -> Result<u32, AppError> {
    seq.parse::<u32>().ok().filter(|s| *s >= 1).ok_or_else(|| {
        AppError::BadRequest(format!(
            "version {seq:?} must be a whole number from 1 (a version's seq)"
        ))
    })
}

async fn find_version(
    state: &Arc<AppState>,
    site: String,
    id: String,
    seq: u32,
    with_document: bool,
) -> Result<FoundVersion, AppError> {
    state
        .read(move |a| {
            let summary = find_article(a, &site, &id)?;
            let detail = a
                .version_details(&summary.canonical_url)?
                .into_iter()
                .find(|d| d.seq == seq)
                .ok_or_else(|| {
                    AppError::NotFound(format!("article {site}/{id} has no version {seq}"))
                })?;
            let document = if with_document && detail.kind != VersionKind::Removed {
                a.document(&summary.canonical_url, seq)?
            } else {
                None
            };
            let raw = a.raw_capture_info(&summary.canonical_url, seq)?;
            Ok(FoundVersion {
                summary,
                detail,
                document,
                raw,
            })
        })
        .await
}

/// `GET /articles/{site}/{id}/versions/{seq}`: a version, its document and its raw capture's
/// description.
async fn version(
    State(state): State<Arc<AppState>>,
    Path((site, id, seq)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    Params::parse(raw.as_deref(), &[])?;
    let seq = parse_seq(&seq)?;
    let found = find_version(&state, site, id, seq, true).await?;
    let article = ArticleJson::from(found.summary);
    let version = version_json(&article.links.this, found.detail);
    let raw = found.raw.map(|r| RawJson {
        url: format!("{}/raw", version.url),
        hash: r.hash,
        size: r.size,
        content_type: r.content_type,
        fetched_at: r.fetched_at,
    });
    Ok(json(&VersionWithDocument {
        article,
        version,
        document: found.document,
        raw,
    }))
}

/// `GET /articles/{site}/{id}/versions/{seq}/raw`: the bytes as they were received, as a
/// download: never rendered (they are someone else's HTML).
async fn raw(
    State(state): State<Arc<AppState>>,
    Path((site, id, seq)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    Params::parse(raw.as_deref(), &[])?;
    let seq = parse_seq(&seq)?;
    let (site2, id2) = (site.clone(), id.clone());
    let bytes = state
        .read(move |a| {
            let summary = find_article(a, &site2, &id2)?;
            a.raw_capture(&summary.canonical_url, seq)?.ok_or_else(|| {
                AppError::NotFound(format!(
                    "version {seq} of {site2}/{id2} has no raw capture (an import, a removal \
                     or no such version)"
                ))
            })
        })
        .await?;
    let filename =
        format!("{}-{}-v{seq}.raw", path_segment(&site), path_segment(&id)).replace('%', "_");
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Serialize)]
struct DiffJson {
    article: ArticleJson,
    a: VersionJson,
    b: VersionJson,
    /// `null` when either version is a removal.
    diff: Option<DocumentDiff>,
}

/// `GET /articles/{site}/{id}/diff?a=&b=`: the difference between two versions (by default
/// the last two).
async fn diff(
    State(state): State<Arc<AppState>>,
    Path((site, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let params = Params::parse(raw.as_deref(), &["a", "b"])?;
    let a = params.number::<u32>("a", 1, u32::MAX)?;
    let b = params.number::<u32>("b", 1, u32::MAX)?;
    let VersionPair {
        summary,
        a,
        b,
        diff,
        ..
    } = version_pair(&state, site, id, a, b).await?;
    let article = ArticleJson::from(summary);
    Ok(json(&DiffJson {
        a: version_json(&article.links.this, a),
        b: version_json(&article.links.this, b),
        article,
        diff,
    }))
}

#[derive(Serialize)]
struct SourceJson {
    name: String,
    kind: String,
    /// False for a configured source not polled yet (every other field is then empty).
    polled: bool,
    last_poll_at: Option<String>,
    last_success_at: Option<String>,
    next_poll_at: Option<String>,
    last_error: Option<String>,
    polls: u64,
    errors: u64,
    items_listed: u64,
    items_queued: u64,
    archived: u64,
    pending: u64,
    failed: u64,
    skipped: u64,
}

impl From<SourceStatus> for SourceJson {
    fn from(s: SourceStatus) -> Self {
        SourceJson {
            name: s.name,
            kind: s.kind,
            polled: true,
            last_poll_at: s.last_poll_at,
            last_success_at: s.last_success_at,
            next_poll_at: s.next_poll_at,
            last_error: s.last_error,
            polls: s.polls,
            errors: s.errors,
            items_listed: s.items_listed,
            items_queued: s.items_queued,
            archived: s.archived,
            pending: s.pending,
            failed: s.failed,
            skipped: s.skipped,
        }
    }
}

#[derive(Serialize)]
struct SourcesJson {
    sources: Vec<SourceJson>,
}

/// `GET /sources`: every polled source with its state, then configured ones not polled yet.
async fn sources(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> ApiResult {
    Params::parse(raw.as_deref(), &[])?;
    let polled = state.read(|a| Ok(a.sources_status()?)).await?;
    let mut sources: Vec<SourceJson> = Vec::with_capacity(polled.len());
    for c in &state.config.sources {
        if !polled.iter().any(|s| s.name == c.name) {
            sources.push(SourceJson {
                name: c.name.clone(),
                kind: c.kind.as_str().to_owned(),
                polled: false,
                last_poll_at: None,
                last_success_at: None,
                next_poll_at: None,
                last_error: None,
                polls: 0,
                errors: 0,
                items_listed: 0,
                items_queued: 0,
                archived: 0,
                pending: 0,
                failed: 0,
                skipped: 0,
            });
        }
    }
    sources.splice(0..0, polled.into_iter().map(SourceJson::from));
    Ok(json(&SourcesJson { sources }))
}

#[derive(Serialize)]
struct QueueJson {
    /// Waiting to be archived (including retries not due yet).
    pending: u64,
    /// Archived.
    done: u64,
    failed: u64,
    /// Listed items that are not text (videos...), recorded and not fetched.
    skipped: u64,
}

/// `GET /queue`: the daemon's queue, counted by state.
async fn queue(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> ApiResult {
    Params::parse(raw.as_deref(), &[])?;
    let QueueCounts {
        pending,
        done,
        failed,
        skipped,
    } = state.read(|a| Ok(a.queue_counts()?)).await?;
    Ok(json(&QueueJson {
        pending,
        done,
        failed,
        skipped,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchiveRequest {
    url: String,
    #[serde(default)]
    token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckRequest {
    /// The article's canonical URL.
    article: String,
    #[serde(default)]
    token: Option<String>,
}

/// A JSON request body, whatever its declared type (curl sends forms' by default).
fn body<T: serde::de::DeserializeOwned>(bytes: &[u8], shape: &str) -> Result<T, AppError> {
    serde_json::from_slice(bytes)
        .map_err(|e| AppError::BadRequest(format!("request body: expected JSON {shape}: {e}")))
}

/// `POST /archive` `{"url": "..."}`: archives a URL now (token required).
async fn archive_url(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    request: Bytes,
) -> ApiResult {
    let request: ArchiveRequest = body(&request, "{\"url\": \"https://...\"}")?;
    writes::authorize(&state, request.token.as_deref(), &headers)?;
    let outcome = writes::archive_url(&state, &request.url).await?;
    Ok(outcome_json(&outcome))
}

/// `POST /check` `{"article": "<canonical URL>"}`: re-checks an archived article now.
async fn check(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    request: Bytes,
) -> ApiResult {
    let request: CheckRequest = body(&request, "{\"article\": \"<canonical URL>\"}")?;
    writes::authorize(&state, request.token.as_deref(), &headers)?;
    let outcome = writes::check_article(&state, &request.article).await?;
    Ok(outcome_json(&outcome))
}

#[derive(Serialize)]
struct OutcomeJson {
    /// archived, not_modified, removed, blocked, transient, not_article.
    outcome: &'static str,
    /// One line for a person.
    summary: String,
    /// The archived article's API path, when it is archived and current.
    article: Option<String>,
}

/// A write's outcome: 200 with what happened, or 502 when the attempt itself failed.
fn outcome_json(outcome: &Outcome) -> Response {
    let kind = match outcome {
        Outcome::Archived { .. } => "archived",
        Outcome::NotModified { .. } => "not_modified",
        Outcome::Removed { .. } => "removed",
        Outcome::Blocked { .. } => "blocked",
        Outcome::Transient { .. } => "transient",
        Outcome::NotArticle { .. } => "not_article",
        Outcome::Failed { .. } => {
            return error_response(StatusCode::BAD_GATEWAY, &outcome.summary());
        }
    };
    let article = outcome
        .target()
        .filter(|_| outcome.is_success())
        .map(|t| article_api_path(t.site.key(), &t.id, 0));
    json(&OutcomeJson {
        outcome: kind,
        summary: outcome.summary(),
        article,
    })
}

/// Middleware: under `/api/`, an error answer that is not JSON yet (from routing, body limits,
/// the write limiter, the query limit) becomes `{"error": "..."}`, keeping status and headers.
pub async fn json_errors(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    if !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let is_text = parts
        .headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
    let text = match is_text {
        true => axum::body::to_bytes(body, 4096)
            .await
            .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
            .unwrap_or_default(),
        false => String::new(),
    };
    let message = match status {
        StatusCode::NOT_FOUND => format!("no such API endpoint: {path}"),
        StatusCode::METHOD_NOT_ALLOWED => format!("{method} is not allowed on {path}"),
        StatusCode::TOO_MANY_REQUESTS => format!(
            "at most {} writing requests a minute per client; try again in {}s",
            state.config.server.writes_per_minute,
            parts
                .headers
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("60")
        ),
        _ if !text.is_empty() => text,
        _ => status.canonical_reason().unwrap_or("error").to_owned(),
    };
    let fresh = error_response(status, &message);
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in fresh.headers() {
        parts.headers.insert(name, value.clone());
    }
    Response::from_parts(parts, fresh.into_body())
}
