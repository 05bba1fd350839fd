use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use super::wire::session::Session;
use crate::auth::Device;
use crate::error::ErrorBody;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/session", get(session))
}

/// Who this device is signed in as.
#[utoipa::path(get, path = "/session", tag = "identity", security(("device_token" = [])),
    responses((status = 200, body = Session), (status = 401, body = ErrorBody)))]
pub(super) async fn session(State(state): State<AppState>, Device(d): Device) -> Json<Session> {
    Json(Session::of(&d, &state.merger.epoch))
}
