//! Serving the router: plain HTTP, or HTTPS with an optional redirecting plain-HTTP listener,
//! and optionally the metrics on a listener of their own. Every listener goes through the same
//! [`accept`] loop with its connection cap and header-read timeout.

pub mod accept;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, header};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tower_http::set_header::SetResponseHeaderLayer;

pub use accept::Limits;

use crate::tls::{self, CertStore, Https};

/// The sockets a server answers on, bound by the caller (port 0 in tests).
pub struct Listeners {
    pub main: TcpListener,
    /// Plain HTTP beside HTTPS: redirects, and ACME HTTP-01 answers.
    pub redirect: Option<TcpListener>,
    /// `/metrics` alone, in plain HTTP (an address only the monitoring network reaches); when
    /// given, the main listener does not serve `/metrics`.
    pub metrics: Option<TcpListener>,
}

impl Listeners {
    /// The main listener alone.
    pub fn main(main: TcpListener) -> Self {
        Self { main, redirect: None, metrics: None }
    }
}

/// How often rotated certificate files are looked for (SIGHUP reloads at once).
const CERT_POLL: Duration = Duration::from_secs(2);

/// Serve `app` on the main listener and `metrics` on the metrics listener until `stop`.
pub async fn serve(
    app: Router,
    metrics: Option<Router>,
    listeners: Listeners,
    https: Option<Https>,
    limits: Limits,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let mut others = Vec::new();
    if let (Some(l), Some(m)) = (listeners.metrics, metrics) {
        others.push(tokio::spawn(accept::serve(l, m, None, limits, stop.clone())));
    }
    let Some(https) = https else {
        anyhow::ensure!(listeners.redirect.is_none(), "a redirecting HTTP listener needs HTTPS");
        accept::serve(listeners.main, app, None, limits, stop).await;
        for o in others {
            o.await?;
        }
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
            tls::acme::load_cached(&settings, &store);
            tokio::spawn(tls::acme::run(settings, store.clone(), challenges.clone(), stop.clone()));
        }
    }
    let https_port = listeners.main.local_addr()?.port();
    if let Some(l) = listeners.redirect {
        let app = tls::redirect::router(challenges, https_port);
        others.push(tokio::spawn(accept::serve(l, app, None, limits, stop.clone())));
    }
    let app = app.layer(SetResponseHeaderLayer::overriding(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static(tls::HSTS),
    ));
    let acceptor = TlsAcceptor::from(tls::server_config(store)?);
    accept::serve(listeners.main, app, Some(acceptor), limits, stop).await;
    for o in others {
        o.await?;
    }
    Ok(())
}
