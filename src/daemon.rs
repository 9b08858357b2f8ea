//! `newsvault daemon`: polls every source on its interval, archives what they list through a
//! work queue kept in the archive, re-checks archived articles when they are due, and stops
//! gracefully on SIGINT/SIGTERM; SIGHUP reloads the sources from the config file.
//!
//! Everything the daemon has to do lives in SQLite (the queue, each source's next poll, each
//! article's next check), so a daemon stopped at any point resumes where it was, and work that
//! was cut short is redone, never lost; archiving is idempotent, so nothing is stored twice.

use std::collections::HashSet;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Mutex, Notify, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::archive::{
    self, ArchiveError, Mode, PollRecord, QueueItem, QueueState, RemovalState, ToQueue,
};
use crate::config::{Config, ConfigError, SourceConfig, SourceKind};
use crate::fetch::Validators;
use crate::pipeline::{Outcome, Pipeline, PipelineError, QueueTicket};
use crate::schedule::later;
use crate::source;

/// Attempts at a queued article before it is marked failed (transient failures and blocks).
const MAX_ATTEMPTS: u32 = 6;
/// How often the queue and the due checks are looked at when nothing wakes the daemon.
const IDLE_WAIT: Duration = Duration::from_secs(30);
/// The longest any source waits between two polls, whatever its interval, TTL or
/// Cache-Control say (a feed's hints alone stretch it to at most
/// [`source::MAX_FEED_HINT`]).
pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(7 * 24 * 3600);

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(
        "another newsvault daemon is running on this archive (lock {path} held{}); stop it first",
        pid.as_deref().map(|p| format!(" by pid {p}")).unwrap_or_default()
    )]
    AlreadyRunning { path: PathBuf, pid: Option<String> },
    #[error("cannot create the lock file {path}: {source}")]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot listen for signals: {0}")]
    Signals(std::io::Error),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot serve on {addr}: {source} (set [server] listen, or [daemon] serve = false)")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Server(#[from] crate::server::ServerError),
}

/// The one-daemon-per-archive lock: an OS file lock on `<archive>.lock`, released when the
/// process ends however it ends.
pub struct DaemonLock {
    _file: File,
    path: PathBuf,
}

impl DaemonLock {
    pub fn acquire(archive_path: &Path) -> Result<DaemonLock, DaemonError> {
        let mut path = archive_path.as_os_str().to_owned();
        path.push(".lock");
        let path = PathBuf::from(path);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|source| DaemonError::Lock {
                path: path.clone(),
                source,
            })?;
        if file.try_lock().is_err() {
            let pid = std::fs::read_to_string(&path)
                .ok()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty());
            return Err(DaemonError::AlreadyRunning { path, pid });
        }
        // The pid is only information for the error above; the lock is what counts.
        let _ = file.set_len(0);
        let _ = write!(file, "{}", std::process::id());
        Ok(DaemonLock { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Runs the daemon until SIGINT/SIGTERM. `config_path` is re-read on SIGHUP.
pub async fn run(config: Config, config_path: Option<PathBuf>) -> Result<(), DaemonError> {
    let shutdown = CancellationToken::new();
    let signals = listen_for_signals(shutdown.clone())?;
    run_until(config, config_path, shutdown, signals).await
}

/// SIGHUP notifications; SIGINT/SIGTERM cancel `shutdown`.
fn listen_for_signals(shutdown: CancellationToken) -> Result<Arc<Notify>, DaemonError> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).map_err(DaemonError::Signals)?;
    let mut int = signal(SignalKind::interrupt()).map_err(DaemonError::Signals)?;
    let mut hup = signal(SignalKind::hangup()).map_err(DaemonError::Signals)?;
    let reload = Arc::new(Notify::new());
    let notify = Arc::clone(&reload);
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = term.recv() => { tracing::info!("SIGTERM: shutting down"); shutdown.cancel(); }
                _ = int.recv() => { tracing::info!("SIGINT: shutting down"); shutdown.cancel(); }
                _ = hup.recv() => { tracing::info!("SIGHUP: reloading sources"); notify.notify_one(); }
            }
            if shutdown.is_cancelled() {
                break;
            }
        }
    });
    Ok(reload)
}

