//! `newsvault import` and `newsvault export` through the real binary, on real SQLite files in
//! temporary folders: the golden file, a generated tree of 10,000 files with malformed ones,
//! re-imports, byte-for-byte exports, `--version first|latest`, and WARC read back by warcio.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use chrono::{TimeZone, Utc};
use common::tree::{Expect, GeneratedFile, generate, read_tree, write_tree};
use common::{GOLDEN_ID, fixture_path, golden, newsvault};
use newsvault::archive::{Archive, NewCapture, VersionKind, VersionOrigin, hash_hex};

const GOLDEN_URL: &str = "https://new.qq.com/rain/a/20250211A013J400";

/// Runs `newsvault --db <db> <args>` in `dir`.
fn run(dir: &Path, db: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--db", db.to_str().unwrap()];
    all.extend_from_slice(args);
    newsvault(&all, dir)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn ok(out: &Output) -> String {
    let err = stderr(out);
    assert!(out.status.success(), "exit {:?}: {err}", out.status);
    err
}

fn summary_line(err: &str) -> &str {
    err.lines().last().unwrap_or("")
}

#[test]
fn golden_file_imports_and_exports_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    let golden_dir = fixture_path("golden");
    let err = ok(&run(
        dir.path(),
        &db,
        &["import", golden_dir.to_str().unwrap()],
    ));
    assert_eq!(
        summary_line(&err),
        "imported 1 (1 new articles, 0 new versions), already known 0, skipped 0"
    );

    let archive = Archive::open(&db).unwrap();
    let article = archive
        .article(GOLDEN_URL)
        .unwrap()
        .expect("article registered");
    assert_eq!(
        (article.site.as_str(), article.site_article_id.as_str()),
        ("qq", GOLDEN_ID)
    );
    assert_eq!((article.lang.as_str(), article.latest_seq), ("zh-CN", 1));
    let versions = archive.versions(GOLDEN_URL).unwrap();
    assert_eq!(versions.len(), 1);
    let v = &versions[0];
    assert_eq!(
        (v.kind, v.origin),
        (VersionKind::Import, VersionOrigin::Import)
    );
    assert_eq!(v.content_hash, hash_hex(golden().as_bytes()));
    assert_eq!((v.http_status, v.raw_hash.as_deref()), (None, None));
    let file = golden_dir.join(format!("{GOLDEN_ID}.zh-CN.md"));
    assert_eq!(
        archive.import_path(GOLDEN_URL, 1).unwrap(),
        Some(std::path::absolute(&file).unwrap().display().to_string())
    );
    assert_eq!(archive.document(GOLDEN_URL, 1).unwrap(), Some(golden()));
    drop(archive);

    // The single file again, by name: already known.
    let err = ok(&run(dir.path(), &db, &["import", file.to_str().unwrap()]));
    assert_eq!(
        summary_line(&err),
        "imported 0 (0 new articles, 0 new versions), already known 1, skipped 0"
    );

    let site = dir.path().join("site");
    ok(&run(dir.path(), &db, &["export", site.to_str().unwrap()]));
    assert_eq!(
        read_tree(&site),
        vec![(
            PathBuf::from(format!("content/zh-CN/news/qq/{GOLDEN_ID}.zh-CN.md")),
            golden().into_bytes()
        )]
    );
}

/// A temporary folder in memory when the machine has one (`/dev/shm`): on the development and
/// CI machines' virtual disk, creating and deleting the 30,000 small files of the big test took
/// most of a minute, none of it spent in newsvault.
fn fast_tempdir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(dir) = tempfile::Builder::new()
            .prefix("newsvault-test")
            .tempdir_in(shm)
    {
        return dir;
    }
    tempfile::tempdir().unwrap()
}

