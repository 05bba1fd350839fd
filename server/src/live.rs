//! "The feed advanced" notices for online clients.
//!
//! Within one process a broadcast channel carries them. With PostgreSQL every commit also does
//! `pg_notify('anlan_feed', …)` inside its transaction, and every replica LISTENs and rebroadcasts
//! locally, so a client connected to any replica hears about a commit made on any other. The
//! notices themselves ([`FeedNotice`]) are the store's account of what changed.

pub mod streams;

use tokio::sync::broadcast;

use crate::store::{DocCommit, FeedNotice, SqlStore, decode_notice};

#[derive(Clone)]
pub struct LiveHub {
    tx: broadcast::Sender<FeedNotice>,
    /// With PostgreSQL, local commits are heard back through LISTEN like remote ones, so they
    /// are not also sent directly (that would notify twice).
    via_database: bool,
    /// Open streams per device, to cap them.
    pub streams: streams::StreamCounts,
}

impl LiveHub {
    pub fn new(via_database: bool) -> Self {
        Self { tx: broadcast::channel(1024).0, via_database, streams: Default::default() }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<FeedNotice> {
        self.tx.subscribe()
    }

    pub fn committed(&self, cursor: i64, batch: &[DocCommit]) {
        let notice = FeedNotice::of_commit(cursor, batch);
        if !self.via_database && !notice.paths.is_empty() {
            self.publish(notice);
        }
    }

    pub fn publish(&self, n: FeedNotice) {
        let _ = self.tx.send(n); // no listeners is fine
    }
}

/// Relay PostgreSQL notifications into the local hub until `shutdown`. Reconnects on error.
/// `listening` hears once that the first LISTEN is in place: this replica's own commits reach
/// its hub only through it, so the server waits for it before it serves.
pub async fn listen_postgres(
    url: String,
    hub: LiveHub,
    listening: tokio::sync::oneshot::Sender<()>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut listening = Some(listening);
    loop {
        tokio::select! {
            Err(e) = relay(&url, &hub, &mut listening) => tracing::warn!(error = %e, "feed listener stopped; reconnecting"),
            _ = shutdown.changed() => return,
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// How often a SQLite server looks for notices from other processes.
const POLL_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// With SQLite: relay the notices other processes (the command line) leave in the store, until
/// `shutdown`. Only notices left after the server started are news.
pub async fn poll_sqlite(store: SqlStore, hub: LiveHub, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut after = store.last_live_notice().await.unwrap_or(0);
    let mut tick = tokio::time::interval(POLL_EVERY);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        match store.live_notices_after(after).await {
            Ok(rows) => {
                for (id, body) in rows {
                    after = id;
                    if let Some(notice) = decode_notice(&body) {
                        hub.publish(notice);
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read live notices from other processes"),
        }
    }
}

/// Runs until the connection fails; it has no other way to end.
async fn relay(
    url: &str,
    hub: &LiveHub,
    listening: &mut Option<tokio::sync::oneshot::Sender<()>>,
) -> Result<std::convert::Infallible, sqlx::Error> {
    let mut l = sqlx::postgres::PgListener::connect(url).await?;
    l.listen("anlan_feed").await?;
    if let Some(tell) = listening.take() {
        let _ = tell.send(());
    }
    loop {
        if let Some(notice) = decode_notice(l.recv().await?.payload()) {
            hub.publish(notice);
        }
    }
}
