//! One URL from fetch to archive: resolve → fetch (politely) → decode → extract → render →
//! store. Every attempt ends in one [`Outcome`] and one row of the archive's fetch log; nothing
//! that is not an article (a removal, a block page, a transient failure) is stored as content.

use std::sync::{Arc, Mutex};
use std::time::Instant;

mod archive_gate;
mod screenshots;
pub use archive_gate::ArchiveGate;

use chrono::{DateTime, Utc};
use url::Url;

use crate::archive::{
    Archive, ArchiveError, ArticleStatus, FetchLog, FetchOutcome, GroupCommitter, NewCapture,
    QueueState, RawBlob, Recorded, RemovalSighting, RemovalState, SearchText, VersionKind,
};
use crate::config::Config;
use crate::diff::{diff_documents, diff_text, is_edit, is_minor_change};
use crate::document::Document;
use crate::extract::{self, EXTRACTOR_VERSION, Extraction};
use crate::fetch::charset::Decoded;
use crate::fetch::{FetchError, Fetched, Fetcher, Validators};
use crate::schedule::{CheckResult, next_check};
use crate::sites::{self, ArticleRef};

mod cpu_pool;
use cpu_pool::CpuPool;
pub use cpu_pool::{PageRoom, TakenRoom};
mod images;
use images::{ImageJob, ImageWork};

/// What happened to one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The article was archived: a new article, an unchanged one, or a new version.
    Archived {
        target: ArticleRef,
        recorded: Recorded,
        document: Document,
    },
    /// The server answered 304: the archived version is current.
    NotModified { target: ArticleRef },
    /// The site says the article is gone; `signal` is the evidence. `state` says whether the
    /// archive recorded the removal (archived articles only, after confirmation).
    Removed {
        target: ArticleRef,
        signal: String,
        status: u16,
        state: RemovalState,
    },
    /// An anti-bot page or a refusal stood in for the article.
    Blocked { target: ArticleRef, signal: String },
    /// A failure that may pass (network, 5xx, 429): try again later.
    Transient { target: ArticleRef, reason: String },
    /// The page is not an article newsvault can archive.
    NotArticle { target: ArticleRef, reason: String },
    /// Anything else: a bad URL, an unsupported site, a limit hit, an archive error.
    Failed { url: String, reason: String },
}

impl Outcome {
    /// Whether the article is now archived and current.
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Archived { .. } | Outcome::NotModified { .. })
    }

    /// Whether the check itself failed (as opposed to finding a removal, a block page or a
    /// passing network problem, which are all things a check can learn).
    pub fn is_failure(&self) -> bool {
        matches!(self, Outcome::Failed { .. })
    }

    /// The article this outcome is about, when the URL was understood.
    pub fn target(&self) -> Option<&ArticleRef> {
        match self {
            Outcome::Archived { target, .. }
            | Outcome::NotModified { target }
            | Outcome::Removed { target, .. }
            | Outcome::Blocked { target, .. }
            | Outcome::Transient { target, .. }
            | Outcome::NotArticle { target, .. } => Some(target),
            Outcome::Failed { .. } => None,
        }
    }

    /// One line for a person: what happened, to which article, and why.
    pub fn summary(&self) -> String {
        match self {
            Outcome::Archived {
                target, recorded, ..
            } => match recorded {
                Recorded::New { seq } => {
                    format!("new        {} (version {seq})", target.canonical_url)
                }
                Recorded::Unchanged { seq } => {
                    format!("unchanged  {} (version {seq})", target.canonical_url)
                }
                Recorded::Changed { seq } => {
                    format!("changed    {} (version {seq})", target.canonical_url)
                }
            },
            Outcome::NotModified { target } => {
                format!("unchanged  {} (not modified)", target.canonical_url)
            }
            Outcome::Removed {
                target,
                signal,
                status,
                state,
            } => {
                let what = match state {
                    RemovalState::Unknown => "nothing stored".to_owned(),
                    RemovalState::Pending { count } => format!(
                        "seen removed {count} time(s), not yet confirmed; the last good version stays"
                    ),
                    RemovalState::Confirmed { seq } => {
                        format!("removal recorded as version {seq}")
                    }
                    RemovalState::AlreadyRemoved { seq } => {
                        format!("still removed (since version {seq})")
                    }
                };
                format!(
                    "removed    {}: {signal} (HTTP {status}); {what}",
                    target.canonical_url
                )
            }
            Outcome::Blocked { target, signal } => {
                format!(
                    "blocked    {}: {signal}; nothing stored",
                    target.canonical_url
                )
            }
            Outcome::Transient { target, reason } => format!(
                "transient  {}: {reason}; nothing stored, try again later",
                target.canonical_url
            ),
            Outcome::NotArticle { target, reason } => {
                format!("skipped    {}: {reason}", target.canonical_url)
            }
            Outcome::Failed { url, reason } => format!("failed     {url}: {reason}"),
        }
    }
}

/// Errors setting the pipeline up.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Capture(#[from] crate::capture::CaptureError),
}

/// Fetches, extracts and archives articles. Cheap to clone; clones share the fetcher (and its
/// per-host limits), the archive, its group committer and the extraction slots.
#[derive(Clone)]
pub struct Pipeline {
    config: Arc<Config>,
    fetcher: Fetcher,
    archive: Arc<Mutex<Archive>>,
    /// A second connection for the lookup each fetch starts with, so that it does not wait
    /// behind the group commits holding `archive` (see [`Self::with_reader`]).
    reader: Option<Arc<Mutex<Archive>>>,
    committer: GroupCommitter,
    /// Decoding and extraction: one thread per core, whatever the number of fetches.
    cpu: CpuPool,
    /// The images of stored versions, fetched after their commit.
    images: ImageWork,
    /// Fetches images: the page fetcher, or the same limits under other target rules (see
    /// [`Self::with_image_targets`]).
    image_fetcher: Fetcher,
    /// The target rules images are judged by, when not the pages' own.
    image_targets: Option<Arc<crate::config::FetchConfig>>,
    /// What a screenshot's page may reach: the fetcher's target policy.
    capture_policy: Arc<crate::fetch::target::TargetPolicy>,
}

/// Most articles whose writes share one commit.
const MAX_GROUP: usize = 64;

