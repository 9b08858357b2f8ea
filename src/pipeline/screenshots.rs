//! The visual capture of each new version (`[capture] screenshot`): after the version's own
//! commit, so a version is never held back or lost because its picture failed. The page is
//! rendered from the raw capture the archive stored, on a blocking thread, and every attempt
//! is recorded with its outcome.

use chrono::Utc;
use url::Url;

use super::Pipeline;
use crate::archive::{Archive, ArchiveError, NewScreenshot, ShotOutcome};
use crate::capture::{self, CaptureError, Plan, Shot};
use crate::document::Document;

impl Pipeline {
    /// Captures version `seq` of `canonical_url` and records the outcome. Failures are
    /// recorded (and logged), never returned: the version is already archived.
    pub(super) async fn capture_version(&self, canonical_url: String, seq: u32) {
        let url = canonical_url.clone();
        let plan = match self.with_archive(move |a| plan_for(a, &url, seq)).await {
            Ok(Some(plan)) => plan,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!("{canonical_url} version {seq}: no screenshot: {e}");
                return;
            }
        };
        let (config, policy) = (self.config.capture.clone(), self.capture_policy.clone());
        let shots =
            tokio::task::spawn_blocking(move || capture::capture(&plan, &config, &policy)).await;
        let shots = match shots {
            Ok(shots) => shots,
            Err(e) => {
                tracing::warn!("{canonical_url} version {seq}: the screenshot task failed: {e}");
                return;
            }
        };
        for shot in shots.iter().filter(|s| s.result.is_err()) {
            tracing::warn!(
                "{canonical_url} version {seq}: {} screenshot {}: {}",
                shot.kind,
                outcome_of(shot),
                self.detail_of(shot)
            );
        }
        let details: Vec<String> = shots.iter().map(|s| self.detail_of(s)).collect();
        let url = canonical_url.clone();
        let recorded = self
            .with_archive(move |a| record(a, &url, seq, &shots, &details))
            .await;
        if let Err(e) = recorded {
            tracing::warn!("{canonical_url} version {seq}: the screenshot was not recorded: {e}");
        }
    }

    /// What is recorded of an attempt: why it failed, or what was cut.
    fn detail_of(&self, shot: &Shot) -> String {
        match &shot.result {
            Ok(picture) => picture.note.clone(),
            Err(e @ CaptureError::TimedOut) => format!(
                "{e} ([capture] timeout {})",
                humantime::format_duration(self.config.capture.timeout)
            ),
            Err(e) => e.to_string(),
        }
    }
}

fn outcome_of(shot: &Shot) -> ShotOutcome {
    match &shot.result {
        Ok(_) => ShotOutcome::Ok,
        Err(e) => e.outcome(),
    }
}

/// The version as it was served: its raw bytes, content type and final address, and the
/// hosts of its document's images. `None` for a version without a raw capture.
fn plan_for(a: &mut Archive, canonical_url: &str, seq: u32) -> Result<Option<Plan>, ArchiveError> {
    let Some(body) = a.raw_capture(canonical_url, seq)? else {
        return Ok(None);
    };
    let content_type = a
        .raw_capture_info(canonical_url, seq)?
        .and_then(|info| info.content_type)
        .unwrap_or_else(|| "text/html".to_owned());
    let final_url = a
        .versions(canonical_url)?
        .into_iter()
        .find(|v| v.seq == seq)
        .and_then(|v| v.final_url)
        .unwrap_or_else(|| canonical_url.to_owned());
    let Ok(page_url) = Url::parse(&final_url) else {
        return Ok(None);
    };
    // A version whose document cannot be read is still pictured, with no image host allowed.
    let image_hosts = a
        .document(canonical_url, seq)?
        .and_then(|text| Document::parse(&text).ok())
        .map(|document| capture::image_hosts(&document))
        .unwrap_or_default();
    Ok(Some(Plan {
        page_url,
        body,
        content_type,
        image_hosts,
    }))
}

fn record(
    a: &mut Archive,
    canonical_url: &str,
    seq: u32,
    shots: &[Shot],
    details: &[String],
) -> Result<(), ArchiveError> {
    let captured_at = Utc::now();
    for (shot, detail) in shots.iter().zip(details) {
        let picture = shot.result.as_ref().ok();
        a.record_screenshot(
            canonical_url,
            seq,
            &NewScreenshot {
                kind: shot.kind,
                outcome: outcome_of(shot),
                image: picture.map(|p| p.bytes.as_slice()),
                width: picture.and_then(|p| p.size).map(|(w, _)| w),
                height: picture.and_then(|p| p.size).map(|(_, h)| h),
                detail,
                took_ms: shot.took_ms,
                captured_at,
            },
        )?;
    }
    Ok(())
}
