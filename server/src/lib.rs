//! The Anlan server: sync, merge, storage and the PWA's static files.
//!
//! `main.rs` only parses the command line ([`cli`]); tests call [`run`] with a listener they
//! bound themselves (port 0) and a shutdown future of their own.
//!
//! # Layout
//! Data flows one way: a request enters through [`routes`] (the only module that names axum),
//! is judged by [`merge`], and is stored by [`store`] (the only module that names sqlx); the
//! workers ([`push`], [`campaigns`]) read what the store committed and deliver it.
//! - [`cli`], [`serving`], [`tls`], [`client_ip`], [`headers`]: the command line and settings
//!   file, listeners, HTTPS (own certificate or ACME), proxies, security headers.
//! - [`routes`]: HTTP, one module per noun; its bodies are types in `routes/wire/`, described as
//!   OpenAPI 3.1 by `routes/openapi.rs` (`/api/v1/openapi.json`, `docs/openapi.json`); [`auth`]
//!   is the device-token extractor; [`error`] the one error every handler returns.
//! - [`merge`]: the validated merge — decode, scope, schema, permissions (`merge/permissions.rs`),
//!   lifecycle (`merge/lifecycle.rs`), authority after the merge, trusted time, case numbers,
//!   the other record kinds — committed in one transaction per request.
//! - [`store`]: persistence in domain verbs, SQLite or PostgreSQL, one SQL text for both.
//! - [`live`]: "the feed advanced" notices to open streams, across replicas.
//! - [`push`], [`channels`]: the alert worker (outbox → deliveries, escalation, reminders,
//!   digests) and the ways an alert reaches a person (Web Push, SMS, group robots).
//! - [`campaigns`]: the sweep clock (half-monthly campaigns, reminders).
//! - [`stats`], [`export`]: statistics for leaders and their XLSX/CSV exports.
//! - [`audit`]: who changed what, and a case as it stood at a time.
//! - [`roster`]: people imported from CSV/XLSX; [`demo`]: the demo hierarchy and accounts.
//! - [`reproject`]: rebuild projections from the change log; [`metrics`]: Prometheus text.
//!
//! The domain's words (`Role`, `UnitKind`, case fields, outbox events) are types in
//! `sync-protocol`, shared with the PWA through test vectors.

/// Automerge allocates for every operation it reads; glibc's allocator spent a fifth of the
/// merge's CPU (BENCHMARKS.md "The merge path near its floor"). Every binary linking the
/// server (`anlan`, the benchmarks) runs on the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod alerts;
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

/// How long a PostgreSQL server waits for its feed listener before it serves anyway.
const LISTEN_WAIT: Duration = Duration::from_secs(10);

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
    /// An urgent alert not acknowledged this long after Web Push goes by SMS as well.
    pub sms_after: Duration,
    /// At most this many SMS to one person in any hour.
    pub sms_per_person_hour: i64,
    /// At most this many SMS a day (Beijing time) in all.
    pub sms_daily_budget: i64,
    /// Where people open the app (the acknowledgement links in SMS point under it).
    pub public_url: String,
    /// The channels' settings (`ANLAN_SMS_*`, `ANLAN_ROBOTS_FILE`…) from this map instead of
    /// the process environment (tests, which run many servers in one process).
    pub channel_settings: Option<std::collections::HashMap<String, String>>,
    /// How often the alert worker looks for due work when nothing wakes it.
    pub alert_tick: Duration,
    /// How long a worker holds a delivery it claimed; one that dies mid-send (killed, power
    /// cut) leaves the delivery to be sent again once this has passed — the one duplicate a
    /// crash can cause. Keep it above a provider request's 15-second deadline.
    pub delivery_lease: Duration,
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
    /// Accept and contact push endpoints on loopback, private or link-local addresses (an
    /// intranet or test push service). Off, only public addresses are ever contacted.
    pub allow_private_push: bool,
    /// How often the sweep clock generates half-monthly campaigns and sends reminders.
    pub campaign_tick: Duration,
    /// About this much of the feed goes in one sync response (PROTOCOL.md §3).
    pub page_bytes: usize,
    /// HTTPS and where its certificate comes from; plain HTTP when `None`.
    pub https: Option<tls::Https>,
    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How long unfinished photo uploads are kept and how much of them a device may hold.
    pub uploads: store::UploadLimits,
    /// Pushes and uploads are refused below this much free space on the data disk.
    pub free_space_floor: store::FreeSpaceFloor,
    /// Connection cap and header-read timeout of every listener.
    pub limits: serving::Limits,
    /// `/metrics` answers only with `Authorization: Bearer <this>` when set.
    pub metrics_token: Option<String>,
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
            cache_docs: 3_000,
            escalate_after: Duration::from_secs(15 * 60),
            sms_after: Duration::from_secs(180),
            sms_per_person_hour: 10,
            sms_daily_budget: 1_000,
            public_url: "http://127.0.0.1:8080".into(),
            channel_settings: None,
            alert_tick: Duration::from_secs(1),
            delivery_lease: Duration::from_secs(60),
            alert_retry_base: Duration::from_secs(5),
            overdue_every: Duration::from_secs(60),
            digest_hour: 18,
            vapid_contact: "mailto:admin@anlan.local".into(),
            allow_http_push: false,
            allow_private_push: false,
            campaign_tick: Duration::from_secs(60),
            page_bytes: merge::PAGE_BYTES,
            https: None,
            trusted_proxies: Vec::new(),
            uploads: Default::default(),
            free_space_floor: Default::default(),
            limits: Default::default(),
            metrics_token: None,
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
    run_on(config, serving::Listeners::main(listener), shutdown).await
}