#[test]
fn ten_thousand_files_import_reimport_and_export_byte_for_byte() {
    let dir = fast_tempdir();
    let db = dir.path().join("archive.db");
    let tree = dir.path().join("old-site");
    let files = generate(10_000);
    write_tree(&tree, &files);
    // Hugo's own files are not articles and are passed over.
    std::fs::write(tree.join("content/_index.md"), "---\ntitle: home\n---\n").unwrap();
    std::fs::create_dir_all(tree.join(".git")).unwrap();
    std::fs::write(tree.join(".git/README.md"), "not an article").unwrap();
    let good: Vec<&GeneratedFile> = files
        .iter()
        .filter(|f| matches!(f.expect, Expect::Good { .. }))
        .collect();
    let bad_count = files.len() - good.len();
    assert!(
        (90..=110).contains(&bad_count),
        "{bad_count} malformed files"
    );

    let started = std::time::Instant::now();
    let err = ok(&run(dir.path(), &db, &["import", tree.to_str().unwrap()]));
    eprintln!("import of 10,000 files: {:.2?}", started.elapsed());
    assert_eq!(
        summary_line(&err),
        format!(
            "imported {n} ({n} new articles, 0 new versions), already known 0, skipped {bad_count}, passed over 1 hidden (names starting with '.')",
            n = good.len()
        )
    );
    // Every malformed file is reported as `path:line: what`, and nothing else is.
    let reported: Vec<&str> = err.lines().filter(|l| l.contains(".md:")).collect();
    assert_eq!(reported.len(), bad_count, "{err}");
    for file in &files {
        if let Expect::Bad { line, what } = file.expect {
            let prefix = format!("{}:{line}: ", tree.join(&file.relative).display());
            assert!(
                reported
                    .iter()
                    .any(|l| l.starts_with(&prefix) && l.contains(what)),
                "no `{prefix}... {what}` in the report:\n{}",
                reported.join("\n")
            );
        }
    }

    let archive = Archive::open(&db).unwrap();
    let counts = archive.counts().unwrap();
    assert_eq!(counts, (good.len() as u64, good.len() as u64, 0));
    for file in good.iter().step_by(97) {
        let Expect::Good { canonical_url } = &file.expect else {
            unreachable!()
        };
        assert_eq!(
            archive.latest_document(canonical_url).unwrap().as_deref(),
            Some(std::str::from_utf8(&file.bytes).unwrap()),
            "{}",
            file.relative.display()
        );
    }
    drop(archive);

    // Importing the same tree again changes nothing.
    let err = ok(&run(dir.path(), &db, &["import", tree.to_str().unwrap()]));
    assert_eq!(
        summary_line(&err),
        format!(
            "imported 0 (0 new articles, 0 new versions), already known {}, skipped {bad_count}, passed over 1 hidden (names starting with '.')",
            good.len()
        )
    );
    assert_eq!(Archive::open(&db).unwrap().counts().unwrap(), counts);

    // The export is the good files, byte for byte, at the same paths.
    let out = dir.path().join("new-site");
    let err = ok(&run(dir.path(), &db, &["export", out.to_str().unwrap()]));
    assert_eq!(
        summary_line(&err),
        format!(
            "written {n} ({n} new, 0 updated), unchanged 0, kept 0, skipped 0",
            n = good.len()
        )
    );
    let mut expected: Vec<(PathBuf, Vec<u8>)> = good
        .iter()
        .map(|f| (f.relative.clone(), f.bytes.clone()))
        .collect();
    expected.sort();
    let exported = read_tree(&out);
    assert_eq!(exported.len(), expected.len());
    for (got, want) in exported.iter().zip(&expected) {
        assert_eq!(got.0, want.0);
        assert!(got.1 == want.1, "{} differs", got.0.display());
    }

    // Again: every file is already right.
    let err = ok(&run(dir.path(), &db, &["export", out.to_str().unwrap()]));
    assert_eq!(
        summary_line(&err),
        format!(
            "written 0 (0 new, 0 updated), unchanged {}, kept 0, skipped 0",
            good.len()
        )
    );
}

/// A small tree of `n` good files; returns them.
fn small_tree(root: &Path, n: usize) -> Vec<GeneratedFile> {
    let files: Vec<GeneratedFile> = generate(n)
        .into_iter()
        .filter(|f| matches!(f.expect, Expect::Good { .. }))
        .collect();
    write_tree(root, &files);
    files
}

fn url_of(file: &GeneratedFile) -> &str {
    match &file.expect {
        Expect::Good { canonical_url } => canonical_url,
        Expect::Bad { .. } => panic!("not a good file"),
    }
}

