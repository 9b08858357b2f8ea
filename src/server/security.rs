//! What keeps the server safe to expose: response headers that stop archived content from
//! running anything, bounded query strings and the write token. (Archive targets are judged
//! by the fetcher's target policy, [`crate::fetch::target`].)

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::MAX_QUERY_BYTES;

/// No script, no frames, no fetches, no fonts: only our stylesheet (and inline styles) and
/// images from anywhere on the web (the articles' own images).
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
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
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

/// Whether a writing request carries the configured token (form field or bearer header).
/// An empty configured token disables writing altogether.
pub fn token_ok(configured: &str, form_token: Option<&str>, headers: &HeaderMap) -> bool {
    if configured.is_empty() {
        return false;
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    [form_token, bearer]
        .into_iter()
        .flatten()
        .any(|t| constant_time_eq(t.as_bytes(), configured.as_bytes()))
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
    }
}