/// The daemon's body, stopped by `shutdown`; `reload` asks for the sources to be re-read.
pub async fn run_until(
    config: Config,
    config_path: Option<PathBuf>,
    shutdown: CancellationToken,
    reload: Arc<Notify>,
) -> Result<(), DaemonError> {
    // Opened before the lock: `connect` refuses what is not an archive file (a folder, a
    // database URL) before a lock file is made beside it.
    let archive = archive::connect(&config.archive.path, Mode::ReadWrite)?;
    // One daemon per SQLite file; a PostgreSQL archive has no lock file (shared by design).
    let _lock = match archive::Location::of(&config.archive.path) {
        archive::Location::Sqlite(path) => Some(DaemonLock::acquire(&path)?),
        archive::Location::Postgres(_) => None,
    };
    let pipeline = Pipeline::new(config.clone(), archive)?;
    let work_ready = Arc::new(Notify::new());
    tracing::info!(
        target: "newsvault::startup",
        archive = %archive::Location::of(&config.archive.path),
        sources = config.sources.len(),
        "daemon started"
    );

    let mut tasks = JoinSet::new();
    if config.daemon.serve {
        // Bound before anything else runs, so a taken port is a clear error at start.
        let listener = bind(&config.server.listen).await?;
        let addr = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        tracing::info!(target: "newsvault::startup", "serving the web UI and feeds on http://{addr}/");
        let state = crate::server::AppState::with_pipeline(pipeline.clone());
        let stop = shutdown.clone();
        tasks.spawn(async move {
            if let Err(e) = crate::server::serve_on(listener, state, stop.cancelled_owned()).await {
                tracing::error!("the web server stopped: {e}");
            }
        });
    }
    tasks.spawn(work_queue(
        pipeline.clone(),
        shutdown.clone(),
        Arc::clone(&work_ready),
    ));
    tasks.spawn(check_due(pipeline.clone(), shutdown.clone()));

    let mut sources = spawn_sources(&config.sources, &pipeline, &shutdown, &work_ready);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = reload.notified() => {
                let Some(path) = &config_path else {
                    tracing::warn!("SIGHUP: no config file to reload");
                    continue;
                };
                match Config::load(path) {
                    Ok(new) => {
                        sources.cancel();
                        sources = spawn_sources(&new.sources, &pipeline, &shutdown, &work_ready);
                        tracing::info!(sources = new.sources.len(), "sources reloaded");
                    }
                    Err(e) => tracing::error!("SIGHUP: keeping the current sources: {e}"),
                }
            }
        }
    }
    sources.cancel();
    while tasks.join_next().await.is_some() {}
    tracing::info!(target: "newsvault::startup", "daemon stopped");
    Ok(())
}

async fn bind(listen: &str) -> Result<tokio::net::TcpListener, DaemonError> {
    tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| DaemonError::Bind {
            addr: listen.to_owned(),
            source,
        })
}

/// Starts one polling task per source; cancelling the returned token stops them all.
fn spawn_sources(
    sources: &[SourceConfig],
    pipeline: &Pipeline,
    shutdown: &CancellationToken,
    work_ready: &Arc<Notify>,
) -> CancellationToken {
    let token = shutdown.child_token();
    for source in sources {
        tokio::spawn(supervise_source(
            source.clone(),
            pipeline.clone(),
            token.clone(),
            Arc::clone(work_ready),
        ));
    }
    token
}

/// Polls `source` until cancelled. A panic in its poll task (a bug, set off by what a feed
/// or list API sent) is logged and recorded as the source's error, which `status` shows; the
/// source is polled again after its interval, as after any failed poll.
async fn supervise_source(
    source: SourceConfig,
    pipeline: Pipeline,
    token: CancellationToken,
    work_ready: Arc<Notify>,
) {
    let make = || {
        tokio::spawn(poll_source(
            source.clone(),
            pipeline.clone(),
            token.clone(),
            Arc::clone(&work_ready),
        ))
    };
    let (source, pipeline) = (&source, &pipeline);
    restart_after_panics(make, |message| async move {
        tracing::error!(source = %source.name, "the poll task panicked: {message}");
        let at = Utc::now();
        let record = PollRecord {
            error: Some(format!("the poll failed unexpectedly (panic: {message})")),
            ..poll_record(at, source.interval, 1.0)
        };
        let name = source.name.clone();
        if let Err(e) = pipeline
            .with_archive(move |a| a.record_poll(&name, &[], &record))
            .await
        {
            tracing::error!(source = %source.name, "cannot store the failed poll: {e}");
        }
    })
    .await;
}

