//! Helpers shared by the integration tests: fixture files, Tencent News page templates, a local
//! HTTP server (wiremock on 127.0.0.1) and running the real binary.
#![allow(dead_code)]

pub mod tree;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const GOLDEN_ID: &str = "20250211A013J400";

pub fn fixture_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

pub fn fixture_bytes(relative: &str) -> Vec<u8> {
    std::fs::read(fixture_path(relative)).unwrap_or_else(|e| panic!("fixture {relative}: {e}"))
}

pub fn fixture_text(relative: &str) -> String {
    String::from_utf8(fixture_bytes(relative)).expect("UTF-8 fixture")
}

pub fn golden() -> String {
    fixture_text(&format!("golden/{GOLDEN_ID}.zh-CN.md"))
}

/// One real article body as served (tests/fixtures/qq/bodies.jsonl).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ServedBody {
    pub id: String,
    pub title: String,
    pub pub_date: String,
    pub description: String,
}

pub fn served_bodies() -> Vec<ServedBody> {
    fixture_text("qq/bodies.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("bodies.jsonl line"))
        .collect()
}

/// The form a body is served in (tencent-news.md §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The body container in the static HTML, as captured.
    Dom,
    /// An empty `#article-content`; the body only in `window.DATA.originContent.text`.
    JsonOnly,
}

/// A current-template Tencent News page carrying `body_html` in the given form.
pub fn qq_page(
    id: &str,
    title: &str,
    pubtime: &str,
    media: &str,
    body_html: &str,
    form: Form,
) -> String {
    let data = serde_json::json!({
        "article_id": id,
        "article_type": "0",
        "title": title,
        "media": media,
        "pubtime": pubtime,
        "originContent": {"text": body_html},
        "originAttribute": {},
    });
    let data = serde_json::to_string(&data).unwrap().replace("</", "<\\/");
    let content = match form {
        Form::Dom if body_html.starts_with("<div id=\"article-content\"") => body_html.to_owned(),
        Form::Dom => format!("<div id=\"article-content\">{body_html}</div>"),
        Form::JsonOnly => "<div id=\"article-content\"></div>".to_owned(),
    };
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{title}_腾讯新闻</title></head>\
         <body><div class=\"nav\"><a href=\"/\">首页</a></div><h1 id=\"article-title\">{title}</h1>\
         <div id=\"article-author\"><p class=\"media-name\">{media}</p></div>{content}\
         <div class=\"statement\">免责声明：本内容来自腾讯平台创作者，不代表腾讯新闻或腾讯网的观点和立场。</div>\
         <script>window.DATA = {data};</script></body></html>"
    )
}

/// Runs the real `newsvault` binary.
pub fn newsvault(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_newsvault"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NEWSVAULT_CONFIG")
        .env_remove("NEWSVAULT_DB")
        .env_remove("RUST_LOG")
        .output()
        .expect("run newsvault")
}

/// Runs the binary on a blocking thread so the test's local server keeps serving.
pub async fn newsvault_async(args: Vec<String>, cwd: PathBuf) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        newsvault(&args, &cwd)
    })
    .await
    .unwrap()
}

/// A config file pointing Tencent News at a local server, with fast retries and no politeness
/// delay so tests stay quick.
pub fn write_test_config(dir: &Path, server_uri: &str, extra_fetch: &str) -> PathBuf {
    let path = dir.join("newsvault.toml");
    std::fs::write(
        &path,
        format!(
            "[archive]\npath = \"{}\"\n\n[fetch]\nretries = 2\nretry_base_delay = \"10ms\"\nper_host_interval = \"0s\"\n{extra_fetch}\n\n[sites.qq]\nfetch_base = \"{server_uri}\"\n",
            dir.join("archive.db").display()
        ),
    )
    .unwrap();
    path
}
