//! The Anlan server: sync, merge, storage and the PWA's static files.
//!
//! `main.rs` only parses the command line ([`cli`]); tests call [`run`] with a listener they
//! bound themselves (port 0) and a shutdown future of their own.

pub mod auth;
pub mod cli;
pub mod demo;
pub mod error;
pub mod live;
pub mod merge;
pub mod metrics;
pub mod push;
pub mod reproject;
pub mod routes;
pub mod state;
pub mod store;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::live::LiveHub;
use crate::merge::Merger;
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::store::{Dialect, SqlStore};

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// The built PWA (`pwa/dist`), served at `/` when present.
    pub static_dir: Option<PathBuf>,
    /// Documents kept loaded in memory (~20–50 KB each).
    pub cache_docs: usize,
}

/// Serve until `shutdown` resolves, then finish in-flight requests and return.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let store = SqlStore::connect(&config.database_url).await?;
    let live = LiveHub::new(store.dialect == Dialect::Postgres);
    let metrics = Arc::new(Metrics::default());
    let merger =
        Arc::new(Merger::new(store.clone(), config.cache_docs, metrics.clone(), live.clone()).await?);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    if store.dialect == Dialect::Postgres {
        tokio::spawn(live::listen_postgres(store.url.clone(), live.clone(), stop_rx.clone()));
    }
    let state = AppState { store, merger, metrics, live, shutdown: stop_rx.clone() };
    let static_dir = config.static_dir.filter(|d| d.join("index.html").exists());
    let app = routes::router(state, static_dir.as_deref());
    let mut wait = stop_rx;
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = wait.wait_for(|stop| *stop).await;
        })
        .await?;
    Ok(())
}
