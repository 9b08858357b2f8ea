//! Every site without a module of its own: what newsvault knows of an arbitrary host.
//!
//! - the site key: configured (`[sites.<key>] hosts = [...]`), else the name under the host's
//!   public suffix (`news.163.com` → `163`, `www.bbc.co.uk` → `bbc`);
//! - the canonical link: the URL without its fragment and tracking parameters, or the page's own
//!   `<link rel="canonical">` when that is on the same site ([`adopt_canonical`]);
//! - the article id: a trailing id in the URL path (`…/EVJ1KQ6S000189FH.html`,
//!   `…/world-us-canada-33646704`) or an `id`-like query parameter, else a stable hash of the
//!   canonical link (BLAKE3, 16 hex digits);
//! - the zone times are shown in when the site configures none: Beijing for Chinese sites.
//!
//! How pages of such sites are read is [`crate::extract::generic`].

use chrono::FixedOffset;
use url::Url;

use super::SitesConfig;
use super::{ArticleRef, GenericSite, Site, SiteError};

/// Query parameters that only track where a reader came from; never part of an article's link.
const TRACKING_PARAMS: &[&str] = &[
    "spm",
    "from",
    "share_token",
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "yclid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "_hsenc",
    "_hsmi",
    "ref_src",
    "cmpid",
    "ocid",
    "scm",
    "share_from",
    "sharer_shareid",
    "wt_mc",
];

/// Query parameters that carry an article id on sites without an id in the path.
const ID_PARAMS: &[&str] = &[
    "id",
    "aid",
    "articleid",
    "article_id",
    "newsid",
    "news_id",
    "docid",
    "doc_id",
    "contentid",
    "content_id",
    "itemid",
    "p",
];

/// Public suffixes of more than one label that news hosts use. Single-label suffixes (`.com`,
/// `.cn`, `.uk`) need no list: the registrable name is then the second label from the right.
const MULTI_LABEL_SUFFIXES: &[&str] = &[
    // China, including the provincial second-level domains
    "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn", "mil.cn", "bj.cn", "sh.cn", "tj.cn",
    "cq.cn", "he.cn", "sx.cn", "nm.cn", "ln.cn", "jl.cn", "hl.cn", "js.cn", "zj.cn", "ah.cn",
    "fj.cn", "jx.cn", "sd.cn", "ha.cn", "hb.cn", "hn.cn", "gd.cn", "gx.cn", "hi.cn", "sc.cn",
    "gz.cn", "yn.cn", "xz.cn", "sn.cn", "gs.cn", "qh.cn", "nx.cn", "xj.cn",
    // Hong Kong, Macao, Taiwan
    "com.hk", "org.hk", "net.hk", "gov.hk", "edu.hk", "idv.hk", "com.mo", "gov.mo", "com.tw",
    "org.tw", "net.tw", "gov.tw", "edu.tw", "idv.tw", // elsewhere
    "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "ltd.uk", "plc.uk", "net.uk", "com.au",
    "net.au", "org.au", "gov.au", "edu.au", "co.jp", "ne.jp", "or.jp", "go.jp", "ac.jp", "co.kr",
    "or.kr", "go.kr", "ac.kr", "com.sg", "gov.sg", "edu.sg", "org.sg", "com.my", "co.nz", "org.nz",
    "govt.nz", "co.in", "gov.in", "com.br", "gov.br", "co.za", "com.mx", "com.ar", "com.tr",
    "co.il", "com.ph", "com.vn", "co.id", "co.th",
];

/// Beijing time, the zone of Chinese portals that declare none.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// Identifies the article at `url` on a site without a module.
pub fn resolve(url: &Url, config: &SitesConfig) -> Result<ArticleRef, SiteError> {
    let host = normalized_host(url).ok_or_else(|| SiteError::Unsupported {
        url: url.to_string(),
        host: String::new(),
    })?;
    let site = site_for_host(&host, config);
    let canonical = clean_url(url);
    let id = article_id(&canonical).unwrap_or_else(|| url_hash(canonical.as_str()));
    Ok(ArticleRef {
        site: Site::Generic(site),
        id,
        canonical_url: canonical.to_string(),
        fetch_url: canonical,
        lang: String::new(),
    })
}

