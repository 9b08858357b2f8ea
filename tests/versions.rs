//! Versions, edits and removals through the real binary: a local server serves an article, then
//! an edited version, a 503, a block page, a removal page (twice), then the article again.
//! `history` must show new, edit, removed, restored; `diff` the edit; failures change nothing.

mod common;

use std::sync::{Arc, Mutex};

use common::{GOLDEN_ID, fixture_text, newsvault_async, write_test_config};
use newsvault::archive::{Archive, ArticleStatus};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const URL: &str = "https://new.qq.com/rain/a/20250211A013J400";

/// What the server answers for the article right now.
#[derive(Clone)]
enum Serving {
    Page { html: String, etag: String },
    Status(u16),
    RedirectTo(String),
}

#[derive(Clone)]
struct Switch(Arc<Mutex<Serving>>);

impl Respond for Switch {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        match self.0.lock().unwrap().clone() {
            Serving::Page { html, etag } => {
                let sent = request
                    .headers
                    .get("if-none-match")
                    .and_then(|v| v.to_str().ok());
                if sent == Some(etag.as_str()) {
                    return ResponseTemplate::new(304);
                }
                ResponseTemplate::new(200)
                    .insert_header("etag", etag.as_str())
                    .set_body_raw(html.into_bytes(), "text/html; charset=utf-8")
            }
            Serving::Status(code) => ResponseTemplate::new(code).set_body_string("error page"),
            Serving::RedirectTo(to) => {
                ResponseTemplate::new(302).insert_header("location", to.as_str())
            }
        }
    }
}

struct Site {
    _server: MockServer,
    switch: Switch,
    dir: tempfile::TempDir,
    config: std::path::PathBuf,
}

impl Site {
    async fn start(extra: &str) -> Site {
        let server = MockServer::start().await;
        let switch = Switch(Arc::new(Mutex::new(Serving::Status(500))));
        Mock::given(method("GET"))
            .and(path(format!("/rain/a/{GOLDEN_ID}")))
            .respond_with(switch.clone())
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/babygohome/"))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(
                    "<html><head><title>腾讯网</title></head><body>宝贝回家</body></html>"
                        .as_bytes()
                        .to_vec(),
                    "text/html; charset=utf-8",
                ),
            )
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let config = write_test_config(dir.path(), &server.uri(), "");
        let text = std::fs::read_to_string(&config).unwrap();
        std::fs::write(
            &config,
            text.replace("[archive]\n", &format!("[archive]\n{extra}\n")),
        )
        .unwrap();
        Site {
            _server: server,
            switch,
            dir,
            config,
        }
    }

    fn serve(&self, serving: Serving) {
        *self.switch.0.lock().unwrap() = serving;
    }

    async fn run(&self, args: &[&str]) -> (bool, String, String) {
        let mut all = vec!["--config".to_owned(), self.config.display().to_string()];
        all.extend(args.iter().map(|s| (*s).to_owned()));
        let out = newsvault_async(all, self.dir.path().into()).await;
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn archive(&self) -> Archive {
        Archive::open(&self.dir.path().join("archive.db")).unwrap()
    }

    fn kinds(&self) -> Vec<String> {
        self.archive()
            .versions(URL)
            .unwrap()
            .into_iter()
            .map(|v| v.kind.to_string())
            .collect()
    }
}

