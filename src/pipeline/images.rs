//! The images of a stored version: fetched after the version is committed (a version is never
//! held back by its images), through the pipeline's fetcher (per-host limits, robots.txt,
//! the target policy, timeouts), each capped in size, typed by its bytes, and recorded with
//! its outcome in one unit of work per article. What failed is tried again at the article's
//! next check; what an earlier version of the article already archived is reused unfetched.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;

use crate::archive::{Archive, ArchiveError, ImageOutcome, ImageRow, NewImage};
use crate::config::ArchiveConfig;
use crate::document::Document;
use crate::fetch::{FetchError, Fetcher};
use crate::media::{DocumentImage, document_images, sniff_image};

/// The image work running beside the pipeline: bounded, and waited for by [`Self::finish`].
#[derive(Clone)]
pub(super) struct ImageWork {
    tracker: TaskTracker,
    /// Articles whose images are fetched at once: past that, reporting the next archived
    /// article waits for a slot, so unfinished image work never piles up.
    slots: Arc<Semaphore>,
}

impl ImageWork {
    pub(super) fn new(articles_at_once: usize) -> Self {
        Self {
            tracker: TaskTracker::new(),
            slots: Arc::new(Semaphore::new(articles_at_once.max(1))),
        }
    }

    /// Runs `work` in the background once a slot is free.
    pub(super) async fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        let Ok(permit) = Arc::clone(&self.slots).acquire_owned().await else {
            return;
        };
        self.tracker.spawn(async move {
            work.await;
            drop(permit);
        });
    }

    /// Waits until every image fetch started so far has been recorded.
    pub(super) async fn finish(&self) {
        self.tracker.close();
        self.tracker.wait().await;
        self.tracker.reopen();
    }
}

/// Which version's images to fetch.
pub(super) struct ImageJob {
    pub canonical_url: String,
    /// The version and its document, when the capture just stored gave them; otherwise the
    /// latest version with a document (a check answered 304).
    pub version: Option<(u32, Document)>,
}

/// What is known before fetching: the version, its images, and what is archived already.
struct Plan {
    seq: u32,
    images: Vec<DocumentImage>,
    this_version: Vec<ImageRow>,
    earlier: Vec<ImageRow>,
}

fn plan(a: &mut Archive, job: &ImageJob) -> Result<Option<Plan>, ArchiveError> {
    let (seq, images) = match &job.version {
        Some((seq, document)) => (*seq, document_images(document)),
        None => match a.latest_version_with_content(&job.canonical_url)? {
            Some((seq, text)) => match Document::parse(&text) {
                Ok(document) => (seq, document_images(&document)),
                Err(_) => return Ok(None),
            },
            None => return Ok(None),
        },
    };
    if images.is_empty() {
        return Ok(None);
    }
    Ok(Some(Plan {
        seq,
        this_version: a.version_images(&job.canonical_url, seq)?,
        earlier: a.archived_images(&job.canonical_url)?,
        images,
    }))
}

/// Fetches and records the images of one version; errors are logged, never raised: the
/// version is stored whatever becomes of its images.
pub(super) async fn fetch_version_images(
    pipeline: super::Pipeline,
    job: ImageJob,
    caps: ArchiveConfig,
) {
    let url = job.canonical_url.clone();
    let planned = pipeline.with_archive(move |a| plan(a, &job)).await;
    let plan = match planned {
        Ok(Some(plan)) => plan,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(%url, "cannot read the archived images: {e}");
            return;
        }
    };
    let seq = plan.seq;
    let records = gather(pipeline.image_fetcher(), plan, &caps).await;
    if records.is_empty() {
        return;
    }
    let stored = pipeline
        .committer
        .commit({
            let url = url.clone();
            move |a| a.record_images(&url, seq, &records)
        })
        .await;
    if let Err(e) = stored {
        tracing::warn!(%url, "cannot store the images of version {seq}: {e}");
    }
}

/// The rows to record: the images not yet archived for this version, each reused from an
/// earlier version or fetched, within the article's byte budget.
async fn gather(fetcher: &Fetcher, plan: Plan, caps: &ArchiveConfig) -> Vec<NewImage> {
    let done = |url: &str| {
        plan.this_version
            .iter()
            .find(|row| row.url == url && row.outcome == ImageOutcome::Ok)
    };
    let mut spent: u64 = plan
        .this_version
        .iter()
        .filter(|row| row.outcome == ImageOutcome::Ok)
        .filter_map(|row| row.size)
        .sum();
    let mut records = Vec::new();
    for image in &plan.images {
        if done(&image.url).is_some() {
            continue;
        }
        if let Some(copy) = plan.earlier.iter().find(|row| row.url == image.url) {
            records.push(reuse(image, copy));
            continue;
        }
        let left = caps.images_max_bytes_per_article.saturating_sub(spent);
        let record = fetch_one(fetcher, image, caps.image_max_bytes.min(left)).await;
        spent += record.bytes.as_ref().map_or(0, |b| b.len() as u64);
        records.push(record);
    }
    records
}

/// An earlier version's archived copy of the same URL: the same blob, not fetched again.
fn reuse(image: &DocumentImage, copy: &ImageRow) -> NewImage {
    NewImage {
        position: image.position,
        role: image.role,
        url: image.url.clone(),
        outcome: ImageOutcome::Ok,
        content_type: copy.content_type.clone(),
        bytes: None,
        blob_hash: copy.blob_hash.clone(),
        size: copy.size,
        detail: String::new(),
        fetched_at: Utc::now(),
    }
}

/// Fetches one image, at most `max_bytes`, and says what it came to.
async fn fetch_one(fetcher: &Fetcher, image: &DocumentImage, max_bytes: u64) -> NewImage {
    let mut record = NewImage {
        position: image.position,
        role: image.role,
        url: image.url.clone(),
        outcome: ImageOutcome::Failed,
        content_type: None,
        bytes: None,
        blob_hash: None,
        size: None,
        detail: String::new(),
        fetched_at: Utc::now(),
    };
    if max_bytes == 0 {
        record.outcome = ImageOutcome::TooLarge;
        record.detail = "the article's image budget is spent".into();
        return record;
    }
    let Ok(url) = url::Url::parse(&image.url) else {
        record.detail = "not a valid URL".into();
        return record;
    };
    let fetched = match fetcher.get_image(&url, max_bytes).await {
        Ok(fetched) => fetched,
        Err(e) => {
            record.outcome = outcome_of(&e);
            record.detail = e.to_string();
            return record;
        }
    };
    record.fetched_at = fetched.fetched_at;
    record.size = Some(fetched.body.len() as u64);
    record.content_type = fetched.content_type.clone();
    if !(200..300).contains(&fetched.status) {
        record.detail = format!("HTTP {} from {}", fetched.status, fetched.final_url);
        return record;
    }
    match sniff_image(&fetched.body) {
        Some(kind) => {
            record.outcome = ImageOutcome::Ok;
            record.content_type = Some(kind.to_owned());
            record.bytes = Some(fetched.body);
        }
        None => {
            record.outcome = ImageOutcome::NotImage;
            record.detail = format!(
                "served as {}, but the bytes are not an image of a kept type",
                fetched.content_type.as_deref().unwrap_or("no Content-Type")
            );
        }
    }
    record
}

fn outcome_of(e: &FetchError) -> ImageOutcome {
    match e {
        FetchError::TooLarge { .. } => ImageOutcome::TooLarge,
        FetchError::TargetRefused { .. } | FetchError::RobotsDisallowed { .. } => {
            ImageOutcome::Refused
        }
        _ => ImageOutcome::Failed,
    }
}
