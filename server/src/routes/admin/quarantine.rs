//! The quarantine for administrators: what the people of their jurisdiction pushed and the
//! merge refused. List, read as the document would read, release (judged again, as its author
//! is today) or export. An item outside the administrator's jurisdiction answers 404.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::query;
use crate::auth::Device;
use crate::error::AppError;
use crate::merge::release;
use crate::state::AppState;
use crate::store::{DeviceAuth, QuarantineEntry};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/quarantine", get(list))
        .route("/admin/quarantine/{id}", get(show))
        .route("/admin/quarantine/{id}/release", post(release))
        .route("/admin/quarantine/{id}/export", get(export))
}

fn require_admin(d: &DeviceAuth) -> Result<(), AppError> {
    if super::policy::manages_units(&d.role) {
        return Ok(());
    }
    Err(AppError::Forbidden("only administrators deal with the quarantine".into()))
}

#[derive(Deserialize)]
struct ListQuery {
    /// Include items already released.
    #[serde(default)]
    released: bool,
    limit: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    Device(d): Device,
    q: Result<axum::extract::Query<ListQuery>, QueryRejection>,
) -> Result<Json<Value>, AppError> {
    require_admin(&d)?;
    let q = query(q)?;
    let limit = q.limit.unwrap_or(200).clamp(1, 1_000);
    let items = state.store.quarantine_list(Some(&d.scope), q.released, limit).await?;
    Ok(Json(json!({ "items": items })))
}

/// The item `id`, if it exists and lies in the caller's jurisdiction.
async fn item(
    state: &AppState,
    d: &DeviceAuth,
    id: Result<Path<i64>, PathRejection>,
) -> Result<(QuarantineEntry, Vec<u8>), AppError> {
    require_admin(d)?;
    let Path(id) = id.map_err(|_| AppError::NotFound)?;
    match state.store.quarantine_item(id).await? {
        Some((entry, changes)) if entry.visible_to(Some(&d.scope)) => Ok((entry, changes)),
        _ => Err(AppError::NotFound),
    }
}

async fn show(
    State(state): State<AppState>,
    Device(d): Device,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Value>, AppError> {
    let (entry, _) = item(&state, &d, id).await?;
    let view = state.merger.quarantine_view(&entry).await?;
    Ok(Json(json!({ "item": entry, "document": view })))
}

async fn release(
    State(state): State<AppState>,
    Device(d): Device,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Value>, AppError> {
    let (entry, _) = item(&state, &d, id).await?;
    let result = state.merger.release(&entry, &d.user_id).await?;
    Ok(Json(release::release_json(&result)))
}

async fn export(
    State(state): State<AppState>,
    Device(d): Device,
    id: Result<Path<i64>, PathRejection>,
) -> Result<impl IntoResponse, AppError> {
    let (entry, changes) = item(&state, &d, id).await?;
    let view = state.merger.quarantine_view(&entry).await?;
    let body = release::export_json(&entry, &changes, view)?;
    let disposition = format!("attachment; filename=\"quarantine-{}.json\"", entry.id);
    Ok((
        [(header::CONTENT_TYPE, "application/json".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        body,
    ))
}
