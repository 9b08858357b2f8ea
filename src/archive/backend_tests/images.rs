//! The images kept with each version, on both backends: recorded once per blob and never
//! replaced once archived, retried, served only as images, counted, checked and copied.

use super::*;
use crate::archive::copy::copy_archive;

on_both_backends!(
    images_are_kept_once_and_an_archived_copy_is_never_replaced,
    a_copy_to_the_other_backend_carries_every_image,
);

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0 a jpeg";
const PNG: &[u8] = b"\x89PNG\r\n\x1A\n a png";

fn image(position: u32, url: &str, outcome: ImageOutcome, bytes: Option<&[u8]>) -> NewImage {
    NewImage {
        position,
        role: if position == 0 {
            ImageRole::Cover
        } else {
            ImageRole::Body
        },
        url: url.to_owned(),
        outcome,
        content_type: bytes.map(|b| crate::media::sniff_image(b).unwrap().to_owned()),
        bytes: bytes.map(<[u8]>::to_vec),
        blob_hash: None,
        size: bytes.map(|b| b.len() as u64),
        detail: if outcome == ImageOutcome::Ok {
            String::new()
        } else {
            "HTTP 404".into()
        },
        fetched_at: at(10),
    }
}

/// An article with one version whose images are a cover (JPEG), a body JPEG (the same bytes
/// under another URL), a PNG, and one that failed.
fn archive_with_images(a: &mut Archive) {
    a.record_capture(&capture("# A story with images", b"<html>raw</html>", 0))
        .unwrap();
    a.record_images(
        URL,
        1,
        &[
            image(
                0,
                "https://img.example/cover.jpg",
                ImageOutcome::Ok,
                Some(JPEG),
            ),
            image(
                1,
                "https://img.example/same.jpg",
                ImageOutcome::Ok,
                Some(JPEG),
            ),
            image(2, "https://img.example/b.png", ImageOutcome::Ok, Some(PNG)),
            image(
                3,
                "https://img.example/late.jpg",
                ImageOutcome::Failed,
                None,
            ),
        ],
    )
    .unwrap();
}

fn images_are_kept_once_and_an_archived_copy_is_never_replaced(backend: Backend) {
    let (mut a, mut side) = open(backend);
    let (changes, content) = (a.change_counter().unwrap(), a.content_counter().unwrap());
    archive_with_images(&mut a);
    assert!(a.change_counter().unwrap() > changes);
    assert!(a.content_counter().unwrap() > content);
    // The raw capture and two distinct images; images stored as they came.
    assert_eq!(a.counts().unwrap().2, 3);
    assert_eq!(a.stats().unwrap().blobs, 3);
    assert_eq!(
        side.count("SELECT count(*) FROM blobs WHERE compression = 'none'"),
        2
    );
    // A retry: the failed one comes, and a failure of an archived one replaces nothing.
    a.record_images(
        URL,
        1,
        &[
            image(
                1,
                "https://img.example/same.jpg",
                ImageOutcome::Failed,
                None,
            ),
            image(
                3,
                "https://img.example/late.jpg",
                ImageOutcome::Ok,
                Some(PNG),
            ),
        ],
    )
    .unwrap();
    let rows = a.version_images(URL, 1).unwrap();
    let summary: Vec<_> = rows
        .iter()
        .map(|r| (r.position, r.url.as_str(), r.outcome, r.attempts))
        .collect();
    assert_eq!(
        summary,
        [
            (0, "https://img.example/cover.jpg", ImageOutcome::Ok, 1),
            (1, "https://img.example/same.jpg", ImageOutcome::Ok, 1),
            (2, "https://img.example/b.png", ImageOutcome::Ok, 1),
            (3, "https://img.example/late.jpg", ImageOutcome::Ok, 2),
        ]
    );
    assert_eq!(
        a.counts().unwrap().2,
        3,
        "the PNG's bytes were there already"
    );
    assert_eq!(a.archived_images(URL).unwrap().len(), 4);
    assert!(a.version_images(URL, 2).unwrap().is_empty());
    assert!(a.record_images(URL, 2, &[]).is_err(), "no version 2");

    // Only image blobs are served as images, with the type read from their bytes.
    let jpeg = hash_hex(JPEG);
    assert_eq!(
        a.image_blob(&jpeg).unwrap(),
        Some(("image/jpeg".to_owned(), JPEG.to_vec()))
    );
    let raw = a.versions(URL).unwrap()[0].raw_hash.clone().unwrap();
    assert_eq!(a.image_blob(&raw).unwrap(), None);

    // Exports get one image per URL and bytes.
    let mut exported = Vec::new();
    a.for_each_image(None, |i| {
        exported.push((i.url, i.content_type, i.bytes));
        Ok::<_, ArchiveError>(())
    })
    .unwrap();
    exported.sort();
    assert_eq!(exported.len(), 4);
    assert_eq!(
        exported[0],
        (
            "https://img.example/b.png".into(),
            "image/png".into(),
            PNG.to_vec()
        )
    );
    let mut none = 0;
    a.for_each_image(Some("other-site"), |_| {
        none += 1;
        Ok::<_, ArchiveError>(())
    })
    .unwrap();
    assert_eq!(none, 0);
    a.integrity_check().unwrap();
}

fn a_copy_to_the_other_backend_carries_every_image(backend: Backend) {
    let (mut source, _side) = open(backend);
    archive_with_images(&mut source);
    let other = match backend {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    };
    let (mut dest, _dest_side) = open(other);
    copy_archive(&source, &mut dest, &mut |_| {}).unwrap();
    assert_eq!(
        dest.version_images(URL, 1).unwrap(),
        source.version_images(URL, 1).unwrap()
    );
    let png = hash_hex(PNG);
    assert_eq!(
        dest.image_blob(&png).unwrap(),
        Some(("image/png".to_owned(), PNG.to_vec()))
    );
    dest.integrity_check().unwrap();
    // The copy's ids continue after the loaded ones.
    dest.record_capture(&capture("# A story, edited", b"<html>raw 2</html>", 20))
        .unwrap();
    dest.record_images(
        URL,
        2,
        &[image(
            1,
            "https://img.example/new.png",
            ImageOutcome::Ok,
            Some(PNG),
        )],
    )
    .unwrap();
    assert_eq!(dest.version_images(URL, 2).unwrap().len(), 1);
}
