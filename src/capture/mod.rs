//! The visual capture of a version (`[capture] screenshot`, `pdf`): a full-page PNG (and a
//! PDF) of the page as it was served, made by a headless Chromium from the raw capture the
//! archive stored, so that the picture matches the evidence.
//!
//! How. The browser is an external program (`[capture] browser`, Debian's `chromium`), started
//! per capture with a throwaway profile and DevTools on a free loopback port
//! ([`browser`]). It is driven over the DevTools protocol by a small synchronous client
//! ([`cdp`]: `tungstenite` over a plain `TcpStream`), because `--screenshot` on the command
//! line captures only the window, and a full page needs `Page.getLayoutMetrics` and
//! `Page.captureScreenshot` with `captureBeyondViewport`. (The CDP crates, chromiumoxide or
//! headless_chrome, would bring an async runtime of their own or a hundred dependencies for
//! the six commands used here; `--remote-debugging-pipe` needs file descriptors 3 and 4 set
//! up in the child, which takes `unsafe` code the crate forbids.)
//!
//! What the page may do. Every request of the page is intercepted (`Fetch.enable`): the page's
//! own address is answered with the stored bytes and content type, never fetched again;
//! images, stylesheets, fonts and (with `[capture] scripts`) scripts and XHR are let through
//! only to the page's own host, the hosts of its document's images and `[capture]
//! allow_hosts`, each judged by the fetcher's target policy (no private addresses unless the
//! configuration allows them); navigation away, frames, websockets, media and downloads are
//! refused. The time limit covers everything: at `[capture] timeout` the browser's whole
//! process group is killed and the attempt is recorded as timed out.
//!
//! One browser at a time per process ([`capture`] holds a lock), on a blocking thread: a
//! capture is seconds of someone else's CPU, not work for the async threads.

mod browser;
mod cdp;
pub mod png;

use std::collections::{HashMap, HashSet};
use std::net::ToSocketAddrs;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use serde_json::{Value, json};
use url::Url;

use crate::archive::{ShotKind, ShotOutcome};
use crate::config::CaptureConfig;
use crate::fetch::target::TargetPolicy;

pub use browser::find as find_browser;
use cdp::{Cdp, Events};

/// The viewport's height in CSS pixels while the page loads (the picture follows the page).
const VIEWPORT_HEIGHT: u32 = 800;

/// Refused requests named in a capture's record (the rest are counted).
const REFUSED_NOTED: usize = 3;

/// Why a capture did not give a picture.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    #[error(
        "[capture] screenshot is on, but the browser {browser:?} was not found on the PATH \
         (install Debian's chromium package, set [capture] browser to its path, or turn \
         [capture] screenshot off)"
    )]
    BrowserMissing { browser: String },
    #[error("the page did not finish within the time limit; the browser was stopped")]
    TimedOut,
    #[error("the browser failed: {0}")]
    Browser(String),
    #[error("the browser refused a command: {0}")]
    Protocol(String),
    #[error("{0}")]
    Refused(String),
}

impl CaptureError {
    /// How an attempt that failed this way is recorded.
    pub fn outcome(&self) -> ShotOutcome {
        match self {
            CaptureError::BrowserMissing { .. } => ShotOutcome::BrowserMissing,
            CaptureError::TimedOut => ShotOutcome::TimedOut,
            _ => ShotOutcome::Failed,
        }
    }
}

/// What to capture: a version's raw capture as it was served.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Where the page was served from (its final URL): it is loaded under this address.
    pub page_url: Url,
    /// The stored response body.
    pub body: Vec<u8>,
    /// The stored Content-Type (`text/html` when none was stored).
    pub content_type: String,
    /// The hosts of the images the version's document shows.
    pub image_hosts: Vec<String>,
}

/// One picture made, or why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shot {
    pub kind: ShotKind,
    pub result: Result<Picture, CaptureError>,
    /// From the browser's start to this picture.
    pub took_ms: u64,
}

/// A picture and what is known of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub bytes: Vec<u8>,
    /// Pixels (PNG only).
    pub size: Option<(u32, u32)>,
    /// What was cut, if anything.
    pub note: String,
}

/// One browser at a time in this process.
static ONE_BROWSER: Mutex<()> = Mutex::new(());

