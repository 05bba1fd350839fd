use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Deserialize;
use sync_protocol::DocId;

use super::query::StrictQuery;
use super::wire::cases::CaseView;
use crate::auth::Device;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/cases", get(list)).route("/cases/{doc}", get(one))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct Page {
    /// 1–1000, default 100.
    limit: Option<i64>,
    offset: Option<i64>,
}

fn json(body: String) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], body)
}

/// The cases the caller can see, as their projections.
#[utoipa::path(get, path = "/cases", tag = "cases", security(("device_token" = [])), params(Page),
    responses((status = 200, body = Vec<CaseView>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(super) async fn list(
    State(state): State<AppState>,
    Device(d): Device,
    StrictQuery(p): StrictQuery<Page>,
) -> Result<impl IntoResponse, AppError> {
    let limit = p.limit.unwrap_or(100).clamp(1, 1000);
    let rows = state.store.cases_visible(&d.scope, limit, p.offset.unwrap_or(0).max(0)).await?;
    // The bodies are stored as JSON already; splice them rather than parse and re-encode.
    Ok(json(format!("[{}]", rows.join(","))))
}

/// One case's projection.
#[utoipa::path(get, path = "/cases/{doc}", tag = "cases", security(("device_token" = [])),
    params(("doc" = String, Path, description = "The case's document id")),
    responses((status = 200, body = CaseView), (status = 404, body = ErrorBody)))]
pub(super) async fn one(
    State(state): State<AppState>,
    Device(d): Device,
    Path(doc): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    let doc: DocId = doc.parse().map_err(|_| AppError::NotFound)?;
    let body = state.store.case_visible(&d.scope, doc).await?.ok_or(AppError::NotFound)?;
    Ok(json(body))
}
