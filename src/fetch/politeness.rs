//! Per-host politeness: a cap on requests in flight and a minimum interval between the starts of
//! two requests to the same host.
//!
//! Hand-written rather than built on governor: a keyed governor limiter has one quota for all
//! hosts, and its quota cannot be changed per host at run time, while Retry-After and robots.txt
//! Crawl-delay need exactly that ([`HostLimiter::slow_down`]).
//!
//! [`HostLimiter`] queues this process's requests to a host (its concurrency cap, one waiter
//! at a time at the start line); a [`HostGate`] decides when the one at the line may start.
//! The default gate, [`MemoryGate`], keeps the hosts' next start times in this process. A
//! gate shared by several processes (the daemons working on one archive) makes them crawl a
//! host together no faster than one would; `fetch` only knows the trait.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// What a [`HostGate`] returns: a boxed future, so that the trait can be used as `dyn`.
pub type GateFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a request to a host is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostRule {
    /// The least time between the starts of two requests.
    pub interval: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// The longest one request may take: a request whose process died stops counting then.
    pub hold: Duration,
}

/// A [`HostGate`]'s answer to "may a request to this host start now?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Yes, now (`at: None`) or at the instant `at` (a start booked ahead: an instant, not a
    /// delay, so that time lost before the sleep begins is still seen as lateness). `slot`
    /// names the request for [`HostGate::release`] when the gate counts requests in flight
    /// itself (a shared gate: other processes' requests count too).
    Start {
        slot: Option<i64>,
        at: Option<Instant>,
    },
    /// Not yet: ask again after this long.
    Wait(Duration),
}

/// A robots.txt answer a [`HostGate`] shares between processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedRobots {
    pub status: u16,
    pub body: Vec<u8>,
    /// How much longer the answer holds.
    pub ttl: Duration,
}

/// Where the per-host politeness state lives. Hosts are given lowercased.
pub trait HostGate: Send + Sync + fmt::Debug {
    /// Lets a request to `host` start (now, or at a booked time), or says how long to wait
    /// before asking again; a start moves the host's next allowed start `rule.interval` on.
    fn admit<'a>(&'a self, host: &'a str, rule: HostRule) -> GateFuture<'a, Admission>;

    /// Ends the request admitted with `slot`. Must not block (it is called from `Drop`).
    fn release(&self, slot: i64);

    /// Pushes back the next allowed start of `host` to at least `wait` from now (Retry-After);
    /// never moves it earlier.
    fn back_off<'a>(&'a self, host: &'a str, wait: Duration) -> GateFuture<'a, ()>;

    /// A robots.txt answer for `origin` another process fetched, if one holds.
    fn shared_robots<'a>(&'a self, _origin: &'a str) -> GateFuture<'a, Option<SharedRobots>> {
        Box::pin(async { None })
    }

    /// Offers a robots.txt answer to the other processes.
    fn share_robots<'a>(&'a self, _origin: &'a str, _robots: SharedRobots) -> GateFuture<'a, ()> {
        Box::pin(async {})
    }
}

/// The gate of one process: each host's next allowed start, in memory.
#[derive(Debug, Default)]
pub struct MemoryGate {
    next_start: Mutex<HashMap<String, Instant>>,
}

impl MemoryGate {
    /// [`HostGate::admit`], synchronously.
    pub fn admit_now(&self, host: &str, rule: HostRule) -> Admission {
        let mut hosts = self
            .next_start
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let next = hosts.entry(host.to_owned()).or_insert(now);
        if now < *next {
            return Admission::Wait(*next - now);
        }
        *next = saturating_from_now(rule.interval);
        Admission::Start {
            slot: None,
            at: None,
        }
    }

    /// [`HostGate::back_off`], synchronously.
    pub fn back_off_now(&self, host: &str, wait: Duration) {
        let mut hosts = self
            .next_start
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let candidate = saturating_from_now(wait);
        let next = hosts.entry(host.to_owned()).or_insert(candidate);
        if candidate > *next {
            *next = candidate;
        }
    }
}

impl HostGate for MemoryGate {
    fn admit<'a>(&'a self, host: &'a str, rule: HostRule) -> GateFuture<'a, Admission> {
        let admission = self.admit_now(host, rule);
        Box::pin(async move { admission })
    }

    fn release(&self, _slot: i64) {}

    fn back_off<'a>(&'a self, host: &'a str, wait: Duration) -> GateFuture<'a, ()> {
        self.back_off_now(host, wait);
        Box::pin(async {})
    }
}

/// How long a request counts as in flight at a shared gate when nothing releases it, unless
/// [`HostLimiter::with_gate`] says otherwise.
const DEFAULT_HOLD: Duration = Duration::from_secs(300);

/// How late after a booked start (see [`Admission::Start`]) a request may still start; a
/// busy machine can wake a task later than that, and it books again.
pub const MAX_LATE: Duration = Duration::from_millis(10);

