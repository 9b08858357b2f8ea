//! What is worth retrying, how long to wait, and the `Retry-After` header.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

/// Statuses worth another attempt: 408, 429 and every 5xx.
pub fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// The delays between attempts: exponential from `base`, with jitter, at most `retries` of them.
pub fn backoff(base: Duration, retries: u32) -> impl Iterator<Item = Duration> + Send {
    ExponentialBuilder::new()
        .with_min_delay(base)
        .with_max_delay(Duration::from_secs(60).max(base))
        .with_jitter()
        .with_max_times(retries as usize)
        .build()
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP-date (IMF-fixdate, RFC 850 or asctime).
/// A date in the past means "now" (zero). Anything else is `None`.
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        // Huge values saturate rather than fail: they are "too long" either way.
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let when = parse_http_date(value)?;
    Some((when - now).to_std().unwrap_or(Duration::ZERO))
}

fn parse_http_date(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{NaiveDateTime, TimeZone, Utc};
    if let Ok(dt) = chrono::DateTime::parse_from_rfc2822(value) {
        return Some(dt.with_timezone(&Utc));
    }
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; asctime: "Sun Nov  6 08:49:37 1994".
    for format in ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(value, format) {
            return Some(Utc.from_utc_datetime(&naive));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn transient_statuses() {
        for s in [408, 429, 500, 502, 503, 504, 599] {
            assert!(is_transient_status(s), "{s}");
        }
        for s in [200, 301, 304, 400, 403, 404, 410] {
            assert!(!is_transient_status(s), "{s}");
        }
    }

    #[test]
    fn retry_after_forms() {
        let now = chrono::Utc.with_ymd_and_hms(1994, 11, 6, 8, 49, 0).unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::from_secs(37))
        );
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now),
            Some(Duration::from_secs(37))
        );
        assert_eq!(
            parse_retry_after("Sun Nov  6 08:49:37 1994", now),
            Some(Duration::from_secs(37))
        );
        // In the past: retry now.
        assert_eq!(
            parse_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert!(
            parse_retry_after("99999999999999999999999", now).unwrap() > Duration::from_secs(1)
        );
    }

    #[test]
    fn backoff_is_bounded_and_grows() {
        let delays: Vec<_> = backoff(Duration::from_millis(10), 3).collect();
        assert_eq!(delays.len(), 3);
        // Jitter adds up to one more delay: 10..20, 20..40, 40..80 ms.
        assert!(delays[0] >= Duration::from_millis(10) && delays[0] <= Duration::from_millis(20));
        assert!(delays[2] >= Duration::from_millis(40) && delays[2] <= Duration::from_millis(80));
        assert_eq!(backoff(Duration::from_millis(10), 0).count(), 0);
    }
}
