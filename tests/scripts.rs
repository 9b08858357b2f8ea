//! newsvault in scripts and services: exit statuses, quiet broken pipes, logs without colour
//! codes in files and pipes, and the daemon saying where it listens without `-v`.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{fixture_path, newsvault};

/// An archive of the 54 real articles of the generator-archive fixture (a 400 KB feed, more
/// than a pipe holds).
fn imported_archive(dir: &Path) -> PathBuf {
    let db = dir.join("archive.db");
    let tree = fixture_path("qq/generator-archive");
    let out = newsvault(
        &[
            "--db",
            db.to_str().unwrap(),
            "import",
            tree.to_str().unwrap(),
        ],
        dir,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    db
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_newsvault"));
    c.env_remove("NEWSVAULT_CONFIG")
        .env_remove("NEWSVAULT_DB")
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR");
    c
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported_archive(dir.path());
    for args in [&["feed"][..], &["feed", "--changes"]] {
        let mut child = bin()
            .arg("--db")
            .arg(&db)
            .args(args)
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // `| head -1`: one line read, then the pipe is closed.
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(first.starts_with("<?xml"), "{first}");
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "{args:?}: {status:?}: {err}");
        assert!(err.is_empty(), "{args:?}: nothing said: {err}");
    }
}

#[test]
fn an_unknown_site_is_an_error_for_export_as_for_feed() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported_archive(dir.path());
    let db = db.to_str().unwrap();
    let out_dir = dir.path().join("site");
    let warc = dir.path().join("out.warc");
    for args in [
        vec!["--db", db, "feed", "--site", "nosuch"],
        vec![
            "--db",
            db,
            "export",
            out_dir.to_str().unwrap(),
            "--site",
            "nosuch",
        ],
        vec![
            "--db",
            db,
            "export",
            "--warc",
            warc.to_str().unwrap(),
            "--site",
            "nosuch",
        ],
    ] {
        let out = newsvault(&args, dir.path());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("\"nosuch\""), "{args:?}: {err}");
    }
    assert!(!out_dir.exists() && !warc.exists(), "nothing written");
    // The site that exists still exports.
    let out = newsvault(
        &[
            "--db",
            db,
            "export",
            out_dir.to_str().unwrap(),
            "--site",
            "qq",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Reads `log` until `needle` shows up (the daemon writes it as it starts).
fn wait_for(log: &Path, needle: &str) -> String {
    let started = Instant::now();
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains(needle) {
            return text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{needle:?} never logged:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_daemon_says_where_it_listens_without_colours_in_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("newsvault.toml");
    std::fs::write(
        &config,
        format!(
            "[archive]\npath = \"{}\"\n[server]\nlisten = \"127.0.0.1:0\"\n",
            dir.path().join("archive.db").display()
        ),
    )
    .unwrap();
    let log = dir.path().join("daemon.log");
    let mut child = bin()
        .arg("--config")
        .arg(&config)
        .arg("daemon")
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    wait_for(&log, "serving the web UI and feeds on http://127.0.0.1:");
    common::sigterm(&child);
    let status = common::wait_exit(&mut child, Duration::from_secs(20));
    assert!(status.success(), "{status:?}");
    let text = wait_for(&log, "daemon stopped");
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes in a file: {text:?}"
    );
    assert!(text.contains("daemon started"), "{text}");
    // The port really is the one it listens on: the line names a real address.
    let addr = text
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap();
    assert!(addr.parse::<std::net::SocketAddr>().is_ok(), "{addr}");
}

/// At a terminal (a pseudo-terminal made by `script`), logs are coloured unless NO_COLOR is set.
#[test]
fn no_color_turns_colours_off_at_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    let run = |no_color: bool| {
        // `serve -v` logs its address at once; SIGINT after a moment stops it.
        let command = format!(
            "{}timeout -s INT 3 {} -v --db {} serve --listen 127.0.0.1:0",
            if no_color { "NO_COLOR=1 " } else { "" },
            env!("CARGO_BIN_EXE_newsvault"),
            db.display()
        );
        let out = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env_remove("NO_COLOR")
            .env_remove("RUST_LOG")
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .output()
            .expect("script (bsdutils) runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(text.contains("serving"), "{text}");
        text
    };
    assert!(run(false).contains("\u{1b}["), "coloured at a terminal");
    assert!(!run(true).contains("\u{1b}["), "NO_COLOR is honoured");
}

fn json_lines(out: &std::process::Output) -> Vec<serde_json::Value> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// `--json` on archive, check, history and status: one object per line per item, with the
/// documented fields, through the real binary against a local server.
#[tokio::test(flavor = "multi_thread")]
async fn json_output_of_archive_check_history_and_status() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let server = MockServer::start().await;
    let page = common::fixture_text("qq/golden-rich.html");
    Mock::given(method("GET"))
        .and(path(format!("/rain/a/{}", common::GOLDEN_ID)))
        .respond_with(ResponseTemplate::new(200).set_body_raw(page, "text/html; charset=utf-8"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rain/a/20250101A00GONE0"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = common::write_test_config(dir.path(), &server.uri(), "");
    let run = |rest: &[&str]| {
        let mut all = vec!["--config".to_owned(), config.display().to_string()];
        all.extend(rest.iter().map(|s| (*s).to_owned()));
        common::newsvault_async(all, dir.path().to_owned())
    };
    let golden_url = format!("https://new.qq.com/rain/a/{}", common::GOLDEN_ID);

    let out = run(&["archive", "--json", &golden_url]).await;
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert_eq!(line["outcome"], "new");
    assert_eq!(line["url"], golden_url.as_str());
    assert_eq!(line["site"], "qq");
    assert_eq!(line["id"], common::GOLDEN_ID);
    assert_eq!(line["seq"], 1);
    assert!(line["reason"].is_null() && line["removal"].is_null());

    // A transient failure among several URLs: one line each, in order, exit status 1.
    let out = run(&[
        "archive",
        "--json",
        &golden_url,
        "https://new.qq.com/rain/a/20250101A00GONE0",
    ])
    .await;
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let outcomes: Vec<&str> = lines
        .iter()
        .map(|l| l["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["unchanged", "transient"], "{lines:?}");
    assert!(
        lines[1]["reason"].as_str().unwrap().contains("503"),
        "{lines:?}"
    );

    let out = run(&["check", "--json", "--all"]).await;
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["outcome"], "unchanged");

    let out = run(&["history", "--json", common::GOLDEN_ID]).await;
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let v = &lines[0];
    assert_eq!(v["seq"], 1);
    assert_eq!(v["kind"], "new");
    assert_eq!(v["http_status"], 200);
    assert_eq!(v["url"], golden_url.as_str());
    assert_eq!(v["published"], "2025-02-11 07:03:08");
    assert_eq!(v["date_found"], true);
    assert!(v["size"].as_u64().unwrap() > 1000);
    assert!(v["fetched_at"].as_str().unwrap().ends_with('Z'));

    let out = run(&["status", "--json"]).await;
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "one object: {lines:?}");
    let s = &lines[0];
    assert_eq!(s["archive"]["articles"], 1);
    assert_eq!(s["archive"]["versions"], 1);
    assert_eq!(s["archive"]["due_at_least"], false);
    assert!(s["sources"].as_array().unwrap().is_empty());
    for key in ["pending", "done", "failed", "skipped"] {
        assert!(s["queue"][key].is_u64(), "{s}");
    }
}

/// OPML in: a feed reader's subscriptions become `[[sources]]`, appended to the config the
/// user names (kept as it was otherwise, configured feeds left out); OPML out: the feed
/// sources, read back by newsboat's own OPML import (`newsboat -i`).
#[test]
fn opml_import_then_export_reads_back_in_newsboat() {
    let dir = tempfile::tempdir().unwrap();
    let opml = dir.path().join("subs.opml");
    std::fs::write(
        &opml,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
<outline text="中文">
  <outline type="rss" text="环球 &amp; 时报" xmlUrl="https://world.example.com/rss.xml?a=1&amp;b=2"/>
  <outline type="rss" text="Old" xmlUrl="https://old.example.com/feed"/>
</outline>
<outline type="rss" title="Tech" xmlUrl="https://tech.example.org/atom.xml"/>
</body></opml>"#,
    )
    .unwrap();
    let config = dir.path().join("newsvault.toml");
    let original = "# my settings\n[archive]\npath = \"mine.db\"\n\n[[sources]]\nname = \"Old\"\nkind = \"feed\"\nurl = \"https://old.example.com/feed\"\n";
    std::fs::write(&config, original).unwrap();
    let cfg = config.to_str().unwrap();
    let opml_path = opml.to_str().unwrap();

    // Without --append-to: printed, nothing written.
    let out = newsvault(&["--config", cfg, "opml", "import", opml_path], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(printed.matches("[[sources]]").count(), 2, "{printed}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), original);

    let out = newsvault(
        &["opml", "import", opml_path, "--append-to", cfg],
        dir.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("2 feed source(s) added") && err.contains("1 already configured"),
        "{err}"
    );
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.starts_with(original),
        "the config is extended, not rewritten:\n{text}"
    );
    let loaded = newsvault::config::Config::load(&config).unwrap();
    let names: Vec<&str> = loaded.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Old", "环球 & 时报", "Tech"]);
    // Importing again adds nothing.
    let out = newsvault(
        &["opml", "import", opml_path, "--append-to", cfg],
        dir.path(),
    );
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text);

    // A broken OPML file: a clear error naming it, the config untouched.
    let broken = dir.path().join("broken.opml");
    std::fs::write(&broken, "<opml><body><outline xmlUrl=\"x\"></body>").unwrap();
    let out = newsvault(
        &[
            "opml",
            "import",
            broken.to_str().unwrap(),
            "--append-to",
            cfg,
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.opml") && err.contains("at byte"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text);

    // Export, and newsboat's import reads every feed URL back.
    let out = newsvault(&["--config", cfg, "opml", "export"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported = dir.path().join("export.opml");
    std::fs::write(&exported, &out.stdout).unwrap();
    let urls = dir.path().join("urls");
    std::fs::write(&urls, "").unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let nb = Command::new("newsboat")
        .env("HOME", &home)
        .arg("-u")
        .arg(&urls)
        .arg("-C")
        .arg(dir.path().join("newsboat.conf"))
        .arg("-c")
        .arg(dir.path().join("cache.db"))
        .arg("-i")
        .arg(&exported)
        .output()
        .expect("newsboat runs (CI installs it)");
    assert!(nb.status.success(), "{nb:?}");
    let imported = std::fs::read_to_string(&urls).unwrap();
    for url in [
        "https://old.example.com/feed",
        "https://world.example.com/rss.xml?a=1&b=2",
        "https://tech.example.org/atom.xml",
    ] {
        assert!(
            imported.contains(url),
            "{url} not in newsboat's urls:\n{imported}"
        );
    }
}

/// Shell completions from the clap definitions: bash's script loads in bash and completes the
/// subcommands; zsh's and fish's name them. The man page is roff naming every subcommand.
#[test]
fn completions_and_man_page_come_from_the_command_line_definition() {
    let dir = tempfile::tempdir().unwrap();
    let out = newsvault(&["completions", "bash"], dir.path());
    assert!(out.status.success());
    let script = dir.path().join("newsvault.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let bash = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {}; COMP_WORDS=(newsvault op); COMP_CWORD=1; _newsvault newsvault op newsvault; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .unwrap();
    let completed = String::from_utf8_lossy(&bash.stdout);
    assert!(bash.status.success(), "{bash:?}");
    assert_eq!(completed.trim(), "opml", "{bash:?}");

    let subcommands = [
        "archive", "check", "history", "status", "backup", "opml", "export",
    ];
    for shell in ["zsh", "fish"] {
        let out = newsvault(&["completions", shell], dir.path());
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        for sub in subcommands {
            assert!(text.contains(sub), "{shell}: {sub}");
        }
    }
    let out = newsvault(&["man"], dir.path());
    assert!(out.status.success());
    let roff = String::from_utf8(out.stdout).unwrap();
    assert!(roff.contains(".TH newsvault 1"), "{roff}");
    for sub in subcommands {
        assert!(roff.contains(sub), "man: {sub}");
    }
}
