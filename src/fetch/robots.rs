//! robots.txt, per origin, cached (RFC 9309): a 4xx means everything is allowed; a 5xx or an
//! unreadable answer means nothing is fetched for now (and the check is retried sooner than
//! the cache lifetime); a host that cannot be reached is reported as such, and not cached;
//! Crawl-delay makes the host's interval longer.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// The product token matched against `User-agent:` lines.
const AGENT: &str = "newsvault";
/// Larger robots.txt files are cut here (texting_robots' advice; Google reads 500 KiB).
const MAX_ROBOTS_BYTES: usize = 500 * 1024;
/// An unreadable robots.txt is asked for again after this long, not after the full TTL.
const RETRY_UNAVAILABLE: Duration = Duration::from_secs(10 * 60);

#[derive(Debug)]
pub(crate) struct RobotsCache {
    ttl: Duration,
    origins: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Cached>>>>>,
}

// texting_robots::Robot has no Debug; the cache's contents are not worth printing anyway.
impl std::fmt::Debug for Cached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cached")
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

struct Cached {
    expires: Instant,
    rules: Arc<Rules>,
}

pub(crate) enum Rules {
    AllowAll,
    Unavailable(String),
    Parsed(texting_robots::Robot),
}

pub(crate) enum Verdict {
    Allowed,
    Disallowed,
    Unavailable(String),
}

impl Rules {
    pub(crate) fn allows(&self, url: &url::Url) -> Verdict {
        match self {
            Rules::AllowAll => Verdict::Allowed,
            Rules::Unavailable(reason) => Verdict::Unavailable(reason.clone()),
            Rules::Parsed(robot) if robot.allowed(url.as_str()) => Verdict::Allowed,
            Rules::Parsed(_) => Verdict::Disallowed,
        }
    }

    pub(crate) fn crawl_delay(&self) -> Option<Duration> {
        match self {
            Rules::Parsed(robot) => robot
                .delay
                .and_then(|d| Duration::try_from_secs_f32(d).ok())
                // A hostile Crawl-delay must not stall the host for days.
                .map(|d| d.min(Duration::from_secs(120))),
            _ => None,
        }
    }
}

impl RobotsCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            origins: Mutex::new(HashMap::new()),
        }
    }

    /// The rules for `origin`, fetching them with `fetch` (status and body) when not cached.
    /// Concurrent callers for one origin wait for one fetch.
    pub(crate) async fn rules_for<F, Fut, E>(&self, origin: &str, fetch: F) -> Result<Arc<Rules>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = RobotsFetch<E>>,
    {
        let slot = {
            let mut origins = self.origins.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(origins.entry(origin.to_owned()).or_default())
        };
        let mut cached = slot.lock().await;
        if let Some(c) = cached.as_ref()
            && c.expires > Instant::now()
        {
            return Ok(Arc::clone(&c.rules));
        }
        let (rules, ttl) = match fetch().await {
            RobotsFetch::Response(status, body) => {
                (rules_from(status, &body), self.ttl_for_status(status))
            }
            RobotsFetch::Shared(shared) => (rules_from(shared.status, &shared.body), shared.ttl),
            RobotsFetch::Failed(reason) => {
                (Rules::Unavailable(reason), RETRY_UNAVAILABLE.min(self.ttl))
            }
            RobotsFetch::Unreachable(e) => return Err(e),
        };
        let rules = Arc::new(rules);
        *cached = Some(Cached {
            expires: Instant::now() + ttl,
            rules: Arc::clone(&rules),
        });
        Ok(rules)
    }
}

impl RobotsCache {
    /// How long an HTTP answer with `status` is kept: an unreadable file (5xx) is asked for
    /// again sooner.
    pub(crate) fn ttl_for_status(&self, status: u16) -> Duration {
        if (200..500).contains(&status) {
            self.ttl
        } else {
            RETRY_UNAVAILABLE.min(self.ttl)
        }
    }
}

/// A robots.txt body, cut at the size that is read.
pub(crate) fn cut(mut body: Vec<u8>) -> Vec<u8> {
    body.truncate(MAX_ROBOTS_BYTES);
    body
}

/// The rules an HTTP answer gives (RFC 9309): 2xx its file, 4xx none, anything else none known.
fn rules_from(status: u16, body: &[u8]) -> Rules {
    match status {
        200..=299 => {
            let body = &body[..body.len().min(MAX_ROBOTS_BYTES)];
            match texting_robots::Robot::new(AGENT, body) {
                Ok(robot) => Rules::Parsed(robot),
                // Unparseable rules are no rules.
                Err(_) => Rules::AllowAll,
            }
        }
        400..=499 => Rules::AllowAll,
        _ => Rules::Unavailable(format!("HTTP {status}")),
    }
}

/// What asking for robots.txt gave.
pub(crate) enum RobotsFetch<E> {
    /// An HTTP answer: status and body.
    Response(u16, Vec<u8>),
    /// An HTTP answer another process got and shared, for as long as it holds.
    Shared(super::politeness::SharedRobots),
    /// No usable answer (a timeout, a broken response): the rules are unknown for now.
    Failed(String),
    /// The host cannot be reached at all: the fetch fails with this error, not as a robots.txt
    /// problem, and nothing is cached.
    Unreachable(E),
}
