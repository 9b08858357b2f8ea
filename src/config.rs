//! Configuration: the TOML file, its defaults, and the overrides the command line may apply.
//!
//! `config/newsvault.toml` is the documented default file; it is embedded in the binary and a
//! test proves it parses to exactly [`Config::default`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

pub use crate::sites::config::{QqConfig, SiteConfig, SitesConfig};

/// The documented default configuration file, as shipped.
pub const DEFAULT_CONFIG_TOML: &str = include_str!("../config/newsvault.toml");

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid config file {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub archive: ArchiveConfig,
    pub fetch: FetchConfig,
    pub check: CheckConfig,
    pub daemon: DaemonConfig,
    pub server: ServerConfig,
    pub capture: CaptureConfig,
    pub sites: SitesConfig,
    /// Where new articles come from (`[[sources]]` tables).
    pub sources: Vec<SourceConfig>,
}

/// The daemon's own settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DaemonConfig {
    /// Serve the web UI and the feeds (on `[server] listen`) while running.
    pub serve: bool,
    /// Queued articles archived at once (per-host limits still apply). A request is a small
    /// part of an article's time, the rest is extraction and the commit: at 4 (the old
    /// default), with 4 requests at once to a local server, one of two cores sat idle and the
    /// daemon archived 154 articles/s; at 16, 216-226. At 32, articles waiting for their group
    /// commit no longer hold back new fetches: the two cores went from 1.76 to 1.81 busy, and
    /// 343 -> 357 articles/s (medians of three, 2,000 local pages).
    pub max_in_flight: usize,
    /// On SIGINT/SIGTERM, in-flight work gets this long to finish before it is abandoned (it
    /// stays queued and is done after the restart).
    #[serde(with = "duration")]
    pub shutdown_grace: Duration,
    /// Each poll is moved by a random amount up to this fraction of the source's interval, so
    /// sources started together do not poll together.
    pub poll_jitter: f64,
    /// Several daemons work on this archive (an SQLite file on one machine): no lock file
    /// keeps them out, and per-host politeness is kept in the archive, shared by all of
    /// them. Leases keep their work apart either way.
    pub shared: bool,
    /// How long a daemon's claim on a queued article or a source's poll holds without being
    /// renewed (it is renewed every third of it while the work goes on): after a daemon dies,
    /// the others take its work over once this has passed.
    #[serde(with = "duration")]
    pub lease: Duration,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        Self {
            serve: true,
            max_in_flight: 32,
            shutdown_grace: Duration::from_secs(10),
            poll_jitter: 0.1,
            shared: false,
            lease: Duration::from_secs(120),
        }
    }
}

/// One source of new articles.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// A unique name (shown by `newsvault status`).
    pub name: String,
    pub kind: SourceKind,
    /// `feed`: the feed's URL.
    #[serde(default)]
    pub url: Option<String>,
    /// `qq-channel`: the channel list's `sub_srv_id` (`24hours`, `tech`, `finance`...).
    #[serde(default)]
    pub channel: Option<String>,
    /// `qq-author`: the author's suid (from `news.qq.com/omn/author/<suid>`).
    #[serde(default)]
    pub author: Option<String>,
    /// `hugo`: a content folder to import and keep re-checking.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// Site key for articles whose site has no module (default: derived from the host).
    #[serde(default)]
    pub site: Option<String>,
    /// Language for articles whose page does not say (default: detected).
    #[serde(default)]
    pub lang: Option<String>,
    /// How often the source is polled; a feed's TTL or Cache-Control may stretch it, never
    /// shorten it.
    #[serde(default = "default_source_interval", with = "duration")]
    pub interval: Duration,
    /// Regular expressions: an item is taken only if its URL or title matches one of `include`
    /// (when given) and none of `exclude`.
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// List APIs: pages read per poll.
    #[serde(default = "default_max_pages")]
    pub max_pages: u32,
}

fn default_source_interval() -> Duration {
    Duration::from_secs(15 * 60)
}

fn default_max_pages() -> u32 {
    3
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// RSS 0.9x/1.0/2.0, Atom or JSON Feed.
    Feed,
    /// The Tencent News channel list API.
    QqChannel,
    /// A Tencent News author's article list.
    QqAuthor,
    /// A Hugo content folder.
    Hugo,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Feed => "feed",
            SourceKind::QqChannel => "qq-channel",
            SourceKind::QqAuthor => "qq-author",
            SourceKind::Hugo => "hugo",
        }
    }
}