/// Runs the task `make` starts until it ends without panicking; after each panic, `on_panic`
/// is told the panic's message and the task is started again.
async fn restart_after_panics<Fut>(
    make: impl Fn() -> tokio::task::JoinHandle<()>,
    on_panic: impl Fn(String) -> Fut,
) where
    Fut: std::future::Future<Output = ()>,
{
    loop {
        match make().await {
            Err(e) if e.is_panic() => {
                on_panic(crate::source::panic_message(&e.into_panic())).await;
            }
            _ => return,
        }
    }
}

/// Sleeps for `wait` unless cancelled first; false when cancelled.
async fn sleep_or_cancel(wait: Duration, token: &CancellationToken) -> bool {
    tokio::select! {
        _ = token.cancelled() => false,
        _ = tokio::time::sleep(wait) => true,
    }
}

async fn poll_source(
    source: SourceConfig,
    pipeline: Pipeline,
    token: CancellationToken,
    work_ready: Arc<Notify>,
) {
    let (name, kind) = (source.name.clone(), source.kind.as_str());
    let row = match pipeline
        .with_archive(move |a| a.register_source(&name, kind))
        .await
    {
        Ok(row) => row,
        Err(e) => {
            tracing::error!(source = %source.name, "cannot register the source: {e}");
            return;
        }
    };
    let mut validators = Validators {
        etag: row.etag,
        last_modified: row.last_modified,
    };
    let mut next = row
        .next_poll_at
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(Utc::now);
    loop {
        let wait = (next - Utc::now()).to_std().unwrap_or_default();
        if !sleep_or_cancel(wait, &token).await {
            return;
        }
        let at = Utc::now();
        let jitter = 1.0 + fastrand::f64() * pipeline.config().daemon.poll_jitter;
        if source.kind == SourceKind::Hugo {
            let (record, imported) = match poll_hugo(&source, &pipeline).await {
                Ok((seen, imported)) => (
                    PollRecord {
                        listed: seen,
                        ..poll_record(at, source.interval, jitter)
                    },
                    imported,
                ),
                Err(e) => {
                    tracing::warn!(source = %source.name, "import failed: {e}");
                    (failed_poll(at, &source, jitter, &e), 0)
                }
            };
            next = record.next_poll_at;
            let name = source.name.clone();
            if let Err(e) = pipeline
                .with_archive(move |a| a.record_poll(&name, &[], &record))
                .await
            {
                tracing::error!(source = %source.name, "cannot store the poll: {e}");
            }
            tracing::info!(source = %source.name, imported, "imported the folder");
            continue;
        }
        let result = source::poll(
            &source,
            &pipeline.config().sites,
            pipeline.fetcher(),
            &validators,
        )
        .await;
        let (record, items) = match result {
            Ok(polled) => {
                let interval = polled
                    .min_interval
                    .map_or(source.interval, |m| m.max(source.interval));
                validators = polled.validators.clone();
                let record = PollRecord {
                    etag: validators.etag.clone(),
                    last_modified: validators.last_modified.clone(),
                    listed: polled.candidates.len() as u64,
                    ..poll_record(at, interval, jitter)
                };
                (record, polled.candidates)
            }
            Err(e) => {
                tracing::warn!(source = %source.name, "poll failed: {e}");
                (failed_poll(at, &source, jitter, &e), Vec::new())
            }
        };
        next = record.next_poll_at;
        let name = source.name.clone();
        let stored = pipeline
            .with_archive(move |a| {
                let listings: Vec<Option<String>> = items
                    .iter()
                    .map(|c| c.listing.as_ref().map(|l| l.to_string()))
                    .collect();
                let queue: Vec<ToQueue<'_>> = items
                    .iter()
                    .zip(&listings)
                    .map(|(c, listing)| ToQueue {
                        url: &c.url,
                        kind: c.kind.as_str(),
                        title: c.title.as_deref(),
                        published: c.published.as_deref(),
                        listing: listing.as_deref(),
                    })
                    .collect();
                a.record_poll(&name, &queue, &record)
            })
            .await;
        match stored {
            Ok(queued) => {
                tracing::info!(source = %source.name, queued, "polled");
                if queued > 0 {
                    work_ready.notify_one();
                }
            }
            Err(e) => tracing::error!(source = %source.name, "cannot store the poll: {e}"),
        }
    }
}

