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
}

/// What the push routes need: the key browsers subscribe with, and the endpoint policy.
pub struct PushInfo {
    pub application_server_key: String,
    pub allow_http: bool,
}