/// A saved page with no http(s) address (`file://…`): site key `local`, id from the path hash.
pub fn resolve_local(url: &Url) -> ArticleRef {
    let canonical = clean_url(url);
    ArticleRef {
        site: Site::Generic(GenericSite {
            key: "local".to_owned(),
            utc_offset: None,
        }),
        id: url_hash(canonical.as_str()),
        canonical_url: canonical.to_string(),
        fetch_url: canonical,
        lang: String::new(),
    }
}

/// `target` with the link the page itself names as canonical, when that is an http(s) link on
/// the same site; its id follows the new link. Other targets come back unchanged.
pub fn adopt_canonical(
    target: &ArticleRef,
    page_canonical: &str,
    config: &SitesConfig,
) -> ArticleRef {
    let Site::Generic(site) = &target.site else {
        return target.clone();
    };
    let Ok(page_url) = Url::parse(page_canonical.trim()) else {
        return target.clone();
    };
    if !matches!(page_url.scheme(), "http" | "https") {
        return target.clone();
    }
    let (Some(host), Ok(current)) = (
        normalized_host(&page_url),
        Url::parse(&target.canonical_url),
    ) else {
        return target.clone();
    };
    let same_site = match normalized_host(&current) {
        Some(current_host) => {
            let configured = config.other.get(&site.key).is_some_and(|c| {
                c.hosts.iter().any(|h| {
                    let h = h.trim().trim_end_matches('.').to_ascii_lowercase();
                    host == h || host.ends_with(&format!(".{h}"))
                })
            });
            configured || registrable_domain(&host) == registrable_domain(&current_host)
        }
        // A local file adopts whatever site the page says it came from.
        None => false,
    };
    if !same_site {
        return target.clone();
    }
    let canonical = clean_url(&page_url);
    let id = article_id(&canonical).unwrap_or_else(|| url_hash(canonical.as_str()));
    ArticleRef {
        site: target.site.clone(),
        id,
        canonical_url: canonical.to_string(),
        fetch_url: target.fetch_url.clone(),
        lang: target.lang.clone(),
    }
}

/// The host, lower-cased and without a trailing dot; `None` for URLs without one.
fn normalized_host(url: &Url) -> Option<String> {
    let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// The configured site whose hosts cover `host` (the most specific one), else a derived key.
fn site_for_host(host: &str, config: &SitesConfig) -> GenericSite {
    let mut best: Option<(&str, usize, Option<FixedOffset>)> = None;
    for (key, site) in &config.other {
        for h in &site.hosts {
            let h = h.trim().trim_end_matches('.').to_ascii_lowercase();
            let covers = host == h || host.ends_with(&format!(".{h}"));
            if covers && best.is_none_or(|(_, len, _)| h.len() > len) {
                best = Some((key, h.len(), site.utc_offset()));
            }
        }
    }
    match best {
        Some((key, _, utc_offset)) => GenericSite {
            key: key.to_owned(),
            utc_offset,
        },
        None => GenericSite {
            key: derived_key(host),
            utc_offset: None,
        },
    }
}

/// The registrable domain of `host`: its public suffix plus one label.
pub fn registrable_domain(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    if labels.len() <= 2 || host.parse::<std::net::IpAddr>().is_ok() {
        return host.to_owned();
    }
    let last_two = labels[labels.len() - 2..].join(".");
    let suffix_labels = if MULTI_LABEL_SUFFIXES.contains(&last_two.as_str()) {
        2
    } else {
        1
    };
    labels[labels.len() - suffix_labels - 1..].join(".")
}

/// The site key derived from a host: the label under its public suffix (`news.163.com` →
/// `163`), or the whole host made path-safe when it has no such label (`localhost`, IPs).
pub fn derived_key(host: &str) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let is_ip = host
        .trim_matches(['[', ']'])
        .parse::<std::net::IpAddr>()
        .is_ok();
    let registrable = registrable_domain(&host);
    let labels: Vec<&str> = registrable.split('.').collect();
    let suffix_is_whole = labels.len() == 2 && MULTI_LABEL_SUFFIXES.contains(&registrable.as_str());
    let key = if is_ip || labels.len() < 2 || suffix_is_whole {
        host.clone()
    } else if labels[0] == "www" && labels.len() > 2 {
        // `www.gov.cn`: the suffix itself is the site.
        labels[1].to_owned()
    } else {
        labels[0].to_owned()
    };
    let key: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let key = key.trim_matches('-').to_owned();
    if key.is_empty() {
        "site".to_owned()
    } else {
        key
    }
}

