//! The HTTP server (axum): the web UI and the Atom feeds, read-only, plus two writing actions
//! (archive a URL, re-check an article) that need the configured token and go through the
//! [`Pipeline`].
//!
//! Handlers read the archive through a small pool of read-only connections on blocking
//! threads (SQLite calls block; WAL lets readers work beside the pipeline's writer). Every
//! response carries a strict Content-Security-Policy: archived text is sanitised, and even if
//! something slipped through, the browser would run no script and load nothing but images.

mod api;
mod cache;
mod listen;
mod media;
mod pages;
mod security;
mod writes;

pub use listen::ClientAddr;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::archive::{self, Archive, ArchiveError, Mode};
use crate::config::Config;
use crate::feed::{self, FeedError, FeedKind};
use crate::pipeline::{Pipeline, PipelineError};

/// Request bodies larger than this are refused (413): forms carry a URL and a token.
pub const MAX_BODY_BYTES: usize = 8 * 1024;
/// Query strings longer than this are refused (414).
pub const MAX_QUERY_BYTES: usize = 1024;
/// Read-only connections kept for reuse.
const POOL_SIZE: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error("invalid server.listen address {0:?}")]
    Listen(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("server failed: {0}")]
    Serve(#[source] std::io::Error),
}

/// What every handler shares.
pub struct AppState {
    config: Config,
    db_path: PathBuf,
    readers: Mutex<Vec<Archive>>,
    /// The connection the change counter is read on, opened on first use.
    counter_reader: Mutex<Option<Archive>>,
    pipeline: Pipeline,
    writes: Arc<security::WriteLimiter>,
    /// Built answers and their validators, keyed by the archive's change counter...
    responses: cache::ResponseCache,
    /// ...and the feeds', keyed by its content counter: a cache holds the answers of one
    /// counter, and the two counters move apart.
    feed_responses: cache::ResponseCache,
}

impl AppState {
    /// Opens (creating and upgrading it if needed) the archive at `config.archive.path`, and
    /// the pipeline that writing actions use (`newsvault serve`, where the server is the whole
    /// process).
    pub fn new(config: Config) -> Result<Arc<AppState>, ServerError> {
        // The read-write open brings the schema up to date before readers open it read-only.
        let writer = archive::connect(&config.archive.path, Mode::ReadWrite)?;
        Ok(Self::with_pipeline(Pipeline::new(config, writer)?))
    }

    /// Serves beside `pipeline`'s other work (the daemon): writing actions go through the
    /// process's one pipeline, so they share its per-host limits, robots.txt cache and group
    /// commit. Its archive must already be open (and so up to date).
    pub fn with_pipeline(pipeline: Pipeline) -> Arc<AppState> {
        let config = pipeline.config().clone();
        Arc::new(AppState {
            db_path: config.archive.path.clone(),
            readers: Mutex::new(Vec::new()),
            counter_reader: Mutex::new(None),
            writes: Arc::new(security::WriteLimiter::new(config.server.writes_per_minute)),
            responses: cache::ResponseCache::new(&answers_fingerprint(&config)),
            feed_responses: cache::ResponseCache::new(&answers_fingerprint(&config)),
            pipeline,
            config,
        })
    }

    /// The archive's change counter (`feeds_only`: its content counter, which the fetch log
    /// and the queue leave alone), read right here rather than on a blocking thread: it is
    /// one row read by primary key (microseconds), WAL readers never wait for the writer, and
    /// every GET asks for it, so the hand-off to a blocking thread would cost more than the
    /// read. A connection that fails is dropped and opened again next time.
    fn change_counter(&self, feeds_only: bool) -> Result<u64, AppError> {
        let mut slot = self
            .counter_reader
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let archive = match slot.take() {
            Some(a) => a,
            None => Archive::open_read_only(&self.db_path)?,
        };
        let counter = if feeds_only {
            archive.content_counter()?
        } else {
            archive.change_counter()?
        };
        *slot = Some(archive);
        Ok(counter)
    }

    /// Runs `f` on a read-only connection, on a blocking thread.
    async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Archive) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let state = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let pooled = state.readers.lock().ok().and_then(|mut p| p.pop());
            let archive = match pooled {
                Some(a) => a,
                None => Archive::open_read_only(&state.db_path)?,
            };
            let result = f(&archive);
            if let Ok(mut pool) = state.readers.lock()
                && pool.len() < POOL_SIZE
            {
                pool.push(archive);
            }
            result
        })
        .await
        .map_err(|e| AppError::Internal(format!("archive task failed: {e}")))?
    }

    /// The scheme and host links start with: `[server] public_url`, else the request's Host.
    fn base_url(&self, headers: &HeaderMap) -> String {
        if !self.config.server.public_url.is_empty() {
            return self
                .config
                .server
                .public_url
                .trim_end_matches('/')
                .to_owned();
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| is_plausible_host(h))
            .unwrap_or(&self.config.server.listen);
        format!("http://{host}")
    }
}

/// What, besides the archive and the request, decides an answer: this build and the
/// configuration (time zones, sources, public URL...). A restart with another one changes
/// every validator. The token is left out: it changes no answer.
fn answers_fingerprint(config: &Config) -> String {
    let mut config = config.clone();
    config.server.token.clear();
    format!("{} {config:?}", env!("CARGO_PKG_VERSION"))
}

