//! Issue 11, defect 3: the server bounds what clients can hold. A half-sent request is cut
//! off, idle connections cannot starve the server of file descriptors, and writing requests
//! are limited per client. The real binary (`newsvault serve`) runs on 127.0.0.1.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{TestServer, free_port, sigterm, wait_exit};
use newsvault::config::Config;

/// `newsvault serve` on a fresh archive, with an open-file limit of `fd_limit`.
fn serve(dir: &std::path::Path, fd_limit: u32, extra_server: &str) -> (Child, u16) {
    let port = free_port();
    let config = dir.join("newsvault.toml");
    std::fs::write(
        &config,
        format!(
            "[archive]\npath = \"{}\"\n[server]\nlisten = \"127.0.0.1:{port}\"\n{extra_server}\n",
            dir.join("archive.db").display()
        ),
    )
    .unwrap();
    let child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n {fd_limit} && exec \"$0\" --config \"$1\" serve"
        ))
        .arg(env!("CARGO_BIN_EXE_newsvault"))
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, port)
}

/// A plain GET; the status line of the answer.
fn get(port: u16, path: &str, wait: Duration) -> std::io::Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(wait))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    Ok(answer.lines().next().unwrap_or("").to_owned())
}

fn stop(mut child: Child) {
    sigterm(&child);
    let _ = wait_exit(&mut child, Duration::from_secs(20));
}

#[test]
fn a_half_sent_request_head_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let (child, port) = serve(dir.path(), 1024, "header_read_timeout = \"1s\"");
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    // The server closes it (with or without a 408) long before this read gives up.
    slow.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut rest = Vec::new();
    let read = slow.read_to_end(&mut rest);
    assert!(read.is_ok(), "the connection was left open: {read:?}");
    // Idle keep-alive connections are closed the same way.
    let mut idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    assert!(
        idle.read_to_end(&mut rest).is_ok(),
        "an idle connection was left open"
    );
    stop(child);
}

#[test]
fn idle_connections_beyond_the_file_limit_do_not_stop_the_server() {
    let dir = tempfile::tempdir().unwrap();
    // 256 descriptors; 400 idle connections try to take them all.
    let (child, port) = serve(dir.path(), 256, "header_read_timeout = \"2s\"");
    let idle: Vec<TcpStream> = (0..400)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", port)).ok())
        .collect();
    assert!(idle.len() > 256, "only {} connections opened", idle.len());
    // A normal request is answered (once the idle ones have been timed out).
    let status = get(port, "/feed.atom", Duration::from_secs(30)).expect("answered");
    assert_eq!(status, "HTTP/1.1 200 OK");
    // And the server goes on answering.
    for _ in 0..5 {
        let status = get(port, "/", Duration::from_secs(30)).expect("answered");
        assert_eq!(status, "HTTP/1.1 200 OK");
    }
    drop(idle);
    stop(child);
}

#[tokio::test]
async fn writes_are_limited_per_client() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    let mut config = Config::default();
    config.server.writes_per_minute = 2;
    let server = TestServer::start(&db, config).await;
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let r = client
            .post(server.url("/archive"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("url=https%3A%2F%2Fnew.qq.com%2Frain%2Fa%2F20250211A013J400")
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            assert!(r.headers().contains_key("retry-after"));
            assert!(r.headers().contains_key("content-security-policy"));
        }
    }
    // No token is configured: the first two are refused as writes, the third is not even
    // looked at.
    assert_eq!(statuses, [403, 403, 429]);
    // Reading is not limited.
    let r = client.get(server.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    server.stop().await;
}