/// Captures `plan` as configured: a PNG, and a PDF when `[capture] pdf` is on. Never panics
/// on what the page does; every failure is a [`Shot`] with its reason.
pub fn capture(plan: &Plan, config: &CaptureConfig, policy: &TargetPolicy) -> Vec<Shot> {
    let mut kinds = vec![ShotKind::Png];
    if config.pdf {
        kinds.push(ShotKind::Pdf);
    }
    let _one = ONE_BROWSER.lock().unwrap_or_else(|p| p.into_inner());
    let start = Instant::now();
    let deadline = start + config.timeout;
    let took = || u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    let mut session = match Session::open(plan, config, policy, deadline) {
        Ok(session) => session,
        Err(e) => {
            return kinds
                .into_iter()
                .map(|kind| Shot {
                    kind,
                    result: Err(e.clone()),
                    took_ms: took(),
                })
                .collect();
        }
    };
    let mut shots = Vec::new();
    for kind in kinds {
        let result = match kind {
            ShotKind::Png => session.png(config),
            ShotKind::Pdf => session.pdf(config),
        };
        shots.push(Shot {
            kind,
            result,
            took_ms: took(),
        });
    }
    shots
}

/// A browser with the page loaded in it.
struct Session {
    cdp: Cdp,
    page: PageRequests,
    session_id: String,
    // Dropped last: kills the browser after the connection is closed.
    _browser: browser::Browser,
}

impl Session {
    fn open(
        plan: &Plan,
        config: &CaptureConfig,
        policy: &TargetPolicy,
        deadline: Instant,
    ) -> Result<Session, CaptureError> {
        let program = find_browser(&config.browser)?;
        let browser = browser::Browser::launch(&program, deadline)?;
        // A screenshot comes back base64-encoded in one message.
        let max_message =
            usize::try_from(config.max_bytes).unwrap_or(usize::MAX / 2) / 3 * 4 + (1 << 20);
        let mut cdp = Cdp::connect(&browser.ws_url, deadline, max_message)?;
        let mut page = PageRequests::new(plan, config, policy);
        let session_id = open_page(&mut cdp, &mut page, config)?;
        let session = Some(session_id.as_str());
        cdp.call(
            session,
            "Page.navigate",
            json!({ "url": plan.page_url.as_str() }),
            &mut page,
        )?;
        let loaded = cdp.wait_until(&mut page, |p| p.loaded && p.in_flight.is_empty());
        match loaded {
            Ok(()) => Ok(Session {
                cdp,
                page,
                session_id,
                _browser: browser,
            }),
            Err(CaptureError::TimedOut) => Err(CaptureError::TimedOut),
            Err(e) => Err(CaptureError::Browser(format!(
                "{e} ({})",
                browser.stderr_tail()
            ))),
        }
    }

    fn call(&mut self, method: &str, params: Value) -> Result<Value, CaptureError> {
        self.cdp
            .call(Some(&self.session_id), method, params, &mut self.page)
    }

    /// The whole page (down to `[capture] max_height`) as a PNG.
    fn png(&mut self, config: &CaptureConfig) -> Result<Picture, CaptureError> {
        let metrics = self.call("Page.getLayoutMetrics", json!({}))?;
        let content = metrics
            .get("cssContentSize")
            .or_else(|| metrics.get("contentSize"));
        let full_height = content
            .and_then(|c| c.get("height"))
            .and_then(Value::as_f64)
            .map_or(VIEWPORT_HEIGHT, |h| {
                h.ceil().clamp(1.0, f64::from(u32::MAX)) as u32
            });
        let height = full_height.min(config.max_height);
        let shot = self.call(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": { "x": 0, "y": 0, "width": config.width, "height": height, "scale": 1 },
            }),
        )?;
        let bytes = decode_data(&shot, config)?;
        let size = png::dimensions(&bytes)
            .map_err(|e| CaptureError::Refused(format!("the browser's PNG is damaged: {e}")))?;
        let note = if height < full_height {
            format!("cut at {height} of the page's {full_height} pixels ([capture] max_height)")
        } else {
            String::new()
        };
        Ok(Picture {
            bytes,
            size: Some(size),
            note: self.page.with_blocked(note),
        })
    }

    /// The page printed to PDF, backgrounds included.
    fn pdf(&mut self, config: &CaptureConfig) -> Result<Picture, CaptureError> {
        let printed = self.call("Page.printToPDF", json!({ "printBackground": true }))?;
        let bytes = decode_data(&printed, config)?;
        if !bytes.starts_with(b"%PDF-") {
            return Err(CaptureError::Refused(
                "the browser's PDF is not a PDF".into(),
            ));
        }
        Ok(Picture {
            bytes,
            size: None,
            note: self.page.with_blocked(String::new()),
        })
    }
}

