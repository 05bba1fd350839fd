use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::error::AppError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/metrics", get(metrics))
}

/// Healthy means the database answers, not merely that the process is up.
async fn healthz(State(state): State<AppState>) -> Result<&'static str, AppError> {
    state.store.high_seq().await?;
    Ok("ok")
}

async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, AppError> {
    let mut body = state.metrics.render();
    // Read at scrape time: the quarantine is shared by every replica, and shrinks by release.
    let name = "anlan_quarantine_open";
    let open = state.store.quarantine_open_count().await?;
    body.push_str(&format!(
        "# HELP {name} Refused pushes waiting for an administrator\n# TYPE {name} gauge\n{name} {open}\n"
    ));
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body))
}
