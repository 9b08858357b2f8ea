//! Per-host politeness: a cap on requests in flight and a minimum interval between the starts of
//! two requests to the same host.
//!
//! Hand-written rather than built on governor: a keyed governor limiter has one quota for all
//! hosts, and its quota cannot be changed per host at run time, while Retry-After and robots.txt
//! Crawl-delay need exactly that ([`HostLimiter::slow_down`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Limits requests per host. Cheap to share behind an `Arc`; `Send + Sync`.
#[derive(Debug)]
pub struct HostLimiter {
    concurrency: usize,
    interval: Duration,
    /// Configured per-host limits (`[fetch.hosts]`), by lowercased host.
    overrides: HashMap<String, (Option<usize>, Option<Duration>)>,
    hosts: Mutex<HashMap<String, Arc<HostState>>>,
}

#[derive(Debug)]
struct HostState {
    /// At most `concurrency` requests in flight.
    in_flight: Arc<Semaphore>,
    /// Held by the one task that is waiting for its turn to start; this serialises starts.
    start_gate: tokio::sync::Mutex<()>,
    /// The minimum time between two starts for this host (configured, or a Crawl-delay).
    interval: Mutex<Duration>,
    /// The earliest instant the next request may start. Behind a std mutex (never held across an
    /// await) so that [`HostLimiter::slow_down`] can push it back synchronously, even while a task
    /// is already waiting at the gate: the waiter re-reads it after every sleep.
    next_start: Mutex<Instant>,
}

/// Permission to have one request in flight to a host; release it by dropping it.
#[derive(Debug)]
#[must_use = "the request slot is released as soon as the permit is dropped"]
pub struct HostPermit {
    _permit: OwnedSemaphorePermit,
}

impl HostLimiter {
    /// `concurrency` is clamped to at least 1.
    pub fn new(concurrency: usize, interval: Duration) -> Self {
        Self {
            concurrency: concurrency.max(1),
            interval,
            overrides: HashMap::new(),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Per-host limits that replace the defaults for those hosts.
    pub fn with_overrides(
        mut self,
        overrides: impl IntoIterator<Item = (String, Option<usize>, Option<Duration>)>,
    ) -> Self {
        self.overrides = overrides
            .into_iter()
            .map(|(host, c, i)| (host.to_ascii_lowercase(), (c, i)))
            .collect();
        self
    }

    /// Raises the minimum interval between starts for `host` (a robots.txt Crawl-delay); never
    /// lowers it.
    pub fn raise_interval(&self, host: &str, interval: Duration) {
        let state = self.state(host);
        let mut current = state
            .interval
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if interval > *current {
            tracing::debug!(host, ?interval, "per-host interval raised");
            *current = interval;
        }
    }

    fn state(&self, host: &str) -> Arc<HostState> {
        let key = host.to_ascii_lowercase();
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        hosts
            .entry(key)
            .or_insert_with_key(|key| {
                let (concurrency, interval) = self.overrides.get(key).copied().unwrap_or_default();
                Arc::new(HostState {
                    in_flight: Arc::new(Semaphore::new(
                        concurrency.unwrap_or(self.concurrency).max(1),
                    )),
                    interval: Mutex::new(interval.unwrap_or(self.interval)),
                    start_gate: tokio::sync::Mutex::new(()),
                    next_start: Mutex::new(Instant::now()),
                })
            })
            .clone()
    }

    /// Waits until a request to `host` may start: a free in-flight slot, and the per-host interval
    /// (and any [`slow_down`](Self::slow_down)) elapsed since the previous start.
    pub async fn acquire(&self, host: &str) -> HostPermit {
        let state = self.state(host);
        let permit = state
            .in_flight
            .clone()
            .acquire_owned()
            .await
            .expect("the per-host semaphore is never closed");
        let _gate = state.start_gate.lock().await;
        loop {
            let target = *state
                .next_start
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            if now >= target {
                break;
            }
            tracing::debug!(host, wait = ?(target - now), "waiting for per-host interval");
            tokio::time::sleep_until(target).await;
        }
        {
            let mut next = state
                .next_start
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let interval = *state
                .interval
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let candidate = saturating_from_now(interval);
            // Never move a pushed-back start (slow_down) earlier.
            if candidate > *next {
                *next = candidate;
            }
        }
        HostPermit { _permit: permit }
    }

    /// Pushes back the next allowed start for `host` to at least `until` from now (for
    /// Retry-After or a robots.txt Crawl-delay). Never moves it earlier.
    pub fn slow_down(&self, host: &str, until: Duration) {
        let state = self.state(host);
        let mut next = state
            .next_start
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let candidate = saturating_from_now(until);
        if candidate > *next {
            tracing::debug!(host, ?until, "slowing down host");
            *next = candidate;
        }
    }

    /// The configured per-host interval.
    pub fn interval(&self) -> Duration {
        self.interval
    }
}

/// Now plus `d`, or a year from now when that cannot be represented (a configured or
/// received duration must never panic).
fn saturating_from_now(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(365 * 24 * 3600)))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn interval_spaces_starts() {
        let limiter = Arc::new(HostLimiter::new(4, Duration::from_millis(50)));
        let t0 = Instant::now();
        let mut starts = Vec::new();
        for _ in 0..3 {
            let _p = limiter.acquire("example.com").await;
            starts.push(t0.elapsed());
        }
        assert!(starts[2] >= Duration::from_millis(100), "{starts:?}");
        // Another host is not affected.
        let t1 = Instant::now();
        let _p = limiter.acquire("other.example").await;
        assert!(t1.elapsed() < Duration::from_millis(40));
    }

    #[tokio::test]
    async fn concurrency_is_capped() {
        let limiter = Arc::new(HostLimiter::new(1, Duration::ZERO));
        let first = limiter.acquire("a.test").await;
        let l2 = limiter.clone();
        let second = tokio::spawn(async move {
            let _p = l2.acquire("A.TEST").await;
        });
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(
            !second.is_finished(),
            "second request started while first in flight"
        );
        drop(first);
        tokio::time::timeout(Duration::from_secs(2), second)
            .await
            .expect("second acquires after release")
            .unwrap();
    }

    #[tokio::test]
    async fn slow_down_pushes_back_next_start() {
        let limiter = HostLimiter::new(2, Duration::ZERO);
        drop(limiter.acquire("h").await);
        limiter.slow_down("h", Duration::from_millis(120));
        let t = Instant::now();
        drop(limiter.acquire("h").await);
        assert!(t.elapsed() >= Duration::from_millis(110));
    }
}
