use std::sync::Arc;

use tokio::sync::watch;

use crate::live::LiveHub;
use crate::merge::Merger;
use crate::metrics::Metrics;
use crate::store::SqlStore;

#[derive(Clone)]
pub struct AppState {
    pub store: SqlStore,
    pub merger: Arc<Merger>,
    pub metrics: Arc<Metrics>,
    pub live: LiveHub,
    pub push: Arc<PushInfo>,
    /// Sends what a leader asks for at once (sweep reminders) with the alert worker's keys.
    pub sender: Arc<crate::push::worker::AlertWorker>,
    /// Flips to true when the server starts shutting down, so endless streams (SSE) end and
    /// graceful shutdown is not held hostage by them.
    pub shutdown: watch::Receiver<bool>,
    /// How long unfinished photo uploads are kept and how much of them a device may hold.
    pub uploads: crate::store::UploadLimits,
}

impl AppState {
    /// Tell live listeners on every replica (see [`SqlStore::announce`]).
    pub async fn announce(&self, notice: crate::store::FeedNotice) -> Result<(), crate::store::StoreError> {
        if let Some(notice) = self.store.announce(notice).await? {
            self.live.publish(notice);
        }
        Ok(())
    }
}

/// What the push routes need: the key browsers subscribe with, and the endpoint policy.
pub struct PushInfo {
    pub application_server_key: String,
    pub endpoints: crate::push::EndpointPolicy,
}
