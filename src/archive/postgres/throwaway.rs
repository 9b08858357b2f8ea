//! A throwaway PostgreSQL cluster for tests and benches: Debian's server binaries
//! (`/usr/lib/postgresql/*/bin`, the newest version), `initdb` in a temporary folder, the
//! server listening only on a unix socket in that folder (`listen_addresses=''`), one cluster
//! per process and a fresh database per caller.
//!
//! `initdb` refuses to run as root: as root (CI), the cluster belongs to Debian's `postgres`
//! system user (`runuser -u postgres --`). Either way clients connect as the bootstrap
//! superuser `postgres`, trusted on the socket. A watchdog process stops the server and
//! removes the folder once this process has exited, however it exits, so nothing is left
//! running. Missing binaries are an error that says what to install: tests fail, never skip.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// A running throwaway cluster.
#[derive(Debug)]
pub struct ThrowawayCluster {
    /// The temporary folder: `data/`, the socket, the log.
    root: PathBuf,
    databases: AtomicU32,
}

/// The process's cluster, started on first use. Panics, saying why, when it cannot start.
pub fn cluster() -> &'static ThrowawayCluster {
    static CLUSTER: OnceLock<ThrowawayCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        ThrowawayCluster::start()
            .unwrap_or_else(|e| panic!("cannot start a throwaway PostgreSQL cluster: {e}"))
    })
}

/// A URL naming a new, empty database in the process's cluster.
pub fn fresh_database() -> String {
    let cluster = cluster();
    cluster
        .create_database()
        .unwrap_or_else(|e| panic!("cannot create a test database: {e}"))
}

/// The folder of the newest installed server binaries.
fn server_binaries() -> Result<PathBuf, String> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| {
            format!(
                "no PostgreSQL server binaries in /usr/lib/postgresql ({e}); install Debian's \
                 `postgresql` package (apt-get install postgresql)"
            )
        })?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).ok_or_else(|| {
        "no /usr/lib/postgresql/*/bin/initdb; install Debian's `postgresql` package".to_owned()
    })
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A command for one of the server binaries, as the `postgres` user when we are root.
fn server_command(bin: &Path, program: &str, as_postgres: bool) -> Command {
    if as_postgres {
        let mut command = Command::new("runuser");
        command
            .args(["-u", "postgres", "--"])
            .arg(bin.join(program));
        command
    } else {
        Command::new(bin.join(program))
    }
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: cannot run {command:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

impl ThrowawayCluster {
    /// Creates and starts a cluster in a new temporary folder.
    pub fn start() -> Result<ThrowawayCluster, String> {
        let bin = server_binaries()?;
        let as_postgres = running_as_root();
        let root = tempfile::Builder::new()
            .prefix("newsvault-pg-")
            .tempdir()
            .map_err(|e| format!("cannot make a temporary folder: {e}"))?
            .keep();
        if as_postgres {
            run(
                Command::new("chown").arg("postgres:").arg(&root),
                "chown to postgres",
            )?;
        }
        let data = root.join("data");
        run(
            server_command(&bin, "initdb", as_postgres)
                .arg("-D")
                .arg(&data)
                .args([
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]),
            "initdb",
        )?;
        let options = format!(
            "-c listen_addresses='' -k {} -c fsync=off -c full_page_writes=off",
            root.display()
        );
        run(
            server_command(&bin, "pg_ctl", as_postgres)
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(root.join("server.log"))
                .args(["-o", &options, "-w", "start"]),
            "pg_ctl start",
        )?;
        watch_until_exit(&bin, &root, as_postgres)?;
        Ok(ThrowawayCluster {
            root,
            databases: AtomicU32::new(0),
        })
    }

    /// The URL of database `name`, over the cluster's socket.
    pub fn url(&self, name: &str) -> String {
        let socket_dir =
            url::form_urlencoded::byte_serialize(self.root.to_str().unwrap_or("").as_bytes())
                .collect::<String>();
        format!("postgresql://postgres@/{name}?host={socket_dir}")
    }

    /// Creates a new empty database and returns its URL. Callable from async tests too: the
    /// synchronous client runs on a thread of its own.
    pub fn create_database(&self) -> Result<String, String> {
        let n = self.databases.fetch_add(1, Ordering::Relaxed);
        let name = format!("test_{}_{n}", std::process::id());
        let admin = self.url("postgres");
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let mut client = ::postgres::Client::connect(&admin, ::postgres::NoTls)
                        .map_err(|e| {
                            format!("cannot connect to the cluster: {}", super::describe(&e))
                        })?;
                    client
                        .batch_execute(&format!("CREATE DATABASE {name}"))
                        .map_err(|e| format!("CREATE DATABASE {name}: {}", super::describe(&e)))
                })
                .join()
                .map_err(|_| "the thread creating the database panicked".to_owned())?
        })?;
        Ok(self.url(&name))
    }
}

/// Starts a process that waits for this one to exit, then stops the server (immediately:
/// the data is thrown away) and removes the folder.
fn watch_until_exit(bin: &Path, root: &Path, as_postgres: bool) -> Result<(), String> {
    let pg_ctl = bin.join("pg_ctl");
    let data = root.join("data");
    let stop = if as_postgres {
        format!(
            "runuser -u postgres -- '{}' -D '{}' -m immediate stop",
            pg_ctl.display(),
            data.display()
        )
    } else {
        format!(
            "'{}' -D '{}' -m immediate stop",
            pg_ctl.display(),
            data.display()
        )
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; rm -rf '{root}'",
        pid = std::process::id(),
        root = root.display()
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| format!("cannot start the cluster's watchdog: {e}"))
}