/// `newsvault serve`: the web UI and the feeds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address and port to listen on.
    pub listen: String,
    /// What every writing request (archive a URL, re-check) must carry; empty: writing from
    /// the web is disabled.
    pub token: String,
    /// Scheme and host that links in feeds start with; empty: each request's Host header.
    pub public_url: String,
    /// Connections served at once; more wait in the listen backlog until one closes.
    pub max_connections: usize,
    /// How long a connection may take to send a request's head, counted from when it starts
    /// waiting for one: an idle keep-alive connection is closed after this long too.
    #[serde(with = "duration")]
    pub header_read_timeout: Duration,
    /// A connection is closed after this long whatever it does (slow readers, slow bodies).
    #[serde(with = "duration")]
    pub max_connection_age: Duration,
    /// Writing requests (archive, re-check) one client address may make per minute.
    pub writes_per_minute: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".to_owned(),
            token: String::new(),
            public_url: String::new(),
            max_connections: 8192,
            header_read_timeout: Duration::from_secs(10),
            max_connection_age: Duration::from_secs(300),
            writes_per_minute: 20,
        }
    }
}

/// The visual capture of new versions (`[capture]`, see [`crate::capture`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CaptureConfig {
    /// A full-page PNG of each new version, made by a headless browser.
    pub screenshot: bool,
    /// Also a PDF of each new version (needs `screenshot`).
    pub pdf: bool,
    /// The browser program: a name looked up on the PATH, or a path.
    pub browser: String,
    /// The whole capture (browser start, page load, pictures) must end within this long.
    #[serde(with = "duration")]
    pub timeout: Duration,
    /// The page's width in CSS pixels.
    pub width: u32,
    /// A longer page is captured down to this many pixels.
    pub max_height: u32,
    /// Larger images are not kept.
    pub max_bytes: u64,
    /// Whether the page's scripts run.
    pub scripts: bool,
    /// More hosts the page may load from, besides its own and its images' hosts.
    pub allow_hosts: Vec<String>,
}

impl Default for CaptureConfig {
    fn default() -> Self {
        Self {
            screenshot: false,
            pdf: false,
            browser: "chromium".to_owned(),
            timeout: Duration::from_secs(30),
            width: 1280,
            max_height: 20_000,
            max_bytes: 20 * 1024 * 1024,
            scripts: true,
            allow_hosts: Vec::new(),
        }
    }
}

impl CaptureConfig {
    fn validate(&self) -> Result<(), String> {
        if self.pdf && !self.screenshot {
            return Err("capture.pdf needs capture.screenshot = true".into());
        }
        if self.timeout.is_zero() {
            return Err("capture.timeout must be longer than zero".into());
        }
        if !(200..=4096).contains(&self.width) {
            return Err(format!(
                "capture.width must be 200 to 4096, not {}",
                self.width
            ));
        }
        if !(100..=100_000).contains(&self.max_height) {
            return Err(format!(
                "capture.max_height must be 100 to 100000, not {}",
                self.max_height
            ));
        }
        if self.max_bytes == 0 {
            return Err("capture.max_bytes must be at least 1".into());
        }
        if self.browser.trim().is_empty() {
            return Err("capture.browser must name a program".into());
        }
        Ok(())
    }
}

#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArchiveConfig {
    /// The archive: an SQLite file, or a `postgres://` URL (see `archive::Location`).
    pub path: PathBuf,
    /// How many checks must see an article removed before the removal is recorded...
    pub removal_confirmations: u32,
    /// ...and how far apart the first and the confirming sighting must be.
    #[serde(with = "duration")]
    pub removal_confirm_after: Duration,
    /// Whether the images each version shows are fetched and kept with it.
    pub images: bool,
    /// The largest image kept, in bytes.
    pub image_max_bytes: u64,
    /// The most image bytes fetched for one version of an article.
    pub images_max_bytes_per_article: u64,
}

/// By hand, so that a database URL's password never reaches a log or an error message.
impl std::fmt::Debug for ArchiveConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArchiveConfig")
            .field(
                "path",
                &format_args!("{}", crate::archive::Location::of(&self.path)),
            )
            .field("removal_confirmations", &self.removal_confirmations)
            .field("removal_confirm_after", &self.removal_confirm_after)
            .field("images", &self.images)
            .field("image_max_bytes", &self.image_max_bytes)
            .field(
                "images_max_bytes_per_article",
                &self.images_max_bytes_per_article,
            )
            .finish()
    }
}

impl Default for ArchiveConfig {
    fn default() -> Self {
        Self {
            path: PathBuf::from("newsvault.db"),
            removal_confirmations: 2,
            removal_confirm_after: Duration::from_secs(6 * 3600),
            images: true,
            image_max_bytes: 10 * 1024 * 1024,
            images_max_bytes_per_article: 50 * 1024 * 1024,
        }
    }
}

