//! Answers that cost nothing to serve again: every GET (feeds, pages, API) is validated by
//! the archive's change counter ([`crate::archive::Feeds::change_counter`]) and its built body
//! is kept in memory, with its compressed forms, until the counter moves.
//!
//! For each GET the middleware reads the counter (one tiny query) and derives the validator
//! from it and the request (host, path, query): a matching If-None-Match is answered 304
//! before any handler runs, so nothing is built. Otherwise a body cached at this counter is
//! served as is, compressed at most once per encoding (br or gzip, negotiated from
//! Accept-Encoding). A miss runs the handler and keeps its 200 answer. The counter is read
//! before the handler builds, so an answer is never labelled newer than what it shows: a
//! write in between only costs one more build.
//!
//! The validator is weak (`W/"..."`): the same answer goes out plain, gzipped or in brotli,
//! and a strong one would have to differ per encoding (RFC 9110 §8.8.1).

use std::collections::HashMap;
use std::future::Future;
use std::io::Write as _;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::{Body, Bytes, HttpBody as _};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use super::AppState;

/// Answers larger than this are validated but not kept.
const MAX_ENTRY_BYTES: u64 = 8 * 1024 * 1024;
/// Bytes kept at most (plain and compressed bodies together); then entries are dropped.
const MAX_CACHE_BYTES: usize = 64 * 1024 * 1024;
/// Answers kept at most.
const MAX_ENTRIES: usize = 2_048;
/// Bodies smaller than this are sent plain: compressing them gains nothing.
const MIN_COMPRESS_BYTES: usize = 256;
/// Brotli quality: 5 compresses about as fast as gzip's default and smaller.
const BROTLI_QUALITY: u32 = 5;
const BROTLI_WINDOW: u32 = 22;

/// Headers of a handler's answer that are kept with its body.
const KEPT_HEADERS: [HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::CONTENT_DISPOSITION,
    header::LAST_MODIFIED,
    header::CACHE_CONTROL,
];

/// Built answers of the current counter, by request.
#[derive(Debug)]
pub struct ResponseCache {
    /// Part of every validator: what else decides an answer (version, configuration).
    fingerprint: String,
    state: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    /// The counter every entry was built at.
    counter: u64,
    map: HashMap<String, Arc<Slot>>,
    bytes: usize,
}

/// An answer being built or built: concurrent requests for it wait for one build (after a
/// change, 200 readers of a feed cost one build, not 200).
type Slot = tokio::sync::OnceCell<Arc<Entry>>;

/// One answer: its headers and body, and the body compressed, each made on first demand.
#[derive(Debug)]
struct Entry {
    headers: HeaderMap,
    last_modified: Option<DateTime<Utc>>,
    plain: Bytes,
    gzip: OnceLock<Bytes>,
    br: OnceLock<Bytes>,
}

/// A content coding we send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Brotli,
    Gzip,
    Identity,
}

impl ResponseCache {
    /// `fingerprint`: whatever besides the archive and the request decides an answer.
    pub fn new(fingerprint: &str) -> ResponseCache {
        ResponseCache {
            fingerprint: blake3::hash(fingerprint.as_bytes()).to_hex()[..16].to_owned(),
            state: Mutex::new(Entries::default()),
        }
    }

    /// The validator of the answer to `key` at `counter`.
    fn etag(&self, key: &str, counter: u64) -> String {
        let mut h = blake3::Hasher::new();
        h.update(self.fingerprint.as_bytes());
        h.update(key.as_bytes());
        format!("W/\"{counter:x}-{}\"", &h.finalize().to_hex()[..16])
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The slot of `key` at `counter`, made if needed; a newer counter empties the cache
    /// first. `None` when the cache already holds a newer counter (this request read an
    /// older one: its answer is built but not kept).
    fn slot(&self, key: &str, counter: u64) -> Option<Arc<Slot>> {
        let mut entries = self.entries();
        if counter < entries.counter {
            return None;
        }
        if counter > entries.counter {
            *entries = Entries {
                counter,
                ..Entries::default()
            };
        }
        if let Some(slot) = entries.map.get(key) {
            return Some(Arc::clone(slot));
        }
        // Over the count bound, drop slots in no particular order: the cache refills with one
        // build per request, and a counter change empties it anyway.
        while entries.map.len() >= MAX_ENTRIES {
            entries.evict_one();
        }
        let slot = Arc::new(Slot::new());
        entries.map.insert(key.to_owned(), Arc::clone(&slot));
        Some(slot)
    }

    /// Counts `by` more bytes kept at `counter`, dropping entries while over the bound.
    fn grew(&self, counter: u64, by: usize) {
        let mut entries = self.entries();
        if entries.counter != counter {
            return;
        }
        entries.bytes += by;
        while entries.bytes > MAX_CACHE_BYTES && !entries.map.is_empty() {
            entries.evict_one();
        }
    }

    /// The answer to `key` at `counter`: the cached one, or the one `build` makes (kept when
    /// it is a 200; anything else is passed on as `Err`).
    async fn get_or_build<F>(
        &self,
        key: &str,
        counter: u64,
        build: F,
    ) -> Result<Arc<Entry>, Response>
    where
        F: Future<Output = Result<Entry, Response>>,
    {
        let Some(slot) = self.slot(key, counter) else {
            return build.await.map(Arc::new);
        };
        let mut built_here = false;
        let entry = slot
            .get_or_try_init(|| async {
                built_here = true;
                build.await.map(Arc::new)
            })
            .await?;
        if built_here {
            self.grew(counter, entry.plain.len());
        }
        Ok(Arc::clone(entry))
    }
}

impl Entries {
    fn evict_one(&mut self) {
        let Some(victim) = self.map.keys().next().cloned() else {
            return;
        };
        if let Some(slot) = self.map.remove(&victim) {
            let size = slot.get().map_or(0, |e| e.size());
            self.bytes = self.bytes.saturating_sub(size);
        }
    }
}

impl Entry {
    fn size(&self) -> usize {
        self.plain.len()
            + self.gzip.get().map_or(0, Bytes::len)
            + self.br.get().map_or(0, Bytes::len)
    }

