//! The visual capture's table on both backends: attempts recorded with their outcome, images
//! stored once as blobs, counted and checked, and carried by `newsvault copy`.

use super::*;
use crate::archive::copy::{CopyProgress, copy_archive};

on_both_backends!(
    screenshots_are_recorded_deduplicated_and_read_back,
    bad_screenshot_records_are_refused_and_store_nothing,
    a_copy_to_the_other_backend_carries_the_screenshots,
);

/// Stands for an image: the archive stores bytes, it does not decode them.
const IMAGE: &[u8] = b"\x89PNG\r\n\x1a\n not really a png, but bytes to keep";

fn shot(
    kind: ShotKind,
    outcome: ShotOutcome,
    image: Option<&[u8]>,
    secs: i64,
) -> NewScreenshot<'_> {
    NewScreenshot {
        kind,
        outcome,
        image,
        width: image.map(|_| 1280),
        height: image.map(|_| 3000),
        detail: if image.is_some() {
            ""
        } else {
            "the page did not finish loading within 30s"
        },
        took_ms: 1234,
        captured_at: at(secs),
    }
}

fn screenshots_are_recorded_deduplicated_and_read_back(backend: Backend) {
    let (mut a, _side) = open(backend);
    a.record_capture(&capture("one", b"<p>one</p>", 0)).unwrap();
    a.record_capture(&capture("two", b"<p>two</p>", 10))
        .unwrap();
    let (_, _, blobs) = a.counts().unwrap();
    let (changes, contents) = (a.change_counter().unwrap(), a.content_counter().unwrap());

    let v1 = a
        .record_screenshot(
            URL,
            1,
            &shot(ShotKind::Png, ShotOutcome::Ok, Some(IMAGE), 1),
        )
        .unwrap();
    // The same picture of another version is stored once.
    let v2 = a
        .record_screenshot(
            URL,
            2,
            &shot(ShotKind::Png, ShotOutcome::Ok, Some(IMAGE), 11),
        )
        .unwrap();
    a.record_screenshot(
        URL,
        2,
        &shot(ShotKind::Pdf, ShotOutcome::TimedOut, None, 12),
    )
    .unwrap();
    assert_ne!(v1, v2);
    assert_eq!(a.counts().unwrap().2, blobs + 1);
    // The web UI shows them; the feeds do not.
    assert!(a.change_counter().unwrap() > changes);
    assert_eq!(a.content_counter().unwrap(), contents);

    let rows = a.screenshots(URL).unwrap();
    let summary: Vec<_> = rows.iter().map(|r| (r.seq, r.kind, r.outcome)).collect();
    assert_eq!(
        summary,
        [
            (1, ShotKind::Png, ShotOutcome::Ok),
            (2, ShotKind::Pdf, ShotOutcome::TimedOut),
            (2, ShotKind::Png, ShotOutcome::Ok),
        ]
    );
    assert_eq!(rows[0].version_id, v1);
    assert_eq!((rows[0].width, rows[0].height), (Some(1280), Some(3000)));
    assert_eq!(rows[0].size, Some(IMAGE.len() as u64));
    assert_eq!(rows[0].blob_hash.as_deref(), Some(hash_hex(IMAGE).as_str()));
    assert_eq!(rows[0].captured_at, format_time(at(1)));
    assert_eq!(rows[1].blob_hash, None);
    assert!(rows[1].detail.contains("did not finish"), "{:?}", rows[1]);
    assert_eq!(rows[1].took_ms, 1234);

    assert_eq!(
        a.screenshot_image(v1, ShotKind::Png).unwrap().as_deref(),
        Some(IMAGE)
    );
    assert_eq!(a.screenshot_image(v2, ShotKind::Pdf).unwrap(), None);
    assert_eq!(a.screenshot_image(v2 + 1000, ShotKind::Png).unwrap(), None);

    // A later attempt of the same kind replaces the version's row.
    a.record_screenshot(URL, 1, &shot(ShotKind::Png, ShotOutcome::Failed, None, 20))
        .unwrap();
    let rows = a.screenshots(URL).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].outcome, ShotOutcome::Failed);
    assert_eq!(a.screenshot_image(v1, ShotKind::Png).unwrap(), None);
    assert_eq!(
        a.screenshot_image(v2, ShotKind::Png).unwrap().as_deref(),
        Some(IMAGE)
    );
    a.integrity_check().unwrap();
}