/// [`run`] with a plain-HTTP listener beside HTTPS, or metrics on a listener of their own.
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
    // Every background task is kept, so shutdown can wait for them to finish what they began.
    let mut workers = tokio::task::JoinSet::new();
    if store.dialect == Dialect::Postgres {
        let (tell, listening) = tokio::sync::oneshot::channel();
        workers.spawn(live::listen_postgres(store.url.clone(), live.clone(), tell, stop_rx.clone()));
        // Until LISTEN is in place this replica's own commits would tell no live stream and no
        // alert worker; a database that takes this long will be retried in the background.
        if tokio::time::timeout(LISTEN_WAIT, listening).await.is_err() {
            tracing::warn!("feed listener not ready after {LISTEN_WAIT:?}; serving, and retrying it");
        }
    } else {
        workers.spawn(live::poll_sqlite(store.clone(), live.clone(), stop_rx.clone()));
    }
    let vapid = push::VapidKeys::from_private_base64url(
        &store
            .vapid_private_key(
                &push::VapidKeys::generate(config.vapid_contact.parse()?).private_key_base64url(),
            )
            .await?,
        config.vapid_contact.parse()?,
    )?;
    let endpoints =
        push::EndpointPolicy { allow_http: config.allow_http_push, allow_private: config.allow_private_push };
    let push_info =
        Arc::new(state::PushInfo { application_server_key: vapid.application_server_key(), endpoints });
    // Refuse a misconfigured SMS provider or robot list now rather than when an alert needs it.
    let (sms, robots, receipt_token) = {
        let settings = channels::config::WithPublicUrl {
            inner: match &config.channel_settings {
                Some(map) => map as &dyn channels::config::Settings,
                None => &channels::config::Env,
            },
            public_url: &config.public_url,
        };
        (
            channels::setup::sms(&settings, &push::http_client()?)?,
            channels::setup::robots(&settings, &push::http_client()?)?,
            channels::setup::receipt_token(&settings)?,
        )
    };
    tracing::info!(channels = %channels::setup::describe(sms.as_deref(), &robots), "delivery channels configured");
    let plan = alerts::Plan {
        sms: sms.as_ref().map(|c| c.kind()),
        robots: robots.iter().map(|(unit, r)| (unit.clone(), channels::Channel::kind(r))).collect(),
        sms_after: config.sms_after,
        sms_per_person_hour: config.sms_per_person_hour,
        sms_daily_budget: config.sms_daily_budget,
        public_url: config.public_url.clone(),
        receipt_token,
    };
    let worker = Arc::new(push::worker::AlertWorker {
        store: store.clone(),
        vapid,
        client: push::PushClient::new(endpoints)?,
        metrics: metrics.clone(),
        config: push::worker::AlertConfig {
            escalate_after: config.escalate_after,
            tick: config.alert_tick,
            lease: config.delivery_lease,
            retry_base: config.alert_retry_base,
            overdue_every: config.overdue_every,
            digest_hour: config.digest_hour,
        },
        plan,
        sms,
        robots,
    });
    if let Some(schedule) = config.backups.clone() {
        anyhow::ensure!(
            store.dialect == Dialect::Sqlite,
            "--backup-dir backs up the embedded SQLite database; back PostgreSQL up with pg_dump (docs/operations.md)"
        );
        workers.spawn(backups::run(store.clone(), schedule, metrics.clone(), stop_rx.clone()));
    }
    workers.spawn(store::expire_uploads_every(store.clone(), config.uploads, stop_rx.clone()));
    workers.spawn(campaigns::run(worker.clone(), config.campaign_tick, stop_rx.clone()));
    workers.spawn(worker.clone().run(live.clone(), stop_rx.clone()));
    let state = AppState {
        store: store.clone(),
        merger,
        metrics,
        live,
        push: push_info,
        sender: worker,
        shutdown: stop_rx.clone(),
        uploads: config.uploads,
    };
    let static_dir = config.static_dir.filter(|d| d.join("index.html").exists());
    let scrape = routes::metrics(config.metrics_token.as_deref());
    let (metrics_on_main, metrics_apart) = match &listeners.metrics {
        Some(_) => (None, Some(scrape.with_state(state.clone()))),
        None => (Some(scrape), None),
    };
    let app = routes::router(state, static_dir.as_deref(), metrics_on_main)
        .layer(axum::middleware::from_fn_with_state(Arc::new(config.trusted_proxies), client_ip::set));
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    // Stops accepting and lets in-flight requests finish once `stop_rx` turns, then the workers
    // (who watch it too) get a moment to finish the delivery or campaign they are in.
    let served = serving::serve(app, metrics_apart, listeners, config.https, config.limits, stop_rx).await;
    let drained = tokio::time::timeout(WORKER_GRACE, async {
        while let Some(done) = workers.join_next().await {
            if let Err(e) = done {
                tracing::error!(error = %e, "a background task failed");
            }
        }
    });
    if drained.await.is_err() {
        tracing::warn!("background tasks still busy after {WORKER_GRACE:?}; stopping them");
    }
    // Closed here rather than whenever its last handle drops: SQLite's last connection
    // checkpoints and then deletes `anlan.db-wal` by name, so a connection closing late would
    // delete the log of a database put in its place meanwhile (a backup restored right after
    // the server stopped) and lose what was committed to it.
    if tokio::time::timeout(WORKER_GRACE, store.close()).await.is_err() {
        tracing::warn!("database connections still held after {WORKER_GRACE:?}; leaving them to close");
    }
    served
}

/// How long shutdown waits for the alert and campaign workers.
const WORKER_GRACE: Duration = Duration::from_secs(10);