/// Opens a page (a new target, attached as a flat session) with requests intercepted,
/// downloads refused and the configured viewport.
fn open_page(
    cdp: &mut Cdp,
    page: &mut PageRequests,
    config: &CaptureConfig,
) -> Result<String, CaptureError> {
    cdp.call(
        None,
        "Browser.setDownloadBehavior",
        json!({ "behavior": "deny" }),
        page,
    )?;
    let target = cdp.call(
        None,
        "Target.createTarget",
        json!({ "url": "about:blank" }),
        page,
    )?;
    let target_id = target.get("targetId").cloned().unwrap_or(Value::Null);
    let attached = cdp.call(
        None,
        "Target.attachToTarget",
        json!({ "targetId": target_id, "flatten": true }),
        page,
    )?;
    let session_id = attached
        .get("sessionId")
        .and_then(Value::as_str)
        .ok_or_else(|| CaptureError::Protocol("Target.attachToTarget gave no session".into()))?
        .to_owned();
    page.session = Some(session_id.clone());
    let session = Some(session_id.as_str());
    cdp.call(session, "Page.enable", json!({}), page)?;
    cdp.call(session, "Network.enable", json!({}), page)?;
    cdp.call(
        session,
        "Fetch.enable",
        json!({ "patterns": [{ "urlPattern": "*" }] }),
        page,
    )?;
    cdp.call(
        session,
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": config.width, "height": VIEWPORT_HEIGHT, "deviceScaleFactor": 1, "mobile": false }),
        page,
    )?;
    if !config.scripts {
        cdp.call(
            session,
            "Emulation.setScriptExecutionDisabled",
            json!({ "value": true }),
            page,
        )?;
    }
    Ok(session_id)
}

/// The base64 `data` of an answer, decoded and held to `[capture] max_bytes`.
fn decode_data(answer: &Value, config: &CaptureConfig) -> Result<Vec<u8>, CaptureError> {
    let data = answer.get("data").and_then(Value::as_str).unwrap_or("");
    let bytes = data_encoding::BASE64
        .decode(data.as_bytes())
        .map_err(|e| CaptureError::Protocol(format!("the picture's data is not base64: {e}")))?;
    if bytes.is_empty() {
        return Err(CaptureError::Refused(
            "the browser gave an empty picture".into(),
        ));
    }
    if bytes.len() as u64 > config.max_bytes {
        return Err(CaptureError::Refused(format!(
            "the picture is {} bytes, over [capture] max_bytes ({})",
            bytes.len(),
            config.max_bytes
        )));
    }
    Ok(bytes)
}

/// What the page may load: its own address from the stored bytes, a few kinds of
/// subresources from a few hosts, nothing else.
struct PageRequests {
    page_url: Url,
    body_base64: String,
    content_type: String,
    hosts: HashSet<String>,
    scripts: bool,
    policy: TargetPolicy,
    /// Hosts already judged by the target policy (resolved once per capture).
    judged: HashMap<String, bool>,
    /// The page's DevTools session, once attached.
    session: Option<String>,
    /// The main frame has navigated to the page...
    navigated: bool,
    /// ...and the page has loaded.
    loaded: bool,
    /// Requests started and not yet finished or failed.
    in_flight: HashSet<String>,
    blocked: usize,
    /// The first requests refused (type and address), for the record.
    refused: Vec<String>,
}

impl PageRequests {
    fn new(plan: &Plan, config: &CaptureConfig, policy: &TargetPolicy) -> PageRequests {
        let mut hosts: HashSet<String> = plan
            .image_hosts
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        hosts.extend(config.allow_hosts.iter().map(|h| h.to_ascii_lowercase()));
        if let Some(host) = plan.page_url.host_str() {
            hosts.insert(host.to_ascii_lowercase());
        }
        PageRequests {
            page_url: without_fragment(&plan.page_url),
            body_base64: data_encoding::BASE64.encode(&plan.body),
            content_type: plan.content_type.clone(),
            hosts,
            scripts: config.scripts,
            policy: policy.clone(),
            judged: HashMap::new(),
            session: None,
            navigated: false,
            loaded: false,
            in_flight: HashSet::new(),
            blocked: 0,
            refused: Vec::new(),
        }
    }