    /// The body in `coding`, compressing it (once, off the async threads) if needed.
    async fn body(self: &Arc<Self>, coding: Coding, cache: &ResponseCache, counter: u64) -> Bytes {
        let cell = match coding {
            Coding::Identity => return self.plain.clone(),
            Coding::Gzip => &self.gzip,
            Coding::Brotli => &self.br,
        };
        if let Some(b) = cell.get() {
            return b.clone();
        }
        let plain = self.plain.clone();
        let compressed = tokio::task::spawn_blocking(move || compress(&plain, coding))
            .await
            .unwrap_or_default();
        // Two first requests may both compress; one result is kept.
        if cell.set(compressed.clone()).is_ok() {
            cache.grew(counter, compressed.len());
        }
        cell.get().cloned().unwrap_or(compressed)
    }
}

fn compress(plain: &[u8], coding: Coding) -> Bytes {
    let mut out = Vec::with_capacity(plain.len() / 3);
    match coding {
        Coding::Identity => return Bytes::copy_from_slice(plain),
        Coding::Gzip => {
            let mut w = flate2::write::GzEncoder::new(&mut out, flate2::Compression::default());
            // Writing to a Vec cannot fail.
            let _ = w.write_all(plain).and_then(|()| w.finish().map(drop));
        }
        Coding::Brotli => {
            let mut w =
                brotli::CompressorWriter::new(&mut out, 64 * 1024, BROTLI_QUALITY, BROTLI_WINDOW);
            let _ = w.write_all(plain);
            drop(w); // finishes the stream
        }
    }
    Bytes::from(out)
}

/// The coding to send for this Accept-Encoding: the best-weighted of br and gzip (br on a
/// tie), else none.
fn negotiate(headers: &HeaderMap) -> Coding {
    let Some(accept) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return Coding::Identity;
    };
    let mut best = (Coding::Identity, 0.0_f32);
    for item in accept.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default().to_ascii_lowercase();
        let q = parts
            .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
            .unwrap_or(0.0);
        let coding = match name.as_str() {
            "br" => Coding::Brotli,
            "gzip" | "x-gzip" => Coding::Gzip,
            _ => continue,
        };
        let better = q > best.1 || (q == best.1 && q > 0.0 && coding == Coding::Brotli);
        if q > 0.0 && better {
            best = (coding, q);
        }
    }
    best.0
}

/// Whether `etag` is among an If-None-Match header's tags (compared weakly, RFC 9110
/// §13.1.2); `None` when the request has no If-None-Match.
fn matches_if_none_match(headers: &HeaderMap, etag: &str) -> Option<bool> {
    let inm = headers.get(header::IF_NONE_MATCH)?.to_str().ok()?;
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(etag);
    Some(inm.split(',').any(|t| t.trim() == "*" || opaque(t) == ours))
}

/// Whether If-Modified-Since (only looked at without If-None-Match) is at or after `updated`.
fn unmodified_since(headers: &HeaderMap, updated: Option<DateTime<Utc>>) -> bool {
    let Some(updated) = updated else {
        return false;
    };
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
        // HTTP dates have whole seconds.
        .is_some_and(|ims| updated.timestamp() <= ims.timestamp())
}

