//! What keeps the server safe to expose: response headers that stop archived content from
//! running anything, bounded query strings, the write token, and refusing archive targets on
//! loopback and private networks.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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
    if request
        .uri()
        .query()
        .is_some_and(|q| q.len() > MAX_QUERY_BYTES)
    {
        return (
            StatusCode::URI_TOO_LONG,
            format!("query strings are limited to {MAX_QUERY_BYTES} bytes"),
        )
            .into_response();
    }
    let mut response = next.run(request).await;
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

/// Why a submitted URL is refused as a target, if it is: not http(s), or its host is a
/// loopback, private, link-local or otherwise local address or name. The URL is judged as
/// written (IP literals in any form the URL standard accepts, such as `2130706433`, are
/// normalised by the parser first); names are not resolved here.
pub fn refuse_target(url: &str) -> Option<String> {
    let parsed = match url::Url::parse(url.trim()) {
        Ok(u) => u,
        Err(e) => return Some(format!("not a URL ({e})")),
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return Some(format!("scheme {:?} is not http(s)", parsed.scheme()));
    }
    match parsed.host() {
        None => Some("the URL has no host".into()),
        Some(url::Host::Ipv4(ip)) => {
            is_local_ip(IpAddr::V4(ip)).then(|| format!("{ip} is a local address"))
        }
        Some(url::Host::Ipv6(ip)) => {
            is_local_ip(IpAddr::V6(ip)).then(|| format!("{ip} is a local address"))
        }
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            let local = name == "localhost"
                || [".localhost", ".local", ".internal", ".lan", ".home.arpa"]
                    .iter()
                    .any(|suffix| name.ends_with(suffix))
                || !name.contains('.');
            local.then(|| format!("{name} is a local host name"))
        }
    }
}

fn is_local_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_local_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_local_v4(v4),
            None => is_local_v6(v6),
        },
    }
}

fn is_local_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240
}

fn is_local_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || ip.to_ipv4().is_some_and(is_local_v4) // IPv4-compatible
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_targets_are_refused() {
        for url in [
            "http://127.0.0.1/x",
            "http://localhost:8080/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://[::1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://192.168.1.1/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://router.local/",
            "http://intranet/",
            "http://[fd00::1]/",
            "file:///etc/passwd",
            "http://0.0.0.0/",
        ] {
            assert!(refuse_target(url).is_some(), "{url} must be refused");
        }
        for url in [
            "https://new.qq.com/rain/a/20250211A013J400",
            "http://8.8.8.8/",
        ] {
            assert_eq!(refuse_target(url), None, "{url}");
        }
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
    }
}
