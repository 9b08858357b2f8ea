//! The storage interface: what the pipeline, the daemon, the server, import, export and the
//! commands ask of an archive, whatever backend holds it.
//!
//! It is a small set of traits, one per concern ([`Versions`], [`Checks`], [`Feeds`],
//! [`Queue`], [`Exports`], [`Imports`], [`Images`]), gathered as [`Store`]; callers hold an [`Archive`],
//! a boxed `Store`. Rows are typed ([`crate::archive::VersionKind`] and the other vocabularies;
//! times are the archive's UTC text, see [`crate::archive::format_time`]).
//!
//! The interface is synchronous, on purpose. Every archive call is blocking work run off the
//! async threads (`spawn_blocking`, the group-commit thread, the server's reader pool), and a
//! second backend is called from the same places: the synchronous `postgres` client cannot run
//! on a tokio runtime thread (it drives its own runtime and panics inside another), but it can
//! on those blocking threads, exactly like rusqlite. An async interface would instead push
//! every SQLite call through `spawn_blocking` inside the backend and turn the group commit
//! (units of work sharing one transaction, see [`crate::archive::GroupCommitter`]) into an
//! async state machine, for no gain at the throughput of a fetch-bound crawler.

use std::ops::ControlFlow;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::copy::{CopyValue, TableSpec};
use super::images::{ArchivedImage, ImageRow, NewImage};
use super::kinds::ShotKind;
use super::leases::{HostGrant, HostRequest, QueueEntry, RobotsRecord, SourcePoll};
use super::postgres::PostgresArchive;
use super::screenshots::{NewScreenshot, ScreenshotRow};
use super::search::{FoundVersion, IndexCounts, SearchCandidate, SearchScope};
use super::sqlite::SqliteArchive;
use super::{
    ArchiveError, ArchiveStats, ArticleDocument, ArticleRow, ArticleSummary, FetchLog, FetchRow,
    ImportRecord, Imported, Mode, NewCapture, PollRecord, QueueCounts, QueueItem, QueueState,
    RawCapture, RawCaptureInfo, Recorded, RemovalSighting, RemovalState, ReprocessItem,
    ScheduleInputs, SourceRow, SourceStatus, ToQueue, VersionChoice, VersionDetail, VersionEvent,
    VersionRow,
};

/// Reading and writing articles, versions, blobs and the fetch log; units of work.
pub trait Versions {
    /// Starts one unit of work inside an open group (see [`Archive::in_unit`]).
    fn begin_unit(&mut self) -> Result<(), ArchiveError>;

    /// Ends the unit started by [`Self::begin_unit`]: keeps its writes, or undoes all of them.
    fn end_unit(&mut self, keep: bool) -> Result<(), ArchiveError>;

    /// Opens the one transaction that several units of work share; [`Self::commit_group`]
    /// makes them durable together, with one sync of the file.
    fn begin_group(&mut self) -> Result<(), ArchiveError>;

    /// Commits the group opened by [`Self::begin_group`]; on failure rolls it all back.
    fn commit_group(&mut self) -> Result<(), ArchiveError>;

