//! A person's alert channels (设置) and the defaults an administrator sets per unit.
//!
//! `GET/PUT /me/alert-channels`: what reaches me — SMS when Web Push does not in time, quiet
//! hours for non-urgent messages — as I set it, as my unit's default says, and in force.
//! `GET/PUT /admin/units/{code}/alert-defaults`: a unit's default, for its people and the
//! units below it, by an administrator whose jurisdiction covers it.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};

use super::json::JsonBody;
use super::wire::alerts::{InForce, MyAlertChannels, Prefs, UnitAlertDefaults};
use crate::alerts::prefs::{AlertPrefs, PrefsLayer};
use crate::auth::Device;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/alert-channels", get(mine).put(set_mine))
        .route("/admin/units/{code}/alert-defaults", get(unit_defaults).put(set_unit_defaults))
}

fn layer(JsonBody(prefs): JsonBody<Prefs>) -> Result<PrefsLayer, AppError> {
    let layer = PrefsLayer::from(prefs);
    layer.check()?;
    Ok(layer)
}

async fn mine_of(state: &AppState, user: &str, unit: &str) -> Result<MyAlertChannels, AppError> {
    let own = state.store.prefs_layer(&format!("user:{user}")).await?.unwrap_or_default();
    let unit_default = AlertPrefs::resolve(&state.store.unit_prefs_layers(unit).await?);
    let effective = state.store.alert_prefs(user).await?;
    Ok(MyAlertChannels {
        own: own.into(),
        unit_default: unit_default.into(),
        effective: effective.into(),
        sms_configured: state.sender.plan.sms.is_some(),
        phone_on_roster: state.store.roster_phone(user).await?.is_some(),
        push_phones: state.store.push_phones(user).await?,
    })
}

#[utoipa::path(get, path = "/me/alert-channels", tag = "alerts", security(("device_token" = [])),
    responses((status = 200, body = MyAlertChannels), (status = 401, body = ErrorBody)))]
pub(super) async fn mine(
    State(state): State<AppState>,
    Device(d): Device,
) -> Result<Json<MyAlertChannels>, AppError> {
    Ok(Json(mine_of(&state, &d.user_id, &d.unit_code).await?))
}

#[utoipa::path(put, path = "/me/alert-channels", tag = "alerts", security(("device_token" = [])),
    request_body = Prefs, responses((status = 200, body = MyAlertChannels), (status = 400, body = ErrorBody)))]
pub(super) async fn set_mine(
    State(state): State<AppState>,
    Device(d): Device,
    req: JsonBody<Prefs>,
) -> Result<Json<MyAlertChannels>, AppError> {
    let layer = layer(req)?;
    state.store.set_prefs_layer(&format!("user:{}", d.user_id), &layer, &d.user_id).await?;
    Ok(Json(mine_of(&state, &d.user_id, &d.unit_code).await?))
}

async fn unit_of(state: &AppState, code: &str) -> Result<UnitAlertDefaults, AppError> {
    let own = state.store.prefs_layer(&format!("unit:{code}")).await?.unwrap_or_default();
    let effective = AlertPrefs::resolve(&state.store.unit_prefs_layers(code).await?);
    Ok(UnitAlertDefaults { unit: code.to_string(), own: own.into(), effective: InForce::from(effective) })
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

#[utoipa::path(get, path = "/admin/units/{code}/alert-defaults", tag = "alerts", security(("device_token" = [])),
    params(("code" = String, Path, description = "The unit's code")),
    responses((status = 200, body = UnitAlertDefaults), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn unit_defaults(
    State(state): State<AppState>,
    Device(d): Device,
    Path(code): Path<String>,
) -> Result<Json<UnitAlertDefaults>, AppError> {
    let code = unit_in_scope(&state, &d, &code).await?;
    Ok(Json(unit_of(&state, &code).await?))
}

#[utoipa::path(put, path = "/admin/units/{code}/alert-defaults", tag = "alerts", security(("device_token" = [])),
    params(("code" = String, Path, description = "The unit's code")), request_body = Prefs,
    responses((status = 200, body = UnitAlertDefaults), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn set_unit_defaults(
    State(state): State<AppState>,
    Device(d): Device,
    Path(code): Path<String>,
    req: Result<JsonBody<Prefs>, AppError>,
) -> Result<Json<UnitAlertDefaults>, AppError> {
    let code = unit_in_scope(&state, &d, &code).await?;
    let layer = layer(req?)?;
    state.store.set_prefs_layer(&format!("unit:{code}"), &layer, &d.user_id).await?;
    Ok(Json(unit_of(&state, &code).await?))
}
