//! Where a PostgreSQL archive is and who connects, as libpq would read it: the URL first,
//! then the standard variables for what it leaves out (`PGHOST`, `PGPORT`, `PGUSER`,
//! `PGPASSWORD`, `PGDATABASE`), then the password file (`PGPASSFILE`, else `~/.pgpass`),
//! read only when its mode gives nobody but its owner access (0600), as libpq does.
//!
//! Connections are not encrypted: newsvault talks to PostgreSQL over a local socket, loopback
//! or a trusted network. An `sslmode` asking for TLS (`require`, `verify-ca`, `verify-full`,
//! in the URL or `PGSSLMODE`) is refused with an error rather than silently ignored.

use std::path::{Path, PathBuf};

use ::postgres::Config;
use ::postgres::config::{Host, SslMode};

use crate::archive::{ArchiveError, PostgresUrl};

/// Where Debian's server puts its socket: libpq's default host there.
const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";
const DEFAULT_PORT: u16 = 5432;

/// The process environment, empty values counting as unset (as libpq reads them).
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The client configuration for `url`, completed from `env` (see the module comment).
pub fn client_config(
    url: &PostgresUrl,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ArchiveError> {
    let location = url.redacted();
    let refuse = |what: String| ArchiveError::Database {
        location: location.clone(),
        what,
    };
    refuse_tls(url, env).map_err(&refuse)?;
    let mut config: Config = with_env_port(url.expose(), env)
        .parse()
        .map_err(|e: ::postgres::Error| refuse(format!("not a usable PostgreSQL URL: {e}")))?;
    config.ssl_mode(SslMode::Disable);
    if config.get_hosts().is_empty() {
        let hosts = env("PGHOST").unwrap_or_else(|| {
            if Path::new(DEFAULT_SOCKET_DIR).is_dir() {
                DEFAULT_SOCKET_DIR.to_owned()
            } else {
                "localhost".to_owned()
            }
        });
        for host in hosts.split(',') {
            if host.starts_with('/') {
                config.host_path(host);
            } else {
                config.host(host);
            }
        }
    }
    if config.get_ports().is_empty()
        && let Some(ports) = env("PGPORT")
    {
        for port in ports.split(',') {
            let port = port
                .trim()
                .parse::<u16>()
                .map_err(|_| refuse(format!("PGPORT {port:?} is not a port number")))?;
            config.port(port);
        }
    }
    if config.get_user().is_none()
        && let Some(user) = env("PGUSER")
    {
        config.user(&user);
    }
    if config.get_dbname().is_none()
        && let Some(dbname) = env("PGDATABASE")
    {
        config.dbname(&dbname);
    }
    if config.get_password().is_none() {
        if let Some(password) = env("PGPASSWORD") {
            config.password(password);
        } else if let Some(password) = password_from_file(&config, env) {
            config.password(password);
        }
    }
    if config.get_application_name().is_none() {
        config.application_name("newsvault");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(std::time::Duration::from_secs(10));
    }
    Ok(config)
}

/// The URL with `PGPORT` as the port of a host it names without one (the client would
/// otherwise fill in 5432 itself).
fn with_env_port(text: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    let (Some(port), Ok(mut parsed)) = (
        env("PGPORT").and_then(|p| p.trim().parse::<u16>().ok()),
        url::Url::parse(text),
    ) else {
        return text.to_owned();
    };
    let names_port = parsed.query_pairs().any(|(k, _)| k == "port");
    if parsed.host_str().is_some_and(|h| !h.is_empty()) && parsed.port().is_none() && !names_port {
        let _ = parsed.set_port(Some(port));
        return parsed.to_string();
    }
    text.to_owned()
}

/// Refuses an `sslmode` that asks for encryption this build does not provide.
fn refuse_tls(url: &PostgresUrl, env: &dyn Fn(&str) -> Option<String>) -> Result<(), String> {
    let in_url = url::Url::parse(url.expose()).ok().and_then(|u| {
        u.query_pairs()
            .find(|(k, _)| k == "sslmode")
            .map(|(_, v)| (v.into_owned(), "the URL"))
    });
    let chosen = in_url.or_else(|| env("PGSSLMODE").map(|v| (v, "PGSSLMODE")));
    match chosen {
        Some((mode, from)) if !matches!(mode.as_str(), "disable" | "allow" | "prefer") => {
            Err(format!(
                "sslmode={mode} (from {from}) asks for TLS, which newsvault does not speak to \
                 PostgreSQL: connect over a local socket, loopback or a trusted network \
                 (sslmode=disable)"
            ))
        }
        _ => Ok(()),
    }
}

/// The password for this connection from the password file, if it is private and has a
/// matching line.
fn password_from_file(config: &Config, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let path = env("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|home| Path::new(&home).join(".pgpass")))?;
    let text = read_private(&path)?;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        // libpq matches socket connections as "localhost".
        _ => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(DEFAULT_PORT)
        .to_string();
    let user = config
        .get_user()
        .map(str::to_owned)
        .or_else(|| env("USER"))
        .unwrap_or_default();
    let dbname = config.get_dbname().unwrap_or(&user).to_owned();
    find_password(&text, [&host, &port, &dbname, &user])
}

/// The file's text, or `None` when it is missing or readable by others than its owner (then
/// ignored with a warning, like libpq).
fn read_private(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).ok()?;
    if meta.permissions().mode() & 0o077 != 0 {
        tracing::warn!(
            path = %path.display(),
            "password file has group or world access; ignored (chmod 0600 it)"
        );
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// The password of the first `host:port:database:user:password` line matching `wanted`
/// (`*` matches anything; `\:` and `\\` escape).
fn find_password(text: &str, wanted: [&str; 4]) -> Option<String> {
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#') && !line.trim().is_empty())
        .find_map(|line| {
            let fields = split_fields(line);
            let [host, port, db, user, password] = <[String; 5]>::try_from(fields).ok()?;
            let matches = [host, port, db, user]
                .iter()
                .zip(wanted)
                .all(|(field, want)| field == "*" || field == want);
            matches.then_some(password)
        })
}

fn split_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut().unwrap().push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::os::unix::fs::PermissionsExt;

    fn url(s: &str) -> PostgresUrl {
        match crate::archive::Location::of(Path::new(s)) {
            crate::archive::Location::Postgres(url) => url,
            other => panic!("{other:?}"),
        }
    }

    fn env_of(vars: &[(&str, String)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn the_url_comes_first_then_the_pg_variables() {
        let env = env_of(&[
            ("PGHOST", "/run/elsewhere".into()),
            ("PGPORT", "5433".into()),
            ("PGUSER", "envuser".into()),
            ("PGDATABASE", "envdb".into()),
            ("PGPASSWORD", "envsecret".into()),
        ]);
        let config = client_config(&url("postgres://alice@127.0.0.1/news"), &env).unwrap();
        assert_eq!(config.get_hosts(), [Host::Tcp("127.0.0.1".into())]);
        assert_eq!(config.get_ports(), [5433]);
        assert_eq!(config.get_user(), Some("alice"));
        assert_eq!(config.get_dbname(), Some("news"));
        assert_eq!(config.get_password(), Some(&b"envsecret"[..]));

        let config = client_config(&url("postgresql://"), &env).unwrap();
        assert_eq!(config.get_hosts(), [Host::Unix("/run/elsewhere".into())]);
        assert_eq!(config.get_user(), Some("envuser"));
        assert_eq!(config.get_dbname(), Some("envdb"));

        let config = client_config(
            &url("postgresql://bob:pw@/news?host=/tmp/sock%20dir"),
            &env_of(&[]),
        )
        .unwrap();
        assert_eq!(config.get_hosts(), [Host::Unix("/tmp/sock dir".into())]);
        assert_eq!(config.get_password(), Some(&b"pw"[..]));
    }

    #[test]
    fn a_request_for_tls_is_refused_not_ignored() {
        for (u, env) in [
            (
                "postgres://a:s3cret@db.example/news?sslmode=require",
                vec![],
            ),
            ("postgres://a@db.example/news?sslmode=verify-full", vec![]),
            (
                "postgres://a@db.example/news",
                vec![("PGSSLMODE", "require".to_owned())],
            ),
        ] {
            let err = client_config(&url(u), &env_of(&env)).unwrap_err();
            let text = err.to_string();
            assert!(text.contains("sslmode=") && text.contains("TLS"), "{text}");
            assert!(!text.contains("s3cret"), "{text}");
        }
        client_config(
            &url("postgres://a@127.0.0.1/news?sslmode=disable"),
            &env_of(&[]),
        )
        .unwrap();
    }

    #[test]
    fn the_password_file_is_read_only_when_private() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(
            &file,
            "# comment\nother.example:*:*:*:nope\nlocalhost:5432:news:alice:pa\\:ss\n*:*:*:bob:bobs\n",
        )
        .unwrap();
        let env = env_of(&[("PGPASSFILE", file.display().to_string())]);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let config = client_config(&url("postgres://alice@/news?host=/tmp"), &env).unwrap();
        assert_eq!(config.get_password(), Some(&b"pa:ss"[..]));
        let config = client_config(&url("postgres://bob@127.0.0.1:6000/x"), &env).unwrap();
        assert_eq!(config.get_password(), Some(&b"bobs"[..]));
        let config = client_config(&url("postgres://carol@127.0.0.1/x"), &env).unwrap();
        assert_eq!(config.get_password(), None);

        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let config = client_config(&url("postgres://alice@/news?host=/tmp"), &env).unwrap();
        assert_eq!(config.get_password(), None, "a readable file is ignored");
    }
}