/// The revisit schedule of re-checks: young and changing articles often, old and stable ones
/// rarely. An article's "age" is the shorter of the time since publication and the time since
/// its last change; the first tier it is younger than gives the interval.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    pub schedule: Vec<ScheduleTier>,
    /// The interval for articles older than every tier.
    #[serde(with = "duration")]
    pub otherwise: Duration,
    /// After a transient failure or a block page, check again within this long.
    #[serde(with = "duration")]
    pub retry_failed_after: Duration,
    /// Articles checked at once by `newsvault check` (per-host limits still apply).
    pub max_in_flight: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleTier {
    #[serde(with = "duration")]
    pub younger_than: Duration,
    #[serde(with = "duration")]
    pub every: Duration,
}

impl Default for CheckConfig {
    fn default() -> Self {
        let tier = |younger_than: u64, every: u64| ScheduleTier {
            younger_than: Duration::from_secs(younger_than),
            every: Duration::from_secs(every),
        };
        const MIN: u64 = 60;
        const HOUR: u64 = 3600;
        const DAY: u64 = 24 * HOUR;
        Self {
            schedule: vec![
                tier(6 * HOUR, 15 * MIN),
                tier(2 * DAY, HOUR),
                tier(14 * DAY, DAY),
                tier(90 * DAY, 7 * DAY),
            ],
            otherwise: Duration::from_secs(30 * DAY),
            retry_failed_after: Duration::from_secs(HOUR),
            max_in_flight: 16,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FetchConfig {
    pub user_agent: String,
    #[serde(with = "duration")]
    pub connect_timeout: Duration,
    #[serde(with = "duration")]
    pub timeout: Duration,
    pub max_body_bytes: u64,
    pub max_redirects: usize,
    pub retries: u32,
    #[serde(with = "duration")]
    pub retry_base_delay: Duration,
    #[serde(with = "duration")]
    pub max_retry_after: Duration,
    pub per_host_concurrency: usize,
    #[serde(with = "duration")]
    pub per_host_interval: Duration,
    /// Obey robots.txt (cached per host for `robots_ttl`), including its Crawl-delay.
    pub respect_robots: bool,
    #[serde(with = "duration")]
    pub robots_ttl: Duration,
    /// Per-host politeness overrides, e.g. `[fetch.hosts."new.qq.com"] interval = "2s"`.
    pub hosts: BTreeMap<String, HostLimits>,
    /// Let every fetch reach loopback, private, link-local and other special-purpose
    /// addresses (`newsvault archive URL` always may: the user typed the URL).
    pub allow_private_targets: bool,
    /// Hosts (names or IP literals, as written in URLs) that may be reached although they
    /// are, or resolve to, such addresses.
    pub allow_private_hosts: Vec<String>,
}

/// Politeness for one host, overriding `per_host_interval` / `per_host_concurrency`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostLimits {
    #[serde(default, with = "optional_duration")]
    pub interval: Option<Duration>,
    #[serde(default)]
    pub concurrency: Option<usize>,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            user_agent:
                "Mozilla/5.0 (compatible; newsvault/0.1; +https://github.com/newsvault/newsvault)"
                    .to_owned(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: 15 * 1024 * 1024,
            max_redirects: 10,
            retries: 3,
            retry_base_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(300),
            per_host_concurrency: 2,
            per_host_interval: Duration::from_secs(1),
            respect_robots: true,
            robots_ttl: Duration::from_secs(24 * 3600),
            hosts: BTreeMap::new(),
            allow_private_targets: false,
            allow_private_hosts: Vec::new(),
        }
    }
}

impl Config {
    /// Parses a configuration from TOML text; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &Path) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        config.validate(origin)?;
        Ok(config)
    }

