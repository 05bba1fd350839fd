//! Serving the router: plain HTTP, or HTTPS with an optional redirecting plain-HTTP listener.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::tls::{self, CertStore, Https, TlsListener};

/// The sockets a server answers on, bound by the caller (port 0 in tests).
pub struct Listeners {
    pub main: TcpListener,
    /// Plain HTTP beside HTTPS: redirects, and ACME HTTP-01 answers.
    pub redirect: Option<TcpListener>,
}

/// How often rotated certificate files are looked for (SIGHUP reloads at once).
const CERT_POLL: Duration = Duration::from_secs(2);

pub async fn serve(
    app: Router,
    listeners: Listeners,
    https: Option<Https>,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let until_stop = |mut s: watch::Receiver<bool>| async move {
        let _ = s.wait_for(|stop| *stop).await;
    };
    let Some(https) = https else {
        anyhow::ensure!(listeners.redirect.is_none(), "a redirecting HTTP listener needs HTTPS");
        // The peer address feeds the per-address login lockout.
        axum::serve(listeners.main, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(until_stop(stop))
            .await?;
        return Ok(());
    };
    let store = Arc::new(CertStore::default());
    let challenges = tls::redirect::Challenges::default();
    match https {
        Https::Files { cert, key } => {
            // A missing or broken certificate at start is the administrator's to fix now.
            store.set(tls::certs::load_files(&cert, &key)?);
            tokio::spawn(tls::certs::watch_files(store.clone(), cert, key, CERT_POLL, stop.clone()));
        }
        Https::Acme(settings) => {
            anyhow::ensure!(
                listeners.redirect.is_some(),
                "ACME validates over plain HTTP: give the redirecting HTTP listener (port 80) too"
            );
            tokio::spawn(tls::acme::run(settings, store.clone(), challenges.clone(), stop.clone()));
        }
    }
    let https_port = listeners.main.local_addr()?.port();
    let redirect = listeners.redirect.map(|l| {
        let app = tls::redirect::router(challenges, https_port);
        let stop = stop.clone();
        tokio::spawn(async move { axum::serve(l, app).with_graceful_shutdown(until_stop(stop)).await })
    });
    let app = app.layer(SetResponseHeaderLayer::overriding(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static(tls::HSTS),
    ));
    let listener = TlsListener::new(listeners.main, tls::server_config(store)?, stop.clone())?
        // A no-op tap: axum derives `ConnectInfo<SocketAddr>` for tapped listeners, so the
        // handlers read the peer address the same way over HTTP and HTTPS.
        .tap_io(|_| ());
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(until_stop(stop))
        .await?;
    if let Some(r) = redirect {
        r.await??;
    }
    Ok(())
}
