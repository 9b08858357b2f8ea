//! Images kept with each version, end to end over 127.0.0.1 with the real binary: a Tencent
//! News page whose body shows images from a local image server (one listed twice, one that
//! answers 404, one served as `image/jpeg` that is HTML, one too large, one redirected to a
//! private address) is archived by `archive URL` (which lifts the target policy for the typed
//! URL, not for its images); each image is stored once, the others recorded with their outcome; a re-check fetches the one that failed; the
//! WARC export holds the images (read by warcio) and `export --images` writes them with a
//! manifest; then the page is removed, the image server stopped, and the web UI served by
//! `newsvault serve` still shows every archived image from `/media/<hash>`.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};

use common::{Form, GOLDEN_ID, free_port, newsvault_async, qq_page_with_cover, write_test_config};
use newsvault::archive::{Archive, ImageOutcome, ImageRole};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const URL: &str = "https://new.qq.com/rain/a/20250211A013J400";

/// Bytes that begin like each image type, then differ (the type is read from the start).
fn image(magic: &[u8], fill: u8) -> Vec<u8> {
    let mut bytes = magic.to_vec();
    bytes.extend(std::iter::repeat_n(fill, 3000));
    bytes
}

fn jpeg() -> Vec<u8> {
    image(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0", 1)
}
fn png() -> Vec<u8> {
    image(b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 2)
}
fn gif() -> Vec<u8> {
    image(b"GIF89a\x10\0\x10\0", 3)
}
fn late_png() -> Vec<u8> {
    image(b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 4)
}

/// An answer that can be changed while the server runs.
#[derive(Clone)]
struct Switch(Arc<Mutex<ResponseTemplate>>);

impl Switch {
    fn new(answer: ResponseTemplate) -> Switch {
        Switch(Arc::new(Mutex::new(answer)))
    }
    fn set(&self, answer: ResponseTemplate) {
        *self.0.lock().unwrap() = answer;
    }
}

impl Respond for Switch {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.0.lock().unwrap().clone()
    }
}

fn bytes_as(body: Vec<u8>, content_type: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, content_type)
}

async fn mount(server: &MockServer, at: &str, respond: impl Respond + 'static) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(respond)
        .mount(server)
        .await;
}

/// The image server: what each image path answers.
async fn image_server(late: &Switch) -> MockServer {
    let server = MockServer::start().await;
    mount(&server, "/img/a.jpg", bytes_as(jpeg(), "image/jpeg")).await;
    // A PNG the server calls a JPEG: the bytes decide.
    mount(&server, "/img/b.jpg", bytes_as(png(), "image/jpeg")).await;
    mount(&server, "/img/cover.gif", bytes_as(gif(), "image/gif")).await;
    let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec();
    mount(&server, "/img/fake.jpg", bytes_as(html, "image/jpeg")).await;
    mount(&server, "/img/late.png", late.clone()).await;
    // Over the test's image_max_bytes (100,000).
    mount(
        &server,
        "/img/huge.jpg",
        bytes_as(image(b"\xFF\xD8\xFF", 5).repeat(50), "image/jpeg"),
    )
    .await;
    // A redirect to a private address the target policy does not allow (the test config
    // allows 127.0.0.1 only; 127.0.0.2 keeps the test on loopback even if it were fetched).
    let away = ResponseTemplate::new(302).insert_header("location", "http://127.0.0.2:9/x.jpg");
    mount(&server, "/img/away.jpg", away).await;
    server
}

async fn run(dir: &Path, config: &Path, args: &[&str]) -> (bool, String) {
    let mut all = vec!["--config".to_owned(), config.display().to_string()];
    all.extend(args.iter().map(|s| (*s).to_owned()));
    let out = newsvault_async(all, dir.into()).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.success(), stderr)
}