    /// Records one successful capture, in ONE transaction: upserts the article (site, ids,
    /// language, validators, `last_checked_at`), stores the raw bytes deduplicated by hash,
    /// and adds version `latest_seq + 1` only when the document's content hash differs from
    /// the latest version's: kind "new" for seq 1, "edit" afterwards, "restored" when the
    /// latest version is a removal tombstone (the article becomes live again). A capture
    /// always clears pending removal confirmations.
    fn record_capture(&mut self, capture: &NewCapture<'_>) -> Result<Recorded, ArchiveError>;

    /// Appends one row to the fetch log. `canonical_url` links it to its article when that
    /// article exists (log after [`Self::record_capture`] to link a first capture).
    fn log_fetch(&mut self, entry: &FetchLog<'_>) -> Result<(), ArchiveError>;

    /// The article with this canonical URL, if archived.
    fn article(&self, canonical_url: &str) -> Result<Option<ArticleRow>, ArchiveError>;

    /// All versions of an article, ascending seq (empty if the article is unknown).
    fn versions(&self, canonical_url: &str) -> Result<Vec<VersionRow>, ArchiveError>;

    /// The document of version `seq`, verified against its content hash.
    fn document(&self, canonical_url: &str, seq: u32) -> Result<Option<String>, ArchiveError>;

    /// The document of the latest version that has one (removal tombstones are skipped, so a
    /// removed article still yields its last known text), verified against its content hash.
    fn latest_document(&self, canonical_url: &str) -> Result<Option<String>, ArchiveError>;

    /// The raw response bytes of version `seq`, decompressed and verified against their hash.
    /// `None` if there is no such version or it has no raw capture (imports, removals).
    fn raw_capture(&self, canonical_url: &str, seq: u32) -> Result<Option<Vec<u8>>, ArchiveError>;

    /// The blob with this hash, decompressed and verified. A missing blob is an error.
    fn blob(&self, hash: &str) -> Result<Vec<u8>, ArchiveError>;

    /// The fetch log of a URL, matched as the requested URL or as the canonical URL,
    /// oldest first.
    fn fetch_log(&self, url: &str) -> Result<Vec<FetchRow>, ArchiveError>;

    /// Row counts: (articles, versions, blobs).
    fn counts(&self) -> Result<(u64, u64, u64), ArchiveError>;

    /// Checks the stored data; any problem is reported as [`ArchiveError::Corrupt`]. SQLite:
    /// `PRAGMA integrity_check` and `PRAGMA foreign_key_check`; PostgreSQL: versions run
    /// 1..latest_seq, every blob and document verifies against its hash. Reads everything:
    /// slow on big archives.
    fn integrity_check(&self) -> Result<(), ArchiveError>;
}

/// Re-checking articles: removals, the revisit schedule, history details, reprocessing.
pub trait Checks {
    /// Records that `canonical_url` was seen removed. The removal is confirmed, as a version
    /// of kind "removed" keeping the status, final URL, signal and the page served in the
    /// article's place, once it has been seen `confirmations` times over at least
    /// `confirm_after`; until then only the pending count grows. One transaction.
    fn record_removal(
        &mut self,
        canonical_url: &str,
        sighting: &RemovalSighting<'_>,
        confirmations: u32,
        confirm_after: Duration,
    ) -> Result<RemovalState, ArchiveError>;

    /// The latest version that has a document (not a removal): its seq and document.
    fn latest_version_with_content(
        &self,
        canonical_url: &str,
    ) -> Result<Option<(u32, String)>, ArchiveError>;

    /// Notes a check that found the article unchanged without a body (HTTP 304).
    fn touch_checked(&mut self, canonical_url: &str, at: DateTime<Utc>)
    -> Result<(), ArchiveError>;

    /// Sets when the article is next due for a check.
    fn set_next_check(
        &mut self,
        canonical_url: &str,
        at: DateTime<Utc>,
    ) -> Result<(), ArchiveError>;

    /// Articles due for a check at `now`, most overdue first: never-scheduled ones (imports),
    /// then those whose `next_check_at` has passed. Both are read in order from the
    /// `next_check_at` index and stop at `limit`, whatever the size of the archive.
    fn due_articles(
        &self,
        now: DateTime<Utc>,
        site: Option<&str>,
        limit: usize,
    ) -> Result<Vec<String>, ArchiveError>;

    /// A page of all articles (optionally of one site), in id order after `after_id`.
    fn articles_page(
        &self,
        site: Option<&str>,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<(i64, String)>, ArchiveError>;

    /// Canonical URLs of the articles a person's key names: a canonical URL, or a site's
    /// article id (which several sites may share).
    fn find_articles(&self, key: &str) -> Result<Vec<String>, ArchiveError>;

    /// Every version of an article with its history details, ascending.
    fn version_details(&self, canonical_url: &str) -> Result<Vec<VersionDetail>, ArchiveError>;

    /// What the revisit schedule is computed from.
    fn schedule_inputs(&self, canonical_url: &str) -> Result<Option<ScheduleInputs>, ArchiveError>;

    /// A page of fetched versions that have a raw capture, after `after_version_id`.
    fn reprocess_page(
        &self,
        site: Option<&str>,
        after_version_id: i64,
        limit: usize,
    ) -> Result<Vec<ReprocessItem>, ArchiveError>;

    /// Records that the current extractor re-derived the same document for a version.
    fn set_extractor(&mut self, version_id: i64, extractor: &str) -> Result<(), ArchiveError>;

    /// Records whether version `seq`'s publish time was found on the page (see migration 6).
    fn set_date_found(
        &mut self,
        canonical_url: &str,
        seq: u32,
        found: bool,
    ) -> Result<(), ArchiveError>;

    /// Replaces a version's document with one re-derived by `extractor`, keeping the old one
    /// in `superseded_documents`. One transaction.
    fn replace_document(
        &mut self,
        version_id: i64,
        document: &str,
        title: &str,
        published: &str,
        extractor: &str,
        at: DateTime<Utc>,
    ) -> Result<(), ArchiveError>;

    /// Re-classifies version `seq` after its document or its predecessor's was re-derived:
    /// an "edit" that no longer changes what the article says becomes "minor". Never makes an
    /// edit: re-deriving documents is not a change of the article.
    fn downgrade_to_minor(&mut self, canonical_url: &str, seq: u32) -> Result<bool, ArchiveError>;

    /// Stores the diff of version `seq` against its predecessor (JSON).
    fn set_diff(
        &mut self,
        canonical_url: &str,
        seq: u32,
        diff: Option<&str>,
    ) -> Result<(), ArchiveError>;

    /// Number of documents replaced by reprocessing (for reports and tests).
    fn superseded_count(&self) -> Result<u64, ArchiveError>;
}

/// What the feeds and the web UI read, one keyset page at a time.
pub trait Feeds {
    /// Newest archived articles first (optionally of one site), below row id `before`.
    /// `with_documents` also reads (and verifies) each latest document.
    fn article_summaries(
        &self,
        site: Option<&str>,
        before: Option<i64>,
        limit: usize,
        with_documents: bool,
    ) -> Result<Vec<ArticleSummary>, ArchiveError>;

    /// See [`Self::article_summaries`]: the cursor of the newer page.
    fn articles_newer_cursor(
        &self,
        site: Option<&str>,
        after: i64,
        limit: usize,
    ) -> Result<Option<i64>, ArchiveError>;

    /// Whether any article of this site is archived.
    fn site_exists(&self, site: &str) -> Result<bool, ArchiveError>;

    /// One article by site key and the site's article id, with its latest document; an
    /// id of the form `_<row id>` names an article that has no site id.
    fn article_summary(
        &self,
        site: &str,
        site_article_id: &str,
    ) -> Result<Option<ArticleSummary>, ArchiveError>;

    /// The latest removals of articles that are still removed (optionally of one site),
    /// newest first, at most `limit`, read from the removals index.
    fn recent_removals(
        &self,
        site: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ArticleSummary>, ArchiveError>;

    /// The changes feed: every version except minor ones, newest first, below version row
    /// id `before`, read from the events index.
    fn change_events(
        &self,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<VersionEvent>, ArchiveError>;

    /// See [`Self::change_events`]: the cursor of the newer page.
    fn changes_newer_cursor(&self, after: i64, limit: usize) -> Result<Option<i64>, ArchiveError>;

    /// One article's history, every version (minor ones included), newest first, below seq
    /// `before`.
    fn history_events(
        &self,
        article_id: i64,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<VersionEvent>, ArchiveError>;

    /// See [`Self::history_events`]: the cursor of the newer page.
    fn history_newer_cursor(
        &self,
        article_id: i64,
        after: i64,
        limit: usize,
    ) -> Result<Option<i64>, ArchiveError>;

    /// Row counts for the status page.
    fn stats(&self) -> Result<ArchiveStats, ArchiveError>;

    /// The latest rows of the fetch log, newest first.
    fn recent_fetches(&self, limit: usize) -> Result<Vec<FetchRow>, ArchiveError>;

    /// A number that grows with every committed change to what the feeds, the web UI and the
    /// API show (articles, versions, raw captures, the fetch log, sources, the queue), whoever
    /// wrote it; never smaller than before. The server's validators and cached documents are
    /// keyed by it. One cheap read.
    fn change_counter(&self) -> Result<u64, ArchiveError>;

    /// Like [`Self::change_counter`], but it grows only with what the feeds show (articles and
    /// their versions), not with the fetch log, sources or the queue: the feeds' validator.
    fn content_counter(&self) -> Result<u64, ArchiveError>;

    /// What is known of version `seq`'s raw capture without reading it: its hash, size,
    /// content type and capture time. `None` if there is no such version or it has no raw
    /// capture (imports, removals).
    fn raw_capture_info(
        &self,
        canonical_url: &str,
        seq: u32,
    ) -> Result<Option<RawCaptureInfo>, ArchiveError>;
}

/// Sources and the daemon's work queue.
pub trait Queue {
    /// Makes sure a configured source has its row; returns its stored polling state.
    fn register_source(&mut self, name: &str, kind: &str) -> Result<SourceRow, ArchiveError>;

    /// Queues what a poll found, in one transaction, and records the poll. Items already
    /// queued or archived are not queued again. Returns how many were new.
    fn record_poll(
        &mut self,
        source: &str,
        items: &[ToQueue<'_>],
        poll: &PollRecord,
    ) -> Result<u64, ArchiveError>;

    /// Pending queue items whose retry time has come, oldest first, leased or not: a look at
    /// the queue. Workers take items with [`Leases::claim_queue`].
    fn pending_queue(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<QueueItem>, ArchiveError>;

    /// When the next pending item becomes due (None: nothing pending).
    fn next_queue_time(&self) -> Result<Option<Option<String>>, ArchiveError>;

    /// Marks a queued item after an attempt, whoever holds it (workers settle the items they
    /// claimed with [`Leases::finish_claimed`]).
    fn finish_queued(
        &mut self,
        id: i64,
        state: &QueueState,
        outcome: &str,
        at: DateTime<Utc>,
    ) -> Result<(), ArchiveError>;

    fn queue_counts(&self) -> Result<QueueCounts, ArchiveError>;

    /// Every source with its polling state and queue counts.
    fn sources_status(&self) -> Result<Vec<SourceStatus>, ArchiveError>;
}

/// Streaming every article or raw capture out (export, WARC).
pub trait Exports {
    /// Calls `f` with every article (of one site, if given) and its chosen version's document,
    /// in archive order, until `f` breaks. Removal tombstones are never chosen: a removed
    /// article gives its last (or first) good version. (Callers use
    /// [`Archive::for_each_document`].)
    fn each_document(
        &self,
        site: Option<&str>,
        choice: VersionChoice,
        f: &mut dyn FnMut(ArticleDocument) -> ControlFlow<()>,
    ) -> Result<(), ArchiveError>;

    /// Calls `f` with the raw capture of every fetched version that has one (of one site, if
    /// given), oldest capture first, until `f` breaks. Each blob is decompressed and verified;
    /// a missing or corrupt blob is an error. (Callers use [`Archive::for_each_raw_capture`].)
    fn each_raw_capture(
        &self,
        site: Option<&str>,
        f: &mut dyn FnMut(RawCapture) -> ControlFlow<()>,
    ) -> Result<(), ArchiveError>;

    /// Number of articles (of one site, if given).
    fn count_articles(&self, site: Option<&str>) -> Result<u64, ArchiveError>;

    /// Number of fetched versions with a raw capture (of one site, if given).
    fn count_raw_captures(&self, site: Option<&str>) -> Result<u64, ArchiveError>;

    /// Number of rows of a table (`newsvault copy`, see [`crate::archive::copy`]).
    fn count_rows(&self, table: &TableSpec) -> Result<u64, ArchiveError>;

    /// A page of a table's rows, every column of `table` in its order, in key order after
    /// the key `after` (from the start when `None`).
    fn rows_page(
        &self,
        table: &TableSpec,
        after: Option<&CopyValue>,
        limit: usize,
    ) -> Result<Vec<Vec<CopyValue>>, ArchiveError>;
}

/// Importing documents from Hugo archives.
pub trait Imports {
    /// Imports `records` in ONE transaction (callers batch files, e.g. 500 at a time: one
    /// transaction per file would be dominated by syncs). Records are applied in order, so two
    /// files of the same article in one batch become consecutive versions. On error nothing of
    /// the batch is stored.
    fn import_documents(
        &mut self,
        records: &[ImportRecord<'_>],
    ) -> Result<Vec<Imported>, ArchiveError>;

    /// The source file of an imported version (`None` for other versions or unknown ones).
    fn import_path(&self, canonical_url: &str, seq: u32) -> Result<Option<String>, ArchiveError>;

    /// Loads rows read by [`Exports::rows_page`], ids kept, in one transaction; a row whose
    /// key (or another unique column) is already there is skipped. Returns how many were new.
    fn load_rows(
        &mut self,
        table: &TableSpec,
        rows: &[Vec<CopyValue>],
    ) -> Result<u64, ArchiveError>;

    /// Ends a load: new rows' ids continue after the highest loaded one.
    fn finish_load(&mut self) -> Result<(), ArchiveError>;
}

/// Full-text search (see [`crate::archive::search`]). The index is written by the calls that
/// write versions, in their transaction; these only read it, or build it again.
pub trait Search {
    /// The newest matches of `query` in `scope` (of one site, if given), at most `limit`, in
    /// no particular order, each with the backend's rank.
    fn search_candidates(
        &self,
        query: &crate::search::Query,
        scope: SearchScope,
        site: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SearchCandidate>, ArchiveError>;

    /// The version a candidate names, with its article (`None` if it is gone).
    fn found_version(
        &self,
        candidate: &SearchCandidate,
    ) -> Result<Option<FoundVersion>, ArchiveError>;

    /// Builds both indexes again from the stored versions, in one transaction (readers see
    /// the old index or the new one), and moves the change counter so that cached search
    /// answers are built again.
    fn rebuild_search_index(&mut self) -> Result<IndexCounts, ArchiveError>;
}

/// The images each version's document shows (see [`crate::archive::images`]).
pub trait Images {
    /// Records what fetching images of version `seq` came to, in ONE transaction: the bytes
    /// of each `ok` one as a blob (stored uncompressed: images are compressed already;
    /// deduplicated by hash) and its row. A URL the version already has is updated, its
    /// attempts counted, unless it is `ok`: an archived copy is never replaced. An unknown
    /// article or version is an error.
    fn record_images(
        &mut self,
        canonical_url: &str,
        seq: u32,
        images: &[NewImage],
    ) -> Result<(), ArchiveError>;

    /// The images of version `seq`, in position order (empty when none were recorded).
    fn version_images(&self, canonical_url: &str, seq: u32) -> Result<Vec<ImageRow>, ArchiveError>;

    /// The archived copies of the article's images, of any of its versions: one `ok` row per
    /// URL (the latest), in URL order.
    fn archived_images(&self, canonical_url: &str) -> Result<Vec<ImageRow>, ArchiveError>;

    /// The content type and verified bytes of the blob `hash`, if an archived image is that
    /// blob: `None` for any other blob (a raw capture is never served as an image).
    fn image_blob(&self, hash: &str) -> Result<Option<(String, Vec<u8>)>, ArchiveError>;

    /// Calls `f` with every archived image (of one site's articles, if given): one per
    /// distinct URL and bytes, first capture first, until `f` breaks.
    fn each_image(
        &self,
        site: Option<&str>,
        f: &mut dyn FnMut(ArchivedImage) -> ControlFlow<()>,
    ) -> Result<(), ArchiveError>;
}

/// The visual capture of versions (see [`crate::archive::screenshots`]).
pub trait Screenshots {
    /// Records an attempt at a visual capture of version `seq`, its image stored as a blob
    /// (deduplicated by hash, uncompressed), in one transaction. A later attempt of the same
    /// kind replaces the version's row (the image blob stays). Returns the version's row id.
    fn record_screenshot(
        &mut self,
        canonical_url: &str,
        seq: u32,
        shot: &NewScreenshot<'_>,
    ) -> Result<i64, ArchiveError>;

    /// Every recorded attempt for an article's versions, by seq then kind.
    fn screenshots(&self, canonical_url: &str) -> Result<Vec<ScreenshotRow>, ArchiveError>;

    /// The image of a version's successful capture of this kind, verified against its hash
    /// (`None` when there is no successful one).
    fn screenshot_image(
        &self,
        version_id: i64,
        kind: ShotKind,
    ) -> Result<Option<Vec<u8>>, ArchiveError>;
}

/// Everything an archive backend provides.
pub trait Store:
    Versions
    + Checks
    + Feeds
    + Queue
    + Exports
    + Imports
    + Leases
    + HostGates
    + Search
    + Images
    + Screenshots
    + Send
{
}

impl<
    T: Versions
        + Checks
        + Feeds
        + Queue
        + Exports
        + Imports
        + Leases
        + HostGates
        + Search
        + Images
        + Screenshots
        + Send,
> Store for T
{
}

/// An open archive, of whichever backend: dereferences to its [`Store`]. Open one with
/// [`super::connect`].
pub struct Archive {
    store: Box<dyn Store>,
}

impl std::fmt::Debug for Archive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Archive")
    }
}

impl std::ops::Deref for Archive {
    type Target = dyn Store;
    fn deref(&self) -> &(dyn Store + 'static) {
        &*self.store
    }
}

impl std::ops::DerefMut for Archive {
    fn deref_mut(&mut self) -> &mut (dyn Store + 'static) {
        &mut *self.store
    }
}

impl Archive {
    /// Wraps a backend.
    pub fn new(store: impl Store + 'static) -> Archive {
        Archive {
            store: Box::new(store),
        }
    }

    /// Opens the archive at `path` read-write, creating it if missing (see
    /// [`super::connect`]).
    pub fn open(path: &Path) -> Result<Archive, ArchiveError> {
        super::connect(path, Mode::ReadWrite)
    }

    /// Opens an existing archive for reading only, at exactly this code's schema version (the
    /// web server's reader connections, beside a writer that upgraded it).
    pub fn open_read_only(path: &Path) -> Result<Archive, ArchiveError> {
        match super::Location::of(path) {
            super::Location::Postgres(url) => {
                PostgresArchive::connect(&url, Mode::ReadOnly).map(Archive::new)
            }
            super::Location::Sqlite(_) => SqliteArchive::open_read_only(path).map(Archive::new),
        }
    }

    /// A fresh, empty archive in memory (tests, dry runs).
    pub fn open_in_memory() -> Result<Archive, ArchiveError> {
        SqliteArchive::open_in_memory().map(Archive::new)
    }

    /// Runs `f` as one unit of work inside an open group (see [`Versions::begin_group`]): all
    /// its writes are kept, or, when it fails, none of them.
    pub fn in_unit<T>(
        &mut self,
        f: impl FnOnce(&mut Archive) -> Result<T, ArchiveError>,
    ) -> Result<T, ArchiveError> {
        self.begin_unit()?;
        let result = f(self);
        self.end_unit(result.is_ok())?;
        result
    }

    /// Calls `f` with every article and its chosen version's document (see
    /// [`Exports::each_document`]). Stops at the first error, `f`'s or the archive's.
    pub fn for_each_document<E: From<ArchiveError>>(
        &self,
        site: Option<&str>,
        choice: VersionChoice,
        mut f: impl FnMut(ArticleDocument) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut failed = None;
        self.each_document(site, choice, &mut |article| {
            stop_on_error(f(article), &mut failed)
        })?;
        failed.map_or(Ok(()), Err)
    }

    /// Calls `f` with every archived image (see [`Images::each_image`]). Stops at the first
    /// error, `f`'s or the archive's.
    pub fn for_each_image<E: From<ArchiveError>>(
        &self,
        site: Option<&str>,
        mut f: impl FnMut(ArchivedImage) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut failed = None;
        self.each_image(site, &mut |image| stop_on_error(f(image), &mut failed))?;
        failed.map_or(Ok(()), Err)
    }

    /// Calls `f` with every raw capture (see [`Exports::each_raw_capture`]). Stops at the
    /// first error, `f`'s or the archive's.
    pub fn for_each_raw_capture<E: From<ArchiveError>>(
        &self,
        site: Option<&str>,
        mut f: impl FnMut(RawCapture) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut failed = None;
        self.each_raw_capture(site, &mut |capture| stop_on_error(f(capture), &mut failed))?;
        failed.map_or(Ok(()), Err)
    }
}

/// Keeps a callback's error and asks the backend to stop.
fn stop_on_error<E>(result: Result<(), E>, failed: &mut Option<E>) -> ControlFlow<()> {
    match result {
        Ok(()) => ControlFlow::Continue(()),
        Err(e) => {
            *failed = Some(e);
            ControlFlow::Break(())
        }
    }
}

/// Several workers (daemons) on one archive: a queue item or a source poll is worked on by the
/// worker that holds its lease. A lease ends at a time; a worker that dies loses its leases
/// then, and the others take the work over. Workers are named by the caller (unique per
/// process); times come from the caller's clock.
pub trait Leases {
    /// Claims up to `limit` pending queue items whose retry time has come and that no live
    /// lease holds, oldest first, for `worker` until `until`. Atomic: two workers never get
    /// the same item.
    fn claim_queue(
        &mut self,
        worker: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<QueueItem>, ArchiveError>;

    /// Extends to `until` the leases `worker` holds on these unsettled items (the heartbeat of
    /// a working daemon; an item no longer worked on is left to run out). Returns how many
    /// were extended.
    fn renew_claims(
        &mut self,
        worker: &str,
        ids: &[i64],
        until: DateTime<Utc>,
    ) -> Result<u64, ArchiveError>;

    /// Marks a queued item after `worker`'s attempt, as [`Queue::finish_queued`] does, only if
    /// `worker` still holds its lease (expired or not, as long as no other worker claimed it
    /// since). False: nothing was written, the item is another worker's now.
    fn finish_claimed(
        &mut self,
        worker: &str,
        id: i64,
        state: &QueueState,
        outcome: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, ArchiveError>;

    /// Ends every lease `worker` holds on an unsettled item, so others may take them at once
    /// (a graceful stop); with no worker, every lease on an unsettled item (a daemon alone on
    /// its archive: a lease still set was left by a process that died).
    fn release_claims(&mut self, worker: Option<&str>) -> Result<u64, ArchiveError>;

    /// A page of queue items with their claims (for `status` and tests), in id order after
    /// `after_id`.
    fn queue_entries(&self, after_id: i64, limit: usize) -> Result<Vec<QueueEntry>, ArchiveError>;

    /// Claims up to `limit` articles due for a check at `now` (as [`Checks::due_articles`]
    /// orders them) by moving their next check to `until`: no other worker picks them up
    /// meanwhile, and the check, once made, schedules the next one. If the worker dies, they
    /// fall due again at `until`.
    fn claim_due_articles(
        &mut self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<String>, ArchiveError>;

    /// Claims the poll of `source` for `worker` until `until`, if its poll is due at `now`
    /// and no other worker holds it.
    fn claim_source_poll(
        &mut self,
        source: &str,
        worker: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<SourcePoll, ArchiveError>;

    /// Ends `worker`'s lease on the poll of `source` (after its poll is recorded).
    fn release_source_poll(&mut self, source: &str, worker: &str) -> Result<(), ArchiveError>;
}

/// Per-host politeness kept in the archive, so that every worker sharing it obeys one
/// interval, one concurrency cap, one Retry-After back-off and one robots.txt per host.
pub trait HostGates {
    /// Sets this connection up for gates only (bookings, back-offs, robots.txt): its commits
    /// need not reach the disk before they return, since a booking lost to a power cut costs
    /// nothing. Never call it on a connection that stores articles.
    fn use_for_gates(&mut self) -> Result<(), ArchiveError>;

    /// Books the start of a request, atomically, when fewer than the host's concurrency of
    /// granted requests are in flight: at the host's next allowed start, or `lead` from now
    /// if that is later; the next allowed start becomes the booked start plus the interval.
    /// Otherwise says how long to wait.
    fn reserve_host(&mut self, request: &HostRequest<'_>) -> Result<HostGrant, ArchiveError>;

    /// Ends a granted request (its slot stops counting against the concurrency).
    fn release_host_slot(&mut self, slot: i64) -> Result<(), ArchiveError>;

    /// Moves the host's next allowed start to at least `until` (Retry-After); never earlier.
    fn push_back_host(&mut self, host: &str, until: DateTime<Utc>) -> Result<(), ArchiveError>;

    /// The shared robots.txt answer of `origin`, if one has not expired at `now`.
    fn shared_robots(
        &self,
        origin: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<RobotsRecord>, ArchiveError>;

    /// Shares a robots.txt answer (replacing the previous one).
    fn share_robots(&mut self, origin: &str, record: &RobotsRecord) -> Result<(), ArchiveError>;
}
