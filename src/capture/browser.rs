//! The browser process: started headless with a throwaway profile in its own process group,
//! its DevTools address read from its stderr, and the whole group killed at the time limit (a
//! watchdog thread) or when the capture is done, whichever comes first.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::CaptureError;

/// Lines of the browser's stderr kept for error messages.
const STDERR_TAIL: usize = 6;

/// The browser program named by `[capture] browser`: a path, or a name looked up on the PATH.
pub fn find(browser: &str) -> Result<PathBuf, CaptureError> {
    let missing = || CaptureError::BrowserMissing {
        browser: browser.to_owned(),
    };
    if browser.contains('/') {
        let path = Path::new(browser);
        return is_executable(path)
            .then(|| path.to_path_buf())
            .ok_or_else(missing);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(browser))
        .find(|candidate| is_executable(candidate))
        .ok_or_else(missing)
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A running headless browser. Dropping it kills its process group and reaps it.
pub struct Browser {
    child: Child,
    /// Where the DevTools protocol is served (`ws://127.0.0.1:PORT/devtools/browser/ID`).
    pub ws_url: String,
    stop_watchdog: Option<mpsc::Sender<()>>,
    stderr_tail: Arc<Mutex<Vec<String>>>,
    /// The throwaway profile, removed when dropped (after the browser is gone).
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts `program` and waits (until `deadline`) for its DevTools address.
    pub fn launch(program: &Path, deadline: Instant) -> Result<Browser, CaptureError> {
        let profile = tempfile::Builder::new()
            .prefix("newsvault-browser-")
            .tempdir()
            .map_err(|e| CaptureError::Browser(format!("cannot make a browser profile: {e}")))?;
        let mut child = command(program, profile.path())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => CaptureError::BrowserMissing {
                    browser: program.display().to_string(),
                },
                _ => CaptureError::Browser(format!("cannot start {}: {e}", program.display())),
            })?;
        let stop_watchdog = Some(watchdog(&child, deadline));
        let stderr_tail = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        if let Some(stderr) = child.stderr.take() {
            read_stderr(stderr, tx, Arc::clone(&stderr_tail));
        }
        let mut browser = Browser {
            child,
            ws_url: String::new(),
            stop_watchdog,
            stderr_tail,
            _profile: profile,
        };
        let wait = deadline.saturating_duration_since(Instant::now());
        browser.ws_url = match rx.recv_timeout(wait) {
            Ok(url) => url,
            Err(mpsc::RecvTimeoutError::Timeout) => return Err(CaptureError::TimedOut),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(CaptureError::Browser(format!(
                    "the browser exited before it was ready: {}",
                    browser.stderr_tail()
                )));
            }
        };
        Ok(browser)
    }

    /// The last lines the browser wrote to stderr, for error messages.
    pub fn stderr_tail(&self) -> String {
        let tail = self.stderr_tail.lock().unwrap_or_else(|p| p.into_inner());
        if tail.is_empty() {
            "(nothing on stderr)".to_owned()
        } else {
            tail.join(" | ")
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Stops the watchdog; the group is killed here either way (renderers, GPU and
        // utility processes included), then the browser is reaped.
        self.stop_watchdog.take();
        kill_group(&self.child);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Headless, with a throwaway profile, nothing that phones home, DevTools on a free loopback
/// port. The sandbox needs an unprivileged user: as root it cannot start, so it is off then.
fn command(program: &Path, profile: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .arg("--headless")
        .arg("--disable-gpu")
        .arg("--no-first-run")
        .arg("--no-default-browser-check")
        .arg("--disable-extensions")
        .arg("--disable-default-apps")
        .arg("--disable-background-networking")
        .arg("--disable-component-update")
        .arg("--disable-sync")
        .arg("--disable-dev-shm-usage")
        .arg("--mute-audio")
        .arg("--hide-scrollbars")
        .arg("--remote-debugging-address=127.0.0.1")
        .arg("--remote-debugging-port=0")
        .arg(format!("--user-data-dir={}", profile.display()));
    if rustix::process::geteuid().is_root() {
        command.arg("--no-sandbox");
    }
    command
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        // Its own process group: the browser's children are killed with it.
        .process_group(0);
    command
}

/// Kills the browser's process group at `deadline`, unless told to stop first (the sender is
/// dropped).
fn watchdog(child: &Child, deadline: Instant) -> mpsc::Sender<()> {
    let (tx, rx) = mpsc::channel::<()>();
    let pid = rustix::process::Pid::from_child(child);
    std::thread::spawn(move || {
        let wait = deadline.saturating_duration_since(Instant::now());
        if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(wait) {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    });
    tx
}

fn kill_group(child: &Child) {
    let pid = rustix::process::Pid::from_child(child);
    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
}

/// Reads the browser's stderr to its end (a full pipe would stall the browser): hands over
/// the DevTools address once, and keeps the last lines.
fn read_stderr(
    stderr: std::process::ChildStderr,
    tx: mpsc::Sender<String>,
    tail: Arc<Mutex<Vec<String>>>,
) {
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.strip_prefix("DevTools listening on ")
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(url.trim().to_owned());
                continue;
            }
            let mut tail = tail.lock().unwrap_or_else(|p| p.into_inner());
            if tail.len() == STDERR_TAIL {
                tail.remove(0);
            }
            tail.push(line);
        }
    });
}
