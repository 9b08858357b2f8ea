//! The archive users already have: 54 files written by the older generator's rules from the 54
//! real bodies of `tests/fixtures/qq/bodies.jsonl` (tests/fixtures/qq/generator-archive). Pages
//! archived directly give the generator's front matter; an imported archive re-checked against
//! the same articles, served in the current page forms by a local server, announces no edit;
//! one changed sentence is exactly one edit, and its diff shows the sentence.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use common::{
    Form, ServedBody, TestServer, fixture_path, newsvault_async, qq_page_with_cover, served_bodies,
    write_test_config,
};
use newsvault::archive::Archive;
use newsvault::config::{Config, SitesConfig};
use newsvault::diff::{DocumentDiff, Op};
use newsvault::document::Document;
use newsvault::extract::{Extraction, extract};
use newsvault::feed::event_entry_id;
use newsvault::sites::resolve;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn generator_file(id: &str) -> PathBuf {
    fixture_path(&format!(
        "qq/generator-archive/content/zh-CN/news/qq/{id}.zh-CN.md"
    ))
}

fn generator_document(id: &str) -> Document {
    let text = std::fs::read_to_string(generator_file(id)).unwrap();
    Document::parse(&text).unwrap_or_else(|e| panic!("{id}: {e}"))
}

fn canonical(id: &str) -> String {
    format!("https://new.qq.com/rain/a/{id}")
}

/// The page of `body` as the site serves it now, with its list cover as `og:image`.
fn page(body: &ServedBody, form: Form) -> String {
    let cover = Some(body.image.as_str()).filter(|c| !c.is_empty());
    qq_page_with_cover(
        &body.id,
        &body.title,
        &body.pub_date,
        "媒体",
        cover,
        &body.description,
        form,
    )
}

/// The front-matter fields of a document, by name.
fn front_matter(d: &Document) -> [(&'static str, &str); 7] {
    [
        ("title", &d.title),
        ("date", &d.date),
        ("summary", &d.summary),
        ("site", &d.site),
        ("lang", &d.lang),
        ("thumbnail", &d.thumbnail),
        ("source", &d.source_url),
    ]
}

#[test]
fn archiving_the_pages_gives_the_generators_front_matter() {
    let bodies = served_bodies();
    assert_eq!(bodies.len(), 54);
    for form in [Form::Dom, Form::JsonOnly] {
        let mut unequal = Vec::new();
        for body in &bodies {
            let target = resolve(&body.link, &SitesConfig::default()).unwrap();
            let Extraction::Article(article) =
                extract(&page(body, form), &target, &target.fetch_url)
            else {
                panic!("{}: not an article", body.id);
            };
            let ours = article.to_document(&target).normalized();
            let theirs = generator_document(&body.id);
            for ((name, a), (_, b)) in front_matter(&ours).into_iter().zip(front_matter(&theirs)) {
                if a != b {
                    unequal.push(format!(
                        "{} {name}: {a:?} vs the generator's {b:?}",
                        body.id
                    ));
                }
            }
        }
        eprintln!(
            "{form:?}: front matter equal for {}/{}",
            bodies.len() - unequal.len(),
            bodies.len()
        );
        assert!(unequal.is_empty(), "{form:?}:\n{}", unequal.join("\n"));
    }
}

/// Serves every body's page, half in the DOM form and half in the JSON-only form; a body can
/// be replaced while serving.
#[derive(Clone)]
struct Pages(Arc<Mutex<BTreeMap<String, String>>>);

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = request.url.path().rsplit('/').next().unwrap_or("");
        match self.0.lock().unwrap().get(id) {
            Some(html) => ResponseTemplate::new(200)
                .set_body_raw(html.clone().into_bytes(), "text/html; charset=utf-8"),
            None => ResponseTemplate::new(404),
        }
    }
}

fn form_of(index: usize) -> Form {
    if index.is_multiple_of(2) {
        Form::Dom
    } else {
        Form::JsonOnly
    }
}

struct Run {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Run {
    async fn newsvault(&self, args: &[&str]) -> String {
        let mut all = vec!["--config".to_owned(), self.config.display().to_string()];
        all.extend(args.iter().map(|s| (*s).to_owned()));
        let out = newsvault_async(all, self.dir.path().into()).await;
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "newsvault {args:?}: {stderr}");
        String::from_utf8_lossy(&out.stdout).into_owned() + &stderr
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("archive.db")
    }

    fn kinds(&self, ids: &[String]) -> BTreeMap<String, Vec<String>> {
        let archive = Archive::open(&self.db()).unwrap();
        ids.iter()
            .map(|id| {
                let kinds = archive.versions(&canonical(id)).unwrap();
                (
                    id.clone(),
                    kinds.into_iter().map(|v| v.kind.to_string()).collect(),
                )
            })
            .collect()
    }
}

