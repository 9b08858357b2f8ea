//! Where the archive is and how commands open it, through the real binary: read-only commands
//! (`status`, `history`, `feed`, `export`) read an archive they cannot write and never create
//! one; `--db` naming a folder says so.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use common::{GOLDEN_ID, golden, newsvault, without_newsvault_env};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("run id -u");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// Runs `newsvault` as a user who cannot write `db`: as `nobody` (through `runuser`) when the
/// tests run as root, whom file modes do not stop; otherwise as ourselves, with `db` and its
/// folder made read-only beforehand.
fn run_without_write_access(args: &[&str], cwd: &Path) -> Output {
    let mut command = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "nobody", "--", env!("CARGO_BIN_EXE_newsvault")]);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_newsvault"))
    };
    without_newsvault_env(&mut command)
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run newsvault")
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn read_only_commands_read_an_archive_they_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    std::fs::write(tree.join(format!("{GOLDEN_ID}.zh-CN.md")), golden()).unwrap();
    let store = dir.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let db = store.join("archive.db");
    let db_arg = db.to_str().unwrap();
    let out = newsvault(
        &["--db", db_arg, "import", tree.to_str().unwrap()],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let before = std::fs::read(&db).unwrap();
    assert_eq!(file_names(&store), ["archive.db"], "WAL files are gone");

    // Readable by everyone, writable by no one but its owner (root, when root runs this).
    set_mode(dir.path(), 0o755);
    set_mode(&store, 0o555);
    set_mode(&db, 0o444);
    let export_dir = dir.path().join("out");
    std::fs::create_dir(&export_dir).unwrap();
    set_mode(&export_dir, 0o777);

    for args in [
        vec!["status"],
        vec!["history", GOLDEN_ID],
        vec!["feed"],
        vec!["export", export_dir.to_str().unwrap()],
    ] {
        let mut all = vec!["--db", db_arg];
        all.extend_from_slice(&args);
        let out = run_without_write_access(&all, dir.path());
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        if args[0] == "history" {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("import"), "history lists the import: {text}");
        }
    }
    set_mode(&store, 0o755);
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the archive is untouched"
    );
    assert_eq!(
        file_names(&store),
        ["archive.db"],
        "nothing created beside it"
    );
    assert!(
        walkdir::WalkDir::new(&export_dir)
            .into_iter()
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with(GOLDEN_ID)),
        "export wrote the article"
    );
}

#[test]
fn a_read_only_command_never_creates_an_archive() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["history", "nonexistent-id"][..],
        &["status"],
        &["feed"],
        &["export", "out"],
    ] {
        let out = newsvault(args, dir.path());
        assert!(!out.status.success(), "{args:?} must fail");
        let err = stderr(&out);
        assert!(
            err.contains("no archive at newsvault.db"),
            "{args:?}: clear error: {err}"
        );
        assert!(
            !dir.path().join("newsvault.db").exists(),
            "{args:?} created an archive"
        );
    }
}

#[test]
fn db_naming_a_folder_says_it_is_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("archives");
    std::fs::create_dir(&folder).unwrap();
    // One read-only command and one that writes.
    for args in [&["history", GOLDEN_ID][..], &["import", "."]] {
        let mut all = vec!["--db", folder.to_str().unwrap()];
        all.extend_from_slice(args);
        let out = newsvault(&all, dir.path());
        assert!(!out.status.success(), "{args:?} must fail");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{} is a folder", folder.display())),
            "{args:?}: {err}"
        );
        assert_eq!(file_names(&folder), Vec::<String>::new(), "nothing written");
    }
}

#[test]
fn an_unreachable_database_fails_clearly_and_its_password_is_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let url = "postgres://alice:s3cret@127.0.0.1:9/news?password=s3cret2";
    let config = dir.path().join("newsvault.toml");
    std::fs::write(&config, format!("[archive]\npath = \"{url}\"\n")).unwrap();
    let config = config.to_str().unwrap();
    let ways: [(&[&str], Option<&str>); 5] = [
        (&["--db", url, "status"], None),
        (&["--db", url, "import", "."], None),
        (&["history", "x"], Some(url)),
        (&["--config", config, "daemon"], None),
        (&["--help"], Some(url)),
    ];
    for (args, env) in ways {
        let mut command = Command::new(env!("CARGO_BIN_EXE_newsvault"));
        without_newsvault_env(&mut command)
            .args(args)
            .current_dir(dir.path());
        if let Some(env) = env {
            command.env("NEWSVAULT_DB", env);
        }
        let out = command.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!stdout.contains("s3cret"), "{args:?}: {stdout}");
        if args == ["--help"] {
            continue;
        }
        assert!(!out.status.success(), "{args:?} must fail");
        let err = stderr(&out);
        assert!(
            err.contains("postgres://alice:***@127.0.0.1:9/news?…"),
            "{args:?}: names the database: {err}"
        );
        assert!(err.contains("cannot connect"), "{args:?}: {err}");
        assert!(
            !err.contains("s3cret"),
            "{args:?} shows the password: {err}"
        );
        assert_eq!(
            file_names(dir.path()),
            ["newsvault.toml"],
            "{args:?} made no file of the URL"
        );
    }
}
