use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use axum::routing::post;
use sync_protocol::DocId;
use sync_protocol::wire::{self, SyncRequest};

use crate::auth::LastUpload;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;
use crate::store::DeviceAuth;

/// Larger bodies are refused with 413 before they are read whole.
pub const MAX_BODY: usize = 8 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/sync", post(sync)).layer(DefaultBodyLimit::max(MAX_BODY))
}

/// One sync round: push changes, pull the feed (PROTOCOL.md). The bodies are CBOR
/// (`sync_protocol::wire::SyncRequest` and `SyncResponse`), not JSON.
#[utoipa::path(post, path = "/sync", tag = "sync", security(("device_token" = [])),
    request_body(description = "`SyncRequest`, CBOR", content((super::wire::Binary = "application/cbor"))),
    responses((status = 200, description = "`SyncResponse`, CBOR", content((super::wire::Binary = "application/cbor"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 503, description = "`storage_full` or busy, with Retry-After", body = ErrorBody)))]
pub(super) async fn sync(
    State(state): State<AppState>,
    LastUpload(device): LastUpload,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<impl IntoResponse, AppError> {
    let started = Instant::now();
    let mut req: SyncRequest = super::cbor::decode("sync", MAX_BODY, &headers, body)?;
    let scope = device.scope.fingerprint();
    let drop = match req.scope.as_deref() {
        Some(previous) if previous != scope => Some(scope_change(&state, &device, previous).await?),
        _ => None,
    };
    if drop.is_some() {
        // PROTOCOL.md §10: the pull starts again from 0 in the new scope, as after a reset.
        req.cursor = 0;
    }
    if req.scope.as_deref() != Some(scope.as_str()) {
        // Stored before the device is told, so its next request can name it.
        state.store.remember_scope(device.device_id, &device.scope).await?;
    }
    let result = state.merger.sync(&device, req).await.map(|mut res| {
        res.scope = scope;
        res.drop = drop.unwrap_or_default();
        res
    });
    state.metrics.sync_requests.inc();
    state.metrics.observe_sync(started.elapsed().as_secs_f64());
    let res = result.inspect_err(|_| state.metrics.sync_errors.inc())?;
    for r in &res.results {
        match (&r.status, &r.reason) {
            (wire::Status::Rejected, Some(why)) => tracing::info!(
                doc = %r.doc, code = ?why.code, reason = %why.message, "document refused and quarantined"
            ),
            (wire::Status::NeedChanges, _) => tracing::debug!(doc = %r.doc, "document needs earlier changes"),
            _ => {}
        }
    }
    if device.retiring {
        // A retired device's last upload is in: from now on it is revoked like a lost phone.
        state.store.finish_retirement(device.device_id).await?;
    }
    Ok(([(header::CONTENT_TYPE, wire::CONTENT_TYPE)], wire::encode(&res)))
}

/// What a device must drop when its scope moved from `previous` to the current one. A
/// fingerprint this server never issued to this device (a database restored from before it,
/// or one computed or learnt elsewhere) drops nothing: the answer comes from what the server
/// told the device, never from what the device claims.
async fn scope_change(state: &AppState, device: &DeviceAuth, previous: &str) -> Result<Vec<DocId>, AppError> {
    let dropped = match state.store.issued_scope(device.device_id, previous).await? {
        Some(old) => state.store.dropped(&old, &device.scope).await?,
        None => vec![],
    };
    tracing::debug!(device = device.device_id, dropped = dropped.len(), "scope changed");
    Ok(dropped)
}