fn requests_to(requests: &[Request], at: &str) -> usize {
    requests.iter().filter(|r| r.url.path() == at).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn archived_images_outlive_the_article_and_its_image_server() {
    let late = Switch::new(ResponseTemplate::new(404).set_body_string("not found"));
    let images = image_server(&late).await;
    let image_base = images.uri();
    let img = |name: &str| format!("{image_base}/img/{name}");
    let body = format!(
        "<p>第一段。</p><p><img src=\"{}\"></p><p>第二段。</p><p><img src=\"{}\"></p>\
         <p><img src=\"{}\"></p><p><img src=\"{}\"></p><p>第三段。</p><p><img src=\"{}\"></p>\
         <p><img src=\"{}\"></p><p><img src=\"{}\"></p>",
        img("a.jpg"),
        img("b.jpg"),
        img("late.png"),
        img("fake.jpg"),
        img("huge.jpg"),
        img("away.jpg"),
        img("a.jpg"),
    );
    let page = qq_page_with_cover(
        GOLDEN_ID,
        "图片测试",
        "2025-02-11 07:03:08",
        "测试媒体",
        Some(&img("cover.gif")),
        &body,
        Form::Dom,
    );
    let site = MockServer::start().await;
    let article = Switch::new(bytes_as(page.into_bytes(), "text/html; charset=utf-8"));
    mount(&site, &format!("/rain/a/{GOLDEN_ID}"), article.clone()).await;

    let dir = tempfile::tempdir().unwrap();
    let config = write_test_config(dir.path(), &site.uri(), "");
    let text = std::fs::read_to_string(&config).unwrap();
    let confirm = "[archive]\nremoval_confirmations = 1\nremoval_confirm_after = \"0s\"\n\
                   image_max_bytes = 100000\n";
    let text = text.replace("images = false", "images = true");
    std::fs::write(&config, text.replace("[archive]\n", confirm)).unwrap();
    let db = dir.path().join("archive.db");

    let (ok, err) = run(dir.path(), &config, &["archive", URL]).await;
    assert!(ok, "{err}");
    let (shown, stored) = {
        let archive = Archive::open(&db).unwrap();
        let rows = archive.version_images(URL, 1).unwrap();
        let document = archive.latest_document(URL).unwrap().unwrap();
        (rows, document)
    };
    // The document keeps the original addresses: the archive format is unchanged.
    assert!(
        stored.contains(&img("a.jpg")) && !stored.contains("/media/"),
        "{stored}"
    );
    let outcomes: Vec<_> = shown
        .iter()
        .map(|r| (r.position, r.role, r.url.clone(), r.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            (0, ImageRole::Cover, img("cover.gif"), ImageOutcome::Ok),
            (1, ImageRole::Body, img("a.jpg"), ImageOutcome::Ok),
            (2, ImageRole::Body, img("b.jpg"), ImageOutcome::Ok),
            (3, ImageRole::Body, img("late.png"), ImageOutcome::Failed),
            (4, ImageRole::Body, img("fake.jpg"), ImageOutcome::NotImage),
            (5, ImageRole::Body, img("huge.jpg"), ImageOutcome::TooLarge),
            (6, ImageRole::Body, img("away.jpg"), ImageOutcome::Refused),
        ]
    );
    assert!(shown[5].detail.contains("100000"), "{:?}", shown[5]);
    assert!(shown[6].detail.contains("127.0.0.2"), "{:?}", shown[6]);
    assert_eq!(shown[2].content_type.as_deref(), Some("image/png"));
    assert!(shown[3].detail.contains("HTTP 404"), "{:?}", shown[3]);
    assert!(shown[4].detail.contains("image/jpeg"), "{:?}", shown[4]);
    let requests = images.received_requests().await.unwrap();
    assert_eq!(
        requests_to(&requests, "/img/a.jpg"),
        1,
        "listed twice, fetched once"
    );

    // Stored once each, uncompressed, beside the page's raw capture.
    let mut side = rusqlite::Connection::open(&db).unwrap();
    let count = |side: &mut rusqlite::Connection, sql: &str| -> i64 {
        side.query_row(sql, [], |r| r.get(0)).unwrap()
    };
    assert_eq!(count(&mut side, "SELECT count(*) FROM blobs"), 4);
    assert_eq!(
        count(
            &mut side,
            "SELECT count(*) FROM blobs WHERE compression = 'none'"
        ),
        3
    );

    // The next check tries the failed image again, and only it.
    late.set(bytes_as(late_png(), "image/png"));
    let (ok, err) = run(dir.path(), &config, &["check", URL]).await;
    assert!(ok, "{err}");
    let rows = Archive::open(&db).unwrap().version_images(URL, 1).unwrap();
    let retried = rows.iter().find(|r| r.url == img("late.png")).unwrap();
    assert_eq!((retried.outcome, retried.attempts), (ImageOutcome::Ok, 2));
    let requests = images.received_requests().await.unwrap();
    assert_eq!(requests_to(&requests, "/img/a.jpg"), 1);
    assert_eq!(requests_to(&requests, "/img/late.png"), 2);
    assert_eq!(count(&mut side, "SELECT count(*) FROM blobs"), 5);

    let archived = [
        (img("cover.gif"), gif(), "image/gif"),
        (img("a.jpg"), jpeg(), "image/jpeg"),
        (img("b.jpg"), png(), "image/png"),
        (img("late.png"), late_png(), "image/png"),
    ];
    check_warc(dir.path(), &config, &archived).await;
    check_image_export(dir.path(), &config, &archived).await;

    // The article is removed at the source and its images are gone with it.
    article.set(ResponseTemplate::new(404).set_body_string("gone"));
    let (ok, err) = run(dir.path(), &config, &["check", URL]).await;
    assert!(ok && err.contains("removal recorded"), "{err}");
    drop(images);
    let not_archived = [img("fake.jpg"), img("huge.jpg"), img("away.jpg")];
    check_web_ui(dir.path(), &config, &archived, &not_archived).await;
}

/// The WARC export holds a response record per archived image, read back by warcio with
/// its digests checked.
async fn check_warc(dir: &Path, config: &Path, archived: &[(String, Vec<u8>, &str)]) {
    let warc = dir.join("archive.warc.gz");
    let (ok, err) = run(dir, config, &["export", "--warc", warc.to_str().unwrap()]).await;
    assert!(ok, "{err}");
    let script = r#"
import base64, json, sys
from warcio.archiveiterator import ArchiveIterator
out = []
with open(sys.argv[1], 'rb') as f:
    for record in ArchiveIterator(f, check_digests='raise'):
        if record.rec_type == 'response':
            out.append({
                'uri': record.rec_headers.get_header('WARC-Target-URI'),
                'status': record.http_headers.get_statuscode(),
                'content_type': record.http_headers.get_header('Content-Type'),
                'payload': base64.b64encode(record.content_stream().read()).decode(),
            })
print(json.dumps(out))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&warc)
        .output()
        .expect("python3 with warcio must be installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(records.len(), 1 + archived.len(), "{records:?}");
    for (url, bytes, content_type) in archived {
        let record = records
            .iter()
            .find(|r| r["uri"] == url.as_str())
            .unwrap_or_else(|| panic!("no WARC record of {url}"));
        assert_eq!(record["status"], "200");
        assert_eq!(record["content_type"], *content_type);
        let payload = data_encoding::BASE64
            .decode(record["payload"].as_str().unwrap().as_bytes())
            .unwrap();
        assert_eq!(&payload, bytes, "{url}");
    }
}

/// `export --images` writes each image beside the tree and lists URL → file.
async fn check_image_export(dir: &Path, config: &Path, archived: &[(String, Vec<u8>, &str)]) {
    let site = dir.join("site");
    let (ok, err) = run(dir, config, &["export", site.to_str().unwrap(), "--images"]).await;
    assert!(ok, "{err}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("media-manifest.json")).unwrap()).unwrap();
    let entries = manifest["images"].as_array().unwrap();
    assert_eq!(entries.len(), archived.len(), "{manifest}");
    for (url, bytes, content_type) in archived {
        let entry = entries.iter().find(|e| e["url"] == url.as_str()).unwrap();
        assert_eq!(entry["content_type"], *content_type);
        let file = site.join(entry["file"].as_str().unwrap());
        assert_eq!(&std::fs::read(&file).unwrap(), bytes, "{}", file.display());
    }
}

/// Starts `newsvault serve` on a free port and waits until it accepts connections.
async fn serve(dir: &Path, config: &Path) -> (std::process::Child, String) {
    let addr = format!("127.0.0.1:{}", free_port());
    let mut child = common::without_newsvault_env(&mut std::process::Command::new(env!(
        "CARGO_BIN_EXE_newsvault"
    )))
    .arg("--config")
    .arg(config)
    .args(["serve", "--listen", &addr])
    .current_dir(dir)
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    for _ in 0..600 {
        if tokio::net::TcpStream::connect(&addr).await.is_ok() {
            return (child, format!("http://{addr}"));
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("newsvault serve did not start listening on {addr}");
}

/// The article page shows every archived image from `/media/<hash>`, which answers with the
/// bytes and their type, never sniffable, under a CSP that allows nothing; the image without an
/// archived copy keep their original address.
async fn check_web_ui(
    dir: &Path,
    config: &Path,
    archived: &[(String, Vec<u8>, &str)],
    not_archived: &[String],
) {
    let (mut child, base) = serve(dir, config).await;
    // The client is built with `rustls-no-provider`: plain HTTP here, but it wants one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let page = client
        .get(format!("{base}/a/qq/{GOLDEN_ID}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Removed from the source"), "{page}");
    let src = regex::Regex::new(r#"<img [^>]*src="([^"]*)""#).unwrap();
    let sources: Vec<String> = src.captures_iter(&page).map(|c| c[1].to_owned()).collect();
    // The body's images: a.jpg twice, b.jpg and late.png archived, three others not.
    assert_eq!(sources.len(), 7, "{sources:?}");
    assert_eq!(
        sources.iter().filter(|s| s.starts_with("/media/")).count(),
        4
    );
    for url in not_archived {
        assert!(sources.contains(url), "{url} is not shown: {sources:?}");
    }
    for (url, bytes, content_type) in archived.iter().skip(1) {
        let media = format!("/media/{}", newsvault::archive::hash_hex(bytes));
        assert!(sources.contains(&media), "{url} is not shown from {media}");
        let answer = client.get(format!("{base}{media}")).send().await.unwrap();
        assert_eq!(answer.status(), 200);
        let headers = answer.headers().clone();
        assert_eq!(headers["content-type"], *content_type);
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(
            headers["content-security-policy"],
            "default-src 'none'; sandbox"
        );
        assert_eq!(&answer.bytes().await.unwrap()[..], &bytes[..]);
    }
    // The article's history feed shows them too, by absolute URL.
    let feed = client
        .get(format!("{base}/a/qq/{GOLDEN_ID}.atom"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for (url, bytes, _) in archived.iter().skip(1) {
        let media = format!("{base}/media/{}", newsvault::archive::hash_hex(bytes));
        assert!(
            feed.contains(&media),
            "{url} is not shown from {media} in the feed"
        );
    }
    // A blob that is not an image (the page's raw capture) is never served as one.
    let raw = Archive::open(&dir.join("archive.db"))
        .unwrap()
        .versions(URL)
        .unwrap()[0]
        .raw_hash
        .clone()
        .unwrap();
    let refused = client
        .get(format!("{base}/media/{raw}"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404);
    let _ = child.kill();
    let _ = child.wait();
}
