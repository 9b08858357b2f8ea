//! `newsvault daemon`: polls every source on its interval, archives what they list through a
//! work queue kept in the archive, re-checks archived articles when they are due, and stops
//! gracefully on SIGINT/SIGTERM; SIGHUP reloads the sources from the config file.
//!
//! Everything the daemon has to do lives in the archive (the queue, each source's next poll,
//! each article's next check), so a daemon stopped at any point resumes where it was, and work
//! that was cut short is redone, never lost; archiving is idempotent, so nothing is stored
//! twice.
//!
//! Several daemons may work on one archive (`[daemon] shared`, or a PostgreSQL archive): each
//! is a worker with its own name, and works on a queued article or polls a source only under a
//! lease it holds in the archive ([`archive::Leases`]), renewed while it works. A worker that
//! dies loses its leases when they run out, and the others take its work over. Per-host
//! politeness is then kept in the archive too ([`ArchiveGate`]).

use std::collections::HashSet;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::archive::{
    self, ArchiveError, Location, Mode, PollRecord, QueueItem, QueueState, RemovalState,
    SourcePoll, SourceRow, ToQueue,
};
use crate::config::{Config, ConfigError, SourceConfig, SourceKind};
use crate::fetch::Validators;
use crate::pipeline::{ArchiveGate, Outcome, Pipeline, PipelineError, QueueTicket};
use crate::schedule::later;
use crate::source;

/// Attempts at a queued article before it is marked failed (transient failures and blocks).
const MAX_ATTEMPTS: u32 = 6;
/// How often the due checks are looked at when nothing wakes the daemon.
const IDLE_WAIT: Duration = Duration::from_secs(30);
/// How often an idle daemon looks at the queue: other daemons on the archive queue work this
/// one is not told about, and retries fall due.
const QUEUE_RECHECK: Duration = Duration::from_secs(2);
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

/// This daemon as one of the workers sharing an archive: its name in the leases it holds, and
/// how long they last unrenewed.
#[derive(Debug, Clone)]
pub struct Worker {
    pub id: Arc<str>,
    pub lease: Duration,
}

impl Worker {
    /// A worker named `host:pid:random` (a pid comes back after a restart, the random part
    /// does not, so a new process never inherits a dead one's leases).
    pub fn new(lease: Duration) -> Worker {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".into());
        let id = format!("{host}:{}:{:08x}", std::process::id(), fastrand::u32(..));
        Worker {
            id: id.into(),
            lease,
        }
    }

    /// When a lease taken or renewed at `now` ends.
    fn lease_end(&self, now: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
        later(now, self.lease)
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
    let mut archive = archive::connect(&config.archive.path, Mode::ReadWrite)?;
    // One daemon per SQLite file unless it is shared; a PostgreSQL archive has no lock file
    // (shared by design).
    let location = Location::of(&config.archive.path);
    let shared = config.daemon.shared || matches!(location, Location::Postgres(_));
    let _lock = match location {
        Location::Sqlite(path) if !shared => Some(DaemonLock::acquire(&path)?),
        _ => None,
    };
    if _lock.is_some() {
        take_back_dead_leases(&mut archive);
    }
    let mut pipeline = Pipeline::new(config.clone(), archive)?.with_reader(&config.archive.path);
    if shared {
        let gate = archive::connect(&config.archive.path, Mode::ReadWrite)?;
        pipeline = pipeline.with_host_gate(Arc::new(ArchiveGate::new(gate)))?;
    }
    let worker = Worker::new(config.daemon.lease);
    let work_ready = Arc::new(Notify::new());
    tracing::info!(
        target: "newsvault::startup",
        archive = %archive::Location::of(&config.archive.path),
        sources = config.sources.len(),
        worker = %worker.id,
        shared,
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
        worker.clone(),
    ));
    tasks.spawn(check_due(
        pipeline.clone(),
        shutdown.clone(),
        worker.clone(),
    ));

    let workers = Sources {
        pipeline: pipeline.clone(),
        worker,
        work_ready,
    };
    let mut sources = workers.spawn(&config.sources, &shutdown);
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
                        sources = workers.spawn(&new.sources, &shutdown);
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

/// What every source's polling task shares.
#[derive(Clone)]
struct Sources {
    pipeline: Pipeline,
    worker: Worker,
    work_ready: Arc<Notify>,
}

impl Sources {
    /// Starts one polling task per source; cancelling the returned token stops them all.
    fn spawn(&self, sources: &[SourceConfig], shutdown: &CancellationToken) -> CancellationToken {
        let token = shutdown.child_token();
        for source in sources {
            tokio::spawn(self.clone().supervise(source.clone(), token.clone()));
        }
        token
    }

