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

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut text = state.metrics.render();
    text.push_str(&crate::metrics::render_space(&state.store.space));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}
