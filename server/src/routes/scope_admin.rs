//! Administrators moving people between units: the person's devices drop what the old post
//! covered and receive the new post's records on their next sync (PROTOCOL.md §10).

use super::json::JsonBody;
use super::wire::admin::{MoveRequest, Moved, MovedTo};
use crate::auth::Device;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::routing::post;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/users/{id}/move", post(move_user)).layer(DefaultBodyLimit::max(4 * 1024))
}

/// Same rules as every admin action: administrators only, and a person outside the
/// administrator's jurisdiction answers like one who does not exist. The new unit must be
/// inside it too: nobody hands people to a unit they do not run.
#[utoipa::path(post, path = "/admin/users/{id}/move", tag = "admin", security(("device_token" = [])),
    params(("id" = String, Path, description = "The person's user id")), request_body = MoveRequest,
    responses((status = 200, body = Moved), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(super) async fn move_user(
    State(state): State<AppState>,
    Device(d): Device,
    id: Result<Path<String>, PathRejection>,
    req: Result<JsonBody<MoveRequest>, AppError>,
) -> Result<Json<Moved>, AppError> {
    if !super::admin::policy::manages_units(&d.role) {
        return Err(AppError::Forbidden("only administrators move people".into()));
    }
    let Path(user_id) = id.map_err(|_| AppError::NotFound)?;
    let JsonBody(req) = req?;
    let who = state.store.assignee(&user_id).await?;
    if !who.is_some_and(|w| d.covers(&w.unit.path)) {
        return Err(AppError::NotFound);
    }
    let unit = state.store.unit(req.unit.trim()).await?.ok_or_else(|| {
        AppError::BadRequest(format!(
            "unit {:?} does not exist",
            req.unit.chars().take(32).collect::<String>()
        ))
    })?;
    if !d.covers(&unit.path) {
        return Err(AppError::Forbidden(format!("unit {} is outside your jurisdiction", unit.code)));
    }
    let (_, to) = state.store.move_user(&user_id, &unit.code).await?;
    if let Some(notice) = state.store.announce_scope_change(std::slice::from_ref(&user_id)).await? {
        state.live.publish(notice);
    }
    tracing::info!(admin = %d.user_id, user = %user_id, unit = %to.code, "user moved");
    Ok(Json(Moved { user_id, unit: MovedTo::of(to) }))
}