    /// Polls `source` until cancelled. A panic in its poll task (a bug, set off by what a
    /// feed or list API sent) is logged and recorded as the source's error, which `status`
    /// shows; the source is polled again after its interval, as after any failed poll.
    async fn supervise(self, source: SourceConfig, token: CancellationToken) {
        let make = || tokio::spawn(self.clone().poll_source(source.clone(), token.clone()));
        let (source, pipeline, worker) = (&source, &self.pipeline, &self.worker);
        restart_after_panics(make, |message| async move {
            tracing::error!(source = %source.name, "the poll task panicked: {message}");
            let at = Utc::now();
            let record = PollRecord {
                error: Some(format!("the poll failed unexpectedly (panic: {message})")),
                ..poll_record(at, source.interval, 1.0)
            };
            let (name, id) = (source.name.clone(), Arc::clone(&worker.id));
            let stored = pipeline
                .with_archive(move |a| {
                    a.record_poll(&name, &[], &record)?;
                    a.release_source_poll(&name, &id)
                })
                .await;
            if let Err(e) = stored {
                tracing::error!(source = %source.name, "cannot store the failed poll: {e}");
            }
        })
        .await;
    }

    /// Polls `source` whenever it is due and no other worker polls it, until cancelled.
    async fn poll_source(self, source: SourceConfig, token: CancellationToken) {
        let (name, kind) = (source.name.clone(), source.kind.as_str());
        let row = match self
            .pipeline
            .with_archive(move |a| a.register_source(&name, kind))
            .await
        {
            Ok(row) => row,
            Err(e) => {
                tracing::error!(source = %source.name, "cannot register the source: {e}");
                return;
            }
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
            next = match self.claim_poll(&source).await {
                Ok(SourcePoll::Claimed(row)) => self.poll_once(&source, row).await,
                Ok(SourcePoll::NotNow { look_again_at }) => {
                    look_again_at.unwrap_or_else(|| self.worker.lease_end(Utc::now()))
                }
                Err(e) => {
                    tracing::error!(source = %source.name, "cannot claim the poll: {e}");
                    later(Utc::now(), IDLE_WAIT)
                }
            };
        }
    }

    /// Takes this worker's lease on the poll of `source`, if it is due and free.
    async fn claim_poll(&self, source: &SourceConfig) -> Result<SourcePoll, ArchiveError> {
        let now = Utc::now();
        let until = self.worker.lease_end(now);
        let (name, id) = (source.name.clone(), Arc::clone(&self.worker.id));
        self.pipeline
            .with_archive(move |a| a.claim_source_poll(&name, &id, now, until))
            .await
    }

    /// Polls `source` once under this worker's lease (given its stored state), records the
    /// poll and what it found, and ends the lease. Returns when the next poll is due.
    async fn poll_once(&self, source: &SourceConfig, row: SourceRow) -> chrono::DateTime<Utc> {
        let pipeline = &self.pipeline;
        let at = Utc::now();
        let jitter = 1.0 + fastrand::f64() * pipeline.config().daemon.poll_jitter;
        let (record, items) = if source.kind == SourceKind::Hugo {
            match poll_hugo(source, pipeline).await {
                Ok((seen, imported)) => {
                    tracing::info!(source = %source.name, imported, "imported the folder");
                    let record = PollRecord {
                        listed: seen,
                        ..poll_record(at, source.interval, jitter)
                    };
                    (record, Vec::new())
                }
                Err(e) => {
                    tracing::warn!(source = %source.name, "import failed: {e}");
                    (failed_poll(at, source, jitter, &e), Vec::new())
                }
            }
        } else {
            let validators = Validators {
                etag: row.etag,
                last_modified: row.last_modified,
            };
            let result = source::poll(
                source,
                &pipeline.config().sites,
                pipeline.fetcher(),
                &validators,
            )
            .await;
            match result {
                Ok(polled) => {
                    let interval = polled
                        .min_interval
                        .map_or(source.interval, |m| m.max(source.interval));
                    let record = PollRecord {
                        etag: polled.validators.etag.clone(),
                        last_modified: polled.validators.last_modified.clone(),
                        listed: polled.candidates.len() as u64,
                        ..poll_record(at, interval, jitter)
                    };
                    (record, polled.candidates)
                }
                Err(e) => {
                    tracing::warn!(source = %source.name, "poll failed: {e}");
                    (failed_poll(at, source, jitter, &e), Vec::new())
                }
            }
        };
        let next = record.next_poll_at;
        self.store_poll(source, record, items).await;
        next
    }

    /// Records a poll and queues what it found, then ends this worker's lease on the poll.
    async fn store_poll(
        &self,
        source: &SourceConfig,
        record: PollRecord,
        items: Vec<source::Candidate>,
    ) {
        let (name, id) = (source.name.clone(), Arc::clone(&self.worker.id));
        let stored = self
            .pipeline
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
                let queued = a.record_poll(&name, &queue, &record)?;
                a.release_source_poll(&name, &id)?;
                Ok(queued)
            })
            .await;
        match stored {
            Ok(queued) => {
                tracing::info!(source = %source.name, queued, "polled");
                if queued > 0 {
                    self.work_ready.notify_one();
                }
            }
            Err(e) => tracing::error!(source = %source.name, "cannot store the poll: {e}"),
        }
    }
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

