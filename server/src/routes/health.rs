use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

/// `/metrics`, behind `Authorization: Bearer <token>` when a token is set.
pub fn metrics_router(token: Option<&str>) -> Router<AppState> {
    let route = Router::new().route("/metrics", get(metrics));
    match token {
        Some(t) => {
            let want: Arc<[u8]> = Sha256::digest(t.as_bytes()).to_vec().into();
            route.route_layer(middleware::from_fn_with_state(want, require_token))
        }
        None => route,
    }
}

/// Compares digests, so the time taken says nothing about how much of the token was right.
async fn require_token(State(want): State<Arc<[u8]>>, req: Request, next: Next) -> Response {
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| Sha256::digest(t.as_bytes()));
    match given {
        Some(d) if d[..] == want[..] => next.run(req).await,
        _ => AppError::Unauthorized(crate::error::METRICS_TOKEN).into_response(),
    }
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