/// Whether the middleware handles this request: GETs (and HEADs) of archive contents.
fn is_cacheable(request: &Request) -> bool {
    let path = request.uri().path();
    // Archived images are immutable under their hash: their own headers say so, and their
    // bytes would crowd the pages out of the cache.
    matches!(*request.method(), Method::GET | Method::HEAD)
        && path != "/style.css"
        && !path.starts_with(super::media::PREFIX)
}

/// The middleware: 304 from the counter, cached answers, compression once per answer.
pub async fn conditional_and_cached(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    if !is_cacheable(&request) {
        return next.run(request).await;
    }
    // A feed shows articles and versions only: keyed by the counter that a crawling daemon's
    // fetch-log rows and queue moves leave alone, it stays valid until something is archived.
    let is_feed = request.uri().path().ends_with(".atom");
    let counter = match state.change_counter(is_feed) {
        Ok(c) => c,
        // The handler meets the same problem and says what it is.
        Err(_) => return next.run(request).await,
    };
    let headers = request.headers().clone();
    let key = format!(
        "{} {}",
        state.base_url(&headers),
        request.uri().path_and_query().map_or("", |p| p.as_str())
    );
    let cache = if is_feed {
        &state.feed_responses
    } else {
        &state.responses
    };
    let etag = cache.etag(&key, counter);
    if matches_if_none_match(&headers, &etag) == Some(true) {
        return not_modified(&etag);
    }
    // A HEAD's answer has no body to keep: it is served from the cache, never put in it.
    let is_head = request.method() == Method::HEAD;
    let entry = match cache
        .get_or_build(&key, counter, build(request, next, is_head))
        .await
    {
        Ok(entry) => entry,
        Err(mut passed_through) => {
            if passed_through.status() == StatusCode::OK {
                set_validator(passed_through.headers_mut(), &etag);
            }
            return passed_through;
        }
    };
    if headers.get(header::IF_NONE_MATCH).is_none()
        && unmodified_since(&headers, entry.last_modified)
    {
        return not_modified(&etag);
    }
    let coding = if entry.plain.len() < MIN_COMPRESS_BYTES {
        Coding::Identity
    } else {
        negotiate(&headers)
    };
    let body = entry.body(coding, cache, counter).await;
    let mut response = Response::new(Body::from(body));
    let h = response.headers_mut();
    h.extend(entry.headers.clone());
    match coding {
        Coding::Brotli => h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br")),
        Coding::Gzip => h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
        Coding::Identity => None,
    };
    set_validator(h, &etag);
    response
}

/// Runs the handler and keeps its answer when it is a 200 of a known, bounded size;
/// anything else comes back as `Err` to be passed on as it is.
async fn build(request: Request, next: Next, is_head: bool) -> Result<Entry, Response> {
    let response = next.run(request).await;
    let size = response.body().size_hint().exact();
    let keep = !is_head
        && response.status() == StatusCode::OK
        && !response.headers().contains_key(header::CONTENT_ENCODING)
        && size.is_some_and(|s| s <= MAX_ENTRY_BYTES);
    if !keep {
        return Err(response);
    }
    let (parts, body) = response.into_parts();
    let Ok(plain) = axum::body::to_bytes(body, MAX_ENTRY_BYTES as usize).await else {
        return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    };
    let mut headers = HeaderMap::new();
    for name in KEPT_HEADERS {
        if let Some(v) = parts.headers.get(&name) {
            headers.insert(name, v.clone());
        }
    }
    let last_modified = headers
        .get(header::LAST_MODIFIED)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
        .map(|t| t.with_timezone(&Utc));
    Ok(Entry {
        headers,
        last_modified,
        plain,
        gzip: OnceLock::new(),
        br: OnceLock::new(),
    })
}

fn not_modified(etag: &str) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    set_validator(response.headers_mut(), etag);
    response
}