/// Limits requests per host. Cheap to share behind an `Arc`; `Send + Sync`.
#[derive(Debug)]
pub struct HostLimiter {
    concurrency: usize,
    interval: Duration,
    /// Configured per-host limits (`[fetch.hosts]`), by lowercased host.
    overrides: HashMap<String, (Option<usize>, Option<Duration>)>,
    hosts: Mutex<HashMap<String, Arc<HostState>>>,
    gate: Arc<dyn HostGate>,
    hold: Duration,
}

#[derive(Debug)]
struct HostState {
    /// At most `concurrency` requests in flight from this process.
    in_flight: Arc<Semaphore>,
    concurrency: usize,
    /// Held by the one task that is waiting for its turn to start; this serialises starts.
    start_gate: tokio::sync::Mutex<()>,
    /// The minimum time between two starts for this host (configured, or a Crawl-delay).
    interval: Mutex<Duration>,
}

/// Permission to have one request in flight to a host; release it by dropping it.
#[derive(Debug)]
#[must_use = "the request slot is released as soon as the permit is dropped"]
pub struct HostPermit {
    _permit: OwnedSemaphorePermit,
    slot: Option<(Arc<dyn HostGate>, i64)>,
}

impl Drop for HostPermit {
    fn drop(&mut self) {
        if let Some((gate, slot)) = self.slot.take() {
            gate.release(slot);
        }
    }
}

impl HostLimiter {
    /// `concurrency` is clamped to at least 1.
    pub fn new(concurrency: usize, interval: Duration) -> Self {
        Self {
            concurrency: concurrency.max(1),
            interval,
            overrides: HashMap::new(),
            hosts: Mutex::new(HashMap::new()),
            gate: Arc::new(MemoryGate::default()),
            hold: DEFAULT_HOLD,
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

    /// Starts requests when `gate` says so instead of by this process's own clock; a request
    /// counts against the gate's concurrency for at most `hold` if it is never released.
    pub fn with_gate(mut self, gate: Arc<dyn HostGate>, hold: Duration) -> Self {
        self.gate = gate;
        self.hold = hold;
        self
    }

    /// The gate that decides when requests start.
    pub fn gate(&self) -> &dyn HostGate {
        &*self.gate
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
                let concurrency = concurrency.unwrap_or(self.concurrency).max(1);
                Arc::new(HostState {
                    in_flight: Arc::new(Semaphore::new(concurrency)),
                    concurrency,
                    interval: Mutex::new(interval.unwrap_or(self.interval)),
                    start_gate: tokio::sync::Mutex::new(()),
                })
            })
            .clone()
    }

    /// Waits until a request to `host` may start: a free in-flight slot, and the gate's
    /// per-host interval (and any [`slow_down`](Self::slow_down)) elapsed since the previous
    /// start.
    pub async fn acquire(&self, host: &str) -> HostPermit {
        let state = self.state(host);
        let permit = state
            .in_flight
            .clone()
            .acquire_owned()
            .await
            .expect("the per-host semaphore is never closed");
        let host = host.to_ascii_lowercase();
        loop {
            // One waiter at a time asks the gate; a start booked ahead is waited for outside
            // the turn, so the next waiter can book the start after it meanwhile.
            let (slot, at, interval) = {
                let _turn = state.start_gate.lock().await;
                self.admitted(&host, &state).await
            };
            if let Some(booked) = at {
                tokio::time::sleep_until(booked).await;
                let late = booked.elapsed();
                if late > MAX_LATE && !interval.is_zero() {
                    // Started this late, the request would reach the host too soon before
                    // the next one booked: book again, after it.
                    tracing::debug!(host, ?late, "woke late for a booked start");
                    if let Some(slot) = slot {
                        self.gate.release(slot);
                    }
                    continue;
                }
            }
            return HostPermit {
                _permit: permit,
                slot: slot.map(|slot| (Arc::clone(&self.gate), slot)),
            };
        }
    }

    /// Asks the gate until it lets a request to `host` start: its slot, its booked start (if
    /// not now), and the interval it was admitted under.
    async fn admitted(
        &self,
        host: &str,
        state: &HostState,
    ) -> (Option<i64>, Option<Instant>, Duration) {
        loop {
            let rule = HostRule {
                interval: *state
                    .interval
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
                concurrency: state.concurrency,
                hold: self.hold,
            };
            match self.gate.admit(host, rule).await {
                Admission::Start { slot, at } => return (slot, at, rule.interval),
                Admission::Wait(wait) => {
                    tracing::debug!(host, ?wait, "waiting for per-host interval");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Pushes back the next allowed start for `host` to at least `until` from now (for
    /// Retry-After). Never moves it earlier.
    pub async fn slow_down(&self, host: &str, until: Duration) {
        tracing::debug!(host, ?until, "slowing down host");
        self.gate.back_off(&host.to_ascii_lowercase(), until).await;
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
        limiter.slow_down("h", Duration::from_millis(120)).await;
        let t = Instant::now();
        drop(limiter.acquire("h").await);
        assert!(t.elapsed() >= Duration::from_millis(110));
    }
}