    /// Reads and parses a configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml(&text, path)
    }

    fn validate(&self, origin: &Path) -> Result<(), ConfigError> {
        self.check_limits()
            .and_then(|()| self.check_addresses())
            .and_then(|()| self.check_daemon())
            .and_then(|()| check_sources(&self.sources))
            .and_then(|()| self.sites.validate())
            .and_then(|()| self.capture.validate())
            .map_err(|message| ConfigError::Invalid {
                path: origin.to_owned(),
                message,
            })
    }

    /// Counts, sizes and durations that must be above zero.
    fn check_limits(&self) -> Result<(), String> {
        if self.fetch.per_host_concurrency == 0 {
            return Err("fetch.per_host_concurrency must be at least 1".into());
        }
        if self.check.max_in_flight == 0 {
            return Err("check.max_in_flight must be at least 1".into());
        }
        if self.check.otherwise.is_zero() || self.check.schedule.iter().any(|t| t.every.is_zero()) {
            return Err("check schedule intervals must be longer than zero".into());
        }
        if self.archive.image_max_bytes == 0 || self.archive.images_max_bytes_per_article == 0 {
            return Err(
                "archive.image_max_bytes and archive.images_max_bytes_per_article must be at least 1"
                    .into(),
            );
        }
        if self.fetch.max_body_bytes == 0 {
            return Err("fetch.max_body_bytes must be at least 1".into());
        }
        if self.server.max_connections == 0 || self.server.header_read_timeout.is_zero() {
            return Err(
                "server.max_connections and server.header_read_timeout must be above zero".into(),
            );
        }
        if self.fetch.timeout.is_zero() || self.fetch.connect_timeout.is_zero() {
            return Err("fetch timeouts must be longer than zero".into());
        }
        Ok(())
    }

    /// The server's address, its public URL and the qq endpoints.
    fn check_addresses(&self) -> Result<(), String> {
        if self.server.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(format!(
                "server.listen must be an address and port such as \"127.0.0.1:8080\", not {:?}",
                self.server.listen
            ));
        }
        if !self.server.public_url.is_empty() && !is_http_url_with_host(&self.server.public_url) {
            return Err(format!(
                "server.public_url must be empty or an http(s) URL, not {:?}",
                self.server.public_url
            ));
        }
        for (key, value) in [
            ("sites.qq.fetch_base", &self.sites.qq.fetch_base),
            ("sites.qq.api_base", &self.sites.qq.api_base),
        ] {
            if !is_http_url_with_host(value) {
                return Err(format!("{key} must be an http(s) URL, not {value:?}"));
            }
        }
        Ok(())
    }

    fn check_daemon(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.daemon.poll_jitter) {
            return Err("daemon.poll_jitter must be between 0 and 1".into());
        }
        if self.daemon.lease < Duration::from_secs(1) {
            return Err("daemon.lease must be at least 1s".into());
        }
        Ok(())
    }
}

fn is_http_url_with_host(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// Each source: a unique name, what its kind needs, a sane interval, patterns that compile.
fn check_sources(sources: &[SourceConfig]) -> Result<(), String> {
    let mut names = std::collections::HashSet::new();
    for source in sources {
        let name = &source.name;
        if name.trim().is_empty() {
            return Err("a [[sources]] entry has an empty name".into());
        }
        if !names.insert(name.as_str()) {
            return Err(format!("two sources are named {name:?}"));
        }
        let needs = match source.kind {
            SourceKind::Feed => ("url", source.url.is_some()),
            SourceKind::QqChannel => ("channel", source.channel.is_some()),
            SourceKind::QqAuthor => ("author", source.author.is_some()),
            SourceKind::Hugo => ("path", source.path.is_some()),
        };
        if !needs.1 {
            return Err(format!(
                "source {name:?} of kind {} needs `{}`",
                source.kind.as_str(),
                needs.0
            ));
        }
        if source.interval < Duration::from_secs(10) {
            return Err(format!("source {name:?}: interval must be at least 10s"));
        }
        for pattern in source.include.iter().chain(&source.exclude) {
            if let Err(e) = regex::Regex::new(pattern) {
                return Err(format!("source {name:?}: bad pattern {pattern:?}: {e}"));
            }
        }
    }
    Ok(())
}

/// Durations as human-readable strings ("30s", "6h"), via humantime.
mod duration {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text)
            .map_err(|e| serde::de::Error::custom(format!("invalid duration {text:?}: {e}")))
    }
}