impl Pipeline {
    /// Fails when `[capture] screenshot` is on and its browser is not found: at start, not
    /// at the first new version.
    pub fn new(config: Config, archive: Archive) -> Result<Self, PipelineError> {
        crate::capture::check_browser(&config.capture)?;
        let fetcher = Fetcher::new(&config.fetch)?;
        let config_slots = config.check.max_in_flight;
        let capture_policy = Arc::new(crate::fetch::target::TargetPolicy::new(&config.fetch));
        let archive = Arc::new(Mutex::new(archive));
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Self {
            config: Arc::new(config),
            image_fetcher: fetcher.clone(),
            fetcher,
            image_targets: None,
            committer: GroupCommitter::start(Arc::clone(&archive), MAX_GROUP),
            archive,
            reader: None,
            cpu: CpuPool::start(cores),
            images: ImageWork::new(config_slots),
            capture_policy,
        })
    }

    /// This pipeline, starting its requests when `gate` says so (per-host politeness shared
    /// with other processes; see [`ArchiveGate`]).
    pub fn with_host_gate(
        self,
        gate: Arc<dyn crate::fetch::politeness::HostGate>,
    ) -> Result<Self, PipelineError> {
        let fetcher = self.fetcher.with_gate(gate);
        let image_fetcher = match &self.image_targets {
            Some(targets) => fetcher.with_target_rules(targets)?,
            None => fetcher.clone(),
        };
        Ok(Self {
            fetcher,
            image_fetcher,
            ..self
        })
    }

    /// This pipeline, reading each article's row before its fetch through a read-only
    /// connection to the archive at `location` (the one the pipeline writes). Behind the
    /// writer's lock that lookup waited for whole group commits: with 16 articles in progress
    /// it was the longest wait of an article (15 ms on average from a local server, its fetch
    /// 4 ms). Without the connection (it could not be opened) lookups share the writer's.
    pub fn with_reader(self, location: &std::path::Path) -> Self {
        match crate::archive::connect(location, crate::archive::Mode::ReadOnly) {
            Ok(reader) => Self {
                reader: Some(Arc::new(Mutex::new(reader))),
                ..self
            },
            Err(e) => {
                tracing::warn!("lookups share the writer's connection: {e}");
                self
            }
        }
    }

    /// This pipeline, fetching images under the target rules of `targets` (`archive URL`
    /// allows private addresses for the typed URLs only; the images those pages show keep the
    /// configured policy). Same per-host limits as the pages.
    pub fn with_image_targets(
        self,
        targets: &crate::config::FetchConfig,
    ) -> Result<Self, PipelineError> {
        Ok(Self {
            image_fetcher: self.fetcher.with_target_rules(targets)?,
            image_targets: Some(Arc::new(targets.clone())),
            ..self
        })
    }

    /// The fetcher of images.
    pub(crate) fn image_fetcher(&self) -> &Fetcher {
        &self.image_fetcher
    }

    /// The configuration the pipeline runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The shared fetcher (per-host limits apply across everything that uses it).
    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    /// Runs `f` on the archive off the async threads (SQLite calls block).
    pub async fn with_archive<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Archive) -> Result<T, ArchiveError> + Send + 'static,
    ) -> Result<T, ArchiveError> {
        run_blocking(Arc::clone(&self.archive), f).await
    }

    /// Runs the read `f` on the reader connection if there is one, else on the archive.
    async fn read_archive<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Archive) -> Result<T, ArchiveError> + Send + 'static,
    ) -> Result<T, ArchiveError> {
        run_blocking(Arc::clone(self.reader.as_ref().unwrap_or(&self.archive)), f).await
    }

    /// Archives several URLs, at most `[check] max_in_flight` at once (the fetcher's per-host
    /// limits keep it polite). Outcomes come back in the order of `urls`.
    pub async fn archive_urls(&self, urls: &[String]) -> Vec<Outcome> {
        let mut outcomes = Vec::with_capacity(urls.len());
        self.archive_urls_each(urls, |_, outcome| outcomes.push(outcome))
            .await;
        outcomes
    }

    /// Archives several URLs, at most `[check] max_in_flight` at once, handing each outcome to
    /// `on_outcome` in the order of `urls` as soon as it and those before it are done. Work
    /// runs at most a few slots ahead of the first unfinished URL, so memory stays flat in the
    /// number of URLs.
    pub async fn archive_urls_each(
        &self,
        urls: &[String],
        mut on_outcome: impl FnMut(usize, Outcome),
    ) {
        let limit = self.config.check.max_in_flight.max(1);
        let window = limit * 4;
        let mut tasks = tokio::task::JoinSet::new();
        let mut index_of = std::collections::HashMap::new();
        let mut done = std::collections::BTreeMap::new();
        let (mut next_start, mut next_emit) = (0, 0);
        while next_emit < urls.len() {
            while next_start < urls.len() && tasks.len() < limit && next_start < next_emit + window
            {
                let pipeline = self.clone();
                let url = urls[next_start].clone();
                let handle = tasks.spawn(async move { pipeline.archive_url(&url).await });
                index_of.insert(handle.id(), next_start);
                next_start += 1;
            }
            let Some(joined) = tasks.join_next_with_id().await else {
                break;
            };
            let (i, outcome) = match joined {
                Ok((id, outcome)) => (index_of.remove(&id).unwrap_or(usize::MAX), outcome),
                Err(e) => {
                    let i = index_of.remove(&e.id()).unwrap_or(usize::MAX);
                    let url = urls.get(i).cloned().unwrap_or_default();
                    let reason = format!("internal error: the task did not finish: {e}");
                    (i, Outcome::Failed { url, reason })
                }
            };
            done.insert(i, outcome);
            while let Some(outcome) = done.remove(&next_emit) {
                on_outcome(next_emit, outcome);
                next_emit += 1;
            }
        }
    }

    /// Fetches one article and archives it.
    pub async fn archive_url(&self, url: &str) -> Outcome {
        self.archive_url_queued(url, None).await
    }

    /// Fetches one article and archives it; the queue item's new state is committed together
    /// with the article.
    pub async fn archive_url_queued(&self, url: &str, queued: Option<QueueTicket>) -> Outcome {
        match sites::resolve(url, &self.config.sites) {
            Ok(target) => self.process(target, queued).await,
            Err(e) => Outcome::Failed {
                url: url.to_owned(),
                reason: e.to_string(),
            },
        }
    }

    /// Re-checks archived articles (by canonical URL), at most `[check] max_in_flight` at once;
    /// `on_outcome` sees each outcome as it comes.
    pub async fn check_urls(
        &self,
        urls: Vec<String>,
        mut on_outcome: impl FnMut(&Outcome),
    ) -> Vec<Outcome> {
        let limit = Arc::new(tokio::sync::Semaphore::new(self.config.check.max_in_flight));
        let mut tasks = tokio::task::JoinSet::new();
        for url in urls {
            let pipeline = self.clone();
            let limit = Arc::clone(&limit);
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                pipeline.archive_url(&url).await
            });
        }
        let mut outcomes = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            let outcome = joined.unwrap_or_else(|e| Outcome::Failed {
                url: String::new(),
                reason: format!("internal error: check task failed: {e}"),
            });
            on_outcome(&outcome);
            outcomes.push(outcome);
        }
        outcomes
    }

    /// Fetches `target`, classifies the response, then stores what it is, logs the attempt,
    /// schedules the next check of an archived article and settles the queue item, if any, in
    /// ONE unit of work (committed with whatever other articles finish at the same time).
    async fn process(&self, target: ArticleRef, queued: Option<QueueTicket>) -> Outcome {
        let started_at = Utc::now();
        let clock = Instant::now();
        let canonical = target.canonical_url.clone();
        let known = match self.read_archive(move |a| a.article(&canonical)).await {
            Ok(row) => row,
            Err(e) => return failed(&target, e),
        };
        // After a removal sighting the old validators would let the site answer 304 for a page
        // that is gone or back: fetch in full until the article reads normally again.
        let validators = known
            .as_ref()
            .filter(|row| row.status == ArticleStatus::Live && row.removal_pending == 0)
            .map(|row| Validators {
                etag: row.etag.clone(),
                last_modified: row.last_modified.clone(),
            })
            .unwrap_or_default();

        let mut log = LogEntry::new(&target, started_at);
        let handled = match self.fetcher.get(&target.fetch_url, &validators).await {
            Err(e) => {
                log.detail = e.to_string();
                Handled::done(if e.is_transient() {
                    log.outcome = FetchOutcome::Transient;
                    Outcome::Transient {
                        target: target.clone(),
                        reason: e.to_string(),
                    }
                } else {
                    log.outcome = FetchOutcome::Failed;
                    Outcome::Failed {
                        url: target.canonical_url.clone(),
                        reason: e.to_string(),
                    }
                })
            }
            Ok(fetched) => {
                log.record_response(&fetched);
                let known = known.map(|row| crate::render::parse_stored_time(&row.first_seen_at));
                self.handle_response(&target, fetched, known, &mut log)
                    .await
            }
        };
        let config = Arc::clone(&self.config);
        let committed = self
            .committer
            .commit(move |a| {
                let outcome = match handled {
                    Handled::Done(outcome) => *outcome,
                    Handled::Store(store) => store(a, &mut log),
                };
                log.duration_ms = u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX);
                a.log_fetch(&log.as_row())?;
                let now = Utc::now();
                if let Some(result) = schedule_after(&outcome)
                    && let Some(inputs) = a.schedule_inputs(&log.canonical_url)?
                {
                    let next = next_check(now, &inputs, result, &config.check, &config.archive);
                    a.set_next_check(&log.canonical_url, next)?;
                }
                if let Some(ticket) = queued {
                    let state = (ticket.state_after)(&outcome, ticket.attempts, now);
                    let summary = outcome.summary();
                    if !a.finish_claimed(&ticket.worker, ticket.id, &state, &summary, now)? {
                        // What was archived stays (a capture is idempotent); the item's state
                        // is its new holder's to write.
                        tracing::warn!(
                            url = %log.canonical_url,
                            "queue item {} was taken over by another worker; its state is left to it",
                            ticket.id
                        );
                    }
                }
                Ok(outcome)
            })
            .await;
        let outcome = committed.unwrap_or_else(|e| failed(&target, e));
        self.queue_images(&outcome).await;
        if self.config.capture.screenshot
            && let Outcome::Archived {
                target,
                recorded: Recorded::New { seq } | Recorded::Changed { seq },
                ..
            } = &outcome
        {
            self.capture_version(target.canonical_url.clone(), *seq)
                .await;
        }
        outcome
    }

    /// Starts fetching the images of the version an outcome stored or found current (a
    /// retry of those that failed before), without waiting for them.
    async fn queue_images(&self, outcome: &Outcome) {
        if !self.config.archive.images {
            return;
        }
        let job = match outcome {
            Outcome::Archived {
                target,
                recorded,
                document,
            } => ImageJob {
                canonical_url: target.canonical_url.clone(),
                version: Some((recorded.seq(), document.clone())),
            },
            Outcome::NotModified { target } => ImageJob {
                canonical_url: target.canonical_url.clone(),
                version: None,
            },
            _ => return,
        };
        let caps = self.config.archive.clone();
        let work = images::fetch_version_images(self.clone(), job, caps);
        self.images.spawn(work).await;
    }

    /// Waits until the images of every version archived so far are fetched and recorded
    /// (commands call it before they exit; the daemon when it stops, within its grace).
    pub async fn finish_images(&self) {
        self.images.finish().await;
    }

    /// `known`: whether the article was archived before the fetch, and when it was first seen.
    async fn handle_response(
        &self,
        target: &ArticleRef,
        fetched: Fetched,
        known: Option<Option<DateTime<Utc>>>,
        log: &mut LogEntry,
    ) -> Handled {
        if let Some(handled) = self.handled_by_status(target, &fetched, log) {
            return handled;
        }
        if !extract::is_html_content_type(fetched.content_type.as_deref()) {
            log.outcome = FetchOutcome::NotArticle;
            let reason = format!(
                "not an HTML page (Content-Type {})",
                fetched.content_type.as_deref().unwrap_or("")
            );
            log.detail = reason.clone();
            return Handled::done(Outcome::NotArticle {
                target: target.clone(),
                reason,
            });
        }

        let fetched = Arc::new(fetched);
        let (decoded, extraction, raw) =
            match self.decode_and_extract(target, &fetched, known).await {
                Ok(result) => result,
                Err(reason) => {
                    log.outcome = FetchOutcome::Failed;
                    log.detail = reason.clone();
                    return Handled::done(Outcome::Failed {
                        url: target.canonical_url.clone(),
                        reason,
                    });
                }
            };
        log_decoding(target, &decoded, log);
        let prepared = match self.article_or_handled(target, &fetched, extraction, log) {
            Ok(prepared) => prepared,
            Err(handled) => return handled,
        };
        store_article_step(prepared, fetched, raw, decoded.encoding)
    }

    /// A response its status alone settles (anything but a 2xx), or `None` for a page to
    /// read.
    fn handled_by_status(
        &self,
        target: &ArticleRef,
        fetched: &Fetched,
        log: &mut LogEntry,
    ) -> Option<Handled> {
        let status = fetched.status;
        let early = match status {
            304 => return Some(not_modified(target, fetched, log)),
            404 | 410 => {
                let signal = format!("HTTP {status} at {}", fetched.final_url);
                return Some(self.removed(target, fetched, signal));
            }
            401 | 403 | 451 => Some((
                FetchOutcome::Blocked,
                Outcome::Blocked {
                    target: target.clone(),
                    signal: format!("HTTP {status} refused the request"),
                },
            )),
            408 | 429 | 500..=599 => Some((
                FetchOutcome::Transient,
                Outcome::Transient {
                    target: target.clone(),
                    reason: format!(
                        "HTTP {status} after {} attempt(s){}",
                        fetched.attempts,
                        fetched
                            .retry_after
                            .map(|d| format!(", Retry-After {}s", d.as_secs()))
                            .unwrap_or_default()
                    ),
                },
            )),
            200..=299 => None,
            _ => Some((
                FetchOutcome::Failed,
                Outcome::Failed {
                    url: target.canonical_url.clone(),
                    reason: format!("unexpected HTTP {status} from {}", fetched.final_url),
                },
            )),
        };
        let (log_outcome, outcome) = early?;
        log.outcome = log_outcome;
        log.detail = outcome.summary();
        Some(Handled::done(outcome))
    }

    /// The article prepared from a page, or how a page that is not one is handled (a
    /// removal, a block page, something else).
    fn article_or_handled(
        &self,
        target: &ArticleRef,
        fetched: &Fetched,
        extraction: Prepared,
        log: &mut LogEntry,
    ) -> Result<PreparedArticle, Handled> {
        match extraction {
            Prepared::Article(prepared) => Ok(prepared),
            Prepared::Other(Extraction::Article(_)) => unreachable!("articles are prepared"),
            Prepared::Other(Extraction::Removed { signal }) => {
                Err(self.removed(target, fetched, signal))
            }
            Prepared::Other(Extraction::Blocked { signal }) => {
                log.outcome = FetchOutcome::Blocked;
                log.detail = signal.clone();
                Err(Handled::done(Outcome::Blocked {
                    target: target.clone(),
                    signal,
                }))
            }
            Prepared::Other(Extraction::NotArticle { reason }) => {
                log.outcome = FetchOutcome::NotArticle;
                log.detail = reason.clone();
                Err(Handled::done(Outcome::NotArticle {
                    target: target.clone(),
                    reason,
                }))
            }
        }
    }

    /// Decodes and extracts a page off the async threads, at most one page per core at once
    /// (CPU work on a DOM that must not cross an await). An article's raw body, which is what
    /// gets stored, is hashed and compressed here too: on the commit thread that every
    /// article's writes wait for, it was the largest cost of its own (`None` if that failed:
    /// storing tries again and reports the error).
    async fn decode_and_extract(
        &self,
        target: &ArticleRef,
        fetched: &Arc<Fetched>,
        known: Option<Option<DateTime<Utc>>>,
    ) -> Result<(Decoded<'static>, Prepared, Option<RawBlob>), String> {
        let fetched = Arc::clone(fetched);
        let target = target.clone();
        let config = Arc::clone(&self.config);
        self.cpu
            .run_page(fetched.body.len(), move || {
                let decoded = fetched.decode();
                let extraction = extract::extract(&decoded.text, &target, &fetched.final_url);
                // Only the encoding and its errors are wanted from here on; the text, as large
                // as the page, would wait with the article for its commit.
                let decoded = decoded.without_text();
                let Extraction::Article(article) = extraction else {
                    return (decoded, Prepared::Other(extraction), None);
                };
                let raw = RawBlob::new(&fetched.body).ok();
                // A generic site's page may name its own canonical link: the article is
                // filed under it.
                let target = match &article.canonical {
                    Some(link) => sites::generic::adopt_canonical(&target, link, &config.sites),
                    None => target,
                };
                let first_seen = known.flatten().unwrap_or(fetched.fetched_at);
                // An article unknown before the fetch gets a version: its search tokens are
                // made here. A known one's usually does not (unchanged), and is tokenized
                // while storing if it does.
                let prepared = PreparedArticle::new(article, target, first_seen, known.is_none());
                (decoded, Prepared::Article(prepared), raw)
            })
            .await
    }

    /// A removal signal: for an archived article, one more sighting towards confirming it
    /// (with the page served in its place as evidence); otherwise nothing is stored.
    fn removed(&self, target: &ArticleRef, fetched: &Fetched, signal: String) -> Handled {
        let target = target.clone();
        let body = fetched.body.clone();
        let content_type = fetched.content_type.clone();
        let final_url = fetched.final_url.to_string();
        let (at, status) = (fetched.fetched_at, fetched.status);
        let (confirmations, confirm_after) = (
            self.config.archive.removal_confirmations,
            self.config.archive.removal_confirm_after,
        );
        Handled::Store(Box::new(move |a, log| {
            let recorded = a.record_removal(
                &target.canonical_url,
                &RemovalSighting {
                    at,
                    http_status: status,
                    final_url: &final_url,
                    signal: &signal,
                    raw: &body,
                    content_type: content_type.as_deref(),
                },
                confirmations,
                confirm_after,
            );
            let state = match recorded {
                Ok(state) => state,
                Err(e) => {
                    log.outcome = FetchOutcome::Failed;
                    log.detail = e.to_string();
                    return failed(&target, e);
                }
            };
            let outcome = Outcome::Removed {
                target,
                signal,
                status,
                state,
            };
            log.outcome = FetchOutcome::Removed;
            log.detail = outcome.summary();
            outcome
        }))
    }
}

