use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::auth::Device;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/session", get(session))
}

async fn session(State(state): State<AppState>, Device(d): Device) -> Json<Value> {
    Json(json!({
        "user": { "id": d.user_id, "name": d.user_name, "role": d.role },
        "unit": { "code": d.unit_code, "name": d.unit_name, "path": d.unit_path },
        "device": { "id": d.device_id, "actor_prefix": d.actor_prefix.to_string() },
        "epoch": state.merger.epoch,
    }))
}
