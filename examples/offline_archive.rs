//! Archives bundled fixture pages offline, through the same code path as `newsvault archive`.
//!
//! A local HTTP server on 127.0.0.1 serves the golden Tencent News article in its three served
//! forms (tests/fixtures/qq/); `[sites.qq] fetch_base` points newsvault at it; the pipeline
//! fetches, extracts and stores each page in a fresh SQLite archive, writes the Hugo file, and
//! prints the document. Run with `cargo run --example offline_archive`.

use newsvault::archive::Archive;
use newsvault::config::Config;
use newsvault::export::write_document;
use newsvault::pipeline::{Outcome, Pipeline};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ID: &str = "20250211A013J400";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qq");
    let server = MockServer::start().await;
    // The first request gets the rich form, the second the qnt form, the third the JSON-only form.
    for form in ["rich", "qnt", "json"] {
        let page = std::fs::read(fixtures.join(format!("golden-{form}.html")))?;
        Mock::given(method("GET"))
            .and(path(format!("/rain/a/{ID}")))
            .respond_with(ResponseTemplate::new(200).set_body_raw(page, "text/html; charset=utf-8"))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }

    let work = tempfile::tempdir()?;
    let mut config = Config::default();
    config.archive.path = work.path().join("newsvault.db");
    config.sites.qq.fetch_base = server.uri();
    config.fetch.per_host_interval = std::time::Duration::ZERO;
    let archive = Archive::open(&config.archive.path)?;
    let pipeline = Pipeline::new(config, archive)?;

    let url = format!("https://new.qq.com/rain/a/{ID}");
    for form in ["rich", "qnt", "json"] {
        let outcome = pipeline.archive_url(&url).await;
        eprintln!("{form:<5} {}", outcome.summary());
        if let Outcome::Archived {
            document, target, ..
        } = &outcome
        {
            let (path, _) = write_document(&work.path().join("site"), document, &target.id)?;
            eprintln!("      wrote {}", path.strip_prefix(work.path())?.display());
        }
    }
    let text = pipeline
        .with_archive(move |a| a.latest_document(&url))
        .await?
        .expect("archived");
    print!("{text}");
    Ok(())
}
