//! The accept loop: bounded connections, timeouts on slow and idle clients, and an accept
//! that survives running out of file descriptors.
//!
//! At most `[server] max_connections` connections are served at once (the rest wait in the
//! kernel's backlog). A connection must send each request head within `header_read_timeout`
//! of starting to wait for it (hyper's header-read timer runs while a keep-alive connection
//! idles too), and is closed after `max_connection_age` whatever it does. When `accept` fails
//! for lack of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) the loop waits a moment
//! and tries again: connections closing (by the timeouts above) free what it needs.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio_util::task::TaskTracker;
use tower_service::Service;

use crate::config::ServerConfig;

/// How long `accept` waits before trying again after running out of descriptors.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// On shutdown, requests in progress get this long to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The client's address, in every request's extensions (per-client limits use it).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub SocketAddr);

#[derive(Debug, Clone, Copy)]
struct Limits {
    header_read_timeout: Duration,
    max_connection_age: Duration,
}

/// Serves `app` on `listener` until `shutdown` resolves; then stops accepting, lets requests
/// in progress finish (for a few seconds at most) and closes idle connections.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    config: &ServerConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let limits = Limits {
        header_read_timeout: config.header_read_timeout,
        max_connection_age: config.max_connection_age,
    };
    let slots = Arc::new(Semaphore::new(config.max_connections.max(1)));
    let connections = TaskTracker::new();
    let (stopping_tx, stopping) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            permit = Arc::clone(&slots).acquire_owned() => permit.expect("never closed"),
        };
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = accept(&listener) => accepted,
        };
        connections.spawn(serve_connection(
            stream,
            peer,
            app.clone(),
            limits,
            stopping.clone(),
            permit,
        ));
    }
    let _ = stopping_tx.send(true);
    connections.close();
    if tokio::time::timeout(SHUTDOWN_GRACE * 2, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!("server: connections still open after the shutdown grace; closing them");
    }
}

/// The next connection. Errors about one connection (reset before accept) are skipped;
/// running out of descriptors or memory is waited out.
async fn accept(listener: &TcpListener) -> (TcpStream, SocketAddr) {
    loop {
        match listener.accept().await {
            Ok(accepted) => return accepted,
            Err(e) if is_resource_exhaustion(&e) => {
                tracing::warn!("server: cannot accept ({e}); trying again shortly");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
            }
            Err(e) => tracing::debug!("server: accept failed: {e}"),
        }
    }
}

fn is_resource_exhaustion(e: &std::io::Error) -> bool {
    // EMFILE 24, ENFILE 23, ENOBUFS 105, ENOMEM 12 on Linux; the kinds cover the rest.
    matches!(e.raw_os_error(), Some(23 | 24 | 105 | 12))
        || matches!(e.kind(), std::io::ErrorKind::OutOfMemory)
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: Limits,
    mut stopping: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    let _ = stream.set_nodelay(true);
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ClientAddr(peer));
        let mut app = app.clone();
        async move { app.call(request).await }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(64 * 1024);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    let age = tokio::time::sleep(limits.max_connection_age);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(%peer, "server: connection ended: {e}");
            }
        }
        _ = async { drop(stopping.wait_for(|stop| *stop).await) } => {
            connection.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(SHUTDOWN_GRACE, connection).await;
        }
        _ = age => tracing::debug!(%peer, "server: connection closed at its maximum age"),
    }
}
