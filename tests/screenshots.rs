//! The visual capture (`[capture] screenshot`), end to end with the real browser (Debian's
//! `chromium`, as the web UI tests use it) and the real binary: a long Tencent News page served
//! from 127.0.0.1 is archived and its version gets a full-page PNG, decoded here and shown by
//! the web UI; a page whose image never arrives is cut off at the time limit and its version
//! kept; and with the option on, a missing browser stops `archive` before anything is fetched.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{
    Form, TestServer, newsvault_async, qq_page, without_newsvault_env, write_test_config,
};
use newsvault::archive::{Archive, ShotKind, ShotOutcome};
use newsvault::config::Config;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ID: &str = "20250301A0SHOT00";

fn canonical() -> String {
    format!("https://new.qq.com/rain/a/{ID}")
}

/// A solid red square, as a real PNG.
fn red_png(side: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    let pixels: Vec<u8> = (0..side * side).flat_map(|_| [255u8, 0, 0]).collect();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    out
}

/// A page many screens tall, with one image at `image_url`.
fn long_page(image_url: &str) -> String {
    let mut body = format!("<p><img src=\"{image_url}\" alt=\"图\"></p>");
    for i in 0..80 {
        body.push_str(&format!(
            "<p>第{i}段：这是一篇很长的文章，每一段都讲述事情的一个方面，读者需要向下滚动很多屏才能读完。</p>"
        ));
    }
    qq_page(
        ID,
        "一篇很长的文章",
        "2025-03-01 08:00:00",
        "媒体",
        &format!("<div class=\"rich_media_content\">{body}</div>"),
        Form::Dom,
    )
}

