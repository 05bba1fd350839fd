//! The accept loop every listener shares. `axum::serve` waits forever for a request's headers
//! and accepts without limit, so a few hundred clients that connect and send half a request
//! hold the server; here each listener has a cap on open connections and each connection a
//! deadline for its request headers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// What one client connection may take of the server.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A connection that has not sent a complete request head this long after it opened (or
    /// after its previous response) is closed; idle keep-alive connections end the same way.
    pub header_read_timeout: Duration,
    /// Open connections per listener. Beyond it, new connections wait in the kernel's backlog
    /// until one closes, rather than being accepted and starved.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { header_read_timeout: Duration::from_secs(10), max_connections: 4096 }
    }
}

/// A TLS handshake not finished in this time is dropped (a port scanner, a stalled phone).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serve `app` on `listener` (over TLS when `tls` is given) until `stop`, then let open
/// connections finish their requests and return once every one has closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<TlsAcceptor>,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let max = u32::try_from(limits.max_connections).unwrap_or(u32::MAX).max(1);
    let slots = Arc::new(Semaphore::new(max as usize));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    loop {
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => s.expect("the semaphore is never closed"),
            _ = stopped(&mut stop) => break,
        };
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = stopped(&mut stop) => break,
        };
        let (tcp, peer) = match accepted {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors and the like: back off rather than spin.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let (app, http, tls, stop) = (app.clone(), http.clone(), tls.clone(), stop.clone());
        tokio::spawn(async move {
            let _slot = slot;
            let Some(acceptor) = tls else {
                return connection(tcp, peer, app, http, stop).await;
            };
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => connection(tls, peer, app, http, stop).await,
                Ok(Err(e)) => tracing::debug!(%peer, "TLS handshake failed: {e}"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
    drop(listener);
    // Every slot back means every connection has closed.
    let _ = slots.acquire_many(max).await;
}

/// One HTTP/1.1 connection (the only version served: TLS offers no other by ALPN). Handlers
/// read the peer as `ConnectInfo<SocketAddr>`, as they would under `axum::serve`.
async fn connection<I>(
    io: I,
    peer: SocketAddr,
    app: Router,
    http: http1::Builder,
    mut stop: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(req)
    });
    let conn = http.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    let done = tokio::select! {
        r = conn.as_mut() => Some(r),
        _ = stopped(&mut stop) => None,
    };
    let result = match done {
        Some(r) => r,
        None => {
            // Finish the request in flight, take no further one on this connection.
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(%peer, "connection ended: {e}");
    }
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}