/// Runs `f` on `archive` off the async threads (SQLite calls block).
async fn run_blocking<T: Send + 'static>(
    archive: Arc<Mutex<Archive>>,
    f: impl FnOnce(&mut Archive) -> Result<T, ArchiveError> + Send + 'static,
) -> Result<T, ArchiveError> {
    tokio::task::spawn_blocking(move || archive_gate::run_on(&archive, f))
        .await
        .map_err(|e| ArchiveError::Corrupt(format!("archive task failed: {e}")))?
}

/// What the schedule learns from an outcome.
fn schedule_after(outcome: &Outcome) -> Option<CheckResult> {
    Some(match outcome {
        Outcome::Archived { .. } | Outcome::NotModified { .. } => CheckResult::Read,
        Outcome::Removed {
            state: RemovalState::Pending { .. },
            ..
        } => CheckResult::RemovalPending,
        Outcome::Removed { .. } | Outcome::NotArticle { .. } => CheckResult::Read,
        Outcome::Blocked { .. } | Outcome::Transient { .. } | Outcome::Failed { .. } => {
            CheckResult::Failed
        }
    })
}

/// A page's extraction: an article made ready to store, or what else the page is (never
/// [`Extraction::Article`]).
// One value per fetched page, consumed at once.
#[allow(clippy::large_enum_variant)]
enum Prepared {
    Article(PreparedArticle),
    Other(Extraction),
}

