use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::error::AppError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// Healthy means the database answers, not merely that the process is up. A server that can
/// read but not store is alive (reads, sign-in and the live channel work) and says so.
async fn healthz(State(state): State<AppState>) -> Result<String, AppError> {
    state.store.high_seq().await?;
    Ok(match state.store.space.refusal() {
        None => "ok".into(),
        Some(why) => format!("degraded: {why}"),
    })
}

/// Ready for write traffic: a load balancer stops sending pushes to a replica that answers 503.
async fn readyz(State(state): State<AppState>) -> Result<&'static str, AppError> {
    state.store.high_seq().await?;
    match state.store.space.refusal() {
        None => Ok("ready"),
        Some(why) => Err(AppError::StorageFull(why.to_string())),
    }
}

async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, AppError> {
    let mut body = state.metrics.render();
    // Read at scrape time: the quarantine is shared by every replica, and shrinks by release.
    let name = "anlan_quarantine_open";
    let open = state.store.quarantine_open_count().await?;
    body.push_str(&format!(
        "# HELP {name} Refused pushes waiting for an administrator\n# TYPE {name} gauge\n{name} {open}\n"
    ));
    body.push_str(&crate::metrics::render_space(&state.store.space));
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body))
}