async fn serve_page(server: &MockServer, html: String) {
    Mock::given(method("GET"))
        .and(path(format!("/rain/a/{ID}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(html.into_bytes(), "text/html; charset=utf-8"),
        )
        .mount(server)
        .await;
}

/// The test config with the capture on.
fn capture_config(dir: &Path, server: &str, capture: &str) -> PathBuf {
    let config = write_test_config(dir, server, "");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!("\n[capture]\nscreenshot = true\n{capture}\n"));
    std::fs::write(&config, text).unwrap();
    config
}

async fn archive(config: &Path, dir: &Path) -> std::process::Output {
    newsvault_async(
        vec![
            "--config".into(),
            config.display().to_string(),
            "archive".into(),
            canonical(),
        ],
        dir.into(),
    )
    .await
}

fn decode(bytes: &[u8]) -> (png::OutputInfo, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    pixels.truncate(info.buffer_size());
    (info, pixels)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_page_gets_a_full_page_png_shown_on_its_article_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/img/red.png"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(red_png(200), "image/png"))
        .mount(&server)
        .await;
    serve_page(&server, long_page(&format!("{}/img/red.png", server.uri()))).await;
    let dir = tempfile::tempdir().unwrap();
    let config = capture_config(dir.path(), &server.uri(), "timeout = \"60s\"\npdf = true");

    let out = archive(&config, dir.path()).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("new "), "{stderr}");

    let db = dir.path().join("archive.db");
    let a = Archive::open(&db).unwrap();
    let shots = a.screenshots(&canonical()).unwrap();
    let kinds: Vec<_> = shots.iter().map(|s| (s.kind, s.outcome)).collect();
    assert_eq!(
        kinds,
        [
            (ShotKind::Pdf, ShotOutcome::Ok),
            (ShotKind::Png, ShotOutcome::Ok)
        ],
        "{shots:?}"
    );
    let pdf = a
        .screenshot_image(shots[0].version_id, ShotKind::Pdf)
        .unwrap()
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let shot = &shots[1];
    assert_eq!(
        (shot.seq, shot.kind, shot.outcome),
        (1, ShotKind::Png, ShotOutcome::Ok),
        "{shot:?}"
    );
    let image = a
        .screenshot_image(shot.version_id, ShotKind::Png)
        .unwrap()
        .unwrap();
    let (info, pixels) = decode(&image);
    // The whole page: as wide as configured, far taller than the 800-pixel window.
    assert_eq!(info.width, 1280);
    assert!(info.height > 2 * 800, "height {}", info.height);
    assert_eq!(
        (shot.width, shot.height),
        (Some(info.width), Some(info.height))
    );
    // The page's own image was loaded from 127.0.0.1 and is in the picture.
    let channels = info.color_type.samples();
    let red = pixels
        .chunks(channels)
        .filter(|p| p[0] > 200 && p[1] < 60 && p[2] < 60)
        .count();
    assert!(red > 10_000, "{red} red pixels");
    drop(a);

    // The article page shows it, and it is served as a PNG, never as HTML.
    let web = TestServer::start(&db, Config::default()).await;
    let client = reqwest::Client::new();
    let page = client
        .get(web.url(&format!("/a/qq/{ID}")))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    let src = format!("/screenshot/{}.png", shot.version_id);
    assert!(html.contains(&format!("<img src=\"{src}\"")), "{html}");
    let served = client.get(web.url(&src)).send().await.unwrap();
    assert_eq!(served.status(), 200);
    let headers = served.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert_eq!(served.bytes().await.unwrap().as_ref(), image.as_slice());
    let missing = client
        .get(web.url("/screenshot/999999.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    web.stop().await;

    // An edit gets a picture of its own, and the diff view shows both beside each other.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/img/red.png"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(red_png(200), "image/png"))
        .mount(&server)
        .await;
    let edited =
        long_page(&format!("{}/img/red.png", server.uri())).replace("第0段", "第〇段（已修改）");
    serve_page(&server, edited).await;
    let out = archive(&config, dir.path()).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("changed "), "{stderr}");
    let a = Archive::open(&db).unwrap();
    let shots = a.screenshots(&canonical()).unwrap();
    let shots: Vec<_> = shots
        .into_iter()
        .filter(|s| s.kind == ShotKind::Png)
        .collect();
    let summary: Vec<_> = shots.iter().map(|s| (s.seq, s.outcome)).collect();
    assert_eq!(
        summary,
        [(1, ShotOutcome::Ok), (2, ShotOutcome::Ok)],
        "{shots:?}"
    );
    let edited_png = a
        .screenshot_image(shots[1].version_id, ShotKind::Png)
        .unwrap()
        .unwrap();
    assert_ne!(edited_png, image, "the edit shows in the picture");
    drop(a);
    let web = TestServer::start(&db, Config::default()).await;
    let diff = client
        .get(web.url(&format!("/a/qq/{ID}/diff")))
        .send()
        .await
        .unwrap();
    let html = diff.text().await.unwrap();
    for shot in &shots {
        let src = format!("/screenshot/{}.png", shot.version_id);
        assert!(
            html.contains(&format!("<img src=\"{src}\"")),
            "{src}: {html}"
        );
    }
    web.stop().await;
}

/// A server on 127.0.0.1 that answers the article page and holds every other request's
/// connection open without a word. (The never-answering image is on the page's own origin:
/// Chromium refuses, at once, a page's requests to another local origin.)
fn page_and_silence(page: impl Fn(&str) -> String + Send + 'static) -> String {
    page_and_silence_logged(page).0
}

/// [`page_and_silence`], and the request lines it was sent.
fn page_and_silence_logged(
    page: impl Fn(&str) -> String + Send + 'static,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let html = page(&base);
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&log);
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut stream in listener.incoming().flatten() {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head);
            let line = head.lines().next().unwrap_or("").to_owned();
            seen.lock().unwrap().push(line);
            if head.starts_with(&format!("GET /rain/a/{ID} ")) {
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
                    html.len()
                );
                let _ = stream.write_all(response.as_bytes());
            } else if head.starts_with("GET /robots.txt ") {
                let _ = stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            } else {
                held.push(stream);
            }
        }
    });
    (base, log)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_that_never_finishes_loading_is_cut_off_and_its_version_kept() {
    let base = page_and_silence(|base| long_page(&format!("{base}/never.png")));
    let dir = tempfile::tempdir().unwrap();
    let config = capture_config(dir.path(), &base, "timeout = \"4s\"");

    let out = archive(&config, dir.path()).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let a = Archive::open(&dir.path().join("archive.db")).unwrap();
    assert_eq!(a.versions(&canonical()).unwrap().len(), 1);
    let shots = a.screenshots(&canonical()).unwrap();
    assert_eq!(shots.len(), 1, "{shots:?}");
    assert!(stderr.contains("timed_out"), "{stderr} {shots:?}");
    assert_eq!(shots[0].outcome, ShotOutcome::TimedOut, "{shots:?}");
    assert!(
        shots[0].detail.contains("time limit") && shots[0].detail.contains("4s"),
        "{shots:?}"
    );
    assert_eq!(shots[0].blob_hash, None);
    assert_eq!(
        a.screenshot_image(shots[0].version_id, ShotKind::Png)
            .unwrap(),
        None
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_script_that_never_ends_is_cut_off_too() {
    let base = page_and_silence(|_| {
        long_page("data:,").replace("</body>", "<script>for (;;) {}</script></body>")
    });
    let dir = tempfile::tempdir().unwrap();
    let config = capture_config(dir.path(), &base, "timeout = \"4s\"");
    let out = archive(&config, dir.path()).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = Archive::open(&dir.path().join("archive.db")).unwrap();
    assert_eq!(a.versions(&canonical()).unwrap().len(), 1);
    let shots = a.screenshots(&canonical()).unwrap();
    let outcomes: Vec<_> = shots.iter().map(|s| s.outcome).collect();
    assert_eq!(outcomes, [ShotOutcome::TimedOut], "{shots:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_cannot_open_windows_frames_or_leave() {
    let (base, log) = page_and_silence_logged(|base| {
        long_page("data:,").replace(
            "</body>",
            &format!(
                "<iframe src=\"{base}/frame\"></iframe><a id=\"d\" href=\"{base}/file.zip\" download>d</a>\
                 <script>window.open('{base}/popup'); window.open('{base}/popup2', '_blank', 'noopener');\
                 document.getElementById('d').click();\
                 setTimeout(function () {{ location.href = '{base}/away'; }}, 50);</script></body>"
            ),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let config = capture_config(dir.path(), &base, "timeout = \"8s\"");
    let out = archive(&config, dir.path()).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let a = Archive::open(&dir.path().join("archive.db")).unwrap();
    let shots = a.screenshots(&canonical()).unwrap();
    assert_eq!(shots.len(), 1, "{shots:?}");
    assert_eq!(shots[0].outcome, ShotOutcome::Ok, "{shots:?}");
    // What the page tried is refused, and said so.
    assert!(shots[0].detail.contains("Document"), "{shots:?}");
    let seen = log.lock().unwrap().clone();
    for refused in ["/popup", "/frame", "/away", "/file.zip"] {
        assert!(
            !seen.iter().any(|line| line.contains(refused)),
            "{refused} was requested: {seen:?} {shots:?}"
        );
    }
}

/// Runs `newsvault archive` with only `path` as the PATH.
fn archive_with_path(config: &Path, dir: &Path, path: &Path) -> std::process::Output {
    without_newsvault_env(&mut Command::new(env!("CARGO_BIN_EXE_newsvault")))
        .env("PATH", path)
        .arg("--config")
        .arg(config)
        .arg("archive")
        .arg(canonical())
        .current_dir(dir)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_option_on_a_missing_browser_is_an_error_at_start() {
    let server = MockServer::start().await;
    serve_page(&server, long_page("https://inews.gtimg.com/x.png")).await;
    let dir = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    for capture in ["", "browser = \"/no/such/chromium\""] {
        let config = capture_config(dir.path(), &server.uri(), capture);
        let out =
            tokio::task::block_in_place(|| archive_with_path(&config, dir.path(), empty.path()));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{capture}: {stderr}");
        assert!(
            stderr.contains("was not found on the PATH"),
            "{capture}: {stderr}"
        );
        assert!(
            stderr.contains("[capture] screenshot"),
            "{capture}: {stderr}"
        );
    }
    // The daemon does not start either.
    let config = capture_config(dir.path(), &server.uri(), "");
    let mut daemon = without_newsvault_env(&mut Command::new(env!("CARGO_BIN_EXE_newsvault")))
        .env("PATH", empty.path())
        .arg("--config")
        .arg(&config)
        .arg("daemon")
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = common::wait_exit(&mut daemon, std::time::Duration::from_secs(60));
    let mut stderr = String::new();
    daemon
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(!status.success(), "{stderr}");
    assert!(stderr.contains("was not found on the PATH"), "{stderr}");
    // Nothing was fetched: the error came before any work.
    assert!(server.received_requests().await.unwrap().is_empty());
    // The same configuration with the option off archives as usual.
    let config = capture_config(dir.path(), &server.uri(), "");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("screenshot = true", "screenshot = false");
    std::fs::write(&config, text).unwrap();
    let out = tokio::task::block_in_place(|| archive_with_path(&config, dir.path(), empty.path()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
