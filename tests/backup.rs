//! `newsvault backup FILE` on a live archive: taken through the real binary while another
//! connection keeps adding versions (as a running daemon does), the copy opens on its own
//! (one file, no `-wal`) and holds every version up to its snapshot, without a gap; versions
//! still only in the source's write-ahead log are in it too.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use common::{at, newsvault, qq_document, record};
use newsvault::archive::Archive;

const ID: &str = "20250211A0BKUP00";

#[test]
fn backup_of_a_live_archive_holds_every_version() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    let url = format!("https://new.qq.com/rain/a/{ID}");
    let mut archive = Archive::open(&db).unwrap();
    let written = Arc::new(AtomicU32::new(0));
    let add_version = {
        let written = Arc::clone(&written);
        move |archive: &mut Archive| {
            let n = written.load(Ordering::SeqCst) + 1;
            let doc = qq_document(ID, "备份", &format!("第{n}版正文。"));
            record(archive, &doc, None, at(i64::from(n)));
            written.store(n, Ordering::SeqCst);
        }
    };
    // The first versions stay in the write-ahead log: this connection stays open.
    for _ in 0..20 {
        add_version(&mut archive);
    }
    let wal = dir.path().join("archive.db-wal");
    assert!(
        std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0),
        "versions in the WAL"
    );

    // A writer keeps adding versions during the backup.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                add_version(&mut archive);
            }
            archive
        })
    };
    while written.load(Ordering::SeqCst) < 40 {
        std::thread::yield_now();
    }
    let copy = dir.path().join("copy.db");
    let out = newsvault(
        &[
            "--db",
            db.to_str().unwrap(),
            "backup",
            copy.to_str().unwrap(),
        ],
        dir.path(),
    );
    let during = written.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    let archive = writer.join().unwrap();
    let total = written.load(Ordering::SeqCst);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("backed up"),
        "{out:?}"
    );
    assert!(!dir.path().join("copy.db-wal").exists(), "one file");

    // Moved elsewhere alone, the copy opens and has versions 1..=k, each readable.
    let moved = tempfile::tempdir().unwrap();
    let alone = moved.path().join("alone.db");
    std::fs::copy(&copy, &alone).unwrap();
    let copied = Archive::open(&alone).unwrap();
    let seqs: Vec<u32> = copied
        .version_details(&url)
        .unwrap()
        .iter()
        .map(|v| v.seq)
        .collect();
    let k = seqs.len() as u32;
    assert!(
        k >= 40 && k <= total,
        "{k} versions; {during} written during, {total} in all"
    );
    assert_eq!(seqs, (1..=k).collect::<Vec<_>>(), "no gap");
    for seq in [1, 20, k] {
        let doc = copied.document(&url, seq).unwrap().expect("document");
        assert!(doc.contains(&format!("第{seq}版正文。")), "{doc}");
    }
    drop(archive);

    // Never over an existing file.
    let again = newsvault(
        &[
            "--db",
            db.to_str().unwrap(),
            "backup",
            copy.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already exists"),
        "{again:?}"
    );
    assert_eq!(
        Archive::open(&copy)
            .unwrap()
            .version_details(&url)
            .unwrap()
            .len() as u32,
        k,
        "the existing copy is untouched"
    );
}
