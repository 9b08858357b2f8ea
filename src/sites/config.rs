//! The `[sites]` section of the configuration: `[sites.qq]` for Tencent News and
//! `[sites.<key>]` for sites read by the generic extractor. Defined here, beside the site
//! modules that read it, so that `config` depends on `sites` and never the other way round.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::timezone::parse_utc_offset;

/// `[sites.qq]` and any number of `[sites.<key>]` tables for sites without a module.
///
/// Deserialized by hand so that arbitrary keys parse while each table still refuses unknown
/// fields: `qq` is read as [`QqConfig`], every other key as [`SiteConfig`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SitesConfig {
    pub qq: QqConfig,
    /// Sites without a module, by site key (the key used in documents and paths).
    pub other: BTreeMap<String, SiteConfig>,
}

/// `[sites.<key>]`: a site read by the generic extractor.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    /// Hosts of the site; each also covers its subdomains (`163.com` covers `news.163.com`).
    pub hosts: Vec<String>,
    /// The site's own time zone as a UTC offset (`"+08:00"`, `"-05:00"`, `"UTC"`): publish
    /// times are shown in it. Unset: the offset the page declares, else Beijing time for
    /// Chinese sites.
    pub timezone: Option<String>,
}

impl SiteConfig {
    /// The configured zone as a fixed offset; `None` when unset (validated at load time).
    pub fn utc_offset(&self) -> Option<chrono::FixedOffset> {
        self.timezone.as_deref().and_then(parse_utc_offset)
    }
}

impl<'de> Deserialize<'de> for SitesConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = SitesConfig;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a table of site tables ([sites.qq], [sites.<key>])")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut sites = SitesConfig::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "qq" {
                        sites.qq = map.next_value()?;
                    } else {
                        let site: SiteConfig = map.next_value()?;
                        sites.other.insert(key, site);
                    }
                }
                Ok(sites)
            }
        }
        d.deserialize_map(Visitor)
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QqConfig {
    /// Scheme and host (and optional path prefix) that Tencent News pages are fetched from.
    pub fetch_base: String,
    /// Scheme and host of the list APIs (`qq-channel` and `qq-author` sources).
    pub api_base: String,
}

impl Default for QqConfig {
    fn default() -> Self {
        Self {
            fetch_base: "https://new.qq.com".to_owned(),
            api_base: "https://i.news.qq.com".to_owned(),
        }
    }
}

impl SitesConfig {
    /// Checks the site tables: keys usable as folder names, valid zones, each host claimed
    /// by one site only and none of Tencent News' (its module owns them).
    pub fn validate(&self) -> Result<(), String> {
        let mut seen_hosts: BTreeMap<String, &str> = BTreeMap::new();
        for (key, site) in &self.other {
            if key.is_empty()
                || !key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
            {
                return Err(format!(
                    "sites.{key}: a site key may hold only a-z, 0-9, '-' and '_' (it names folders)"
                ));
            }
            if let Some(tz) = &site.timezone
                && parse_utc_offset(tz).is_none()
            {
                return Err(format!(
                    "sites.{key}.timezone must be a UTC offset such as \"+08:00\" or \"UTC\", not {tz:?}"
                ));
            }
            for host in &site.hosts {
                let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
                if host.is_empty() || host.contains(['/', ':', ' ']) {
                    return Err(format!(
                        "sites.{key}.hosts: {host:?} is not a host name (write \"news.example.com\", no scheme or path)"
                    ));
                }
                if super::qq::is_qq_host(&host) {
                    return Err(format!(
                        "sites.{key}.hosts: {host:?} belongs to the Tencent News module (sites.qq)"
                    ));
                }
                if let Some(other) = seen_hosts.insert(host.clone(), key) {
                    return Err(format!(
                        "sites.{key}.hosts: {host:?} is already a host of sites.{other}"
                    ));
                }
            }
        }
        Ok(())
    }
}
