//! A person's alert channels (设置) and the defaults an administrator sets per unit.
//!
//! `GET/PUT /me/alert-channels`: what reaches me — SMS when Web Push does not in time, quiet
//! hours for non-urgent messages — as I set it, as my unit's default says, and in force.
//! `GET/PUT /admin/units/{code}/alert-defaults`: a unit's default, for its people and the
//! units below it, by an administrator whose jurisdiction covers it.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::alerts::prefs::{AlertPrefs, PrefsLayer};
use crate::auth::Device;
use crate::error::AppError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/alert-channels", get(mine).put(set_mine))
        .route("/admin/units/{code}/alert-defaults", get(unit_defaults).put(set_unit_defaults))
}

fn body(json: Result<Json<PrefsLayer>, JsonRejection>) -> Result<PrefsLayer, AppError> {
    let layer = json.map(|Json(t)| t).map_err(|r| AppError::BadRequest(r.body_text()))?;
    layer.check()?;
    Ok(layer)
}

async fn mine_json(state: &AppState, user: &str, unit: &str) -> Result<Value, AppError> {
    let own = state.store.prefs_layer(&format!("user:{user}")).await?.unwrap_or_default();
    let unit_default = AlertPrefs::resolve(&state.store.unit_prefs_layers(unit).await?);
    let effective = state.store.alert_prefs(user).await?;
    Ok(json!({
        "own": own,
        "unit_default": unit_default,
        "effective": effective,
        "sms_configured": state.sender.plan.sms.is_some(),
        "phone_on_roster": state.store.roster_phone(user).await?.is_some(),
        "push_phones": state.store.push_phones(user).await?,
    }))
}

async fn mine(State(state): State<AppState>, Device(d): Device) -> Result<Json<Value>, AppError> {
    Ok(Json(mine_json(&state, &d.user_id, &d.unit_code).await?))
}

async fn set_mine(
    State(state): State<AppState>,
    Device(d): Device,
    req: Result<Json<PrefsLayer>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let layer = body(req)?;
    state.store.set_prefs_layer(&format!("user:{}", d.user_id), &layer, &d.user_id).await?;
    Ok(Json(mine_json(&state, &d.user_id, &d.unit_code).await?))
}

async fn unit_json(state: &AppState, code: &str) -> Result<Value, AppError> {
    let own = state.store.prefs_layer(&format!("unit:{code}")).await?.unwrap_or_default();
    let effective = AlertPrefs::resolve(&state.store.unit_prefs_layers(code).await?);
    Ok(json!({ "unit": code, "own": own, "effective": effective }))
}

async fn unit_in_scope(
    state: &AppState,
    d: &crate::store::DeviceAuth,
    code: &str,
) -> Result<String, AppError> {
    if !super::admin::policy::manages_units(&d.role) {
        return Err(AppError::Forbidden("only administrators set a unit's alert defaults".into()));
    }
    let unit = state.store.unit(code.trim()).await?.ok_or(AppError::NotFound)?;
    if !d.covers(&unit.path) {
        return Err(AppError::Forbidden(format!("unit {} is outside your jurisdiction", unit.code)));
    }
    Ok(unit.code)
}

async fn unit_defaults(
    State(state): State<AppState>,
    Device(d): Device,
    Path(code): Path<String>,
) -> Result<Json<Value>, AppError> {
    let code = unit_in_scope(&state, &d, &code).await?;
    Ok(Json(unit_json(&state, &code).await?))
}

async fn set_unit_defaults(
    State(state): State<AppState>,
    Device(d): Device,
    Path(code): Path<String>,
    req: Result<Json<PrefsLayer>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let code = unit_in_scope(&state, &d, &code).await?;
    let layer = body(req)?;
    state.store.set_prefs_layer(&format!("unit:{code}"), &layer, &d.user_id).await?;
    Ok(Json(unit_json(&state, &code).await?))
}
