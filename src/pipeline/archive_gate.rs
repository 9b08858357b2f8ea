//! Per-host politeness kept in the archive ([`crate::archive::HostGates`]): the [`HostGate`] of a process that
//! shares its archive with other workers, so that together they crawl each host no faster
//! than one would, wait out one Retry-After, and read each robots.txt once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use tokio::time::Instant;

use crate::archive::{Archive, ArchiveError, HostGrant, HostRequest, RobotsRecord};
use crate::fetch::politeness::{
    Admission, GateFuture, HostGate, HostRule, MAX_LATE, MemoryGate, SharedRobots,
};
use crate::schedule::later;

/// How far ahead of now a start is booked: about one commit, the time the booking takes to
/// come back, so that the booked instant is kept.
const BOOKING_LEAD: Duration = Duration::from_millis(20);

/// A gate kept in the archive, on a connection of its own (a booking never waits behind this
/// process's group commits in its own lock).
#[derive(Debug)]
pub struct ArchiveGate {
    archive: Arc<Mutex<Archive>>,
    /// When the archive cannot answer, this process at least stays polite on its own.
    fallback: MemoryGate,
}

impl ArchiveGate {
    /// A gate kept in `archive`, which should be a connection of its own: it is set to
    /// commit without waiting for the disk (a booking lost to a power cut costs nothing).
    pub fn new(mut archive: Archive) -> ArchiveGate {
        if let Err(e) = archive.use_for_gates() {
            tracing::warn!("the per-host gate's commits wait for the disk: {e}");
        }
        ArchiveGate {
            archive: Arc::new(Mutex::new(archive)),
            fallback: MemoryGate::default(),
        }
    }

    /// Runs `f` on the archive off the async threads.
    async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Archive) -> Result<T, ArchiveError> + Send + 'static,
    ) -> Result<T, ArchiveError> {
        let archive = Arc::clone(&self.archive);
        tokio::task::spawn_blocking(move || run_on(&archive, f))
            .await
            .map_err(|e| ArchiveError::Corrupt(format!("archive task failed: {e}")))?
    }

    async fn book(&self, host: &str, rule: HostRule) -> Admission {
        let owned = host.to_owned();
        let booked = self
            .call(move |a| {
                a.reserve_host(&HostRequest {
                    host: &owned,
                    interval: booking_interval(rule.interval),
                    concurrency: u32::try_from(rule.concurrency).unwrap_or(u32::MAX),
                    hold: rule.hold,
                    lead: BOOKING_LEAD,
                })
            })
            .await;
        match booked {
            Ok(HostGrant::Granted { slot, start_at }) => {
                // Until the booked instant, by the wall clock the archive's times are in,
                // read together with the monotonic clock the sleep is timed by.
                let (now, wall_now) = (Instant::now(), Utc::now());
                let until = start_at - wall_now;
                let late = (-until).to_std().unwrap_or_default();
                if late > MAX_LATE && !rule.interval.is_zero() {
                    // The answer came back after its instant: the request would reach the
                    // host too soon before the next one booked.
                    self.release(slot);
                    return Admission::Wait(Duration::ZERO);
                }
                Admission::Start {
                    slot: Some(slot),
                    at: Some(now + until.to_std().unwrap_or_default()),
                }
            }
            Ok(HostGrant::Wait(wait)) => Admission::Wait(wait),
            Err(e) => {
                tracing::warn!(
                    host,
                    "the shared per-host gate failed ({e}); this process spaces its own requests"
                );
                self.fallback.admit_now(host, rule)
            }
        }
    }
}

/// How far apart two booked starts are: the interval, plus the most a start may be late
/// ([`MAX_LATE`]; later, it books again), so that the requests themselves, not only their
/// booked instants, start at least the interval apart.
fn booking_interval(interval: Duration) -> Duration {
    if interval.is_zero() {
        interval
    } else {
        interval + MAX_LATE
    }
}

/// Runs `f` on the archive behind `archive` (a blocking call).
pub(super) fn run_on<T>(
    archive: &Mutex<Archive>,
    f: impl FnOnce(&mut Archive) -> Result<T, ArchiveError>,
) -> Result<T, ArchiveError> {
    let mut guard = archive
        .lock()
        .map_err(|_| ArchiveError::Corrupt("archive lock poisoned by a panic".into()))?;
    f(&mut guard)
}

impl HostGate for ArchiveGate {
    fn admit<'a>(&'a self, host: &'a str, rule: HostRule) -> GateFuture<'a, Admission> {
        Box::pin(self.book(host, rule))
    }

    fn release(&self, slot: i64) {
        // Unreleased, the slot stops counting after its hold anyway.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let archive = Arc::clone(&self.archive);
        runtime.spawn_blocking(move || {
            if let Err(e) = run_on(&archive, |a| a.release_host_slot(slot)) {
                tracing::warn!("cannot release a per-host slot: {e}");
            }
        });
    }

    fn back_off<'a>(&'a self, host: &'a str, wait: Duration) -> GateFuture<'a, ()> {
        self.fallback.back_off_now(host, wait);
        let owned = host.to_owned();
        Box::pin(async move {
            let until = later(Utc::now(), wait);
            if let Err(e) = self.call(move |a| a.push_back_host(&owned, until)).await {
                tracing::warn!(host, "cannot share the back-off: {e}");
            }
        })
    }

    fn shared_robots<'a>(&'a self, origin: &'a str) -> GateFuture<'a, Option<SharedRobots>> {
        let owned = origin.to_owned();
        Box::pin(async move {
            let now = Utc::now();
            match self.call(move |a| a.shared_robots(&owned, now)).await {
                Ok(record) => record.map(|r| SharedRobots {
                    status: r.status,
                    ttl: (r.expires_at - now).to_std().unwrap_or_default(),
                    body: r.body,
                }),
                Err(e) => {
                    tracing::warn!(origin, "cannot read the shared robots.txt: {e}");
                    None
                }
            }
        })
    }

    fn share_robots<'a>(&'a self, origin: &'a str, robots: SharedRobots) -> GateFuture<'a, ()> {
        let owned = origin.to_owned();
        Box::pin(async move {
            let record = RobotsRecord {
                status: robots.status,
                body: robots.body,
                expires_at: later(Utc::now(), robots.ttl),
            };
            if let Err(e) = self.call(move |a| a.share_robots(&owned, &record)).await {
                tracing::warn!(origin, "cannot share robots.txt: {e}");
            }
        })
    }
}