/// An extracted article's document made on the extraction thread: rendered, and with its
/// search tokens for a new article, so that the commit thread every article waits for only
/// compares and writes.
struct PreparedArticle {
    article: extract::Article,
    /// Where the article is filed.
    target: ArticleRef,
    /// The first capture time `article`'s date stands in for (when the page shows none).
    first_seen: DateTime<Utc>,
    document: Document,
    rendered: String,
    search: Option<SearchText>,
}

impl PreparedArticle {
    /// `first_seen`: the article's first capture as known before the fetch (or this one);
    /// `tokens`: make the search tokens.
    fn new(
        mut article: extract::Article,
        target: ArticleRef,
        first_seen: DateTime<Utc>,
        tokens: bool,
    ) -> PreparedArticle {
        article.date_from_capture(first_seen);
        let document = article.to_document(&target);
        let rendered = document.render();
        let search = tokens.then(|| SearchText::new(&document.title, &rendered));
        PreparedArticle {
            article,
            target,
            first_seen,
            document,
            rendered,
            search,
        }
    }

    /// Dates the document by `first_seen` when the page shows no date and another first
    /// capture was assumed (another capture of the article came first). The tokens were
    /// made for the other document: they are made again while storing.
    fn redate(&mut self, first_seen: DateTime<Utc>) {
        if self.article.date_found || first_seen == self.first_seen {
            return;
        }
        self.article.date_from_capture(first_seen);
        self.first_seen = first_seen;
        self.document = self.article.to_document(&self.target);
        self.rendered = self.document.render();
        self.search = None;
    }
}