/// Archives queued articles, `[daemon] max_in_flight` at a time, each under a lease this
/// worker holds in the archive and renews while it works (so no other worker takes it, and an
/// item just finished is never picked again: claiming is atomic). On shutdown, work in flight
/// gets `shutdown_grace` to finish; the leases of what is cut short are given back, and it is
/// redone later, here or by another worker.
async fn work_queue(
    pipeline: Pipeline,
    shutdown: CancellationToken,
    work_ready: Arc<Notify>,
    worker: Worker,
) {
    let config = pipeline.config();
    let slots = Arc::new(Semaphore::new(config.daemon.max_in_flight.max(1)));
    let running: Running = Arc::default();
    let renewing = CancellationToken::new();
    let heartbeat = tokio::spawn(renew_leases(
        pipeline.clone(),
        worker.clone(),
        Arc::clone(&running),
        renewing.clone(),
    ));
    let mut tasks = JoinSet::new();
    while !shutdown.is_cancelled() {
        let free = slots.available_permits();
        let items = claim_queue(&pipeline, &worker, free).await;
        let claimed = items.len();
        for item in items {
            let permit = Arc::clone(&slots)
                .try_acquire_owned()
                .expect("only this loop takes slots");
            let (pipeline, id) = (pipeline.clone(), Arc::clone(&worker.id));
            let running = Arc::clone(&running);
            lock(&running).insert(item.id);
            tasks.spawn(async move {
                archive_queued(&pipeline, &item, id).await;
                lock(&running).remove(&item.id);
                drop(permit);
            });
        }
        while tasks.try_join_next().is_some() {}
        if claimed == 0 || slots.available_permits() == 0 {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = work_ready.notified() => {}
                _ = tasks.join_next(), if !tasks.is_empty() => {}
                _ = tokio::time::sleep(QUEUE_RECHECK) => {}
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
    // Images of what was archived get what is left of the grace; those cut short are
    // fetched at the articles' next check.
    if tokio::time::timeout(grace, pipeline.finish_images())
        .await
        .is_err()
    {
        tracing::warn!(
            "image fetches cut short after {grace:?}; they are retried at the next check"
        );
    }
    renewing.cancel();
    let _ = heartbeat.await;
    let id = Arc::clone(&worker.id);
    match pipeline
        .with_archive(move |a| a.release_claims(Some(&id)))
        .await
    {
        Ok(0) => {}
        Ok(released) => tracing::info!(released, "gave back the leases of abandoned articles"),
        Err(e) => tracing::error!("cannot give back the leases (they run out by themselves): {e}"),
    }
}

/// Alone on its archive (under the daemon lock), a starting daemon ends the leases a killed
/// predecessor left: no one else can hold them, and waiting for them to run out would delay
/// those articles by up to `[daemon] lease`.
fn take_back_dead_leases(archive: &mut archive::Archive) {
    match archive.release_claims(None) {
        Ok(0) => {}
        Ok(released) => tracing::info!(released, "took back the leases a stopped daemon left"),
        Err(e) => tracing::error!("cannot take back old leases (they run out by themselves): {e}"),
    }
}

/// Claims up to `free` queued items for this worker (none when the queue cannot be read).
async fn claim_queue(pipeline: &Pipeline, worker: &Worker, free: usize) -> Vec<QueueItem> {
    if free == 0 {
        return Vec::new();
    }
    let now = Utc::now();
    let (id, until) = (Arc::clone(&worker.id), worker.lease_end(now));
    pipeline
        .with_archive(move |a| a.claim_queue(&id, now, until, free))
        .await
        .unwrap_or_else(|e| {
            tracing::error!("cannot read the queue: {e}");
            Vec::new()
        })
}

/// The queue items this worker is working on.
type Running = Arc<std::sync::Mutex<HashSet<i64>>>;

fn lock(running: &Running) -> std::sync::MutexGuard<'_, HashSet<i64>> {
    running
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Renews the leases of the items being worked on every third of their length, until
/// `renewing` is cancelled. (An item whose work ended without settling it, say because its
/// commit failed, is not renewed: its lease runs out and it is claimed again.)
async fn renew_leases(
    pipeline: Pipeline,
    worker: Worker,
    running: Running,
    renewing: CancellationToken,
) {
    while sleep_or_cancel(worker.lease / 3, &renewing).await {
        let ids: Vec<i64> = lock(&running).iter().copied().collect();
        if ids.is_empty() {
            continue;
        }
        let (id, until) = (Arc::clone(&worker.id), worker.lease_end(Utc::now()));
        if let Err(e) = pipeline
            .with_archive(move |a| a.renew_claims(&id, &ids, until))
            .await
        {
            tracing::error!("cannot renew the leases of queued articles: {e}");
        }
    }
}

async fn archive_queued(pipeline: &Pipeline, item: &QueueItem, worker: Arc<str>) {
    let ticket = QueueTicket {
        id: item.id,
        worker,
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

/// Re-checks archived articles as they fall due, claiming each for a lease's length (so
/// that several daemons on one archive do not check one article together).
async fn check_due(pipeline: Pipeline, shutdown: CancellationToken, worker: Worker) {
    loop {
        let now = Utc::now();
        let until = worker.lease_end(now);
        let due = match pipeline
            .with_archive(move |a| a.claim_due_articles(now, until, 100))
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
