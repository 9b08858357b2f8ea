//! Which hosts a fetch may reach: the one target policy applied to every request the
//! [`Fetcher`](super::Fetcher) makes (articles, feeds, list APIs, re-checks, robots.txt), to
//! every redirect hop, and to the addresses a host name resolves to at connect time (so a name
//! that resolves, or is rebound, to a private address is refused too).
//!
//! Loopback, private, link-local, carrier-grade NAT, documentation, multicast and the other
//! special-purpose ranges are refused, as are IPv6 forms that embed such an IPv4 address
//! (mapped, compatible, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`). `[fetch]
//! allow_private_targets` lifts the refusal for every host; `[fetch] allow_private_hosts`
//! for the hosts it names (a name or an IP literal, as written in URLs).

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use crate::config::FetchConfig;

/// Why a target was refused: names the host and the kind of address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{host} is {what}; newsvault does not fetch from such addresses \
     (allow it with [fetch] allow_private_hosts or allow_private_targets)"
)]
pub struct TargetRefused {
    pub host: String,
    pub what: String,
}

/// The policy: which special-purpose addresses may be reached anyway.
#[derive(Debug, Clone, Default)]
pub struct TargetPolicy {
    allow_all: bool,
    allowed_hosts: HashSet<String>,
}

impl TargetPolicy {
    pub fn new(config: &FetchConfig) -> TargetPolicy {
        TargetPolicy {
            allow_all: config.allow_private_targets,
            allowed_hosts: config
                .allow_private_hosts
                .iter()
                .map(|h| normalize_host(h))
                .collect(),
        }
    }

    fn allows_host(&self, host: &str) -> bool {
        self.allow_all || self.allowed_hosts.contains(&normalize_host(host))
    }

    /// Checks a URL before it is requested (and each redirect hop): http(s) with a host, and
    /// no special-purpose IP literal or `localhost` name unless allowed. Other names are
    /// checked when they are resolved ([`GuardedResolver`]).
    pub fn check_url(&self, url: &url::Url) -> Result<(), TargetRefused> {
        let refused = |what: String| TargetRefused {
            host: url.host_str().unwrap_or("").to_owned(),
            what,
        };
        if !matches!(url.scheme(), "http" | "https") {
            return Err(refused(format!(
                "reached by {:?}, not http(s)",
                url.scheme()
            )));
        }
        let Some(host) = url.host() else {
            return Err(refused("missing".into()));
        };
        let host_str = url.host_str().unwrap_or("");
        if self.allows_host(host_str) {
            return Ok(());
        }
        let what = match host {
            url::Host::Ipv4(ip) => special_purpose(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => special_purpose(IpAddr::V6(ip)),
            url::Host::Domain(name) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                (name == "localhost" || name.ends_with(".localhost")).then_some("a loopback name")
            }
        };
        match what {
            Some(what) => Err(refused(what.to_owned())),
            None => Ok(()),
        }
    }

    /// Checks the addresses `host` resolved to: every one must be allowed (one refused
    /// address refuses the host: a connection might be made to it).
    pub fn check_addrs(&self, host: &str, addrs: &[SocketAddr]) -> Result<(), TargetRefused> {
        if self.allows_host(host) {
            return Ok(());
        }
        for addr in addrs {
            if let Some(what) = special_purpose(addr.ip()) {
                return Err(TargetRefused {
                    host: host.to_owned(),
                    what: format!("{what} (it resolves to {})", addr.ip()),
                });
            }
        }
        Ok(())
    }
}

/// Lower case, no trailing dot, no IPv6 brackets: how hosts are compared.
fn normalize_host(host: &str) -> String {
    host.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// The kind of special-purpose address `ip` is, or `None` for an ordinary global unicast one.
/// IPv6 addresses that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by
/// the embedded address.
pub fn special_purpose(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => special_v4(v4),
        IpAddr::V6(v6) => special_v6(v6),
    }
}

fn special_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    let what = match (a, b, c) {
        (0, ..) => "a \"this network\" address",
        (10, ..) => "a private address",
        (100, 64..=127, _) => "a carrier-grade NAT address",
        (127, ..) => "a loopback address",
        (169, 254, _) => "a link-local address",
        (172, 16..=31, _) => "a private address",
        (192, 0, 0) => "an IETF protocol address",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation address",
        (192, 88, 99) => "a 6to4 relay address",
        (192, 168, _) => "a private address",
        (198, 18..=19, _) => "a benchmarking address",
        (224..=239, ..) => "a multicast address",
        (240..=255, ..) => "a reserved or broadcast address",
        _ => return None,
    };
    Some(what)
}

