//! Turns a URL into bytes and decoded text, politely.
//!
//! [`Fetcher::get`] makes one logical GET: per-host politeness ([`politeness`]), conditional
//! request validators, redirects with loop detection, a body size cap, and retries with
//! exponential backoff that honour `Retry-After`. Any HTTP response comes back as
//! `Ok(`[`Fetched`]`)`, whatever its status; the caller classifies it. [`Fetched::decode`] turns
//! the body into text ([`charset`]).

pub mod charset;
pub mod politeness;
pub mod retry;
mod robots;
pub mod target;

use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap, HeaderValue};
use tracing::{debug, info, warn};

use crate::config::FetchConfig;
use politeness::{HostGate, HostLimiter, SharedRobots};
use target::{GuardedResolver, TargetPolicy, TargetRefused};

/// Fetches URLs. Cheap to clone (shared client and per-host limiter); `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    limiter: Arc<HostLimiter>,
    robots: Arc<robots::RobotsCache>,
    config: Arc<FetchConfig>,
    policy: Arc<TargetPolicy>,
}

/// Conditional-request validators from a previous fetch.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    /// Sent as `If-None-Match`.
    pub etag: Option<String>,
    /// Sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// One HTTP response, whatever its status.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub requested_url: url::Url,
    /// After redirects.
    pub final_url: url::Url,
    pub status: u16,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The response's Cache-Control header (feeds: `max-age` may stretch the poll interval).
    pub cache_control: Option<String>,
    /// Parsed from the final response's `Retry-After`, if any.
    pub retry_after: Option<Duration>,
    /// Raw bytes as received, after Content-Encoding decompression. Empty for a 304.
    pub body: Vec<u8>,
    /// HTTP attempts made (1 = no retry).
    pub attempts: u32,
    /// When the final response arrived.
    pub fetched_at: chrono::DateTime<chrono::Utc>,
    /// From the call to [`Fetcher::get`] to the end of the body, politeness waits and retries
    /// included.
    pub elapsed: Duration,
}

impl Fetched {
    /// Decodes the body as HTML: BOM, Content-Type charset, `<meta>` prescan, then detection
    /// steered by the final URL's top-level domain.
    pub fn decode(&self) -> charset::Decoded<'_> {
        charset::decode_html(&self.body, self.content_type.as_deref(), self.tld())
    }

    /// The rightmost label of the final URL's host, when it is a domain name.
    fn tld(&self) -> Option<&str> {
        charset::tld_of(&self.final_url)
    }

    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// True for 304 Not Modified.
    pub fn is_not_modified(&self) -> bool {
        self.status == 304
    }
}

/// Why no response could be had. Every message names the URL and, for limits, the limit.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("timed out after {} fetching {url}", fmt_duration(*.limit))]
    Timeout { url: String, limit: Duration },
    #[error("response body of {url} is larger than the limit of {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("more than {limit} redirects fetching {url}")]
    TooManyRedirects { url: String, limit: usize },
    #[error("redirect loop fetching {url}")]
    RedirectLoop { url: String },
    #[error(
        "{url} answered {status} with Retry-After {}, longer than the limit of {}",
        fmt_duration(*.retry_after),
        fmt_duration(*.limit)
    )]
    RetryAfterTooLong {
        url: String,
        status: u16,
        retry_after: Duration,
        limit: Duration,
    },
    #[error("cannot connect to fetch {url}: {}", error_chain(.source))]
    Connect {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("invalid URL {url}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("fetching {url} failed: {}", error_chain(.source))]
    Client {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("refused to fetch {url}: {source}")]
    TargetRefused {
        url: String,
        #[source]
        source: TargetRefused,
    },
    #[error("robots.txt of {origin} forbids fetching {url}")]
    RobotsDisallowed { url: String, origin: String },
    #[error("robots.txt of {origin} could not be read ({reason}); not fetching {url} for now")]
    RobotsUnavailable {
        url: String,
        origin: String,
        reason: String,
    },
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
}

impl FetchError {
    /// Worth retrying later: timeouts and connection failures.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            FetchError::Timeout { .. }
                | FetchError::Connect { .. }
                | FetchError::RetryAfterTooLong { .. }
                | FetchError::RobotsUnavailable { .. }
        )
    }

    /// The URL being fetched (empty for [`FetchError::Build`]).
    pub fn url(&self) -> &str {
        match self {
            FetchError::Timeout { url, .. }
            | FetchError::TooLarge { url, .. }
            | FetchError::TooManyRedirects { url, .. }
            | FetchError::RedirectLoop { url }
            | FetchError::RetryAfterTooLong { url, .. }
            | FetchError::Connect { url, .. }
            | FetchError::InvalidUrl { url, .. }
            | FetchError::Client { url, .. }
            | FetchError::TargetRefused { url, .. }
            | FetchError::RobotsDisallowed { url, .. }
            | FetchError::RobotsUnavailable { url, .. } => url,
            FetchError::Build(_) => "",
        }
    }
}