/// `url` without its fragment and tracking parameters (`utm_*`, `spm`, `from`, `share_token`,
/// ...); other parameters keep their order.
pub fn clean_url(url: &Url) -> Url {
    let mut clean = url.clone();
    clean.set_fragment(None);
    if clean.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| {
                let k = k.to_ascii_lowercase();
                !k.starts_with("utm_") && !TRACKING_PARAMS.contains(&k.as_str())
            })
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            clean.set_query(None);
        } else {
            clean.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    clean
}

/// The id a URL carries: the last token of its last path segment when it looks like an id (at
/// least 5 letters and digits, 3 of them digits), else an id-like query parameter.
pub fn article_id(url: &Url) -> Option<String> {
    let looks_like_id = |token: &str| {
        (5..=64).contains(&token.len())
            && token.bytes().all(|b| b.is_ascii_alphanumeric())
            && token.bytes().filter(u8::is_ascii_digit).count() >= 3
    };
    if let Some(last) = url
        .path_segments()
        .and_then(|mut s| s.rfind(|s| !s.is_empty()))
    {
        let lower = last.to_ascii_lowercase();
        let stem = [
            ".html", ".htm", ".shtml", ".xhtml", ".php", ".aspx", ".asp", ".jsp", ".cms",
        ]
        .iter()
        .find_map(|ext| {
            lower
                .ends_with(ext)
                .then(|| &last[..last.len() - ext.len()])
        })
        .unwrap_or(last);
        let token = stem.rsplit(['-', '_', ',', '.']).next().unwrap_or(stem);
        if looks_like_id(token) {
            return Some(token.to_owned());
        }
    }
    url.query_pairs().find_map(|(k, v)| {
        let k = k.to_ascii_lowercase();
        let ok = ID_PARAMS.contains(&k.as_str())
            && (1..=64).contains(&v.len())
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && v.bytes().any(|b| b.is_ascii_digit());
        ok.then(|| v.into_owned())
    })
}

/// A stable id for a link without one: the first 16 hex digits of its BLAKE3 hash.
pub fn url_hash(canonical: &str) -> String {
    blake3::hash(canonical.as_bytes()).to_hex()[..16].to_owned()
}