fn bad_screenshot_records_are_refused_and_store_nothing(backend: Backend) {
    let (mut a, mut side) = open(backend);
    a.record_capture(&capture("one", b"<p>one</p>", 0)).unwrap();
    let blobs = a.counts().unwrap().2;
    // No such version.
    let err = a
        .record_screenshot(
            URL,
            2,
            &shot(ShotKind::Png, ShotOutcome::Ok, Some(IMAGE), 1),
        )
        .unwrap_err();
    assert!(err.to_string().contains("no such version"), "{err}");
    // An image with a failure, or success without one.
    let mut wrong = shot(ShotKind::Png, ShotOutcome::Failed, None, 1);
    wrong.image = Some(IMAGE);
    assert!(a.record_screenshot(URL, 1, &wrong).is_err());
    assert!(
        a.record_screenshot(URL, 1, &shot(ShotKind::Png, ShotOutcome::Ok, None, 1))
            .is_err()
    );
    assert!(a.screenshots(URL).unwrap().is_empty());
    assert_eq!(a.counts().unwrap().2, blobs);

    // A corrupted image is an error naming its blob, not a picture served.
    let id = a
        .record_screenshot(
            URL,
            1,
            &shot(ShotKind::Png, ShotOutcome::Ok, Some(IMAGE), 1),
        )
        .unwrap();
    let hash = hash_hex(IMAGE);
    side.set_blob(&hash, "none", b"\x89PNG tampered");
    let err = a.screenshot_image(id, ShotKind::Png).unwrap_err();
    assert!(err.to_string().contains(&hash), "{err}");
    // The kept count follows the table and is checked.
    side.execute("UPDATE row_counts SET value = value + 1 WHERE name = 'screenshots'");
    let err = a.integrity_check().unwrap_err();
    assert!(
        err.to_string().contains("row counts of screenshots"),
        "{err}"
    );
}

fn a_copy_to_the_other_backend_carries_the_screenshots(backend: Backend) {
    let (mut source, _side) = open(backend);
    let (mut dest, _dest_side) = open(match backend {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    });
    source
        .record_capture(&capture("one", b"<p>one</p>", 0))
        .unwrap();
    source
        .record_capture(&capture("two", b"<p>two</p>", 10))
        .unwrap();
    let v1 = source
        .record_screenshot(
            URL,
            1,
            &shot(ShotKind::Png, ShotOutcome::Ok, Some(IMAGE), 1),
        )
        .unwrap();
    source
        .record_screenshot(
            URL,
            2,
            &shot(ShotKind::Png, ShotOutcome::BrowserMissing, None, 11),
        )
        .unwrap();
    let report = copy_archive(&source, &mut dest, &mut |_: CopyProgress| {}).unwrap();
    assert!(
        report.contains(&("version_screenshots", 2, 2)),
        "{report:?}"
    );
    assert_eq!(
        dest.screenshots(URL).unwrap(),
        source.screenshots(URL).unwrap()
    );
    assert_eq!(
        dest.screenshot_image(v1, ShotKind::Png).unwrap().as_deref(),
        Some(IMAGE)
    );
    dest.integrity_check().unwrap();
    // New rows continue after the copied ones.
    let v2 = dest
        .record_screenshot(
            URL,
            2,
            &shot(ShotKind::Pdf, ShotOutcome::Ok, Some(b"%PDF-1.4"), 20),
        )
        .unwrap();
    assert_eq!(dest.screenshots(URL).unwrap().len(), 3);
    assert_eq!(
        dest.screenshot_image(v2, ShotKind::Pdf).unwrap().as_deref(),
        Some(&b"%PDF-1.4"[..])
    );
}