fn fmt_duration(d: Duration) -> String {
    // Whole milliseconds: humantime would otherwise print nanoseconds of jitter.
    humantime::format_duration(Duration::from_millis(d.as_millis() as u64)).to_string()
}

/// reqwest's own message is terse ("error sending request"); append the causes.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Raised by the redirect policy; recovered from reqwest's error chain.
#[derive(Debug, thiserror::Error)]
enum RedirectError {
    #[error("redirect loop")]
    Loop,
    #[error("too many redirects")]
    TooMany,
    #[error(transparent)]
    Refused(TargetRefused),
}

/// The per-host limits `config` asks for, on this process's own clock.
fn host_limiter(config: &FetchConfig) -> HostLimiter {
    HostLimiter::new(config.per_host_concurrency, config.per_host_interval).with_overrides(
        config
            .hosts
            .iter()
            .map(|(host, limits)| (host.clone(), limits.concurrency, limits.interval)),
    )
}

static CRYPTO_PROVIDER: Once = Once::new();

/// The most of a body's declared length reserved before the body arrives (bodies larger than
/// this grow as they come, up to `max_body_bytes`).
const MOST_RESERVED: u64 = 16 << 20;

/// reqwest is built with `rustls-no-provider`: install ring as the process default once.
/// The HTTP client: every redirect hop and every address it connects to judged by `targets`.
fn client_for(
    config: &FetchConfig,
    targets: &Arc<TargetPolicy>,
) -> Result<reqwest::Client, FetchError> {
    let max_redirects = config.max_redirects;
    let hop_targets = Arc::clone(targets);
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        // Every hop is checked as written; the names it resolves are checked by the
        // resolver when it connects.
        if let Err(refused) = hop_targets.check_url(attempt.url()) {
            return attempt.error(RedirectError::Refused(refused));
        }
        // `previous` starts with the original URL, so its length is the number of requests
        // made so far, i.e. the redirects followed including this one.
        if attempt.previous().contains(attempt.url()) {
            attempt.error(RedirectError::Loop)
        } else if attempt.previous().len() > max_redirects {
            attempt.error(RedirectError::TooMany)
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .user_agent(config.user_agent.as_str())
        .connect_timeout(config.connect_timeout)
        .timeout(config.timeout)
        .redirect(policy)
        .dns_resolver(GuardedResolver {
            policy: Arc::clone(targets),
        })
        .gzip(true)
        .brotli(true)
        .deflate(true)
        .build()
        .map_err(|e| FetchError::Build(error_chain(&e)))
}

fn install_crypto_provider() {
    CRYPTO_PROVIDER.call_once(|| {
        // Err means another provider is already installed, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// What one attempt got back before retry decisions.
struct Attempt {
    final_url: url::Url,
    status: u16,
    content_type: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    cache_control: Option<String>,
    retry_after: Option<Duration>,
    body: Vec<u8>,
    fetched_at: chrono::DateTime<chrono::Utc>,
}

impl Fetcher {
    pub fn new(config: &FetchConfig) -> Result<Fetcher, FetchError> {
        install_crypto_provider();
        let targets = Arc::new(TargetPolicy::new(config));
        Ok(Fetcher {
            client: client_for(config, &targets)?,
            limiter: Arc::new(host_limiter(config)),
            robots: Arc::new(robots::RobotsCache::new(config.robots_ttl)),
            config: Arc::new(config.clone()),
            policy: targets,
        })
    }

    /// This fetcher (the same per-host limits and robots.txt answers) judging targets by the
    /// rules of `targets` instead: `archive URL` lifts the target policy for the URLs a person
    /// typed, not for the images those pages point at.
    pub fn with_target_rules(&self, targets: &FetchConfig) -> Result<Fetcher, FetchError> {
        let mut config = (*self.config).clone();
        config.allow_private_targets = targets.allow_private_targets;
        config.allow_private_hosts = targets.allow_private_hosts.clone();
        let policy = Arc::new(TargetPolicy::new(&config));
        Ok(Fetcher {
            client: client_for(&config, &policy)?,
            limiter: Arc::clone(&self.limiter),
            robots: Arc::clone(&self.robots),
            config: Arc::new(config),
            policy,
        })
    }

    /// This fetcher, starting requests when `gate` says so (a gate shared with other
    /// processes: see [`politeness`]) rather than by its own per-host clock. The robots.txt
    /// answers the gate shares are used too.
    pub fn with_gate(self, gate: Arc<dyn HostGate>) -> Fetcher {
        // A request holds its slot for one attempt: the total timeout, and some slack for
        // the connection's setup.
        let hold = self.config.timeout + self.config.connect_timeout;
        Fetcher {
            limiter: Arc::new(host_limiter(&self.config).with_gate(gate, hold)),
            ..self
        }
    }

    /// Whether the target policy lets `url` be fetched, as far as can be told without
    /// resolving its host (the resolver judges the addresses when connecting).
    pub fn check_target(&self, url: &url::Url) -> Result<(), FetchError> {
        self.policy
            .check_url(url)
            .map_err(|source| FetchError::TargetRefused {
                url: url.to_string(),
                source,
            })
    }

    /// The per-host limiter, e.g. to apply a robots.txt Crawl-delay with
    /// [`HostLimiter::slow_down`].
    pub fn limiter(&self) -> &HostLimiter {
        &self.limiter
    }

    /// GET with optional conditional-request validators. Returns Ok for any HTTP response
    /// received (2xx, 304, 404, 5xx after retries are exhausted, ...); Err only when no response
    /// could be had or a limit was hit.
    pub async fn get(
        &self,
        url: &url::Url,
        validators: &Validators,
    ) -> Result<Fetched, FetchError> {
        self.get_with_headers(url, validators, &[]).await
    }

    /// [`Fetcher::get`] with extra request headers (list APIs want a `Referer`).
    pub async fn get_with_headers(
        &self,
        url: &url::Url,
        validators: &Validators,
        extra: &[(&'static str, &str)],
    ) -> Result<Fetched, FetchError> {
        let max = self.config.max_body_bytes;
        self.get_limited(url, validators, extra, max).await
    }

    /// [`Fetcher::get`] of an image: its body may be at most `max_bytes` (and never more
    /// than `max_body_bytes`), else [`FetchError::TooLarge`]; politeness as for any request.
    pub async fn get_image(&self, url: &url::Url, max_bytes: u64) -> Result<Fetched, FetchError> {
        let max = max_bytes.min(self.config.max_body_bytes);
        let accept = [("accept", "image/avif,image/webp,image/*;q=0.8")];
        self.get_limited(url, &Validators::default(), &accept, max)
            .await
    }

    async fn get_limited(
        &self,
        url: &url::Url,
        validators: &Validators,
        extra: &[(&'static str, &str)],
        max_bytes: u64,
    ) -> Result<Fetched, FetchError> {
        let started = Instant::now();
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::InvalidUrl {
                url: url.to_string(),
                reason: format!("scheme {:?} is not http or https", url.scheme()),
            });
        }
        let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
            return Err(FetchError::InvalidUrl {
                url: url.to_string(),
                reason: "no host".into(),
            });
        };
        // IP literals never reach the resolver: they are judged here, before anything else.
        self.check_target(url)?;
        if self.config.respect_robots && url.path() != "/robots.txt" {
            self.obey_robots(url, host).await?;
        }
        let mut headers = conditional_headers(validators);
        for (name, value) in extra {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(*name, value);
            }
        }
        let mut delays = retry::backoff(self.config.retry_base_delay, self.config.retries);
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let permit = self.limiter.acquire(host).await;
            debug!(%url, attempt = attempts, "GET");
            let result = self.attempt(url, &headers, max_bytes).await;
            drop(permit);
            match result {
                Ok(got) => {
                    if retry::is_transient_status(got.status)
                        && let Some(backoff) = delays.next()
                    {
                        let mut delay = backoff;
                        if let Some(retry_after) = got.retry_after {
                            if retry_after > self.config.max_retry_after {
                                warn!(%url, status = got.status, ?retry_after, "Retry-After too long, giving up");
                                return Err(FetchError::RetryAfterTooLong {
                                    url: url.to_string(),
                                    status: got.status,
                                    retry_after,
                                    limit: self.config.max_retry_after,
                                });
                            }
                            // The whole host is asked to wait, not just this request.
                            self.limiter.slow_down(host, retry_after).await;
                            delay = delay.max(retry_after);
                        }
                        info!(%url, status = got.status, attempt = attempts, ?delay, "retrying");
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    debug!(%url, status = got.status, bytes = got.body.len(), attempts, "fetched");
                    return Ok(Fetched {
                        requested_url: url.clone(),
                        final_url: got.final_url,
                        status: got.status,
                        content_type: got.content_type,
                        etag: got.etag,
                        cache_control: got.cache_control,
                        last_modified: got.last_modified,
                        retry_after: got.retry_after,
                        body: got.body,
                        attempts,
                        fetched_at: got.fetched_at,
                        elapsed: started.elapsed(),
                    });
                }
                Err(err) if err.is_transient() => match delays.next() {
                    Some(delay) => {
                        info!(%url, attempt = attempts, ?delay, error = %err, "retrying");
                        tokio::time::sleep(delay).await;
                    }
                    None => {
                        warn!(%url, attempts, error = %err, "giving up");
                        return Err(err);
                    }
                },
                Err(err) => {
                    debug!(%url, error = %err, "failed");
                    return Err(err);
                }
            }
        }
    }

    /// One HTTP request and its body, bounded by the total timeout.
    /// Fails when the host's robots.txt forbids `url`; applies its Crawl-delay.
    async fn obey_robots(&self, url: &url::Url, host: &str) -> Result<(), FetchError> {
        let origin = url.origin().ascii_serialization();
        let rules = self
            .robots
            .rules_for(&origin, || self.read_robots(url, host, &origin))
            .await?;
        if let Some(delay) = rules.crawl_delay() {
            self.limiter.raise_interval(host, delay);
        }
        match rules.allows(url) {
            robots::Verdict::Allowed => Ok(()),
            robots::Verdict::Disallowed => Err(FetchError::RobotsDisallowed {
                url: url.to_string(),
                origin,
            }),
            robots::Verdict::Unavailable(reason) => Err(FetchError::RobotsUnavailable {
                url: url.to_string(),
                origin,
                reason,
            }),
        }
    }

    /// The robots.txt answer for `url`'s origin: one another process shared through the gate,
    /// else asked of the host (and then shared).
    async fn read_robots(
        &self,
        url: &url::Url,
        host: &str,
        origin: &str,
    ) -> robots::RobotsFetch<FetchError> {
        let gate = self.limiter.gate();
        if let Some(shared) = gate.shared_robots(origin).await {
            return robots::RobotsFetch::Shared(shared);
        }
        let robots_url = match url.join("/robots.txt") {
            Ok(u) => u,
            Err(e) => return robots::RobotsFetch::Failed(e.to_string()),
        };
        let _permit = self.limiter.acquire(host).await;
        let max = self.config.max_body_bytes;
        match self.attempt(&robots_url, &HeaderMap::new(), max).await {
            Ok(got) => {
                let body = robots::cut(got.body);
                let shared = SharedRobots {
                    status: got.status,
                    body: body.clone(),
                    ttl: self.robots.ttl_for_status(got.status),
                };
                gate.share_robots(origin, shared).await;
                robots::RobotsFetch::Response(got.status, body)
            }
            // The host is down or does not exist: say so, about the page asked for.
            Err(FetchError::Connect { source, .. }) => {
                robots::RobotsFetch::Unreachable(FetchError::Connect {
                    url: url.to_string(),
                    source,
                })
            }
            Err(e) => robots::RobotsFetch::Failed(e.to_string()),
        }
    }

    async fn attempt(
        &self,
        url: &url::Url,
        headers: &HeaderMap,
        max_bytes: u64,
    ) -> Result<Attempt, FetchError> {
        let limit = self.config.timeout;
        // reqwest's own total timeout covers this too; the outer one is a backstop.
        match tokio::time::timeout(limit, self.attempt_inner(url, headers, max_bytes)).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout {
                url: url.to_string(),
                limit,
            }),
        }
    }

    async fn attempt_inner(
        &self,
        url: &url::Url,
        headers: &HeaderMap,
        max: u64,
    ) -> Result<Attempt, FetchError> {
        let mut response = self
            .client
            .get(url.clone())
            .headers(headers.clone())
            .send()
            .await
            .map_err(|e| self.classify(url, e))?;
        let fetched_at = chrono::Utc::now();
        let status = response.status().as_u16();
        let final_url = response.url().clone();
        let h = response.headers();
        let content_type = header_string(h, header::CONTENT_TYPE);
        let etag = header_string(h, header::ETAG);
        let last_modified = header_string(h, header::LAST_MODIFIED);
        let cache_control = header_string(h, header::CACHE_CONTROL);
        let retry_after = header_string(h, header::RETRY_AFTER)
            .and_then(|v| retry::parse_retry_after(&v, fetched_at));

        let too_large = || FetchError::TooLarge {
            url: url.to_string(),
            limit: max,
        };
        let declared = response.content_length();
        if declared.is_some_and(|len| len > max) {
            return Err(too_large());
        }
        // The declared length, up to the cap, is reserved at once: a body grown by doubling
        // held up to twice its size, three times while being copied (the largest allocation
        // of a big page's whole archiving). A length declared but not sent costs address space
        // only: untouched pages are never resident.
        let capacity = declared.unwrap_or(0).min(max).min(MOST_RESERVED) as usize;
        let mut body = Vec::with_capacity(capacity);
        while let Some(chunk) = response.chunk().await.map_err(|e| self.classify(url, e))? {
            if (body.len() + chunk.len()) as u64 > max {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        // Kept until the article is stored: without the room doubling left (a body sent
        // without its length, or shorter than it said).
        if body.capacity() - body.len() > body.len() / 8 {
            body.shrink_to_fit();
        }
        Ok(Attempt {
            final_url,
            status,
            cache_control,
            content_type,
            etag,
            last_modified,
            retry_after,
            body,
            fetched_at,
        })
    }

    fn classify(&self, url: &url::Url, err: reqwest::Error) -> FetchError {
        let url_s = url.to_string();
        if let Some(refused) = find_source::<TargetRefused>(&err) {
            return FetchError::TargetRefused {
                url: url_s,
                source: refused.clone(),
            };
        }
        if let Some(redirect) = find_source::<RedirectError>(&err) {
            return match redirect {
                RedirectError::Refused(refused) => FetchError::TargetRefused {
                    url: url_s,
                    source: refused.clone(),
                },
                RedirectError::Loop => FetchError::RedirectLoop { url: url_s },
                RedirectError::TooMany => FetchError::TooManyRedirects {
                    url: url_s,
                    limit: self.config.max_redirects,
                },
            };
        }
        if err.is_timeout() {
            let limit = if err.is_connect() {
                self.config.connect_timeout
            } else {
                self.config.timeout
            };
            return FetchError::Timeout { url: url_s, limit };
        }
        // A TLS failure (bad certificate, protocol mismatch) will not mend itself: not a
        // transient connection error, although hyper reports it as one.
        if find_source::<rustls::Error>(&err).is_some() {
            return FetchError::Client {
                url: url_s,
                source: err,
            };
        }
        if err.is_connect() || is_connection_io_error(&err) {
            return FetchError::Connect {
                url: url_s,
                source: err,
            };
        }
        FetchError::Client {
            url: url_s,
            source: err,
        }
    }
}

fn conditional_headers(validators: &Validators) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let pairs = [
        (header::IF_NONE_MATCH, &validators.etag),
        (header::IF_MODIFIED_SINCE, &validators.last_modified),
    ];
    for (name, value) in pairs {
        let Some(value) = value else { continue };
        match HeaderValue::from_str(value.trim()) {
            Ok(v) => {
                headers.insert(name, v);
            }
            Err(_) => debug!(header = %name, value, "ignoring invalid validator"),
        }
    }
    headers
}

fn header_string(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    let value = headers.get(name)?;
    Some(match value.to_str() {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(value.as_bytes()).into_owned(),
    })
}

/// Finds a `T` in an error's source chain. Also looks inside `io::Error`s, whose `source()`
/// skips the error they wrap (hyper-rustls reports TLS failures that way).
fn find_source<'a, T: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            let inner: &(dyn std::error::Error + 'static) = inner;
            if let Some(found) = find_source::<T>(inner) {
                return Some(found);
            }
        }
        current = e.source();
    }
    None
}