fn page(edit: &str) -> String {
    fixture_text("qq/golden-rich.html").replace("近期，中国人工智能企业", edit)
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_failures_removal_and_restoration() {
    let site = Site::start("removal_confirmations = 2\nremoval_confirm_after = \"0s\"").await;
    site.serve(Serving::Page {
        html: page("近期，中国人工智能企业"),
        etag: "\"v1\"".into(),
    });
    let (ok, _, err) = site.run(&["archive", URL]).await;
    assert!(ok, "{err}");

    // Unchanged: the server answers 304 to the stored ETag.
    let (ok, _, err) = site.run(&["check", URL]).await;
    assert!(ok && err.contains("not modified"), "{err}");
    assert_eq!(site.kinds(), ["new"]);

    site.serve(Serving::Page {
        html: page("近日，中国人工智能企业"),
        etag: "\"v2\"".into(),
    });
    let (ok, _, err) = site.run(&["check", URL]).await;
    assert!(ok && err.contains("changed"), "{err}");
    assert_eq!(site.kinds(), ["new", "edit"]);

    // A 503 and a block page change nothing.
    site.serve(Serving::Status(503));
    let (ok, _, err) = site.run(&["check", URL]).await;
    assert!(ok && err.contains("transient"), "{err}");
    site.serve(Serving::Page {
        html: "<html><head><title>人机验证</title></head><body>请验证</body></html>".into(),
        etag: "\"block\"".into(),
    });
    let (ok, _, err) = site.run(&["check", URL]).await;
    assert!(ok && err.contains("blocked"), "{err}");
    assert_eq!(site.kinds(), ["new", "edit"]);
    assert_eq!(
        site.archive()
            .article(URL)
            .unwrap()
            .unwrap()
            .removal_pending,
        0
    );

    // Removed: seen once (pending), a 503 in between counts for nothing, seen again: recorded.
    site.serve(Serving::Status(404));
    let (ok, _, err) = site.run(&["check", URL]).await;
    assert!(ok && err.contains("not yet confirmed"), "{err}");
    assert_eq!(site.kinds(), ["new", "edit"]);
    site.serve(Serving::Status(503));
    site.run(&["check", URL]).await;
    assert_eq!(
        site.archive()
            .article(URL)
            .unwrap()
            .unwrap()
            .removal_pending,
        1
    );
    site.serve(Serving::RedirectTo("/babygohome/?pgv_ref=apub".into()));
    let (ok, _, err) = site.run(&["check", URL]).await;
    assert!(ok && err.contains("removal recorded as version 3"), "{err}");
    assert_eq!(site.kinds(), ["new", "edit", "removed"]);
    let archive = site.archive();
    let row = archive.article(URL).unwrap().unwrap();
    assert_eq!(row.status, ArticleStatus::Removed);
    let details = archive.version_details(URL).unwrap();
    let removal = &details[2];
    assert_eq!(removal.http_status, Some(200));
    assert!(removal.final_url.as_deref().unwrap().contains("babygohome"));
    assert!(
        removal
            .removal_signal
            .as_deref()
            .unwrap()
            .contains("babygohome")
    );
    assert!(
        String::from_utf8(archive.raw_capture(URL, 3).unwrap().unwrap())
            .unwrap()
            .contains("宝贝回家"),
        "the page served in the article's place is kept as evidence"
    );
    assert!(
        archive
            .latest_document(URL)
            .unwrap()
            .unwrap()
            .contains("近日，中国人工智能企业"),
        "last good version stays readable"
    );
    drop(archive);

    // Back again: restored.
    site.serve(Serving::Page {
        html: page("近日，中国人工智能企业"),
        etag: "\"v2\"".into(),
    });
    let (ok, _, err) = site.run(&["check", URL]).await;
    assert!(ok, "{err}");
    assert_eq!(site.kinds(), ["new", "edit", "removed", "restored"]);
    assert_eq!(
        site.archive().article(URL).unwrap().unwrap().status,
        ArticleStatus::Live
    );

    let (ok, history, err) = site.run(&["history", GOLDEN_ID]).await;
    assert!(ok, "{err}");
    for kind in ["new", "edit", "removed", "restored"] {
        assert!(history.contains(&format!("  {kind}")), "{history}");
    }
    assert!(
        history.contains("404") || history.contains("babygohome"),
        "{history}"
    );

    let (ok, diff, err) = site.run(&["diff", URL, "1", "2"]).await;
    assert!(ok, "{err}");
    assert!(diff.contains("[-期-]{+日+}"), "{diff}");
    assert!(
        diff.contains("summary:"),
        "changed front-matter fields are named first: {diff}"
    );
    assert!(!diff.contains('\u{1b}'), "plain when piped");
    let (ok, diff, _) = site.run(&["diff", URL]).await;
    assert!(ok && diff.contains("version 3 is a removal"), "{diff}");
}

#[tokio::test(flavor = "multi_thread")]
async fn punctuation_only_changes_are_minor() {
    let site = Site::start("").await;
    site.serve(Serving::Page {
        html: page("近期，中国人工智能企业"),
        etag: "\"a\"".into(),
    });
    site.run(&["archive", URL]).await;
    site.serve(Serving::Page {
        html: page("近期,中国人工智能企业"),
        etag: "\"b\"".into(),
    });
    let (ok, _, err) = site.run(&["check", URL]).await;
    assert!(ok, "{err}");
    assert_eq!(site.kinds(), ["new", "minor"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn removals_need_time_between_sightings() {
    let site = Site::start("removal_confirmations = 2\nremoval_confirm_after = \"1h\"").await;
    site.serve(Serving::Page {
        html: page("近期，中国人工智能企业"),
        etag: "\"a\"".into(),
    });
    site.run(&["archive", URL]).await;
    site.serve(Serving::Status(410));
    for _ in 0..3 {
        let (ok, _, err) = site.run(&["check", URL]).await;
        assert!(ok && err.contains("not yet confirmed"), "{err}");
    }
    assert_eq!(
        site.kinds(),
        ["new"],
        "three sightings within the hour are not a removal"
    );
    let row = site.archive().article(URL).unwrap().unwrap();
    assert_eq!(row.removal_pending, 3);
    // The next check comes when the removal can be confirmed, not a month later.
    let next = chrono::DateTime::parse_from_rfc3339(row.next_check_at.as_deref().unwrap()).unwrap();
    let since = chrono::DateTime::parse_from_rfc3339(row.removal_pending_since.as_deref().unwrap())
        .unwrap();
    assert_eq!((next - since).num_minutes(), 60);
}

#[tokio::test(flavor = "multi_thread")]
async fn due_checks_follow_the_schedule() {
    let site = Site::start("").await;
    site.serve(Serving::Page {
        html: page("近期，中国人工智能企业"),
        etag: "\"a\"".into(),
    });
    site.run(&["archive", URL]).await;
    let row = site.archive().article(URL).unwrap().unwrap();
    assert!(
        row.next_check_at.is_some(),
        "archiving schedules the next check"
    );
    // Published in 2025: an old article, next checked in 30 days; nothing is due now.
    let (ok, _, err) = site.run(&["check", "--due"]).await;
    assert!(ok && err.contains("checked 0"), "{err}");
    let (ok, _, err) = site.run(&["check", "--all"]).await;
    assert!(ok && err.contains("checked 1"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn reprocess_rederives_from_raw_captures_and_keeps_the_old_document() {
    let site = Site::start("").await;
    site.serve(Serving::Page {
        html: page("近期，中国人工智能企业"),
        etag: "\"a\"".into(),
    });
    site.run(&["archive", URL]).await;
    // Pretend an older extractor had produced a worse document for version 1.
    let db = site.dir.path().join("archive.db");
    let worse = common::golden().replace("近期，", "近期，近期，");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute(
            "UPDATE versions SET document = ?1, content_hash = ?2, extractor = 'qq/0'",
            rusqlite::params![worse, newsvault::archive::hash_hex(worse.as_bytes())],
        )
        .unwrap();
    }
    let (ok, _, err) = site.run(&["reprocess"]).await;
    assert!(ok && err.contains("1 re-derived"), "{err}");
    let archive = site.archive();
    assert_eq!(
        archive.document(URL, 1).unwrap().as_deref(),
        Some(common::golden().as_str())
    );
    assert_eq!(
        archive.versions(URL).unwrap()[0].extractor,
        Some(format!("qq/{}", newsvault::extract::EXTRACTOR_VERSION))
    );
    assert_eq!(
        archive.superseded_count().unwrap(),
        1,
        "the old document is kept"
    );
    drop(archive);
    let (ok, _, err) = site.run(&["reprocess"]).await;
    assert!(
        ok && err.contains("0 re-derived") && err.contains("1 unchanged"),
        "{err}"
    );
}