/// A 304: the archived version is current, which the store step records as checked.
fn not_modified(target: &ArticleRef, fetched: &Fetched, log: &mut LogEntry) -> Handled {
    let (canonical, at) = (target.canonical_url.clone(), fetched.fetched_at);
    let target = target.clone();
    log.outcome = FetchOutcome::NotModified;
    Handled::Store(Box::new(move |a, log| {
        let outcome = match a.touch_checked(&canonical, at) {
            Ok(()) => Outcome::NotModified { target },
            Err(e) => {
                log.outcome = FetchOutcome::Failed;
                failed(&target, e)
            }
        };
        log.detail = outcome.summary();
        outcome
    }))
}

/// Notes in the log how a page was decoded, and warns of bytes its encoding could not read.
fn log_decoding(target: &ArticleRef, decoded: &Decoded<'_>, log: &mut LogEntry) {
    log.encoding = Some(decoded.encoding.to_owned());
    log.decode_errors = decoded.had_errors;
    if decoded.had_errors {
        tracing::warn!(
            "{}: {} byte sequence(s) invalid in {} were replaced while decoding",
            target.canonical_url,
            decoded.decode_errors,
            decoded.encoding
        );
    }
}

/// The store step of an extracted article: a new version, or the article found unchanged.
fn store_article_step(
    prepared: PreparedArticle,
    mut fetched: Arc<Fetched>,
    raw: Option<RawBlob>,
    encoding: &'static str,
) -> Handled {
    // With its raw capture compressed the body is not read again: freed now, not after
    // the commit the article waits for.
    if raw.is_some()
        && let Some(only) = Arc::get_mut(&mut fetched)
    {
        only.body = Vec::new();
    }
    Handled::Store(Box::new(move |archive, log| {
        let mut prepared = prepared;
        let target = prepared.target.clone();
        if !prepared.article.date_found {
            // The first capture's time stands in for a date the page does not show: as
            // assumed while preparing, unless another capture came first.
            let first_seen = archive
                .article(&target.canonical_url)
                .ok()
                .flatten()
                .and_then(|row| crate::render::parse_stored_time(&row.first_seen_at));
            prepared.redate(first_seen.unwrap_or(fetched.fetched_at));
        }
        let stored = store_capture(archive, &mut prepared, (&fetched, raw), encoding);
        match stored {
            Ok(recorded) => {
                log.outcome = match recorded {
                    Recorded::Unchanged { .. } => FetchOutcome::Unchanged,
                    _ => FetchOutcome::Archived,
                };
                log.detail = format!("version {}", recorded.seq());
                Outcome::Archived {
                    target,
                    recorded,
                    document: prepared.document,
                }
            }
            Err(e) => {
                log.outcome = FetchOutcome::Failed;
                log.detail = e.to_string();
                failed(&target, e)
            }
        }
    }))
}

