//! When to check an archived article again: young and changing articles often, old and stable
//! ones rarely (the tiers of `[check] schedule`), a pending removal when it can be confirmed,
//! and a failed check soon.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

use crate::archive::ScheduleInputs;
use crate::config::{ArchiveConfig, CheckConfig};
use crate::render::parse_stored_time;
use crate::sites::Site;

/// How the check just made went, as far as the schedule cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckResult {
    /// The article was read (changed or not) or found unmodified.
    Read,
    /// A removal was seen but not yet confirmed.
    RemovalPending,
    /// A transient failure or a block page: nothing learnt.
    Failed,
}

/// The next check time after a check at `now`.
pub fn next_check(
    now: DateTime<Utc>,
    inputs: &ScheduleInputs,
    result: CheckResult,
    check: &CheckConfig,
    archive: &ArchiveConfig,
) -> DateTime<Utc> {
    let published = publication_time(&inputs.published, &inputs.site)
        .or_else(|| parse_stored_time(&inputs.first_seen_at))
        .unwrap_or(now);
    // The first capture is not a change: only later versions make an article young again.
    let changed = if inputs.latest_seq > 1 {
        parse_stored_time(&inputs.last_changed_at).unwrap_or(published)
    } else {
        published
    };
    let age = (now - published.max(changed)).to_std().unwrap_or_default();
    let every = check
        .schedule
        .iter()
        .find(|tier| age < tier.younger_than)
        .map_or(check.otherwise, |tier| tier.every);
    let mut next = later(now, every);
    match result {
        CheckResult::Read => {}
        CheckResult::Failed => {
            let soon = later(now, check.retry_failed_after);
            next = next.min(soon);
        }
        CheckResult::RemovalPending => {
            // Come back when the removal can be confirmed, not a month later.
            let since = inputs
                .removal_pending_since
                .as_deref()
                .and_then(parse_stored_time)
                .unwrap_or(now);
            let confirm = later(since, archive.removal_confirm_after);
            next = next.min(confirm.max(later(now, std::time::Duration::from_secs(60))));
        }
    }
    next
}

/// `at` plus `d`, saturating at the end of the time chrono can represent (durations come
/// from the configuration and from what sites send: never a panic).
pub fn later(at: DateTime<Utc>, d: std::time::Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// A document's `date` (site-local wall time, no offset) as an instant, in the zone of the
/// site's module (Beijing time for Tencent News), UTC for other sites (an error of hours only
/// matters for the first tier, and then errs towards checking more often).
fn publication_time(date: &str, site: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(date.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    let offset = Site::from_key(site)
        .map(|s| s.utc_offset())
        .unwrap_or(FixedOffset::east_opt(0)?);
    offset
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(published: &str, changed: &str) -> ScheduleInputs {
        ScheduleInputs {
            site: "qq".into(),
            published: published.into(),
            first_seen_at: "2025-01-01T00:00:00.000Z".into(),
            last_changed_at: changed.into(),
            latest_seq: 2,
            removal_pending_since: None,
        }
    }

    fn minutes_until(now: &str, i: &ScheduleInputs, result: CheckResult) -> i64 {
        let now = parse_stored_time(now).unwrap();
        (next_check(
            now,
            i,
            result,
            &CheckConfig::default(),
            &ArchiveConfig::default(),
        ) - now)
            .num_minutes()
    }

    #[test]
    fn young_articles_often_old_ones_rarely() {
        // Published 07:03 Beijing = 23:03 UTC the day before.
        let young = inputs("2025-02-11 07:03:08", "2025-02-10T23:10:00.000Z");
        assert_eq!(
            minutes_until("2025-02-11T00:00:00.000Z", &young, CheckResult::Read),
            15
        );
        assert_eq!(
            minutes_until("2025-02-12T00:00:00.000Z", &young, CheckResult::Read),
            60
        );
        assert_eq!(
            minutes_until("2025-02-20T00:00:00.000Z", &young, CheckResult::Read),
            24 * 60
        );
        assert_eq!(
            minutes_until("2025-04-01T00:00:00.000Z", &young, CheckResult::Read),
            7 * 24 * 60
        );
        assert_eq!(
            minutes_until("2026-01-01T00:00:00.000Z", &young, CheckResult::Read),
            30 * 24 * 60
        );
    }

    #[test]
    fn a_recent_change_makes_an_old_article_young_again() {
        let edited = inputs("2024-01-01 00:00:00", "2025-02-11T00:00:00.000Z");
        assert_eq!(
            minutes_until("2025-02-11T01:00:00.000Z", &edited, CheckResult::Read),
            15
        );
    }

    #[test]
    fn failures_and_pending_removals_come_back_sooner() {
        let old = inputs("2024-01-01 00:00:00", "2024-01-01T00:00:00.000Z");
        assert_eq!(
            minutes_until("2025-02-11T00:00:00.000Z", &old, CheckResult::Failed),
            60
        );
        let mut pending = old.clone();
        pending.removal_pending_since = Some("2025-02-11T00:00:00.000Z".into());
        assert_eq!(
            minutes_until(
                "2025-02-11T00:00:00.000Z",
                &pending,
                CheckResult::RemovalPending
            ),
            6 * 60
        );
    }
}
