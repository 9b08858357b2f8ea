//! What several workers (daemons) sharing one archive exchange through it: leases on queue
//! items and on source polls, and the per-host politeness every worker obeys. The traits are
//! [`super::store::Leases`] and [`super::store::HostGates`]; these are their rows.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{QueueStatus, SourceRow};

/// What [`super::store::Leases::claim_source_poll`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourcePoll {
    /// This worker polls the source now; its stored state (another worker may have updated
    /// the validators since this one last polled).
    Claimed(SourceRow),
    /// Not now: another worker is polling it, or has polled it and the next poll is later.
    /// Look again at this time (`None`: the source is not registered).
    NotNow {
        look_again_at: Option<DateTime<Utc>>,
    },
}

/// A queue item with its claim, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    pub id: i64,
    pub url: String,
    pub state: QueueStatus,
    pub attempts: u32,
    /// The worker that claimed it last (kept after the claim ends).
    pub claimed_by: Option<String>,
    /// Until when the claim holds (`None`: not claimed).
    pub claimed_until: Option<String>,
    /// The worker whose attempt settled it last.
    pub finished_by: Option<String>,
}

/// A worker asks to book the start of a request to `host`. The backend reads the clock
/// itself once it holds the host's row, so waiting for a lock never makes a start early.
#[derive(Debug, Clone, Copy)]
pub struct HostRequest<'a> {
    /// Lowercased host name.
    pub host: &'a str,
    /// The least time between the starts of two requests to the host, by any worker.
    pub interval: Duration,
    /// Requests to the host in flight at once, over all workers.
    pub concurrency: u32,
    /// How long a granted request counts as in flight if it is never released (its worker
    /// died): the longest a request may take.
    pub hold: Duration,
    /// The earliest a booked start may be from now: about the time the answer takes to
    /// reach the worker (a commit), so that the start is kept to the millisecond.
    pub lead: Duration,
}

/// The answer to a [`HostRequest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostGrant {
    /// Start at `start_at` (booked: the host's next start is `start_at + interval`); release
    /// `slot` when the request is over.
    Granted { slot: i64, start_at: DateTime<Utc> },
    /// The host's concurrency is used up: ask again after this long.
    Wait(Duration),
}

/// A robots.txt answer shared by the workers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RobotsRecord {
    pub status: u16,
    pub body: Vec<u8>,
    /// Asked for again after this time.
    pub expires_at: DateTime<Utc>,
}
