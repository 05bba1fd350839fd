//! The Anlan server: sync, merge, storage and the PWA's static files.
//!
//! `main.rs` only parses the command line ([`cli`]); tests call [`run`] with a listener they
//! bound themselves (port 0) and a shutdown future of their own.

pub mod audit;
pub mod auth;
pub mod backups;
pub mod campaigns;
pub mod channels;
pub mod cli;
pub mod client_ip;
pub mod demo;
pub mod error;
pub mod export;
pub mod headers;
pub mod live;
pub mod merge;
pub mod metrics;
pub mod push;
pub mod reproject;
pub mod roster;
pub mod routes;
pub mod serving;
pub mod state;
pub mod stats;
pub mod store;
pub mod tls;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

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
    /// An urgent case not acknowledged this long after its alert goes one level up.
    pub escalate_after: Duration,
    /// How often the alert worker looks for due work when nothing wakes it.
    pub alert_tick: Duration,
    /// First retry delay for a push service that failed without a Retry-After (doubles).
    pub alert_retry_base: Duration,
    /// How often to look for cases past their deadline (each is reminded once per deadline).
    pub overdue_every: Duration,
    /// The hour (Beijing time, 0–23) after which leaders get the day's digest of non-urgent cases;
    /// 24 never comes, so no digest is sent.
    pub digest_hour: u32,
    /// The `sub` of the VAPID signature: how a push service reaches the operator.
    pub vapid_contact: String,
    /// Accept push endpoints over plain http (local test push services only): a subscription
    /// is client input, and the server must not be talked into posting to internal addresses.
    pub allow_http_push: bool,
    /// How often the sweep clock generates half-monthly campaigns and sends reminders.
    pub campaign_tick: Duration,
    /// About this much of the feed goes in one sync response (PROTOCOL.md §3).
    pub page_bytes: usize,
    /// HTTPS and where its certificate comes from; plain HTTP when `None`.
    pub https: Option<tls::Https>,
    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Pushes and uploads are refused below this much free space on the data disk.
    pub free_space_floor: store::FreeSpaceFloor,
    /// Scheduled backups (SQLite only).
    pub backups: Option<backups::BackupSchedule>,
    /// Storage that fails on demand (tests only).
    #[cfg(any(test, feature = "fault-injection"))]
    pub faults: store::Faults,
}

impl Config {
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            static_dir: None,
            cache_docs: 5_000,
            escalate_after: Duration::from_secs(15 * 60),
            alert_tick: Duration::from_secs(1),
            alert_retry_base: Duration::from_secs(5),
            overdue_every: Duration::from_secs(60),
            digest_hour: 18,
            vapid_contact: "mailto:admin@anlan.local".into(),
            allow_http_push: false,
            campaign_tick: Duration::from_secs(60),
            page_bytes: merge::PAGE_BYTES,
            https: None,
            trusted_proxies: Vec::new(),
            free_space_floor: Default::default(),
            backups: None,
            #[cfg(any(test, feature = "fault-injection"))]
            faults: Default::default(),
        }
    }
}

/// Serve until `shutdown` resolves, then finish in-flight requests and return.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    run_on(config, serving::Listeners { main: listener, redirect: None }, shutdown).await
}

/// [`run`] with a plain-HTTP listener beside HTTPS.
pub async fn run_on(
    config: Config,
    listeners: serving::Listeners,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    #[cfg(not(any(test, feature = "fault-injection")))]
    let store = SqlStore::connect(&config.database_url).await?;
    #[cfg(any(test, feature = "fault-injection"))]
    let store = SqlStore::connect_with_faults(&config.database_url, config.faults.clone()).await?;
    store.space.set_floor(config.free_space_floor);
    let live = LiveHub::new(store.dialect == Dialect::Postgres);
    let metrics = Arc::new(Metrics::default());
    let mut merger = Merger::new(store.clone(), config.cache_docs, metrics.clone(), live.clone()).await?;
    merger.page_bytes = config.page_bytes;
    let merger = Arc::new(merger);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    if store.dialect == Dialect::Postgres {
        tokio::spawn(live::listen_postgres(store.url.clone(), live.clone(), stop_rx.clone()));
    }
    let vapid = push::VapidKeys::from_private_base64url(
        &store
            .vapid_private_key(
                &push::VapidKeys::generate(config.vapid_contact.parse()?).private_key_base64url(),
            )
            .await?,
        config.vapid_contact.parse()?,
    )?;
    let push_info = Arc::new(state::PushInfo {
        application_server_key: vapid.application_server_key(),
        allow_http: config.allow_http_push,
    });
    // Refuse a misconfigured SMS provider or robot list now rather than when an alert needs it.
    let sms = channels::setup::sms(&channels::config::Env, &push::http_client()?)?;
    let robots = channels::setup::robots(&channels::config::Env, &push::http_client()?)?;
    tracing::info!(channels = %channels::setup::describe(sms.as_deref(), &robots), "delivery channels configured");
    let worker = Arc::new(push::worker::AlertWorker {
        store: store.clone(),
        vapid,
        client: push::http_client()?,
        metrics: metrics.clone(),
        config: push::worker::AlertConfig {
            escalate_after: config.escalate_after,
            tick: config.alert_tick,
            retry_base: config.alert_retry_base,
            overdue_every: config.overdue_every,
            digest_hour: config.digest_hour,
        },
    });
    if let Some(schedule) = config.backups.clone() {
        anyhow::ensure!(
            store.dialect == Dialect::Sqlite,
            "--backup-dir backs up the embedded SQLite database; back PostgreSQL up with pg_dump (docs/operations.md)"
        );
        tokio::spawn(backups::run(store.clone(), schedule, metrics.clone(), stop_rx.clone()));
    }
    tokio::spawn(campaigns::run(worker.clone(), config.campaign_tick, stop_rx.clone()));
    tokio::spawn(worker.clone().run(live.clone(), stop_rx.clone()));
    let state =
        AppState { store, merger, metrics, live, push: push_info, sender: worker, shutdown: stop_rx.clone() };
    let static_dir = config.static_dir.filter(|d| d.join("index.html").exists());
    let app = routes::router(state, static_dir.as_deref())
        .layer(axum::middleware::from_fn_with_state(Arc::new(config.trusted_proxies), client_ip::set));
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    serving::serve(app, listeners, config.https, stop_rx).await
}