#[test]
fn export_first_never_overwrites_and_latest_follows_edits() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    let tree = dir.path().join("old");
    let files = small_tree(&tree, 8);
    ok(&run(dir.path(), &db, &["import", tree.to_str().unwrap()]));
    let out = dir.path().join("site");
    ok(&run(dir.path(), &db, &["export", out.to_str().unwrap()]));

    // A hand-changed file is never overwritten by `first`.
    let touched = out.join(&files[0].relative);
    std::fs::write(&touched, "hand edit").unwrap();
    // An edited copy of another article, imported from elsewhere: version 2.
    let edited = &files[1];
    let edited_text = String::from_utf8(edited.bytes.clone()).unwrap().replacen(
        "\n\n",
        "\n\n更正：新增一段。\n\n",
        1,
    );
    let elsewhere = dir.path().join("later/edited.md");
    std::fs::create_dir_all(elsewhere.parent().unwrap()).unwrap();
    std::fs::write(&elsewhere, &edited_text).unwrap();
    let err = ok(&run(
        dir.path(),
        &db,
        &["import", elsewhere.to_str().unwrap()],
    ));
    assert_eq!(
        summary_line(&err),
        "imported 1 (0 new articles, 1 new versions), already known 0, skipped 0"
    );
    let archive = Archive::open(&db).unwrap();
    let versions = archive.versions(url_of(edited)).unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| (v.seq, v.kind.as_str()))
            .collect::<Vec<_>>(),
        [(1, "import"), (2, "import")]
    );
    drop(archive);

    let n = files.len();
    let err = ok(&run(
        dir.path(),
        &db,
        &["export", out.to_str().unwrap(), "--version", "first"],
    ));
    assert_eq!(
        summary_line(&err),
        format!(
            "written 0 (0 new, 0 updated), unchanged {}, kept 1, skipped 0",
            n - 1
        )
    );
    assert_eq!(std::fs::read(&touched).unwrap(), b"hand edit");
    assert_eq!(
        std::fs::read(out.join(&edited.relative)).unwrap(),
        edited.bytes
    );

    // `latest` writes the edit, and puts back the stored text where the file differs.
    let err = ok(&run(
        dir.path(),
        &db,
        &["export", out.to_str().unwrap(), "--version", "latest"],
    ));
    assert_eq!(
        summary_line(&err),
        format!(
            "written 2 (0 new, 2 updated), unchanged {}, kept 0, skipped 0",
            n - 2
        )
    );
    assert_eq!(
        std::fs::read_to_string(out.join(&edited.relative)).unwrap(),
        edited_text
    );
    assert_eq!(std::fs::read(&touched).unwrap(), files[0].bytes);

    // `--site` limits the export.
    let only = dir.path().join("only-infoq");
    ok(&run(
        dir.path(),
        &db,
        &["export", only.to_str().unwrap(), "--site", "infoq"],
    ));
    let exported = read_tree(&only);
    assert!(!exported.is_empty());
    assert!(
        exported
            .iter()
            .all(|(p, _)| p.to_string_lossy().contains("/news/infoq/")),
        "{exported:?}"
    );
}

#[test]
fn qq_link_forms_merge_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    let text = golden();
    let other_form = text.replace(GOLDEN_URL, "https://view.inews.qq.com/a/20250211A013J400");
    let a = dir.path().join("a/x.zh-CN.md");
    let b = dir.path().join("b/y.zh-CN.md");
    let c = dir.path().join("c/z.md");
    for (path, text) in [(&a, &text), (&b, &other_form), (&c, &text)] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    // A dangling link: unreadable, reported, the rest goes on.
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("nowhere.md"), dir.path().join("a/gone.md"))
        .unwrap();
    let out = run(
        dir.path(),
        &db,
        &[
            "import",
            a.parent().unwrap().to_str().unwrap(),
            b.to_str().unwrap(),
            c.to_str().unwrap(),
            "missing-dir",
        ],
    );
    let err = ok(&out);
    #[cfg(unix)]
    assert!(err.contains("gone.md: cannot read"), "{err}");
    assert!(err.contains("missing-dir: cannot read"), "{err}");
    let skipped = if cfg!(unix) { 2 } else { 1 };
    assert_eq!(
        summary_line(&err),
        format!("imported 2 (1 new articles, 1 new versions), already known 1, skipped {skipped}")
    );
    let archive = Archive::open(&db).unwrap();
    assert_eq!(archive.counts().unwrap(), (1, 2, 0));
    assert_eq!(archive.document(GOLDEN_URL, 1).unwrap(), Some(text));
    assert_eq!(archive.document(GOLDEN_URL, 2).unwrap(), Some(other_form));
}

