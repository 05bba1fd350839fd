//! The quarantine for administrators: what the people of their jurisdiction pushed and the
//! merge refused. List, read as the document would read, release (judged again, as its author
//! is today) or export. An item outside the administrator's jurisdiction answers 404.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::auth::Device;
use crate::error::{AppError, ErrorBody};
use crate::routes::query::StrictQuery;
use crate::routes::wire::quarantine::{Document, Export, Item, Items, Released, Shown};
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

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Include items already released.
    #[serde(default)]
    released: bool,
    /// 1–1000, default 200.
    limit: Option<i64>,
}

/// Refused pushes from the caller's jurisdiction, newest first.
#[utoipa::path(get, path = "/admin/quarantine", tag = "quarantine", security(("device_token" = [])),
    params(ListQuery), responses((status = 200, body = Items), (status = 403, body = ErrorBody)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Device(d): Device,
    q: Result<StrictQuery<ListQuery>, AppError>,
) -> Result<Json<Items>, AppError> {
    require_admin(&d)?;
    let StrictQuery(q) = q?;
    let limit = q.limit.unwrap_or(200).clamp(1, 1_000);
    let items = state.store.quarantine_list(Some(&d.scope), q.released, limit).await?;
    Ok(Json(Items { items: items.iter().map(Item::of).collect() }))
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

/// One item, with the document as stored and as it would read with the item's changes.
#[utoipa::path(get, path = "/admin/quarantine/{id}", tag = "quarantine", security(("device_token" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Shown), (status = 404, body = ErrorBody)))]
pub(crate) async fn show(
    State(state): State<AppState>,
    Device(d): Device,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Shown>, AppError> {
    let (entry, _) = item(&state, &d, id).await?;
    let view = state.merger.quarantine_view(&entry).await?;
    Ok(Json(Shown { item: Item::of(&entry), document: view.into() }))
}

/// Judge the item's document again as its author is today; stored if it passes.
#[utoipa::path(post, path = "/admin/quarantine/{id}/release", tag = "quarantine", security(("device_token" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Released), (status = 400, description = "Already released", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn release(
    State(state): State<AppState>,
    Device(d): Device,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Released>, AppError> {
    let (entry, _) = item(&state, &d, id).await?;
    let result = state.merger.release(&entry, &d.user_id).await?;
    Ok(Json(Released::of(result)))
}

/// The item as a file to keep: its details, its changes in base64, the document.
#[utoipa::path(get, path = "/admin/quarantine/{id}/export", tag = "quarantine", security(("device_token" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Export, description = "A download (Content-Disposition: attachment)"),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn export(
    State(state): State<AppState>,
    Device(d): Device,
    id: Result<Path<i64>, PathRejection>,
) -> Result<impl IntoResponse, AppError> {
    let (entry, changes) = item(&state, &d, id).await?;
    let view = Document::from(state.merger.quarantine_view(&entry).await?);
    let export = Export::of(&entry, &changes, view)?;
    let body = serde_json::to_string_pretty(&export).map_err(|e| AppError::Internal(e.into()))?;
    let disposition = format!("attachment; filename=\"quarantine-{}.json\"", entry.id);
    Ok((
        [(header::CONTENT_TYPE, "application/json".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        body,
    ))
}