/// A Hugo source: the folder is imported again (idempotent: files already stored are "already
/// known"); its articles are then re-checked like any other, as they fall due. Returns the files
/// seen and the files stored.
async fn poll_hugo(
    source: &SourceConfig,
    pipeline: &Pipeline,
) -> Result<(u64, u64), source::SourceError> {
    let folder = source.path.clone().unwrap_or_default();
    let found = tokio::task::spawn_blocking(move || crate::import::find_files(&[folder]))
        .await
        .map_err(|e| source::SourceError::Config {
            name: source.name.clone(),
            message: format!("walking the folder failed: {e}"),
        })?;
    let crate::import::Found {
        files, problems, ..
    } = found;
    for problem in &problems {
        tracing::warn!(source = %source.name, "{problem}");
    }
    if files.is_empty() && !problems.is_empty() {
        return Err(source::SourceError::Config {
            name: source.name.clone(),
            message: problems[0].to_string(),
        });
    }
    let sites = pipeline.config().sites.clone();
    let seen = files.len() as u64;
    let name = source.name.clone();
    let summary = pipeline
        .with_archive(move |a| {
            crate::import::import_files(a, &sites, &files, |path, outcome| {
                tracing::debug!(source = %name, path = %path.display(), ?outcome, "imported");
            })
            .map_err(|e| match e {
                crate::import::ImportError::Archive(e) => e,
            })
        })
        .await
        .map_err(|e| source::SourceError::Config {
            name: source.name.clone(),
            message: format!("import failed: {e}"),
        })?;
    Ok((seen, summary.new_articles + summary.new_versions))
}

fn failed_poll(
    at: chrono::DateTime<Utc>,
    source: &SourceConfig,
    jitter: f64,
    error: &source::SourceError,
) -> PollRecord {
    PollRecord {
        error: Some(error.to_string()),
        ..poll_record(at, source.interval, jitter)
    }
}

/// A successful poll at `at` with nothing listed; the next one after `interval` (at most
/// [`MAX_POLL_INTERVAL`]) stretched by `jitter`.
fn poll_record(at: chrono::DateTime<Utc>, interval: Duration, jitter: f64) -> PollRecord {
    let interval = interval.min(MAX_POLL_INTERVAL);
    PollRecord {
        at,
        error: None,
        etag: None,
        last_modified: None,
        interval,
        next_poll_at: later(at, scaled(interval, jitter)),
        listed: 0,
        queued: 0,
    }
}

/// `d` times `factor`, saturating (never a panic, whatever a feed asked for).
fn scaled(d: Duration, factor: f64) -> Duration {
    Duration::try_from_secs_f64(d.as_secs_f64() * factor).unwrap_or(MAX_POLL_INTERVAL * 2)
}

/// The queue items this daemon is working on, and those it finished since it last read the
/// queue: the list read may be older than their commit, so they stay claimed until the next
/// read (else an item just finished would be fetched again).
#[derive(Default)]
struct Claims {
    running: HashSet<i64>,
    finished: HashSet<i64>,
}

impl Claims {
    fn claim(&mut self, id: i64) -> bool {
        !self.finished.contains(&id) && self.running.insert(id)
    }

    fn finish(&mut self, id: i64) {
        self.running.remove(&id);
        self.finished.insert(id);
    }
}

/// Archives queued articles, `[daemon] max_in_flight` at a time. On shutdown, work in flight
/// gets `shutdown_grace` to finish; what is cut short stays pending and is redone later.
async fn work_queue(pipeline: Pipeline, shutdown: CancellationToken, work_ready: Arc<Notify>) {
    let config = pipeline.config();
    let slots = Arc::new(Semaphore::new(config.daemon.max_in_flight.max(1)));
    let claims: Arc<Mutex<Claims>> = Arc::default();
    let mut tasks = JoinSet::new();
    loop {
        if shutdown.is_cancelled() {
            break;
        }
        let want = config.daemon.max_in_flight * 2;
        // Items finished before this read are no longer pending in it; forget them only now.
        claims.lock().await.finished.clear();
        let items = match pipeline
            .with_archive(move |a| a.pending_queue(Utc::now(), want))
            .await
        {
            Ok(items) => items,
            Err(e) => {
                tracing::error!("cannot read the queue: {e}");
                Vec::new()
            }
        };
        let mut started = 0;
        for item in items {
            if !claims.lock().await.claim(item.id) {
                continue;
            }
            let permit = tokio::select! {
                _ = shutdown.cancelled() => {
                    claims.lock().await.running.remove(&item.id);
                    break;
                }
                permit = Arc::clone(&slots).acquire_owned() => permit.expect("never closed"),
            };
            started += 1;
            let pipeline = pipeline.clone();
            let claims = Arc::clone(&claims);
            tasks.spawn(async move {
                archive_queued(&pipeline, &item).await;
                claims.lock().await.finish(item.id);
                drop(permit);
            });
        }
        while tasks.try_join_next().is_some() {}
        if started == 0 {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = work_ready.notified() => {}
                _ = tasks.join_next(), if !tasks.is_empty() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)), if !tasks.is_empty() => {}
                _ = tokio::time::sleep(IDLE_WAIT) => {}
            }
        }
    }
    let grace = config.daemon.shutdown_grace;
    let finished =
        tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
    if finished.is_err() {
        tracing::warn!(
            "{} queued article(s) abandoned after {grace:?}; they stay queued",
            tasks.len()
        );
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
}

