//! Petition items and downward visits in the caller's jurisdiction, as the projection has them.
//! Petitions come by next statutory deadline with the days left computed by the same rule the
//! PWA shows (`sync_protocol::rules::petition`); visits newest first; and the villages a person
//! may record them for, for the forms.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use sync_protocol::DocId;
use sync_protocol::rules::petition::days_left_to;

use super::json::JsonBody;
use super::wire::records::{ConfirmDate, PetitionItem, Record, Village};
use crate::auth::Device;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;
use crate::store::{DeviceAuth, now_ms};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/petitions", get(petitions))
        .route("/petitions/{doc}/confirm-date", post(confirm_date))
        .route("/visits", get(visits))
        .route("/villages", get(villages))
}

async fn in_scope(state: &AppState, d: &DeviceAuth, kind: &str) -> Result<Vec<Record>, AppError> {
    let mut out = Vec::new();
    for path in d.scope.paths() {
        out.extend(state.store.records(kind, path, None).await?.into_iter().map(Record::from));
    }
    Ok(out)
}

/// Petition items by next statutory deadline, nearest (or most overdue) first.
#[utoipa::path(get, path = "/petitions", tag = "records", security(("device_token" = [])),
    responses((status = 200, body = Vec<PetitionItem>), (status = 401, body = ErrorBody)))]
pub(super) async fn petitions(
    State(state): State<AppState>,
    Device(d): Device,
) -> Result<Json<Vec<PetitionItem>>, AppError> {
    let now = now_ms();
    let mut items: Vec<PetitionItem> = in_scope(&state, &d, "petition")
        .await?
        .into_iter()
        .map(|record| {
            let days_left = record.due_at.map(|due| days_left_to(due, now));
            let petitioners = record.body["deadline"]["owner"] == "petitioner";
            let finished = days_left.is_none_or(|left| petitioners && left < 0);
            PetitionItem { record, days_left, finished }
        })
        .collect();
    // Open items by deadline, nearest (or most overdue) first; finished ones after, newest first.
    items.sort_by_key(|p| (p.finished, p.record.due_at.unwrap_or(i64::MAX), -p.record.at.unwrap_or(0)));
    Ok(Json(items))
}

/// A leader confirms a date the server corrected for a wrong clock (PROTOCOL.md §11).
#[utoipa::path(post, path = "/petitions/{doc}/confirm-date", tag = "records", security(("device_token" = [])),
    params(("doc" = String, Path, description = "The petition's document id")), request_body = ConfirmDate,
    responses((status = 204, description = "Confirmed"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn confirm_date(
    State(state): State<AppState>,
    Device(d): Device,
    Path(doc): Path<String>,
    JsonBody(req): JsonBody<ConfirmDate>,
) -> Result<StatusCode, AppError> {
    let doc: DocId = doc.parse().map_err(|_| AppError::NotFound)?;
    state.merger.confirm_petition_date(&d, doc, &req.field, req.date).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Downward visits, newest first.
#[utoipa::path(get, path = "/visits", tag = "records", security(("device_token" = [])),
    responses((status = 200, body = Vec<Record>), (status = 401, body = ErrorBody)))]
pub(super) async fn visits(
    State(state): State<AppState>,
    Device(d): Device,
) -> Result<Json<Vec<Record>>, AppError> {
    let mut items = in_scope(&state, &d, "visit").await?;
    items.sort_by_key(|v| std::cmp::Reverse(v.at));
    Ok(Json(items))
}

/// The villages the caller may record for, with where they are when known (the leaders'
/// offline map draws from it).
#[utoipa::path(get, path = "/villages", tag = "records", security(("device_token" = [])),
    responses((status = 200, body = Vec<Village>), (status = 401, body = ErrorBody)))]
pub(super) async fn villages(
    State(state): State<AppState>,
    Device(d): Device,
) -> Result<Json<Vec<Village>>, AppError> {
    let at = state.store.unit_locations().await?;
    let mut out: Vec<(String, Village)> = state
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.is(sync_protocol::UnitKind::Village) && d.covers(&u.path))
        .map(|u| {
            let p = at.get(&u.code);
            let village = Village {
                latitude: p.map(|p| p.latitude),
                longitude: p.map(|p| p.longitude),
                code: u.code,
                name: u.name,
            };
            (u.path, village)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Json(out.into_iter().map(|(_, v)| v).collect()))
}