/// Stores an extracted article's document, with its diff against the latest version, and the
/// response with its raw body as prepared off the lock (prepared here if that failed).
fn store_capture(
    archive: &mut Archive,
    prepared: &mut PreparedArticle,
    (fetched, raw): (&Fetched, Option<RawBlob>),
    encoding: &str,
) -> Result<Recorded, ArchiveError> {
    let raw = match raw {
        Some(raw) => raw,
        None => RawBlob::new(&fetched.body)?,
    };
    let (target, document, rendered) = (&prepared.target, &prepared.document, &prepared.rendered);
    let (minor, diff) = match archive.latest_version_with_content(&target.canonical_url)? {
        Some((seq, previous)) if previous != *rendered => {
            let furniture = target.site.leaked_furniture();
            let (minor, mut diff) = match Document::parse(&previous) {
                Ok(old) => (
                    !is_edit(&old, document, furniture),
                    diff_documents(&old, document),
                ),
                Err(_) => (
                    is_minor_change(&previous, rendered),
                    diff_text(&previous, rendered),
                ),
            };
            diff.base = Some(seq);
            (minor, Some(diff.to_json()))
        }
        _ => (false, None),
    };
    let final_url = fetched.final_url.to_string();
    let extractor = format!("{}/{EXTRACTOR_VERSION}", target.site.key());
    archive.record_capture(&NewCapture {
        canonical_url: &target.canonical_url,
        site: target.site.key(),
        site_article_id: &target.id,
        lang: &document.lang,
        title: &document.title,
        published: &document.date,
        document: rendered,
        fetched_at: fetched.fetched_at,
        http_status: fetched.status,
        final_url: &final_url,
        raw,
        content_type: fetched.content_type.as_deref(),
        encoding,
        etag: fetched.etag.as_deref(),
        last_modified: fetched.last_modified.as_deref(),
        extractor: &extractor,
        author: prepared.article.author.as_deref(),
        minor,
        diff: diff.as_deref(),
        date_found: prepared.article.date_found,
        search: prepared.search.take(),
    })
}

/// What the response asks of the archive: nothing more than the log row, or a store step run
/// in the attempt's unit of work (it fills in the log row's outcome).
// One value per fetch attempt, consumed at once.
#[allow(clippy::large_enum_variant)]
enum Handled {
    Done(Box<Outcome>),
    Store(StoreStep),
}

impl Handled {
    fn done(outcome: Outcome) -> Handled {
        Handled::Done(Box::new(outcome))
    }
}

type StoreStep = Box<dyn FnOnce(&mut Archive, &mut LogEntry) -> Outcome + Send>;

/// A queue item being worked on: its state after the attempt is written in the attempt's unit
/// of work, so a crash never leaves an archived article pending or a pending one marked done.
#[derive(Debug, Clone)]
pub struct QueueTicket {
    pub id: i64,
    /// The worker holding the item's lease: only it may settle the item.
    pub worker: Arc<str>,
    /// Attempts made before this one.
    pub attempts: u32,
    /// The item's state after an attempt ended in an outcome (given attempts and the time).
    pub state_after: fn(&Outcome, u32, chrono::DateTime<Utc>) -> QueueState,
}

fn failed(target: &ArticleRef, e: ArchiveError) -> Outcome {
    Outcome::Failed {
        url: target.canonical_url.clone(),
        reason: e.to_string(),
    }
}

/// The fetch log row being filled in, owned so it can move to the archive thread.
struct LogEntry {
    url: String,
    canonical_url: String,
    started_at: chrono::DateTime<Utc>,
    duration_ms: u64,
    attempts: u32,
    http_status: Option<u16>,
    final_url: Option<String>,
    outcome: FetchOutcome,
    detail: String,
    bytes: Option<u64>,
    encoding: Option<String>,
    decode_errors: bool,
}

impl LogEntry {
    fn new(target: &ArticleRef, started_at: chrono::DateTime<Utc>) -> Self {
        Self {
            url: target.fetch_url.to_string(),
            canonical_url: target.canonical_url.clone(),
            started_at,
            duration_ms: 0,
            attempts: 1,
            http_status: None,
            final_url: None,
            outcome: FetchOutcome::Failed,
            detail: String::new(),
            bytes: None,
            encoding: None,
            decode_errors: false,
        }
    }

    fn record_response(&mut self, fetched: &Fetched) {
        self.attempts = fetched.attempts;
        self.http_status = Some(fetched.status);
        self.final_url = Some(fetched.final_url.to_string());
        self.bytes = Some(fetched.body.len() as u64);
    }

    fn as_row(&self) -> FetchLog<'_> {
        FetchLog {
            url: &self.url,
            canonical_url: Some(&self.canonical_url),
            started_at: self.started_at,
            duration_ms: self.duration_ms,
            attempts: self.attempts,
            http_status: self.http_status,
            final_url: self.final_url.as_deref(),
            outcome: self.outcome,
            detail: &self.detail,
            bytes: self.bytes,
            encoding: self.encoding.as_deref(),
            decode_errors: self.decode_errors,
        }
    }
}

/// A saved page, extracted offline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedPage {
    /// The article, filed under the page's own canonical link when it names one on the site.
    pub target: ArticleRef,
    pub extraction: Extraction,
    /// The encoding the bytes were decoded from (encoding_rs name, e.g. "GBK").
    pub encoding: &'static str,
    /// Whether bytes invalid in that encoding were replaced with U+FFFD.
    pub decode_errors: bool,
}

/// Extracts a saved page offline, as if it had been fetched from `url`: for pages saved from a
/// browser and for checking the extractor. Touches neither the network nor the archive.
pub fn extract_saved_page(
    bytes: &[u8],
    url: &str,
    config: &Config,
) -> Result<SavedPage, sites::SiteError> {
    let target = sites::resolve(url, &config.sites)?;
    Ok(extract_for(bytes, target, config, None))
}