/// Entry ids of every page of a feed, following `next` links.
async fn feed_entry_ids(first: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut url = first.to_owned();
    for _ in 0..20 {
        let xml = reqwest::get(&url).await.unwrap().text().await.unwrap();
        for entry in xml.split("<entry").skip(1) {
            let start = entry.find("<id>").unwrap() + 4;
            ids.push(entry[start..entry.find("</id>").unwrap()].to_owned());
        }
        let Some(at) = xml.find("<link rel=\"next\" href=\"") else {
            return ids;
        };
        let href = &xml[at + 23..];
        url = href[..href.find('"').unwrap()].replace("&amp;", "&");
    }
    panic!("the changes feed does not end");
}

async fn changes_feed_ids(db: &Path) -> HashSet<String> {
    let server = TestServer::start(db, Config::default()).await;
    let ids = feed_entry_ids(&server.url("/changes.atom")).await;
    server.stop().await;
    let unique: HashSet<String> = ids.iter().cloned().collect();
    assert_eq!(unique.len(), ids.len(), "no entry twice");
    unique
}

/// A sentence of plain text (no markup inside) from a paragraph of `html`.
fn a_sentence(html: &str) -> String {
    let sentence = regex::Regex::new(r"<p>([^<>]{15,80}?。)").unwrap();
    sentence.captures(html).expect("a plain sentence")[1].to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn imported_archive_rechecked_announces_only_real_edits() {
    let bodies = served_bodies();
    let ids: Vec<String> = bodies.iter().map(|b| b.id.clone()).collect();
    let pages = Pages(Arc::new(Mutex::new(
        bodies
            .iter()
            .enumerate()
            .map(|(i, b)| (b.id.clone(), page(b, form_of(i))))
            .collect(),
    )));
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(pages.clone())
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_test_config(dir.path(), &server.uri(), "");
    let run = Run { dir, config };

    // The user's archive, imported.
    let tree = fixture_path("qq/generator-archive");
    let out = run.newsvault(&["import", tree.to_str().unwrap()]).await;
    assert!(
        out.contains("imported 54 (54 new articles, 0 new versions)"),
        "{out}"
    );
    let imports: HashSet<String> = ids
        .iter()
        .map(|id| event_entry_id(&canonical(id), 1))
        .collect();
    assert_eq!(changes_feed_ids(&run.db()).await, imports);

    // The same articles, re-checked: nothing was edited.
    run.newsvault(&["check", "--all"]).await;
    let kinds = run.kinds(&ids);
    let edits: Vec<&String> = kinds
        .iter()
        .filter(|(_, k)| k.iter().any(|k| k == "edit"))
        .map(|(id, _)| id)
        .collect();
    let recaptures = kinds.values().filter(|k| k.len() == 2).count();
    eprintln!(
        "re-check of 54 imported articles: {} edit(s), {recaptures} re-capture(s), {} unchanged",
        edits.len(),
        kinds.values().filter(|k| k.len() == 1).count()
    );
    assert!(edits.is_empty(), "false edits: {edits:?}");
    for (id, k) in &kinds {
        assert!(
            k == &["import"] || k == &["import", "recapture"],
            "{id}: {k:?}"
        );
    }
    assert!(recaptures > 0, "the raw captures are kept");
    assert_eq!(changes_feed_ids(&run.db()).await, imports);
    let recaptured = kinds.iter().find(|(_, k)| k.len() == 2).unwrap().0;
    let history = run.newsvault(&["history", recaptured]).await;
    assert!(
        history.contains("recapture") && history.contains("the article is unchanged"),
        "{history}"
    );

    // One sentence of one body changes: exactly that article is edited, and the diff shows it.
    let (index, edited) = bodies
        .iter()
        .enumerate()
        .find(|(_, b)| {
            regex::Regex::new(r"<p>[^<>]{15,80}?。")
                .unwrap()
                .is_match(&b.description)
        })
        .unwrap();
    let old_sentence = a_sentence(&edited.description);
    let new_sentence = "这一句在发布后被作者改写了，内容与原文完全不同。";
    let mut changed = edited.clone();
    changed.description = edited.description.replacen(&old_sentence, new_sentence, 1);
    pages
        .0
        .lock()
        .unwrap()
        .insert(edited.id.clone(), page(&changed, form_of(index)));
    run.newsvault(&["check", "--all"]).await;
    let after = run.kinds(&ids);
    for (id, k) in &after {
        if id == &edited.id {
            assert_eq!(k.last().map(String::as_str), Some("edit"), "{id}: {k:?}");
            assert_eq!(k.len(), kinds[id].len() + 1, "{id}: {k:?}");
        } else {
            assert_eq!(k, &kinds[id], "{id} is unchanged");
        }
    }
    let archive = Archive::open(&run.db()).unwrap();
    let url = canonical(&edited.id);
    let latest = archive.version_details(&url).unwrap().pop().unwrap();
    let diff = DocumentDiff::from_json(latest.diff.as_deref().unwrap()).unwrap();
    let spans = |op: Op| -> String {
        diff.body
            .iter()
            .filter(|(o, _)| *o == op)
            .map(|(_, s)| s.as_str())
            .collect()
    };
    assert!(spans(Op::Insert).contains("被作者改写了"), "{diff:?}");
    assert!(!spans(Op::Delete).is_empty(), "{diff:?}");
    let shown = run.newsvault(&["diff", &edited.id]).await;
    assert!(shown.contains("被作者改写了"), "{shown}");
    let mut expected = imports.clone();
    expected.insert(event_entry_id(&url, latest.seq));
    assert_eq!(changes_feed_ids(&run.db()).await, expected);
}

/// An archive made before these rules: a JSON-only page captured after the import came out
/// without the images' `alt` and was recorded as an edit. `reprocess` re-derives it and finds
/// that it changes nothing: a re-capture, not in the changes feed; it makes no edit.
#[tokio::test(flavor = "multi_thread")]
async fn reprocess_turns_false_edits_into_recaptures() {
    let bodies = served_bodies();
    let body = bodies
        .iter()
        .find(|b| b.description.contains("<img"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = write_test_config(dir.path(), "http://127.0.0.1:9", "");
    let run = Run { dir, config };
    let tree = fixture_path("qq/generator-archive");
    run.newsvault(&["import", tree.to_str().unwrap()]).await;

    let url = canonical(&body.id);
    let html = page(body, Form::JsonOnly);
    let target = resolve(&url, &SitesConfig::default()).unwrap();
    let Extraction::Article(article) = extract(&html, &target, &target.fetch_url) else {
        panic!("not an article");
    };
    let mut old_rules = article.to_document(&target);
    old_rules.body = old_rules.body.replace("![图片](", "![](");
    old_rules.summary = newsvault::document::summarize(&article.body.plain_text, "zh-CN");
    let rendered = old_rules.render();
    {
        let mut archive = Archive::open(&run.db()).unwrap();
        let recorded = archive
            .record_capture(&newsvault::archive::NewCapture {
                canonical_url: &url,
                site: "qq",
                site_article_id: &body.id,
                lang: "zh-CN",
                title: &old_rules.title,
                published: &old_rules.date,
                document: &rendered,
                fetched_at: chrono::Utc::now(),
                http_status: 200,
                final_url: target.fetch_url.as_str(),
                raw: newsvault::archive::RawBlob::new(html.as_bytes()).unwrap(),
                content_type: Some("text/html; charset=utf-8"),
                encoding: "UTF-8",
                etag: None,
                last_modified: None,
                extractor: "qq/1",
                author: None,
                minor: false,
                diff: None,
                date_found: true,
                search: None,
            })
            .unwrap();
        assert_eq!(recorded, newsvault::archive::Recorded::Changed { seq: 2 });
    }
    assert_eq!(
        run.kinds(std::slice::from_ref(&body.id))[&body.id],
        ["import", "edit"]
    );
    assert!(
        changes_feed_ids(&run.db())
            .await
            .contains(&event_entry_id(&url, 2))
    );

    let out = run.newsvault(&["reprocess"]).await;
    assert!(out.contains("1 edit(s) found to change nothing"), "{out}");
    assert_eq!(
        run.kinds(std::slice::from_ref(&body.id))[&body.id],
        ["import", "recapture"]
    );
    let archive = Archive::open(&run.db()).unwrap();
    assert_eq!(
        archive.superseded_count().unwrap(),
        1,
        "the old document is kept"
    );
    let now = Document::parse(&archive.document(&url, 2).unwrap().unwrap()).unwrap();
    assert!(
        now.body.contains("![图片]("),
        "re-derived by the current rules"
    );
    let imports: HashSet<String> = bodies
        .iter()
        .map(|b| event_entry_id(&canonical(&b.id), 1))
        .collect();
    assert_eq!(changes_feed_ids(&run.db()).await, imports);
    // Run again: nothing left to re-derive or re-classify.
    let out = run.newsvault(&["reprocess"]).await;
    assert!(
        out.contains("0 re-derived") && out.contains("0 edit(s)"),
        "{out}"
    );
}