/// Whether a host is a Chinese site whose naive times are Beijing time: under `.cn` (and the
/// Chinese second-level domains), or a Chinese-language page (`page_lang` `zh*`).
pub fn is_chinese_site(host: &str, page_lang: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host.ends_with(".cn") || host == "cn" || page_lang.to_ascii_lowercase().starts_with("zh")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sites::config::SiteConfig;

    fn resolve_str(url: &str, config: &SitesConfig) -> ArticleRef {
        super::super::resolve(url, config).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn keys_from_registrable_domains() {
        for (host, key) in [
            ("news.163.com", "163"),
            ("www.thepaper.cn", "thepaper"),
            ("bbc.co.uk", "bbc"),
            ("www.bbc.co.uk", "bbc"),
            ("world.people.com.cn", "people"),
            ("www.gov.cn", "gov"),
            ("cjn.cn", "cjn"),
            ("news.sina.com.cn", "sina"),
            ("finance.ifeng.com", "ifeng"),
            ("www.hkej.com.hk", "hkej"),
            ("udn.com.tw", "udn"),
            ("www.zj.gov.cn", "zj"),
            ("localhost", "localhost"),
            ("127.0.0.1", "127-0-0-1"),
            ("com.cn", "com-cn"),
            ("xn--fiqs8s.cn", "xn--fiqs8s"),
        ] {
            assert_eq!(derived_key(host), key, "{host}");
        }
    }

    #[test]
    fn ids_from_urls_or_a_hash() {
        let config = SitesConfig::default();
        for (url, id) in [
            (
                "https://news.163.com/19/1202/11/EVJ1KQ6S000189FH.html",
                "EVJ1KQ6S000189FH",
            ),
            (
                "https://www.bbc.com/news/world-us-canada-33646704",
                "33646704",
            ),
            (
                "https://www.thepaper.cn/newsDetail_forward_5093311",
                "5093311",
            ),
            (
                "http://culture.people.com.cn/n1/2019/1202/c1013-31484338.html",
                "31484338",
            ),
            (
                "https://news.sina.com.cn/s/2019-12-02/doc-iihnzahi4767227.shtml",
                "iihnzahi4767227",
            ),
            (
                "https://example.org/article.php?id=12345&utm_source=x",
                "12345",
            ),
            ("https://blog.example.org/?p=4711", "4711"),
        ] {
            let r = resolve_str(url, &config);
            assert_eq!(r.id, id, "{url}");
        }
        let a = resolve_str(
            "https://www.theguardian.com/world/2019/dec/02/some-story?utm_source=tw#x",
            &config,
        );
        let b = resolve_str(
            "https://www.theguardian.com/world/2019/dec/02/some-story",
            &config,
        );
        assert_eq!(
            a.canonical_url,
            "https://www.theguardian.com/world/2019/dec/02/some-story"
        );
        assert_eq!(a.id, b.id);
        assert_eq!(a.id.len(), 16);
        assert!(a.id.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a.site.key(), "theguardian");
    }

    #[test]
    fn tracking_parameters_go_others_stay() {
        let url = Url::parse("https://mp.weixin.qq.example/s?__biz=MzA&mid=1&spm=a.b&from=timeline&utm_medium=x&share_token=t&idx=2#rd").unwrap();
        assert_eq!(
            clean_url(&url).as_str(),
            "https://mp.weixin.qq.example/s?__biz=MzA&mid=1&idx=2"
        );
    }

    #[test]
    fn configured_hosts_name_the_site() {
        let mut config = SitesConfig::default();
        config.other.insert(
            "netease".into(),
            SiteConfig {
                hosts: vec!["163.com".into()],
                timezone: Some("+08:00".into()),
            },
        );
        config.other.insert(
            "netease-money".into(),
            SiteConfig {
                hosts: vec!["money.163.com".into()],
                timezone: None,
            },
        );
        let r = resolve_str(
            "https://news.163.com/19/1202/11/EVJ1KQ6S000189FH.html",
            &config,
        );
        assert_eq!(r.site.key(), "netease");
        let Site::Generic(site) = &r.site else {
            panic!()
        };
        assert_eq!(site.utc_offset, Some(beijing()));
        let r = resolve_str(
            "https://money.163.com/19/1202/11/EVJ1KQ6S000189FH.html",
            &config,
        );
        assert_eq!(r.site.key(), "netease-money");
        let r = resolve_str("https://not163.com/a", &config);
        assert_eq!(r.site.key(), "not163");
    }

    #[test]
    fn page_canonical_is_adopted_only_on_the_same_site() {
        let config = SitesConfig::default();
        let t = resolve_str("https://m.example.com/story/slug?utm_source=x", &config);
        let same = adopt_canonical(&t, "https://www.example.com/news/slug-20191202123", &config);
        assert_eq!(
            same.canonical_url,
            "https://www.example.com/news/slug-20191202123"
        );
        assert_eq!(same.id, "20191202123");
        assert_eq!(same.fetch_url, t.fetch_url);
        let other = adopt_canonical(&t, "https://aggregator.example.net/x/1234567", &config);
        assert_eq!(other, t);
        assert_eq!(adopt_canonical(&t, "not a url", &config), t);
        assert_eq!(adopt_canonical(&t, "javascript:alert(1)", &config), t);
    }
}