/// Extracts a saved file whose address may be unknown: with `url`, as [`extract_saved_page`];
/// without, the page's own canonical link (or `og:url`) when it is an http(s) link, else the
/// file's `file://` URL (site key `local`).
pub fn extract_saved_file(
    bytes: &[u8],
    path: &std::path::Path,
    url: Option<&str>,
    config: &Config,
) -> Result<SavedPage, sites::SiteError> {
    if let Some(url) = url {
        return extract_saved_page(bytes, url, config);
    }
    let decoded = crate::fetch::charset::decode_html(bytes, None, None);
    let page = extract::parse::Page::new(&decoded.text);
    if let Some(link) = extract::generic::page_link(&page)
        && let Ok(target) = sites::resolve(&link, &config.sites)
    {
        return Ok(extract_for(bytes, target, config, Some((&decoded, &page))));
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let file_url = Url::from_file_path(&absolute).map_err(|()| sites::SiteError::InvalidUrl {
        url: absolute.display().to_string(),
        reason: "not an absolute file path".into(),
    })?;
    Ok(extract_for(
        bytes,
        sites::generic::resolve_local(&file_url),
        config,
        Some((&decoded, &page)),
    ))
}

/// The whole extracted record of a saved page, for `newsvault extract --json`: every field the
/// archive document has and those it has no room for. Absent values are `null`, so every
/// record has the same keys.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExtractRecord {
    /// The file the page was read from.
    pub file: String,
    /// `article`, `not_article`, `removed`, `blocked`, or `error` (unreadable file, bad URL).
    pub outcome: &'static str,
    /// Why the page is not an article (or the error).
    pub reason: Option<String>,
    pub site: Option<String>,
    pub id: Option<String>,
    pub canonical_url: Option<String>,
    pub title: Option<String>,
    /// Publish time in the site's zone, `YYYY-MM-DD HH:MM:SS`.
    pub date: Option<String>,
    /// False when the page shows no publish time and `date` is the capture time (for a saved
    /// file: its modification time, the closest thing to when it was saved).
    pub date_found: Option<bool>,
    pub author: Option<String>,
    pub lang: Option<String>,
    pub cover: Option<String>,
    pub summary: Option<String>,
    pub markdown: Option<String>,
    pub plain_text: Option<String>,
    /// The body's text one paragraph per block, blank lines between.
    pub text: Option<String>,
    pub images: Vec<String>,
    /// The encoding the page was decoded from.
    pub encoding: Option<&'static str>,
    /// True when bytes invalid in that encoding were replaced with U+FFFD.
    pub decode_errors: bool,
}

impl ExtractRecord {
    /// The record of a file that could not be read or resolved.
    pub fn error(file: &str, reason: String) -> Self {
        Self {
            file: file.to_owned(),
            outcome: "error",
            reason: Some(reason),
            site: None,
            id: None,
            canonical_url: None,
            title: None,
            date: None,
            date_found: None,
            author: None,
            lang: None,
            cover: None,
            summary: None,
            markdown: None,
            plain_text: None,
            text: None,
            images: Vec::new(),
            encoding: None,
            decode_errors: false,
        }
    }
}

impl SavedPage {
    /// When the page shows no publish time, `captured` (when the page was saved) stands in.
    pub fn date_from_capture(&mut self, captured: DateTime<Utc>) {
        if let Extraction::Article(article) = &mut self.extraction {
            article.date_from_capture(captured);
        }
    }

    /// The page as one machine-readable record.
    pub fn record(&self, file: &str) -> ExtractRecord {
        let mut r = ExtractRecord::error(file, String::new());
        r.reason = None;
        r.site = Some(self.target.site.key().to_owned());
        r.id = Some(self.target.id.clone());
        r.canonical_url = Some(self.target.canonical_url.clone());
        r.encoding = Some(self.encoding);
        r.decode_errors = self.decode_errors;
        match &self.extraction {
            Extraction::Article(a) => {
                let doc = a.to_document(&self.target);
                r.outcome = "article";
                r.title = Some(a.title.clone());
                r.date = Some(a.published.clone());
                r.date_found = Some(a.date_found);
                r.author = a.author.clone();
                r.lang = Some(a.lang.clone());
                r.cover = a.cover.clone();
                r.summary = Some(doc.summary);
                r.markdown = Some(a.body.markdown.clone());
                r.plain_text = Some(a.body.plain_text.clone());
                r.text = Some(a.body.text.clone());
                r.images = a.body.images.clone();
            }
            Extraction::NotArticle { reason } => {
                r.outcome = "not_article";
                r.reason = Some(reason.clone());
            }
            Extraction::Removed { signal } => {
                r.outcome = "removed";
                r.reason = Some(signal.clone());
            }
            Extraction::Blocked { signal } => {
                r.outcome = "blocked";
                r.reason = Some(signal.clone());
            }
        }
        r
    }
}

/// Extracts `bytes` for `target`. `read` is the page as decoded without knowing its site, when
/// it was read (and perhaps parsed) for its own link: it serves as it is unless its decoding
/// asked chardetng, whose guess the site's TLD may change (then the bytes are decoded again,
/// and its tree still serves if the text comes out the same). One copy of the text then, not
/// two, is alive while extracting.
fn extract_for(
    bytes: &[u8],
    target: ArticleRef,
    config: &Config,
    read: Option<(&Decoded<'_>, &extract::parse::Page<'_>)>,
) -> SavedPage {
    let base = Url::parse(&target.canonical_url).unwrap_or_else(|_| target.fetch_url.clone());
    let (decoded, page) = match read {
        Some((decoded, page)) if !decoded.guessed => {
            (std::borrow::Cow::Borrowed(decoded), Some(page))
        }
        _ => {
            let tld = crate::fetch::charset::tld_of(&base);
            let decoded = crate::fetch::charset::decode_html(bytes, None, tld);
            let page = read
                .map(|(_, page)| page)
                .filter(|page| page.html() == decoded.text);
            (std::borrow::Cow::Owned(decoded), page)
        }
    };
    let extraction = match page {
        Some(page) => extract::extract_page(page, &target, &base),
        None => extract::extract(&decoded.text, &target, &base),
    };
    let target = match &extraction {
        Extraction::Article(article) => match &article.canonical {
            Some(link) => sites::generic::adopt_canonical(&target, link, &config.sites),
            None => target,
        },
        _ => target,
    };
    SavedPage {
        target,
        extraction,
        encoding: decoded.encoding,
        decode_errors: decoded.had_errors,
    }
}

/// What `reprocess` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReprocessReport {
    /// Versions whose document the current extractor derives identically.
    pub unchanged: u64,
    /// Versions whose document was re-derived (the old one kept as superseded).
    pub rederived: u64,
    /// Versions the current extractor cannot read (kept as they were), with the reason.
    pub failed: Vec<(String, u32, String)>,
    /// Edits that, by the current rules, change nothing the article says: now minor versions
    /// (re-captures when they follow an import). Reprocessing never makes an edit.
    pub downgraded: u64,
}