/// A Host header we are willing to echo into links: a name or address and an optional port.
fn is_plausible_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// Errors a handler answers with.
#[derive(Debug)]
pub enum AppError {
    NotFound(String),
    BadRequest(String),
    /// A writing request without credentials (the API answers 401).
    Unauthorized(String),
    Forbidden(String),
    Internal(String),
}

impl AppError {
    /// The status and the message to answer with (logging internal errors).
    fn status_and_message(self) -> (StatusCode, String) {
        match self {
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, m),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            AppError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, m),
            AppError::Internal(m) => {
                tracing::error!("server: {m}");
                (StatusCode::INTERNAL_SERVER_ERROR, m)
            }
        }
    }
}

impl From<ArchiveError> for AppError {
    fn from(e: ArchiveError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<FeedError> for AppError {
    fn from(e: FeedError) -> Self {
        match e {
            FeedError::NotFound(what) => AppError::NotFound(what),
            FeedError::Archive(e) => e.into(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, message) = self.status_and_message();
        let title = status.canonical_reason().unwrap_or("Error");
        (status, pages::message_page(title, &message)).into_response()
    }
}

/// The application's routes.
pub fn router(state: Arc<AppState>) -> Router {
    let writes = Arc::clone(&state.writes);
    Router::new()
        .route("/", get(pages::list))
        .route("/status", get(pages::status))
        .route("/style.css", get(pages::stylesheet))
        .route("/feed.atom", get(all_feed))
        .route("/changes.atom", get(changes_feed))
        .route("/sites/{file}", get(site_feed))
        .route("/a/{site}/{file}", get(article_or_history))
        .route("/a/{site}/{id}/diff", get(pages::diff))
        .route("/media/{hash}", get(media::image))
        .route("/screenshot/{file}", get(pages::screenshot))
        .route("/archive", post(pages::archive_url))
        .route("/check", post(pages::recheck))
        .nest(api::PREFIX, api::router())
        // Innermost: a 304 or a cached answer skips the handler, and still passes the
        // layers below (security headers, JSON errors).
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            cache::conditional_and_cached,
        ))
        .layer(axum::middleware::from_fn_with_state(
            writes,
            security::limit_writes,
        ))
        .layer(axum::middleware::from_fn(security::headers_and_limits))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            api::json_errors,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Answers the cache does not keep (errors, writes' answers) gzip-compressed for
        // clients that accept it; cached ones carry their own Content-Encoding and pass.
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// Serves until `shutdown` resolves. Binds `[server] listen`.
pub async fn serve(
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let addr: SocketAddr = config
        .server
        .listen
        .parse()
        .map_err(|_| ServerError::Listen(config.server.listen.clone()))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: addr.to_string(),
            source,
        })?;
    let state = AppState::new(config)?;
    tracing::info!(%addr, "serving");
    serve_on(listener, state, shutdown).await
}

/// Serves on an already bound listener (tests and benchmarks bind 127.0.0.1:0).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let server_config = state.config.server.clone();
    listen::serve(listener, router(state), &server_config, shutdown).await;
    Ok(())
}

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    before: Option<i64>,
}

async fn all_feed(
    State(state): State<Arc<AppState>>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    feed_response(state, FeedKind::Articles { site: None }, q.before, headers).await
}

async fn changes_feed(
    State(state): State<Arc<AppState>>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    feed_response(state, FeedKind::Changes, q.before, headers).await
}

async fn site_feed(
    State(state): State<Arc<AppState>>,
    Path(file): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Some(site) = file.strip_suffix(".atom") else {
        return Err(AppError::NotFound(format!("no such feed: {file}")));
    };
    let kind = FeedKind::Articles {
        site: Some(site.to_owned()),
    };
    feed_response(state, kind, q.before, headers).await
}

/// `/a/<site>/<id>` is an article's page, `/a/<site>/<id>.atom` its history feed.
async fn article_or_history(
    State(state): State<Arc<AppState>>,
    Path((site, file)): Path<(String, String)>,
    Query(q): Query<pages::ArticleQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    match file.strip_suffix(".atom") {
        Some(id) => {
            let kind = FeedKind::History {
                site,
                id: id.to_owned(),
            };
            feed_response(state, kind, q.before, headers).await
        }
        None => pages::article(state, site, file, q).await,
    }
}

async fn feed_response(
    state: Arc<AppState>,
    kind: FeedKind,
    before: Option<i64>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let base = state.base_url(&headers);
    let sites = state.config.sites.clone();
    let feed = state
        .read(move |a| Ok(feed::build_feed(a, &sites, &base, &kind, before)?))
        .await?;
    // Validators, 304s and caching: [`cache::conditional_and_cached`], from the change
    // counter, before this runs at all.
    let last_modified = http_date(feed.updated);
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/atom+xml; charset=utf-8"),
        )],
        feed.xml,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&last_modified) {
        response.headers_mut().insert(header::LAST_MODIFIED, v);
    }
    Ok(response)
}

/// An HTTP date (IMF-fixdate).
pub(crate) fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_headers_echoed_into_links_are_plain() {
        assert!(is_plausible_host("127.0.0.1:8080"));
        assert!(is_plausible_host("[::1]:80"));
        assert!(!is_plausible_host("evil\"><script>"));
        assert!(!is_plausible_host("a/b"));
    }
}
