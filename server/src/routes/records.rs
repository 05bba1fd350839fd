//! Petition items and downward visits in the caller's jurisdiction, as the projection has them.
//! Petitions come by next statutory deadline with the days left computed by the same rule the
//! PWA shows (`sync_protocol::rules::petition`); visits newest first; and the villages a person
//! may record them for, for the forms.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sync_protocol::DocId;
use sync_protocol::rules::petition::days_left_to;

use crate::auth::Device;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{DeviceAuth, LatLon, RecordListing, now_ms};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/petitions", get(petitions))
        .route("/petitions/{doc}/confirm-date", post(confirm_date))
        .route("/visits", get(visits))
        .route("/villages", get(villages))
}

#[derive(Serialize)]
struct PetitionItem {
    #[serde(flatten)]
    record: RecordListing,
    /// Days left before `due_at` (0 on the last day, negative when overdue); `None` when no
    /// deadline runs.
    days_left: Option<i64>,
    /// No deadline left, or the petitioner's window to ask for review has closed.
    finished: bool,
}

async fn in_scope(state: &AppState, d: &DeviceAuth, kind: &str) -> Result<Vec<RecordListing>, AppError> {
    let mut out = Vec::new();
    for path in d.scope.paths() {
        out.extend(state.store.records(kind, path, None).await?);
    }
    Ok(out)
}

async fn petitions(
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfirmDate {
    /// The corrected date's `field` as `pending_dates` lists it (`decision.at`).
    field: String,
    /// When the step happened (Unix ms).
    date: i64,
}

/// A leader confirms a date the server corrected for a wrong clock (PROTOCOL.md §11).
async fn confirm_date(
    State(state): State<AppState>,
    Device(d): Device,
    Path(doc): Path<String>,
    req: Result<Json<ConfirmDate>, JsonRejection>,
) -> Result<StatusCode, AppError> {
    let req = req.map(|Json(r)| r).map_err(|r| AppError::BadRequest(r.body_text()))?;
    let doc: DocId = doc.parse().map_err(|_| AppError::NotFound)?;
    state.merger.confirm_petition_date(&d, doc, &req.field, req.date).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn visits(
    State(state): State<AppState>,
    Device(d): Device,
) -> Result<Json<Vec<RecordListing>>, AppError> {
    let mut items = in_scope(&state, &d, "visit").await?;
    items.sort_by_key(|v| std::cmp::Reverse(v.at));
    Ok(Json(items))
}

#[derive(Serialize)]
struct Village {
    code: String,
    name: String,
    /// Where it is, when an administrator has said so: the leaders' offline map draws from it.
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    at: Option<LatLon>,
}

async fn villages(State(state): State<AppState>, Device(d): Device) -> Result<Json<Vec<Village>>, AppError> {
    let at = state.store.unit_locations().await?;
    let mut out: Vec<(String, Village)> = state
        .store
        .units()
        .await?
        .into_iter()
        .filter(|u| u.is(sync_protocol::UnitKind::Village) && d.covers(&u.path))
        .map(|u| (u.path, Village { at: at.get(&u.code).copied(), code: u.code, name: u.name }))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Json(out.into_iter().map(|(_, v)| v).collect()))
}