    fn with_blocked(&self, note: String) -> String {
        if self.blocked == 0 {
            return note;
        }
        let more = self.blocked - self.refused.len();
        let refused = format!(
            "{} request(s) of the page refused: {}{}",
            self.blocked,
            self.refused.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
        if note.is_empty() {
            refused
        } else {
            format!("{note}; {refused}")
        }
    }

    /// Whether a subresource of this kind may be fetched from this address.
    fn allows(&mut self, url: &Url, resource_type: &str) -> bool {
        let kind_ok = match resource_type {
            "Image" | "Stylesheet" | "Font" => true,
            "Script" | "XHR" | "Fetch" => self.scripts,
            _ => false,
        };
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
            return false;
        };
        kind_ok && self.hosts.contains(&host) && self.target_allowed(url, &host)
    }

    /// The fetcher's target policy, for a host the browser is about to reach.
    fn target_allowed(&mut self, url: &Url, host: &str) -> bool {
        if let Some(verdict) = self.judged.get(host) {
            return *verdict;
        }
        let port = url.port_or_known_default().unwrap_or(80);
        let verdict = self.policy.check_url(url).is_ok()
            && match (host.trim_start_matches('[').trim_end_matches(']'), port).to_socket_addrs() {
                Ok(addrs) => self
                    .policy
                    .check_addrs(host, &addrs.collect::<Vec<_>>())
                    .is_ok(),
                Err(_) => false,
            };
        self.judged.insert(host.to_owned(), verdict);
        verdict
    }

    /// Answers a paused request, through the page's session (the only one intercepting).
    fn answer_request(&mut self, cdp: &mut Cdp, params: &Value) -> Result<(), CaptureError> {
        let session = self.session.clone();
        let session = session.as_deref();
        let id = params.get("requestId").cloned().unwrap_or(Value::Null);
        let resource_type = params
            .get("resourceType")
            .and_then(Value::as_str)
            .unwrap_or("");
        let url = params
            .pointer("/request/url")
            .and_then(Value::as_str)
            .and_then(|u| Url::parse(u).ok());
        let is_page = url
            .as_ref()
            .is_some_and(|u| without_fragment(u) == self.page_url);
        if is_page && resource_type == "Document" {
            cdp.send(
                session,
                "Fetch.fulfillRequest",
                json!({
                    "requestId": id,
                    "responseCode": 200,
                    "responseHeaders": [{ "name": "Content-Type", "value": self.content_type }],
                    "body": self.body_base64,
                }),
            )?;
        } else if url.as_ref().is_some_and(|u| self.allows(u, resource_type)) {
            cdp.send(session, "Fetch.continueRequest", json!({ "requestId": id }))?;
        } else if resource_type == "Other" && url.is_some_and(|u| u.path() == "/favicon.ico") {
            // The browser's own request for the tab's icon, not the page's: refused unnoted.
            cdp.send(
                session,
                "Fetch.failRequest",
                json!({ "requestId": id, "errorReason": "BlockedByClient" }),
            )?;
        } else {
            self.blocked += 1;
            if self.refused.len() < REFUSED_NOTED {
                let address = params
                    .pointer("/request/url")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let shown: String = address.chars().take(200).collect();
                self.refused.push(format!("{resource_type} {shown}"));
            }
            if resource_type == "Document" {
                // A navigation (the page leaving, a frame loading) answered "204 No Content"
                // leaves the frame as it was; refused outright, it would commit the browser's
                // error page, and the screenshot would wait on it or show it.
                cdp.send(
                    session,
                    "Fetch.fulfillRequest",
                    json!({ "requestId": id, "responseCode": 204, "responseHeaders": [] }),
                )?;
            } else {
                cdp.send(
                    session,
                    "Fetch.failRequest",
                    json!({ "requestId": id, "errorReason": "BlockedByClient" }),
                )?;
            }
        }
        Ok(())
    }
}

