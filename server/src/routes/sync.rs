use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use sync_protocol::wire::{self, SyncRequest};

use crate::auth::Device;
use crate::error::AppError;
use crate::state::AppState;

/// Larger bodies are refused with 413 before they are read whole.
pub const MAX_BODY: usize = 8 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/sync", post(sync)).layer(DefaultBodyLimit::max(MAX_BODY))
}

async fn sync(
    State(state): State<AppState>,
    Device(device): Device,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<impl IntoResponse, AppError> {
    let started = Instant::now();
    let is_cbor = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case(wire::CONTENT_TYPE));
    if !is_cbor {
        return Err(AppError::UnsupportedMediaType(format!(
            "send the sync request as {}",
            wire::CONTENT_TYPE
        )));
    }
    let body = body.map_err(|r| match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::PayloadTooLarge(format!("a sync request may carry at most {MAX_BODY} bytes"))
        }
        _ => AppError::BadRequest(r.body_text()),
    })?;
    let req: SyncRequest = wire::decode(&body).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let result = state.merger.sync(&device, req).await;
    state.metrics.sync_requests.inc();
    state.metrics.observe_sync(started.elapsed().as_secs_f64());
    let res = result.inspect_err(|_| state.metrics.sync_errors.inc())?;
    if device.retiring {
        // A retired device's last upload is in: from now on it is revoked like a lost phone.
        state.store.finish_retirement(device.device_id).await?;
    }
    Ok(([(header::CONTENT_TYPE, wire::CONTENT_TYPE)], wire::encode(&res)))
}
