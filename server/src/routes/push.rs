//! Push subscriptions and the alert log of a case.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use sync_protocol::DocId;

use super::json::JsonBody;
use crate::auth::Device;
use crate::error::AppError;
use crate::push::{Subscription, check_endpoint};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/push/key", get(key))
        .route("/push/subscriptions", post(subscribe).delete(unsubscribe))
        .route("/cases/{doc}/alerts", get(alert_log))
}

/// The VAPID public key, for `pushManager.subscribe({applicationServerKey})`.
async fn key(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "application_server_key": state.push.application_server_key }))
}

/// `PushSubscription.toJSON()`; sent again on every app start, replacing the stored copy.
/// The endpoint must be https on a public address unless the operator allows otherwise.
async fn subscribe(
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

#[derive(Deserialize)]
struct Endpoint {
    endpoint: String,
}

async fn unsubscribe(
    State(state): State<AppState>,
    Device(device): Device,
    body: Result<JsonBody<Endpoint>, AppError>,
) -> Result<StatusCode, AppError> {
    let JsonBody(e) = body?;
    // The stored form is the parsed URL; compare like with like.
    let endpoint = reqwest::Url::parse(&e.endpoint).map(|u| u.to_string()).unwrap_or(e.endpoint);
    state.store.delete_subscription(device.device_id, &endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn alert_log(
    State(state): State<AppState>,
    Device(device): Device,
    Path(doc): Path<String>,
) -> Result<Json<Value>, AppError> {
    let doc: DocId = doc.parse().map_err(|_| AppError::NotFound)?;
    // Out of scope answers like absent.
    state.store.case_visible(&device.scope, doc).await?.ok_or(AppError::NotFound)?;
    if sync_protocol::roles::rank(&device.role) != sync_protocol::Rank::Leader {
        return Err(AppError::Forbidden("the alert log is for leaders".into()));
    }
    Ok(Json(json!(state.store.delivery_log(doc).await?)))
}
