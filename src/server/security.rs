//! What keeps the server safe to expose: response headers that stop archived content from
//! running anything, bounded query strings and the write token. (Archive targets are judged
//! by the fetcher's target policy, [`crate::fetch::target`].)

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::MAX_QUERY_BYTES;

/// No script, no frames, no fetches, no fonts: only our stylesheet (and inline styles) and
/// images from anywhere on the web (the articles' own images, and their archived copies here:
/// `http:` and `https:` match this server too).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; img-src https: http:; \
     style-src 'self' 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Refuses long query strings; adds the security headers to every response.
pub async fn headers_and_limits(request: Request, next: Next) -> Response {
    let too_long = request
        .uri()
        .query()
        .is_some_and(|q| q.len() > MAX_QUERY_BYTES);
    // Refusals carry the security headers as well as answers do.
    let mut response = if too_long {
        (
            StatusCode::URI_TOO_LONG,
            format!("query strings are limited to {MAX_QUERY_BYTES} bytes"),
        )
            .into_response()
    } else {
        next.run(request).await
    };
    let h = response.headers_mut();
    // A stricter policy an answer set for itself (an archived image's) is kept.
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Writing requests (POST) per client address and minute: a fixed one-minute window per
/// address. Reading is not limited here (it is cheap, and the connection cap bounds it).
#[derive(Debug)]
pub struct WriteLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most; expired windows are dropped when it is reached.
const MAX_TRACKED: usize = 100_000;

impl WriteLimiter {
    pub fn new(per_minute: u32) -> WriteLimiter {
        WriteLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one write by `client`; `Err(wait)` when it is over the limit.
    pub fn admit(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() >= MAX_TRACKED {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let (start, count) = windows.entry(client).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        if *count >= self.per_minute {
            return Err(WINDOW.saturating_sub(now.duration_since(*start)));
        }
        *count += 1;
        Ok(())
    }
}

/// Answers 429 to a client that has made its writes for this minute.
pub async fn limit_writes(
    State(limiter): State<Arc<WriteLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == axum::http::Method::POST {
        let client = request
            .extensions()
            .get::<super::listen::ClientAddr>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        if let Err(wait) = limiter.admit(client, Instant::now()) {
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                super::pages::message_page(
                    "Too Many Requests",
                    &format!(
                        "at most {} writing requests a minute per client; try again in {}s",
                        limiter.per_minute,
                        wait.as_secs().max(1)
                    ),
                ),
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return response;
        }
    }
    next.run(request).await
}

/// What a writing request's credentials are worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    Valid,
    /// Neither a token (form or body field) nor an Authorization header.
    Missing,
    Wrong,
    /// No token is configured: writing from the web is off.
    Disabled,
}

/// Checks a writing request's token (form or body field, or bearer header) against the
/// configured one. An empty configured token disables writing altogether.
pub fn check_token(configured: &str, given: Option<&str>, headers: &HeaderMap) -> TokenCheck {
    if configured.is_empty() {
        return TokenCheck::Disabled;
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let bearer = authorization.and_then(|v| v.strip_prefix("Bearer "));
    let given = given.filter(|t| !t.is_empty());
    if given.is_none() && authorization.is_none() {
        return TokenCheck::Missing;
    }
    let valid = [given, bearer]
        .into_iter()
        .flatten()
        .any(|t| constant_time_eq(t.as_bytes(), configured.as_bytes()));
    if valid {
        TokenCheck::Valid
    } else {
        TokenCheck::Wrong
    }
}

/// Whether a writing request carries the configured token (form field or bearer header).
pub fn token_ok(configured: &str, form_token: Option<&str>, headers: &HeaderMap) -> bool {
    check_token(configured, form_token, headers) == TokenCheck::Valid
}

/// Compares without stopping at the first difference, so timing tells nothing of the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, &x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i % b.len().max(1)).copied().unwrap_or(0));
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_limited_per_client_and_minute() {
        let limiter = WriteLimiter::new(2);
        let t0 = Instant::now();
        let a = IpAddr::from([127, 0, 0, 1]);
        let b = IpAddr::from([127, 0, 0, 2]);
        assert!(limiter.admit(a, t0).is_ok());
        assert!(limiter.admit(a, t0).is_ok());
        let wait = limiter.admit(a, t0 + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(
            limiter.admit(b, t0).is_ok(),
            "another client has its own allowance"
        );
        assert!(limiter.admit(a, t0 + WINDOW).is_ok(), "a new minute");
    }

    #[test]
    fn tokens() {
        let h = HeaderMap::new();
        assert!(
            !token_ok("", Some(""), &h),
            "no token configured: no writes"
        );
        assert!(token_ok("s3cret", Some("s3cret"), &h));
        assert!(!token_ok("s3cret", Some("s3cre"), &h));
        assert!(!token_ok("s3cret", None, &h));
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
        assert!(token_ok("s3cret", None, &h));
        assert_eq!(check_token("s3cret", None, &h), TokenCheck::Valid);
        assert_eq!(check_token("s3cret", Some("x"), &h), TokenCheck::Valid);
        let none = HeaderMap::new();
        assert_eq!(check_token("s3cret", None, &none), TokenCheck::Missing);
        assert_eq!(check_token("s3cret", Some(""), &none), TokenCheck::Missing);
        assert_eq!(check_token("s3cret", Some("s3"), &none), TokenCheck::Wrong);
        assert_eq!(check_token("", Some("s3cret"), &h), TokenCheck::Disabled);
        let mut basic = HeaderMap::new();
        basic.insert(header::AUTHORIZATION, "Basic czNjcmV0".parse().unwrap());
        assert_eq!(check_token("s3cret", None, &basic), TokenCheck::Wrong);
    }
}