/// ETag, Vary and (unless the handler chose one) Cache-Control of a validated answer.
fn set_validator(h: &mut HeaderMap, etag: &str) {
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    // Readers must revalidate (cheaply, with the validator) rather than cache blindly.
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-cache"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: HeaderName, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, value.parse().unwrap());
        h
    }

    #[test]
    fn codings_are_negotiated_by_weight() {
        let ae = |v: &str| negotiate(&with(header::ACCEPT_ENCODING, v));
        assert_eq!(negotiate(&HeaderMap::new()), Coding::Identity);
        assert_eq!(ae("gzip, deflate, br"), Coding::Brotli);
        assert_eq!(ae("gzip"), Coding::Gzip);
        assert_eq!(ae("br;q=0.5, gzip;q=0.8"), Coding::Gzip);
        assert_eq!(ae("br;q=0, gzip;q=0"), Coding::Identity);
        assert_eq!(ae("deflate, zstd"), Coding::Identity);
        assert_eq!(ae("GZIP;q=0.3"), Coding::Gzip);
    }

    #[test]
    fn if_none_match_compares_weakly() {
        let etag = "W/\"2a-0123456789abcdef\"";
        let inm = |v: &str| matches_if_none_match(&with(header::IF_NONE_MATCH, v), etag);
        assert_eq!(matches_if_none_match(&HeaderMap::new(), etag), None);
        assert_eq!(inm("\"2a-0123456789abcdef\""), Some(true));
        assert_eq!(inm("\"x\", W/\"2a-0123456789abcdef\""), Some(true));
        assert_eq!(inm("*"), Some(true));
        assert_eq!(inm("W/\"2b-0123456789abcdef\""), Some(false));
    }

    #[test]
    fn if_modified_since_compares_whole_seconds() {
        let t = DateTime::parse_from_rfc3339("2025-02-11T00:00:00.500Z")
            .unwrap()
            .with_timezone(&Utc);
        let ims = |v: &str| with(header::IF_MODIFIED_SINCE, v);
        assert!(unmodified_since(
            &ims("Tue, 11 Feb 2025 00:00:00 GMT"),
            Some(t)
        ));
        assert!(!unmodified_since(
            &ims("Mon, 10 Feb 2025 23:59:59 GMT"),
            Some(t)
        ));
        assert!(!unmodified_since(&HeaderMap::new(), Some(t)));
        assert!(!unmodified_since(
            &ims("Tue, 11 Feb 2025 00:00:00 GMT"),
            None
        ));
    }

    #[test]
    fn validators_differ_by_counter_request_and_fingerprint() {
        let cache = ResponseCache::new("v1");
        let a = cache.etag("http://h /feed.atom", 7);
        assert!(a.starts_with("W/\"7-"), "{a}");
        assert_ne!(a, cache.etag("http://h /feed.atom", 8));
        assert_ne!(a, cache.etag("http://h /changes.atom", 7));
        assert_ne!(a, ResponseCache::new("v2").etag("http://h /feed.atom", 7));
    }

    fn entry(body: &'static str) -> Entry {
        Entry {
            headers: HeaderMap::new(),
            last_modified: None,
            plain: Bytes::from_static(body.as_bytes()),
            gzip: OnceLock::new(),
            br: OnceLock::new(),
        }
    }

    async fn built(body: &'static str) -> Result<Entry, Response> {
        Ok(entry(body))
    }

    async fn failed() -> Result<Entry, Response> {
        Err(StatusCode::NOT_FOUND.into_response())
    }

    #[tokio::test]
    async fn answers_are_kept_per_counter() {
        let cache = ResponseCache::new("");
        let body = |r: Result<Arc<Entry>, Response>| r.map(|e| e.plain.clone()).ok();
        assert_eq!(
            body(cache.get_or_build("a", 1, built("one")).await).unwrap(),
            "one"
        );
        assert_eq!(
            body(cache.get_or_build("a", 1, built("other")).await).unwrap(),
            "one",
            "kept"
        );
        assert_eq!(
            body(cache.get_or_build("a", 2, built("two")).await).unwrap(),
            "two",
            "another counter, another answer"
        );
        assert_eq!(
            body(cache.get_or_build("a", 1, built("old")).await).unwrap(),
            "old",
            "built from an older state: served, not kept"
        );
        assert_eq!(
            body(cache.get_or_build("a", 2, built("x")).await).unwrap(),
            "two"
        );
        assert!(cache.get_or_build("b", 2, failed()).await.is_err());
        assert_eq!(
            body(cache.get_or_build("b", 2, built("b")).await).unwrap(),
            "b",
            "a failed build is not kept"
        );
        assert_eq!(cache.entries().bytes, 4);
    }

    #[tokio::test]
    async fn concurrent_requests_wait_for_one_build() {
        let cache = Arc::new(ResponseCache::new(""));
        let builds = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let (cache, builds) = (Arc::clone(&cache), Arc::clone(&builds));
            tasks.spawn(async move {
                let build = async {
                    builds.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    Ok(entry("feed"))
                };
                cache.get_or_build("feed", 5, build).await.is_ok()
            });
        }
        while let Some(ok) = tasks.join_next().await {
            assert!(ok.unwrap());
        }
        assert_eq!(builds.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn compressed_bodies_round_trip() {
        let plain = "新闻 news ".repeat(500);
        let gz = compress(plain.as_bytes(), Coding::Gzip);
        let mut out = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut out)
            .unwrap();
        assert_eq!(out, plain);
        let br = compress(plain.as_bytes(), Coding::Brotli);
        let mut out = String::new();
        std::io::Read::read_to_string(&mut brotli::Decompressor::new(&br[..], 4096), &mut out)
            .unwrap();
        assert_eq!(out, plain);
        assert!(br.len() < plain.len() / 10);
    }
}
