//! Issue 11, defects 4 and 5, through the real binary and the real server: unsafe source
//! links, closed pipes, colours and noise on stderr, repeated error text, exported files'
//! modes and symbolic links, hidden files passed over by `import`.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{GOLDEN_ID, TestServer, golden, newsvault};

/// Runs `newsvault --db <db> <args>` in `dir`.
fn run(dir: &Path, args: &[&str]) -> Output {
    let db = dir.join("archive.db");
    let mut all = vec!["--db", db.to_str().unwrap()];
    all.extend_from_slice(args);
    newsvault(&all, dir)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A folder holding the golden article, imported into `dir/archive.db`.
fn archive_with_golden(dir: &Path) {
    let tree = dir.join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join(format!("{GOLDEN_ID}.zh-CN.md")), golden()).unwrap();
    let out = run(dir, &["import", tree.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Runs the binary with its standard output a pipe whose reader is already gone.
fn into_closed_pipe(dir: &Path, args: &[&str]) -> Output {
    let db = dir.join("archive.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_newsvault"))
        .arg("--db")
        .arg(&db)
        .args(args)
        .current_dir(dir)
        .env_remove("NEWSVAULT_CONFIG")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn status_history_and_feed_exit_quietly_into_a_closed_pipe() {
    let dir = tempfile::tempdir().unwrap();
    archive_with_golden(dir.path());
    for args in [&["status"][..], &["history", GOLDEN_ID], &["feed"]] {
        let out = into_closed_pipe(dir.path(), args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?} says nothing");
    }
}

#[test]
fn warnings_into_a_pipe_have_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    // A closed port on this machine: the fetch gives up with a warning.
    let port = common::free_port();
    std::fs::write(
        dir.path().join("newsvault.toml"),
        "[fetch]\nretries = 1\nretry_base_delay = \"1ms\"\nrespect_robots = false\n",
    )
    .unwrap();
    let url = format!("http://127.0.0.1:{port}/2025/03/01/story-1.html");
    let out = run(dir.path(), &["archive", &url]);
    let err = stderr(&out);
    assert!(err.contains("WARN"), "a warning was logged: {err}");
    assert!(!err.contains('\u{1b}'), "no ANSI escapes: {err:?}");
}

#[test]
fn html5ever_repair_notes_stay_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    let para = "<p>The council met on Tuesday, and after a long debate, it voted to keep the library open on Sundays.</p>";
    std::fs::write(
        &page,
        format!(
            "<html><head><title>Library</title></head><body><h1>Library</h1>{}\
             <table>stray text<tr><td>cell</td></tr>more</table></body></html>",
            para.repeat(6)
        ),
    )
    .unwrap();
    let out = run(
        dir.path(),
        &[
            "extract",
            page.to_str().unwrap(),
            "--url",
            "https://news.example.com/2024/05/01/story-123456.html",
        ],
    );
    let err = stderr(&out);
    assert!(!err.contains("foster parenting"), "{err}");
    // Still there for whoever asks for detail.
    let out = run(
        dir.path(),
        &[
            "-vv",
            "extract",
            page.to_str().unwrap(),
            "--url",
            "https://news.example.com/2024/05/01/story-123456.html",
        ],
    );
    assert!(
        stderr(&out).contains("foster parenting"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_error_names_its_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = newsvault(&["--config", "missing.toml", "status"], dir.path());
    let err = stderr(&out);
    assert!(!out.status.success());
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    // A full disk: /dev/full answers every write with ENOSPC.
    archive_with_golden(dir.path());
    let db = dir.path().join("archive.db");
    let out = Command::new(env!("CARGO_BIN_EXE_newsvault"))
        .args(["--db", db.to_str().unwrap(), "feed"])
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(!out.status.success());
    assert_eq!(err.matches("No space left on device").count(), 1, "{err}");
}

#[test]
fn import_refuses_non_http_source_links_and_counts_hidden_files() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    std::fs::create_dir_all(tree.join(".git")).unwrap();
    let original = golden();
    let link = format!("[qq](https://new.qq.com/rain/a/{GOLDEN_ID})");
    assert!(original.contains(&link));
    for (name, target) in [
        ("a.zh-CN.md", "javascript:alert(1)//20250301A0002800"),
        ("b.zh-CN.md", "file:///etc/passwd#20250301A0002800"),
        ("c.zh-CN.md", "data:text/html,x"),
    ] {
        let text = original.replace(&link, &format!("[qq]({target})"));
        std::fs::write(tree.join(name), text).unwrap();
    }
    std::fs::write(tree.join(".draft.zh-CN.md"), &original).unwrap();
    std::fs::write(tree.join(".git/x.md"), &original).unwrap();
    let out = run(dir.path(), &["import", tree.to_str().unwrap()]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.matches("is not an http(s) URL").count(), 3, "{err}");
    assert!(
        err.contains(".draft.zh-CN.md: passed over (hidden)"),
        "{err}"
    );
    let summary = err.lines().last().unwrap();
    assert!(
        summary.contains("imported 0")
            && summary.contains("skipped 3")
            && summary.contains("passed over 2 hidden"),
        "{summary}"
    );
}

#[tokio::test]
async fn feeds_and_pages_link_only_to_http_sources() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    {
        // An archive written before links were checked: its source link is a script.
        let mut archive = newsvault::archive::Archive::open(&db).unwrap();
        let mut doc = common::qq_document("20250301A0002800", "标题", "正文。");
        doc.source_url = "javascript:alert(1)//20250301A0002800".into();
        common::record(&mut archive, &doc, None, common::at(0));
    }
    let server = TestServer::start(&db, newsvault::config::Config::default()).await;
    let client = reqwest::Client::new();
    for path in [
        "/feed.atom",
        "/sites/qq.atom",
        "/changes.atom",
        "/a/qq/20250301A0002800",
        "/a/qq/20250301A0002800.atom",
    ] {
        let r = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let body = r.text().await.unwrap();
        assert!(!body.contains("href=\"javascript:"), "{path}: {body}");
    }
    server.stop().await;
}

#[test]
fn export_refuses_symlinks_inside_its_folder_and_writes_umask_modes() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    archive_with_golden(dir.path());
    let outside = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("content")).unwrap();
    std::os::unix::fs::symlink(outside.path(), site.join("content/zh-CN")).unwrap();
    let out = run(dir.path(), &["export", site.to_str().unwrap()]);
    let err = stderr(&out);
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(
        std::fs::read_dir(outside.path()).unwrap().count(),
        0,
        "nothing written outside the folder"
    );
    // Without the link: written, with the mode the umask gives new files.
    std::fs::remove_file(site.join("content/zh-CN")).unwrap();
    let out = run(dir.path(), &["export", site.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let file = site.join(format!("content/zh-CN/news/qq/{GOLDEN_ID}.zh-CN.md"));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    let probe = dir.path().join("probe");
    std::fs::write(&probe, b"").unwrap();
    let expected = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
    assert_eq!(format!("{mode:o}"), format!("{expected:o}"));
}