fn special_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return special_v4(v4);
    }
    if ip.is_unspecified() {
        return Some("the unspecified address");
    }
    if ip.is_loopback() {
        return Some("a loopback address");
    }
    // ::a.b.c.d, IPv4-compatible (deprecated): judged by the address it carries.
    if s[..6] == [0; 6] {
        return Some(special_v4(embedded_v4(s[6], s[7])).unwrap_or("an IPv4-compatible address"));
    }
    // NAT64 well-known prefix 64:ff9b::/96 reaches the embedded IPv4 address.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return special_v4(embedded_v4(s[6], s[7]));
    }
    // 6to4 2002:AABB:CCDD::/48 reaches AA.BB.CC.DD.
    if s[0] == 0x2002 {
        return special_v4(embedded_v4(s[1], s[2]));
    }
    let what = match s[0] {
        0x64 if s[1] == 0xff9b && s[2] == 1 => "a local-use NAT64 address",
        0x100 if s[1..4] == [0, 0, 0] => "a discard-only address",
        0x2001 if s[1] < 0x200 => "an IETF protocol address (Teredo, ORCHID...)",
        0x2001 if s[1] == 0xdb8 => "a documentation address",
        0x3fff if s[1] < 0x1000 => "a documentation address",
        0x5f00 => "a segment-routing address",
        x if x & 0xfe00 == 0xfc00 => "a unique local (private) address",
        x if x & 0xffc0 == 0xfe80 => "a link-local address",
        x if x & 0xffc0 == 0xfec0 => "a site-local address",
        x if x & 0xff00 == 0xff00 => "a multicast address",
        _ => return None,
    };
    Some(what)
}

fn embedded_v4(high: u16, low: u16) -> Ipv4Addr {
    let [a, b] = high.to_be_bytes();
    let [c, d] = low.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

/// The DNS resolver every fetch uses: the system resolver (on a blocking thread), then the
/// policy on what the name resolved to, at connect time and on every redirect hop.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    pub policy: Arc<TargetPolicy>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = Arc::clone(&self.policy);
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let lookup = host.clone();
            let addrs: Vec<SocketAddr> = tokio::task::spawn_blocking(move || {
                std::net::ToSocketAddrs::to_socket_addrs(&(lookup.as_str(), 0))
                    .map(|a| a.collect::<Vec<_>>())
            })
            .await
            .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)??;
            policy.check_addrs(&host, &addrs)?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // These tests only classify addresses written as data; nothing is ever connected to.

    fn refused(text: &str) -> bool {
        special_purpose(text.parse().unwrap()).is_some()
    }

    #[test]
    fn special_purpose_ranges_are_recognised() {
        for ip in [
            "127.0.0.1",
            "127.255.0.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "192.0.0.1",
            "192.0.0.170",
            "192.0.2.5",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::1",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "2002:a9fe:a9fe::",
            "2001:db8::1",
            "2001::1",
            "3fff::1",
            "fd00::1",
            "fc12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "100::1",
        ] {
            assert!(refused(ip), "{ip} must be refused");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.0.1",
            "172.32.0.1",
            "192.0.1.1",
            "192.169.0.1",
            "2606:4700::1111",
            "2001:4860:4860::8888",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "::ffff:8.8.8.8",
        ] {
            assert!(!refused(ip), "{ip} is an ordinary address");
        }
    }

    fn url(text: &str) -> url::Url {
        url::Url::parse(text).unwrap()
    }

    #[test]
    fn urls_are_checked_as_written() {
        let policy = TargetPolicy::default();
        for u in [
            "http://127.0.0.1:9/secret",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://[::1]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[2002:7f00:1::]/",
            "http://192.0.0.1/",
            "http://localhost:8080/",
            "http://LOCALHOST./",
            "http://169.254.169.254/latest/meta-data/",
            "file:///etc/passwd",
            "javascript:alert(1)",
        ] {
            let err = policy.check_url(&url(u)).unwrap_err();
            assert!(err.to_string().contains("allow_private"), "{u}: {err}");
        }
        for u in [
            "https://new.qq.com/rain/a/X",
            "http://8.8.8.8/",
            "http://intranet/",
        ] {
            assert_eq!(policy.check_url(&url(u)), Ok(()), "{u}");
        }
    }

    #[test]
    fn the_allow_list_and_the_flag_lift_the_refusal() {
        let listed = TargetPolicy::new(&FetchConfig {
            allow_private_hosts: vec!["127.0.0.1".into(), "[::1]".into(), "Localhost".into()],
            ..FetchConfig::default()
        });
        for u in [
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "http://localhost/",
        ] {
            assert_eq!(listed.check_url(&url(u)), Ok(()), "{u}");
        }
        assert!(listed.check_url(&url("http://127.0.0.2/")).is_err());
        let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
        assert_eq!(listed.check_addrs("localhost", &[loopback]), Ok(()));
        let err = listed
            .check_addrs("rebound.example", &[loopback])
            .unwrap_err();
        assert!(err.to_string().contains("resolves to 127.0.0.1"), "{err}");

        let all = TargetPolicy::new(&FetchConfig {
            allow_private_targets: true,
            ..FetchConfig::default()
        });
        assert_eq!(all.check_url(&url("http://127.0.0.2/")), Ok(()));
        assert_eq!(all.check_addrs("rebound.example", &[loopback]), Ok(()));
        // Never another scheme, whatever is allowed.
        assert!(all.check_url(&url("file:///etc/passwd")).is_err());
    }
}
