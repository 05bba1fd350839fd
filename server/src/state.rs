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
    /// Flips to true when the server starts shutting down, so endless streams (SSE) end and
    /// graceful shutdown is not held hostage by them.
    pub shutdown: watch::Receiver<bool>,
}
