//! `POST /api/v1/fetch`: whole documents on demand for a partial replica (PROTOCOL.md §12).
//! CBOR both ways, like sync; within the device's scope only, and a document outside it answers
//! exactly like one that does not exist.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, header};
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
    let req: FetchRequest = super::cbor::decode("fetch", MAX_BODY, &headers, body)?;
    let res = state.merger.fetch(&device, req).await?;
    tracing::debug!(device = device.device_id, docs = res.docs.len(), "documents fetched on demand");
    Ok(([(header::CONTENT_TYPE, wire::CONTENT_TYPE)], wire::encode(&res)))
}