/// A connection dropped mid-request or mid-body (reset, aborted, closed early).
fn is_connection_io_error(err: &reqwest::Error) -> bool {
    use std::io::ErrorKind::*;
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                ConnectionRefused
                    | ConnectionReset
                    | ConnectionAborted
                    | BrokenPipe
                    | UnexpectedEof
            )
        {
            return true;
        }
        current = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone>() {}

    #[test]
    fn fetcher_builds_with_the_ring_provider() {
        assert_send_sync::<Fetcher>();
        let fetcher = Fetcher::new(&FetchConfig::default());
        assert!(fetcher.is_ok(), "{:?}", fetcher.err());
        // Twice: the provider is already installed the second time.
        Fetcher::new(&FetchConfig::default()).expect("second client");
    }

    #[tokio::test]
    async fn non_http_schemes_are_rejected() {
        let fetcher = Fetcher::new(&FetchConfig::default()).unwrap();
        for u in [
            "ftp://example.com/x",
            "file:///etc/passwd",
            "data:text/plain,hi",
        ] {
            let url = url::Url::parse(u).unwrap();
            let err = fetcher.get(&url, &Validators::default()).await.unwrap_err();
            assert!(matches!(err, FetchError::InvalidUrl { .. }), "{err}");
            assert_eq!(err.url(), url.as_str());
            assert!(!err.is_transient());
        }
    }

    #[test]
    fn messages_name_url_and_limit() {
        let e = FetchError::Timeout {
            url: "https://example.com/a".into(),
            limit: Duration::from_secs(30),
        };
        assert_eq!(
            e.to_string(),
            "timed out after 30s fetching https://example.com/a"
        );
        let e = FetchError::TooLarge {
            url: "https://example.com/a".into(),
            limit: 1024,
        };
        assert!(e.to_string().contains("1024 bytes") && e.to_string().contains("example.com/a"));
        let e = FetchError::RetryAfterTooLong {
            url: "https://example.com/a".into(),
            status: 429,
            retry_after: Duration::from_secs(3600),
            limit: Duration::from_secs(300),
        };
        assert_eq!(
            e.to_string(),
            "https://example.com/a answered 429 with Retry-After 1h, longer than the limit of 5m"
        );
    }

    #[test]
    fn validators_become_headers() {
        let h = conditional_headers(&Validators {
            etag: Some("\"abc\"".into()),
            last_modified: Some("Wed, 21 Oct 2015 07:28:00 GMT".into()),
        });
        assert_eq!(h[header::IF_NONE_MATCH], "\"abc\"");
        assert_eq!(
            h[header::IF_MODIFIED_SINCE],
            "Wed, 21 Oct 2015 07:28:00 GMT"
        );
        let h = conditional_headers(&Validators {
            etag: Some("bad\nvalue".into()),
            last_modified: None,
        });
        assert!(h.is_empty());
    }

    #[test]
    fn tld_of_final_url() {
        let mut f = Fetched {
            requested_url: url::Url::parse("https://news.qq.com/").unwrap(),
            final_url: url::Url::parse("https://news.example.cn./a").unwrap(),
            status: 200,
            content_type: None,
            etag: None,
            last_modified: None,
            cache_control: None,
            retry_after: None,
            body: Vec::new(),
            attempts: 1,
            fetched_at: chrono::Utc::now(),
            elapsed: Duration::ZERO,
        };
        assert_eq!(f.tld(), Some("cn"));
        f.final_url = url::Url::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(f.tld(), None);
    }
}