impl Events for PageRequests {
    fn on_event(
        &mut self,
        cdp: &mut Cdp,
        method: &str,
        params: &Value,
    ) -> Result<(), CaptureError> {
        match method {
            "Fetch.requestPaused" => self.answer_request(cdp, params),
            // The blank page the target starts with loads too: only the load of the page,
            // after its navigation, counts.
            "Page.frameNavigated" => {
                let main = params.pointer("/frame/parentId").is_none();
                let url = params.pointer("/frame/url").and_then(Value::as_str);
                let ours = url
                    .and_then(|u| Url::parse(u).ok())
                    .is_some_and(|u| without_fragment(&u) == self.page_url);
                self.navigated |= main && ours;
                Ok(())
            }
            "Page.loadEventFired" => {
                self.loaded |= self.navigated;
                Ok(())
            }
            // The load event does not wait for every request (an intercepted image that never
            // answers did not hold it back): the page is done when nothing is in flight.
            "Network.requestWillBeSent" => {
                if let Some(id) = params.get("requestId").and_then(Value::as_str) {
                    self.in_flight.insert(id.to_owned());
                }
                Ok(())
            }
            "Network.loadingFinished" | "Network.loadingFailed" => {
                if let Some(id) = params.get("requestId").and_then(Value::as_str) {
                    self.in_flight.remove(id);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

fn without_fragment(url: &Url) -> Url {
    let mut url = url.clone();
    url.set_fragment(None);
    url
}

/// The hosts of the images a document shows (its body's Markdown images and its cover), read
/// as the image fetcher reads them ([`crate::media::document_images`]).
pub fn image_hosts(document: &crate::document::Document) -> Vec<String> {
    let mut hosts: Vec<String> = crate::media::document_images(document)
        .into_iter()
        .filter_map(|image| Url::parse(&image.url).ok())
        .filter_map(|u| u.host_str().map(str::to_ascii_lowercase))
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

/// The browser `config` names, checked at start when captures are on.
pub fn check_browser(config: &CaptureConfig) -> Result<Option<PathBuf>, CaptureError> {
    if !config.screenshot {
        return Ok(None);
    }
    find_browser(&config.browser).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_hosts_are_the_body_images_and_the_cover() {
        let document = crate::document::Document {
            title: "t".into(),
            date: "2025-02-11 08:00:00".into(),
            summary: String::new(),
            site: "qq".into(),
            lang: "zh-CN".into(),
            thumbnail: "https://inews.gtimg.com/cover.jpg".into(),
            body: "正文 ![图片](https://Img1.Example.com/a.png) 与 ![](<https://img1.example.com/b.png>)\n\n\
                [a link, not an image](https://elsewhere.example/page)\n\n\
                ![local](/relative.png)"
                .into(),
            // No link: the relative image resolves to no host.
            source_url: String::new(),
        };
        assert_eq!(
            image_hosts(&document),
            ["img1.example.com", "inews.gtimg.com"]
        );
    }

    #[test]
    fn a_page_may_load_only_some_kinds_from_some_hosts() {
        let plan = Plan {
            page_url: Url::parse("https://news.example/a/1#top").unwrap(),
            body: b"<p>x</p>".to_vec(),
            content_type: "text/html".into(),
            image_hosts: vec!["img.example".into()],
        };
        let config = CaptureConfig {
            scripts: false,
            allow_hosts: vec!["cdn.example".into()],
            ..CaptureConfig::default()
        };
        let mut page = PageRequests::new(&plan, &config, &TargetPolicy::default());
        let url = |u: &str| Url::parse(u).unwrap();
        // Special-purpose addresses are judged without a lookup.
        assert!(!page.allows(&url("http://127.0.0.1/x.png"), "Image"));
        assert!(!page.allows(&url("http://localhost/x.png"), "Image"));
        // Another host, or a kind the page may not load, is refused before any lookup.
        assert!(!page.allows(&url("https://tracker.example/x.png"), "Image"));
        assert!(!page.allows(&url("https://img.example/x.js"), "Script"));
        assert!(!page.allows(&url("https://news.example/feed"), "XHR"));
        assert!(!page.allows(&url("https://news.example/frame"), "Document"));
        assert!(!page.allows(&url("wss://news.example/live"), "WebSocket"));
        assert_eq!(page.page_url.as_str(), "https://news.example/a/1");
    }

    #[test]
    fn the_fetchers_target_policy_decides_private_addresses() {
        let plan = Plan {
            page_url: Url::parse("http://127.0.0.1:8080/a/1").unwrap(),
            body: Vec::new(),
            content_type: "text/html".into(),
            image_hosts: Vec::new(),
        };
        let config = CaptureConfig::default();
        let image = Url::parse("http://127.0.0.1:8080/x.png").unwrap();
        let refused = TargetPolicy::default();
        assert!(!PageRequests::new(&plan, &config, &refused).allows(&image, "Image"));
        let fetch = crate::config::FetchConfig {
            allow_private_hosts: vec!["127.0.0.1".into()],
            ..Default::default()
        };
        let allowed = TargetPolicy::new(&fetch);
        let mut page = PageRequests::new(&plan, &config, &allowed);
        assert!(page.allows(&image, "Image"));
        assert!(page.allows(&image, "Script"), "scripts run by default");
        assert!(!page.allows(&image, "Media"));
    }
}
