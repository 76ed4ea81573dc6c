//! Accepting and serving connections with limits, so that unauthenticated clients cannot hold
//! the server's memory or sockets: at most [`ConnectionLimits::max_connections`] at once
//! (more wait in the kernel's backlog, unaccepted, until one closes), a connection that sends
//! no complete request head within [`ConnectionLimits::idle_timeout`] (idle between requests,
//! or trickling its headers) is closed, and bodies are read with a deadline in
//! [`super::routes`], only after the signature was checked.
//!
//! axum's `serve` has none of these knobs, so this is a small accept loop over hyper's HTTP/1
//! connection builder (hyper's `header_read_timeout` covers both the idle wait and a slow
//! head, because hyper starts it whenever it waits for a request head).

use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::faults::{FaultyStream, KillSwitch};

/// What one client may hold. The defaults suit a dev server on loopback that SDKs and the
/// app share; tests shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections served at once, per region port.
    pub max_connections: usize,
    /// A connection with no complete request head for this long is closed (idle keep-alive,
    /// or headers trickling in).
    pub idle_timeout: Duration,
    /// A request body must arrive within this long, or the answer is RequestTimeout.
    pub body_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 128,
            idle_timeout: Duration::from_secs(20),
            body_timeout: Duration::from_secs(30),
        }
    }
}

/// Serves `router` on `listener` until `cancel`; then stops accepting, lets each connection
/// finish its request in flight, and returns when they are all closed.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    cancel: CancellationToken,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.idle_timeout)
        // Room for heads past MAX_HEADER_BYTES, so those get routes' OSS error document.
        .max_buf_size(1024 * 1024);
    let connections = TaskTracker::new();
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = cancel.cancelled() => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Like axum's own loop: back off briefly on errors such as EMFILE.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = cancel.cancelled() => break,
        };
        stream.set_nodelay(true).ok();
        let kill = KillSwitch::default();
        let app = TowerToHyperService::new(router.clone().layer(axum::Extension(kill.clone())));
        let connection = http.serve_connection(TokioIo::new(FaultyStream::new(stream, kill)), app);
        let cancel = cancel.clone();
        connections.spawn(async move {
            let _permit = permit;
            let mut connection = pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!("connection closed: {e}");
                    }
                }
                () = cancel.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await.ok();
                }
            }
        });
    }
    connections.close();
    connections.wait().await;
}
