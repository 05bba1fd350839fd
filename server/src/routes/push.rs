//! Push subscriptions and the alert log of a case.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use sync_protocol::DocId;

use super::json::JsonBody;
use super::wire::alerts::{Delivery, PushKey, PushSubscription, Unsubscribe};
use crate::auth::Device;
use crate::error::{AppError, ErrorBody};
use crate::push::{Subscription, check_endpoint};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/push/key", get(key))
        .route("/push/subscriptions", post(subscribe).delete(unsubscribe))
        .route("/cases/{doc}/alerts", get(alert_log))
}

/// The VAPID public key, for `pushManager.subscribe({applicationServerKey})`.
#[utoipa::path(get, path = "/push/key", tag = "alerts", responses((status = 200, body = PushKey)))]
pub(super) async fn key(State(state): State<AppState>) -> Json<PushKey> {
    Json(PushKey { application_server_key: state.push.application_server_key.clone() })
}

/// `PushSubscription.toJSON()`; sent again on every app start, replacing the stored copy.
/// The endpoint must be https on a public address unless the operator allows otherwise.
#[utoipa::path(post, path = "/push/subscriptions", tag = "alerts", security(("device_token" = [])),
    request_body = PushSubscription,
    responses((status = 204, description = "Stored"), (status = 400, body = ErrorBody),
        (status = 403, description = "The endpoint belongs to another device", body = ErrorBody)))]
pub(super) async fn subscribe(
    State(state): State<AppState>,
    Device(device): Device,
    body: Result<JsonBody<Subscription>, AppError>,
) -> Result<StatusCode, AppError> {
    let JsonBody(sub) = body?;
    check_endpoint(sub.endpoint(), state.push.endpoints)
        .await
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let saved =
        state.store.save_subscription(device.device_id, sub.endpoint(), sub.p256dh(), sub.auth()).await?;
    if !saved {
        return Err(AppError::Forbidden("this push endpoint is registered to another device".into()));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/push/subscriptions", tag = "alerts", security(("device_token" = [])),
    request_body = Unsubscribe, responses((status = 204, description = "Forgotten"), (status = 400, body = ErrorBody)))]
pub(super) async fn unsubscribe(
    State(state): State<AppState>,
    Device(device): Device,
    body: Result<JsonBody<Unsubscribe>, AppError>,
) -> Result<StatusCode, AppError> {
    let JsonBody(e) = body?;
    // The stored form is the parsed URL; compare like with like.
    let endpoint = reqwest::Url::parse(&e.endpoint).map(|u| u.to_string()).unwrap_or(e.endpoint);
    state.store.delete_subscription(device.device_id, &endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The alerts sent about a case, for leaders.
#[utoipa::path(get, path = "/cases/{doc}/alerts", tag = "alerts", security(("device_token" = [])),
    params(("doc" = String, Path, description = "The case's document id")),
    responses((status = 200, body = Vec<Delivery>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn alert_log(
    State(state): State<AppState>,
    Device(device): Device,
    Path(doc): Path<String>,
) -> Result<Json<Vec<Delivery>>, AppError> {
    let doc: DocId = doc.parse().map_err(|_| AppError::NotFound)?;
    // Out of scope answers like absent.
    state.store.case_visible(&device.scope, doc).await?.ok_or(AppError::NotFound)?;
    if sync_protocol::roles::rank(&device.role) != sync_protocol::Rank::Leader {
        return Err(AppError::Forbidden("the alert log is for leaders".into()));
    }
    Ok(Json(state.store.delivery_log(doc).await?.into_iter().map(Delivery::from).collect()))
}