/// Re-runs the current extractor over the stored raw captures of fetched versions, without
/// the network. A version whose document comes out the same records the current extractor; one
/// that comes out different gets the new document, the old one kept in the archive, and the
/// stored diffs around it recomputed.
pub fn reprocess(
    archive: &mut Archive,
    config: &Config,
    site: Option<&str>,
) -> Result<ReprocessReport, ArchiveError> {
    let mut report = ReprocessReport::default();
    let mut after = 0;
    loop {
        let page = archive.reprocess_page(site, after, 200)?;
        let Some(last) = page.last() else { break };
        after = last.version_id;
        for item in page {
            let target = match sites::resolve(&item.canonical_url, &config.sites) {
                Ok(t) => t,
                Err(e) => {
                    report
                        .failed
                        .push((item.canonical_url, item.seq, e.to_string()));
                    continue;
                }
            };
            let raw = archive.blob(&item.raw_hash)?;
            let final_url = item
                .final_url
                .as_deref()
                .and_then(|u| Url::parse(u).ok())
                .unwrap_or_else(|| target.fetch_url.clone());
            let decoded = crate::fetch::charset::decode_html(
                &raw,
                item.content_type.as_deref(),
                crate::fetch::charset::tld_of(&final_url),
            );
            let mut article = match extract::extract(&decoded.text, &target, &final_url) {
                Extraction::Article(a) => a,
                other => {
                    report
                        .failed
                        .push((item.canonical_url, item.seq, format!("{other:?}")));
                    continue;
                }
            };
            if !article.date_found {
                let first_seen = archive
                    .article(&item.canonical_url)?
                    .and_then(|row| crate::render::parse_stored_time(&row.first_seen_at))
                    .unwrap_or_else(Utc::now);
                article.date_from_capture(first_seen);
            }
            archive.set_date_found(&item.canonical_url, item.seq, article.date_found)?;
            let document = article.to_document(&target);
            let rendered = document.render();
            let extractor = format!("{}/{EXTRACTOR_VERSION}", target.site.key());
            let furniture = target.site.leaked_furniture();
            if crate::archive::hash_hex(rendered.as_bytes()) == item.content_hash {
                if item.extractor.as_deref() != Some(extractor.as_str()) {
                    archive.set_extractor(item.version_id, &extractor)?;
                }
                // The document stands, but what counts as an edit may have changed since.
                report.downgraded += u64::from(refresh_kind(
                    archive,
                    &item.canonical_url,
                    item.seq,
                    furniture,
                )?);
                report.unchanged += 1;
                continue;
            }
            archive.replace_document(
                item.version_id,
                &rendered,
                &document.title,
                &document.date,
                &extractor,
                Utc::now(),
            )?;
            for seq in [item.seq, item.seq + 1] {
                refresh_diff(archive, &item.canonical_url, seq)?;
                report.downgraded +=
                    u64::from(refresh_kind(archive, &item.canonical_url, seq, furniture)?);
            }
            report.rederived += 1;
        }
    }
    Ok(report)
}

/// Turns version `seq` from an edit into a minor version when, by the current rules, it no
/// longer changes what the article says compared with the version with content before it.
/// Returns whether it did.
fn refresh_kind(
    archive: &mut Archive,
    canonical_url: &str,
    seq: u32,
    leaked_furniture: Option<&regex::Regex>,
) -> Result<bool, ArchiveError> {
    let versions = archive.version_details(canonical_url)?;
    let Some(current) = versions
        .iter()
        .find(|v| v.seq == seq && v.kind == VersionKind::Edit)
    else {
        return Ok(false);
    };
    let Some(base) = versions
        .iter()
        .rev()
        .find(|v| v.seq < current.seq && v.kind.has_document())
    else {
        return Ok(false);
    };
    let (Some(old), Some(new)) = (
        archive.document(canonical_url, base.seq)?,
        archive.document(canonical_url, seq)?,
    ) else {
        return Ok(false);
    };
    match (Document::parse(&old), Document::parse(&new)) {
        (Ok(a), Ok(b)) if !is_edit(&a, &b, leaked_furniture) => {
            archive.downgrade_to_minor(canonical_url, seq)
        }
        _ => Ok(false),
    }
}

/// Recomputes the stored diff of version `seq` against the version with content before it.
fn refresh_diff(archive: &mut Archive, canonical_url: &str, seq: u32) -> Result<(), ArchiveError> {
    let versions = archive.version_details(canonical_url)?;
    let Some(current) = versions.iter().find(|v| v.seq == seq) else {
        return Ok(());
    };
    if current.kind == VersionKind::Removed {
        return Ok(());
    }
    let Some(base) = versions
        .iter()
        .rev()
        .find(|v| v.seq < seq && v.kind.has_document())
    else {
        return archive.set_diff(canonical_url, seq, None);
    };
    let (Some(old), Some(new)) = (
        archive.document(canonical_url, base.seq)?,
        archive.document(canonical_url, seq)?,
    ) else {
        return Ok(());
    };
    let mut diff = match (Document::parse(&old), Document::parse(&new)) {
        (Ok(a), Ok(b)) => diff_documents(&a, &b),
        _ => diff_text(&old, &new),
    };
    diff.base = Some(base.seq);
    archive.set_diff(canonical_url, seq, Some(&diff.to_json()))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn undated() -> extract::Article {
        extract::Article {
            title: "A story".into(),
            published: String::new(),
            date_found: false,
            zone: None,
            author: None,
            cover: None,
            lang: "en".into(),
            canonical: None,
            body: extract::markdown::Body {
                markdown: "The story's one paragraph.".into(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn a_prepared_article_is_redated_only_by_another_first_capture() {
        let config = crate::config::SitesConfig::default();
        let target = sites::resolve("https://news.example/2026/story", &config).unwrap();
        let at = |secs: i64| Utc.timestamp_opt(1_780_000_000 + secs, 0).unwrap();
        let mut prepared = PreparedArticle::new(undated(), target.clone(), at(0), true);
        let tokens = prepared.search.clone().unwrap();
        let hash = crate::archive::hash_hex(prepared.rendered.as_bytes());
        assert!(tokens.is_of("A story", &hash));
        prepared.redate(at(0));
        assert_eq!(prepared.search.as_ref(), Some(&tokens), "as assumed");

        prepared.redate(at(60));
        let again = PreparedArticle::new(undated(), target, at(60), false);
        assert_eq!(prepared.document, again.document);
        assert_eq!(prepared.rendered, again.rendered);
        assert_ne!(crate::archive::hash_hex(prepared.rendered.as_bytes()), hash);
        assert!(
            prepared.search.is_none(),
            "made for the other date's document"
        );
    }
}