async fn archive_queued(pipeline: &Pipeline, item: &QueueItem) {
    let ticket = QueueTicket {
        id: item.id,
        attempts: item.attempts,
        state_after: queue_state_after,
    };
    let outcome = pipeline.archive_url_queued(&item.url, Some(ticket)).await;
    tracing::info!("{}", outcome.summary());
    if let Outcome::Failed { reason, .. } = &outcome
        && reason.starts_with("archive commit failed")
    {
        tracing::error!("cannot update the queue for {}: {reason}", item.url);
    }
}

/// A queued item's state after an attempt that ended in `outcome`.
fn queue_state_after(outcome: &Outcome, attempts: u32, now: chrono::DateTime<Utc>) -> QueueState {
    match outcome {
        Outcome::Archived { .. } | Outcome::NotModified { .. } => QueueState::Done,
        Outcome::Removed {
            state: RemovalState::Unknown,
            ..
        }
        | Outcome::NotArticle { .. }
        | Outcome::Failed { .. } => QueueState::Failed,
        Outcome::Removed { .. } => QueueState::Done,
        Outcome::Blocked { .. } | Outcome::Transient { .. } if attempts + 1 < MAX_ATTEMPTS => {
            let backoff = Duration::from_secs(60 * 2u64.pow(attempts.min(6)));
            QueueState::Retry {
                not_before: later(now, backoff),
            }
        }
        Outcome::Blocked { .. } | Outcome::Transient { .. } => QueueState::Failed,
    }
}

/// Re-checks archived articles as they fall due.
async fn check_due(pipeline: Pipeline, shutdown: CancellationToken) {
    loop {
        let due = match pipeline
            .with_archive(|a| a.due_articles(Utc::now(), None, 100))
            .await
        {
            Ok(due) => due,
            Err(e) => {
                tracing::error!("cannot read due checks: {e}");
                Vec::new()
            }
        };
        if due.is_empty() {
            if !sleep_or_cancel(IDLE_WAIT, &shutdown).await {
                return;
            }
            continue;
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = pipeline.check_urls(due, |o| tracing::info!("{}", o.summary())) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_times_saturate_instead_of_panicking() {
        let at = Utc::now();
        for huge in [Duration::MAX, Duration::from_secs(10_000_000_000_000)] {
            let record = poll_record(at, huge, 1.1);
            assert_eq!(record.interval, MAX_POLL_INTERVAL);
            assert!(record.next_poll_at <= later(at, MAX_POLL_INTERVAL * 2));
        }
        assert_eq!(scaled(Duration::MAX, 2.0), MAX_POLL_INTERVAL * 2);
        assert_eq!(later(at, Duration::MAX), chrono::DateTime::<Utc>::MAX_UTC);
    }

    #[tokio::test]
    async fn a_panicking_poll_task_is_reported_and_started_again() {
        let started = std::sync::atomic::AtomicU32::new(0);
        let reported = std::sync::Mutex::new(Vec::new());
        restart_after_panics(
            || {
                let n = started.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::spawn(async move {
                    if n < 2 {
                        panic!("overflow number {n}");
                    }
                })
            },
            |message| {
                reported.lock().unwrap().push(message);
                async {}
            },
        )
        .await;
        assert_eq!(started.load(std::sync::atomic::Ordering::SeqCst), 3);
        assert_eq!(
            *reported.lock().unwrap(),
            ["overflow number 0", "overflow number 1"]
        );
    }
}