#[test]
fn an_unopenable_archive_is_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("not-a-db");
    std::fs::write(&db, "plain text, not SQLite").unwrap();
    let out = run(
        dir.path(),
        &db,
        &["import", fixture_path("golden").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not an SQLite database"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&db).unwrap(), b"plain text, not SQLite");
}

// --- WARC -------------------------------------------------------------------------------------

/// (canonical URL, final URL, site, raw body, content type, status) of the archived captures.
struct Fetched {
    final_url: &'static str,
    raw: Vec<u8>,
    content_type: Option<&'static str>,
}

fn fill_warc_archive(db: &Path) -> Vec<Fetched> {
    let mut archive = Archive::open(db).unwrap();
    let mut gbk = b"<html><head><meta charset=\"gbk\"></head><body>".to_vec();
    gbk.extend_from_slice(&[0xd6, 0xd0, 0xce, 0xc4]); // 中文 in GBK
    gbk.extend_from_slice(b"</body></html>");
    let captures = [
        (
            GOLDEN_URL,
            "qq",
            "https://new.qq.com/rain/a/20250211A013J400",
            "v1",
            b"<html>first \r\n\r\nWARC/1.1 not a record</html>".to_vec(),
            Some("text/html; charset=utf-8"),
            0,
        ),
        (
            GOLDEN_URL,
            "qq",
            "https://new.qq.com/rain/a/20250211A013J400?from=x&y=1",
            "v2",
            b"<html>edited</html>".to_vec(),
            Some("text/html; charset=utf-8"),
            60,
        ),
        (
            "https://finance.qq.com/a/20190923/000843.htm",
            "qq",
            "http://127.0.0.1:8080/a/20190923/000843.htm",
            "gbk",
            gbk,
            Some("text/html; charset=GBK"),
            30,
        ),
        (
            "https://example.org/story",
            "example",
            "https://example.org/story",
            "other",
            (0..=255u8).collect(),
            None,
            90,
        ),
    ];
    let mut fetched = Vec::new();
    for (url, site, final_url, doc, raw, content_type, secs) in captures {
        let document = format!("document {doc}");
        archive
            .record_capture(&NewCapture {
                canonical_url: url,
                site,
                site_article_id: "id",
                lang: "zh-CN",
                title: "t",
                published: "",
                document: &document,
                fetched_at: Utc
                    .timestamp_opt(1_739_000_000 + secs, 250_000_000)
                    .unwrap(),
                http_status: 200,
                final_url,
                raw: newsvault::archive::RawBlob::new(&raw).unwrap(),
                content_type,
                encoding: "utf-8",
                etag: None,
                last_modified: None,
                extractor: "test",
                author: None,
                minor: false,
                diff: None,
                date_found: true,
                search: None,
            })
            .unwrap();
        fetched.push(Fetched {
            final_url,
            raw,
            content_type,
        });
    }
    // An imported version has no raw capture: not in the WARC.
    archive
        .import_documents(&[newsvault::archive::ImportRecord {
            canonical_url: "https://example.org/imported",
            site: "example",
            site_article_id: "imported",
            lang: "en",
            title: "t",
            published: "",
            document: "imported",
            captured_at: Utc::now(),
            import_path: "/x.md",
        }])
        .unwrap();
    fetched
}

/// Reads a WARC with warcio (digests checked) and prints one JSON object per record.
const WARCIO_SCRIPT: &str = r#"
import base64, json, sys
from warcio.archiveiterator import ArchiveIterator
out = []
with open(sys.argv[1], 'rb') as f:
    for record in ArchiveIterator(f, check_digests='raise'):
        entry = {
            'type': record.rec_type,
            'uri': record.rec_headers.get_header('WARC-Target-URI'),
            'id': record.rec_headers.get_header('WARC-Record-ID'),
            'date': record.rec_headers.get_header('WARC-Date'),
            'concurrent': record.rec_headers.get_header('WARC-Concurrent-To'),
        }
        if record.http_headers is not None and record.rec_type == 'response':
            entry['status'] = record.http_headers.get_statuscode()
            entry['content_type'] = record.http_headers.get_header('Content-Type')
        elif record.http_headers is not None and record.rec_type == 'request':
            entry['request'] = record.http_headers.protocol + ' ' + record.http_headers.statusline
            entry['host'] = record.http_headers.get_header('Host')
            entry['user_agent'] = record.http_headers.get_header('User-Agent')
        entry['payload'] = base64.b64encode(record.content_stream().read()).decode()
        out.append(entry)
print(json.dumps(out))
"#;

fn warcio_read(file: &Path) -> Vec<serde_json::Value> {
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(WARCIO_SCRIPT)
        .arg(file)
        .output()
        .expect("python3 must be installed for the WARC test");
    assert!(
        out.status.success(),
        "warcio could not read {} (is it installed? `pip install warcio`): {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    // Tiny standard base64 encoder: the test only needs to compare with Python's.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= n {
                out.push(ALPHABET[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn warc_export_reads_back_with_warcio() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    let fetched = fill_warc_archive(&db);
    // In capture order.
    let order = [0, 2, 1, 3];

    for name in ["out.warc.gz", "out.warc"] {
        let file = dir.path().join(name);
        let err = ok(&run(
            dir.path(),
            &db,
            &["export", "--warc", file.to_str().unwrap()],
        ));
        assert!(err.contains("4 responses"), "{err}");
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(name.ends_with(".gz"), bytes.starts_with(&[0x1f, 0x8b]));

        let records = warcio_read(&file);
        let types: Vec<&str> = records
            .iter()
            .map(|r| r["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            types,
            [
                "warcinfo", "response", "request", "response", "request", "response", "request",
                "response", "request"
            ]
        );
        for (k, &i) in order.iter().enumerate() {
            let response = &records[1 + 2 * k];
            let request = &records[2 + 2 * k];
            let f = &fetched[i];
            assert_eq!(response["uri"], f.final_url);
            assert_eq!(request["uri"], f.final_url);
            assert_eq!(
                response["payload"],
                b64(&f.raw),
                "payload of {}",
                f.final_url
            );
            assert_eq!(response["status"], "200");
            assert_eq!(
                response["content_type"].as_str(),
                f.content_type,
                "{}",
                f.final_url
            );
            assert_eq!(request["concurrent"], response["id"]);
            assert!(
                request["request"].as_str().unwrap().starts_with("GET /"),
                "{request}"
            );
            assert!(
                request["user_agent"]
                    .as_str()
                    .unwrap()
                    .starts_with("Mozilla/5.0 (compatible; newsvault/")
            );
            assert!(
                response["date"]
                    .as_str()
                    .unwrap()
                    .starts_with("2025-02-08T")
            );
        }
        assert_eq!(
            records[5]["uri"],
            "https://new.qq.com/rain/a/20250211A013J400?from=x&y=1"
        );
        assert_eq!(
            records[6]["request"],
            "GET /rain/a/20250211A013J400?from=x&y=1 HTTP/1.1"
        );
        assert_eq!(records[4]["host"], "127.0.0.1:8080");

        // Record ids are derived, not random: a second export gives the same ones.
        ok(&run(
            dir.path(),
            &db,
            &["export", "--warc", file.to_str().unwrap()],
        ));
        let again = warcio_read(&file);
        for (a, b) in records.iter().zip(&again).skip(1) {
            assert_eq!(a["id"], b["id"]);
        }
    }

    // --site: only that site's captures.
    let file = dir.path().join("example.warc.gz");
    ok(&run(
        dir.path(),
        &db,
        &[
            "export",
            "--warc",
            file.to_str().unwrap(),
            "--site",
            "example",
        ],
    ));
    let records = warcio_read(&file);
    assert_eq!(records.len(), 3);
    assert_eq!(records[1]["uri"], "https://example.org/story");
}
