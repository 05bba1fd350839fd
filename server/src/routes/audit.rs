//! A case's history (who, when, which fields, old → new) as JSON or CSV, and the case as it stood
//! at a given time. A case outside the caller's jurisdiction answers exactly like one that does
//! not exist, as `GET /cases/{doc}` does.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use sync_protocol::DocId;

use super::query::StrictQuery;
use super::wire::audit::History;
use super::wire::cases::AsOf;
use crate::audit::{self, export};
use crate::auth::Device;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;
use crate::store::DeviceAuth;

pub fn router() -> Router<AppState> {
    Router::new().route("/cases/{doc}/history", get(history)).route("/cases/{doc}/as-of", get(as_of))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct HistoryQuery {
    /// `json` (the default) or `csv`.
    format: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct AsOfQuery {
    /// Milliseconds since the epoch, or an RFC 3339 time.
    at: Option<String>,
}

/// The case and its unit path, if it exists and the caller may see it (the scope check every
/// document read uses); otherwise 404, the same for both, so nobody learns which ids exist.
async fn visible(state: &AppState, d: &DeviceAuth, doc: &str) -> Result<(DocId, String), AppError> {
    let doc: DocId = doc.parse().map_err(|_| AppError::NotFound)?;
    match state.store.doc_kind_path(doc).await? {
        Some((kind, path)) if kind == "case" && d.covers_doc(&path, doc) => Ok((doc, path)),
        _ => Err(AppError::NotFound),
    }
}

/// Replaying a long log is CPU work: keep it off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AppError::Internal(e.into()))
}

/// Who changed what in a case, as JSON or a CSV download.
#[utoipa::path(get, path = "/cases/{doc}/history", tag = "cases", security(("device_token" = [])),
    params(("doc" = String, Path, description = "The case's document id"), HistoryQuery),
    responses((status = 200, content((History = "application/json"), (String = "text/csv"))),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn history(
    State(state): State<AppState>,
    Device(d): Device,
    Path(doc): Path<String>,
    StrictQuery(q): StrictQuery<HistoryQuery>,
) -> Result<Response, AppError> {
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => return Err(AppError::BadRequest(format!("format {other:?} is not json or csv"))),
    };
    let (doc, _) = visible(&state, &d, &doc).await?;
    let log = state.store.change_log(doc, None).await?;
    let entries = blocking(move || audit::history(&log)).await?.map_err(|e| AppError::Internal(e.into()))?;
    if !csv {
        return Ok(axum::Json(History { doc: doc.to_string(), entries }).into_response());
    }
    let bytes = export::csv(&entries).map_err(|e| AppError::Internal(e.into()))?;
    let disposition = format!("attachment; filename=\"case-{doc}-history.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// `at`: milliseconds since the epoch, or RFC 3339 (`2026-11-27T08:00:00+08:00`).
fn parse_at(raw: &str) -> Result<i64, AppError> {
    let raw = raw.trim();
    if let Ok(ms) = raw.parse::<i64>() {
        return Ok(ms);
    }
    chrono::DateTime::parse_from_rfc3339(raw).map(|t| t.timestamp_millis()).map_err(|_| {
        AppError::BadRequest(format!(
            "at {:?} is neither milliseconds since the epoch nor an RFC 3339 time",
            raw.chars().take(40).collect::<String>()
        ))
    })
}

/// The case as the server held it at `at`: every change the server had committed by then
/// (server clock), whatever the phones' clocks claimed.
#[utoipa::path(get, path = "/cases/{doc}/as-of", tag = "cases", security(("device_token" = [])),
    params(("doc" = String, Path, description = "The case's document id"), AsOfQuery),
    responses((status = 200, body = AsOf), (status = 400, body = ErrorBody),
        (status = 404, description = "No such case, or it did not exist yet", body = ErrorBody)))]
pub(super) async fn as_of(
    State(state): State<AppState>,
    Device(d): Device,
    Path(doc): Path<String>,
    StrictQuery(q): StrictQuery<AsOfQuery>,
) -> Result<Response, AppError> {
    let raw = q.at.ok_or_else(|| AppError::BadRequest("at is required".into()))?;
    let at = parse_at(&raw)?;
    let (doc, _) = visible(&state, &d, &doc).await?;
    let log = state.store.change_log(doc, Some(at)).await?;
    let Some(am) = blocking(move || audit::rebuild(&log)).await?.map_err(|e| AppError::Internal(e.into()))?
    else {
        let message =
            format!("case {doc} did not exist yet at {}", sync_protocol::calendar::beijing_rfc3339(at));
        let body = ErrorBody { code: "not_found".into(), message };
        return Ok((StatusCode::NOT_FOUND, axum::Json(body)).into_response());
    };
    let body = audit::case_json(doc, &am);
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