/// Optional durations (`interval = "2s"` or absent).
mod optional_duration {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text)
            .map(Some)
            .map_err(|e| serde::de::Error::custom(format!("invalid duration {text:?}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_file_parses_to_the_defaults() {
        let parsed = Config::from_toml(DEFAULT_CONFIG_TOML, Path::new("config/newsvault.toml"))
            .expect("shipped config parses");
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn a_database_password_is_not_printed() {
        let text = "[archive]\npath = \"postgresql://archiver:s3cret@localhost/news\"\n";
        let config = Config::from_toml(text, Path::new("c.toml")).unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(
            printed.contains("postgresql://archiver:***@localhost/news"),
            "{printed}"
        );
    }

    #[test]
    fn sources_are_checked() {
        let ok = "[[sources]]\nname = \"tech\"\nkind = \"qq-channel\"\nchannel = \"tech\"\ninterval = \"10m\"\n\n[[sources]]\nname = \"feed\"\nkind = \"feed\"\nurl = \"https://example.com/rss\"\nexclude = [\"video\"]\n";
        let config = Config::from_toml(ok, Path::new("s.toml")).unwrap();
        assert_eq!(config.sources.len(), 2);
        assert_eq!(config.sources[0].kind, SourceKind::QqChannel);
        assert_eq!(config.sources[1].interval, Duration::from_secs(900));

        let missing = "[[sources]]\nname = \"x\"\nkind = \"feed\"\n";
        let err = Config::from_toml(missing, Path::new("s.toml")).unwrap_err();
        assert!(err.to_string().contains("needs `url`"), "{err}");
        let bad_pattern = "[[sources]]\nname = \"x\"\nkind = \"feed\"\nurl = \"http://e.com\"\ninclude = [\"(\"]\n";
        let err = Config::from_toml(bad_pattern, Path::new("s.toml")).unwrap_err();
        assert!(err.to_string().contains("bad pattern"), "{err}");
        let twice = format!("{missing}url = \"http://e.com\"\n{missing}url = \"http://e.com\"\n");
        let err = Config::from_toml(&twice, Path::new("s.toml")).unwrap_err();
        assert!(err.to_string().contains("two sources"), "{err}");
    }

    /// One bad value of each group of checks: each is named, with the file it is in.
    #[test]
    fn each_check_names_the_value_and_the_file() {
        for (text, says) in [
            (
                "[fetch]\nper_host_concurrency = 0\n",
                "fetch.per_host_concurrency",
            ),
            ("[server]\nlisten = \"localhost\"\n", "server.listen"),
            (
                "[server]\npublic_url = \"ftp://127.0.0.1/\"\n",
                "server.public_url",
            ),
            ("[daemon]\npoll_jitter = 2.0\n", "daemon.poll_jitter"),
            ("[daemon]\nlease = \"10ms\"\n", "daemon.lease"),
            ("[capture]\nwidth = 50\n", "capture.width"),
        ] {
            let err = Config::from_toml(text, Path::new("v.toml")).unwrap_err();
            let message = err.to_string();
            assert!(
                matches!(err, ConfigError::Invalid { .. }),
                "{text}: {err:?}"
            );
            assert!(
                message.contains("v.toml") && message.contains(says),
                "{text}: {message}"
            );
        }
    }

    #[test]
    fn empty_file_is_all_defaults() {
        assert_eq!(
            Config::from_toml("", Path::new("x.toml")).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let err = Config::from_toml("[fetch]\ntimeout_s = 3\n", Path::new("a.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("a.toml") && msg.contains("timeout_s"), "{msg}");

        let err =
            Config::from_toml("[fetch]\ntimeout = \"soon\"\n", Path::new("b.toml")).unwrap_err();
        assert!(err.to_string().contains("invalid duration"), "{err}");

        let err = Config::from_toml(
            "[sites.qq]\nfetch_base = \"ftp://x\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("fetch_base"), "{err}");
    }

    #[test]
    fn other_sites_parse_and_keep_unknown_fields_errors() {
        let c = Config::from_toml(
            "[sites.qq]\nfetch_base = \"http://127.0.0.1:1\"\n\n[sites.netease]\nhosts = [\"163.com\"]\ntimezone = \"+08:00\"\n",
            Path::new("s.toml"),
        )
        .unwrap();
        assert_eq!(c.sites.qq.fetch_base, "http://127.0.0.1:1");
        let site = &c.sites.other["netease"];
        assert_eq!(site.hosts, ["163.com"]);
        assert_eq!(site.utc_offset().unwrap().local_minus_utc(), 8 * 3600);

        for (toml, needle) in [
            ("[sites.netease]\nhost = [\"163.com\"]\n", "host"),
            ("[sites.qq]\nhosts = [\"x.com\"]\n", "hosts"),
            ("[sites.Bad]\nhosts = [\"x.com\"]\n", "sites.Bad"),
            (
                "[sites.a]\nhosts = [\"x.com\"]\n[sites.b]\nhosts = [\"X.com\"]\n",
                "already",
            ),
            ("[sites.a]\nhosts = [\"news.qq.com\"]\n", "Tencent"),
            ("[sites.a]\ntimezone = \"Asia/Shanghai\"\n", "timezone"),
            ("[sites.a]\nhosts = [\"https://x.com/\"]\n", "not a host"),
        ] {
            let err = Config::from_toml(toml, Path::new("s.toml"))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(needle) && err.contains("s.toml"),
                "{toml}: {err}"
            );
        }
    }
}
