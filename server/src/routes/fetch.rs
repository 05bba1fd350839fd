//! `POST /api/v1/fetch`: whole documents on demand for a partial replica (PROTOCOL.md §12).
//! CBOR both ways, like sync; within the device's scope only, and a document outside it answers
//! exactly like one that does not exist.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use sync_protocol::fetch::FetchRequest;
use sync_protocol::wire;

use crate::auth::Device;
use crate::error::AppError;
use crate::state::AppState;

/// A hundred ids with a few heads each fit easily; anything larger is not a fetch.
const MAX_BODY: usize = 256 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/fetch", post(fetch)).layer(DefaultBodyLimit::max(MAX_BODY))
}

async fn fetch(
    State(state): State<AppState>,
    Device(device): Device,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<impl IntoResponse, AppError> {
    let is_cbor = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case(wire::CONTENT_TYPE));
    if !is_cbor {
        return Err(AppError::UnsupportedMediaType(format!(
            "send the fetch request as {}",
            wire::CONTENT_TYPE
        )));
    }
    let body = body.map_err(|r| match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::PayloadTooLarge(format!("a fetch request may carry at most {MAX_BODY} bytes"))
        }
        _ => AppError::BadRequest(r.body_text()),
    })?;
    let req: FetchRequest = wire::decode(&body).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let res = state.merger.fetch(&device, req).await?;
    tracing::debug!(device = device.device_id, docs = res.docs.len(), "documents fetched on demand");
    Ok(([(header::CONTENT_TYPE, wire::CONTENT_TYPE)], wire::encode(&res)))
}
