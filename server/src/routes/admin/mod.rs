//! The administrators' API: the org units and people of their jurisdiction, adding one, and
//! importing a roster (CSV or XLSX). Who may do what is in [`policy`]; every field is checked
//! here or in the store before anything is written, and values are always bound, never spliced
//! into SQL, so a name like `'); DROP TABLE users; --` is stored as typed.

pub mod policy;
pub mod qr;
pub mod quarantine;
pub(crate) mod roster;

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;

use crate::auth::Device;
use crate::error::{AppError, ErrorBody};
use crate::routes::json::JsonBody;
use crate::routes::query::StrictQuery;
use crate::routes::wire::admin::{
    AddedUser, LocationRequest, NewUnitRequest, NewUserRequest, UnitView, Units, UserView, Users,
};
use crate::state::AppState;
use crate::store::identity::normalise_phone;
use sync_protocol::Role;

use crate::store::{DeviceAuth, LatLon, NewUser, Unit};

/// A county's roster as XLSX is well under a megabyte; this leaves room without inviting abuse.
const MAX_ROSTER: usize = 8 * 1024 * 1024;
const MAX_FORM: usize = 16 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/units", get(units).post(add_unit))
        .route("/admin/units/{code}/location", put(set_location))
        .route("/admin/users", get(users).post(add_user))
        .merge(quarantine::router())
        .layer(DefaultBodyLimit::max(MAX_FORM))
        .merge(
            Router::new()
                .route("/admin/roster", post(roster::upload))
                .layer(DefaultBodyLimit::max(MAX_ROSTER)),
        )
}

fn require_people(d: &DeviceAuth) -> Result<(), AppError> {
    if policy::manages_people(&d.role) {
        return Ok(());
    }
    Err(AppError::Forbidden("only administrators and township leaders manage people".into()))
}

/// The unit `code`, which must exist and lie in the caller's jurisdiction.
async fn unit_in_scope(state: &AppState, d: &DeviceAuth, code: &str, what: &str) -> Result<Unit, AppError> {
    let unit = state
        .store
        .unit(code)
        .await?
        .ok_or_else(|| AppError::BadRequest(format!("{what} {} does not exist", shown(code))))?;
    if !d.covers(&unit.path) {
        return Err(AppError::Forbidden(format!("{what} {} is outside your jurisdiction", unit.code)));
    }
    Ok(unit)
}

/// A value for an error message: short, control characters escaped.
fn shown(s: &str) -> String {
    format!("{:?}", s.chars().take(32).collect::<String>())
}

/// The units of the caller's jurisdiction, in tree order.
#[utoipa::path(get, path = "/admin/units", tag = "admin", security(("device_token" = [])),
    responses((status = 200, body = Units), (status = 403, body = ErrorBody)))]
pub(crate) async fn units(State(state): State<AppState>, Device(d): Device) -> Result<Json<Units>, AppError> {
    require_people(&d)?;
    let mut units = Vec::new();
    for path in d.scope.paths() {
        units.extend(state.store.units_under(path).await?.iter().map(UnitView::of));
    }
    Ok(Json(Units { units }))
}

/// Both coordinates or neither; a half-given point is a typo, refused.
fn location_of(latitude: Option<f64>, longitude: Option<f64>) -> Result<Option<LatLon>, AppError> {
    match (latitude, longitude) {
        (None, None) => Ok(None),
        (Some(lat), Some(lon)) => Ok(Some(LatLon::new(lat, lon)?)),
        _ => Err(AppError::BadRequest("give both latitude and longitude, or neither".into())),
    }
}

/// Place a unit of the caller's jurisdiction on the map (`null`s take it off).
#[utoipa::path(put, path = "/admin/units/{code}/location", tag = "admin", security(("device_token" = [])),
    params(("code" = String, Path, description = "The unit's code")), request_body = LocationRequest,
    responses((status = 200, body = UnitView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn set_location(
    State(state): State<AppState>,
    Device(d): Device,
    Path(code): Path<String>,
    req: Result<JsonBody<LocationRequest>, AppError>,
) -> Result<Json<UnitView>, AppError> {
    if !policy::manages_units(&d.role) {
        return Err(AppError::Forbidden("only administrators place units".into()));
    }
    let JsonBody(req) = req?;
    let at = location_of(req.latitude, req.longitude)?;
    let unit = unit_in_scope(&state, &d, code.trim(), "unit").await?;
    state.store.set_unit_location(&unit.code, at).await?;
    Ok(Json(UnitView::located(&unit, at)))
}

#[utoipa::path(post, path = "/admin/units", tag = "admin", security(("device_token" = [])),
    request_body = NewUnitRequest,
    responses((status = 201, body = UnitView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn add_unit(
    State(state): State<AppState>,
    Device(d): Device,
    req: Result<JsonBody<NewUnitRequest>, AppError>,
) -> Result<(StatusCode, Json<UnitView>), AppError> {
    if !policy::manages_units(&d.role) {
        return Err(AppError::Forbidden("only administrators add units".into()));
    }
    let JsonBody(req) = req?;
    let at = location_of(req.latitude, req.longitude)?;
    let parent = unit_in_scope(&state, &d, req.parent.trim(), "parent unit").await?;
    if !policy::fits_under(&req.kind, &parent.kind) {
        return Err(AppError::BadRequest(format!(
            "a unit of kind {} cannot go under {} {} (a {})",
            shown(&req.kind),
            parent.code,
            parent.name,
            parent.kind
        )));
    }
    if state.store.unit(req.code.trim()).await?.is_some() {
        return Err(AppError::BadRequest(format!("unit code {} is taken", req.code.trim())));
    }
    let unit =
        state.store.create_unit(req.code.trim(), req.name.trim(), &req.kind, Some(&parent.code)).await?;
    if at.is_some() {
        state.store.set_unit_location(&unit.code, at).await?;
    }
    Ok((StatusCode::CREATED, Json(UnitView::located(&unit, at))))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct UserPage {
    /// One unit's code (default: the whole jurisdiction).
    unit: Option<String>,
    /// 1–5000, default 1000.
    limit: Option<i64>,
    offset: Option<i64>,
}

/// People in the caller's jurisdiction (or one unit of it), with whether they have enrolled and
/// how many working devices they have.
#[utoipa::path(get, path = "/admin/users", tag = "admin", security(("device_token" = [])), params(UserPage),
    responses((status = 200, body = Users), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn users(
    State(state): State<AppState>,
    Device(d): Device,
    q: Result<StrictQuery<UserPage>, AppError>,
) -> Result<Json<Users>, AppError> {
    require_people(&d)?;
    let StrictQuery(q) = q?;
    let (limit, offset) = (q.limit.unwrap_or(1_000).clamp(1, 5_000), q.offset.unwrap_or(0).max(0));
    let paths = match q.unit.as_deref() {
        Some(code) => vec![unit_in_scope(&state, &d, code, "unit").await?.path],
        None => d.scope.paths().to_vec(),
    };
    let mut users = Vec::new();
    for path in &paths {
        users.extend(state.store.users_under(path, limit, offset).await?.into_iter().map(UserView::from));
    }
    Ok(Json(Users { users }))
}

#[utoipa::path(post, path = "/admin/users", tag = "admin", security(("device_token" = [])),
    request_body = NewUserRequest,
    responses((status = 201, body = AddedUser), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn add_user(
    State(state): State<AppState>,
    Device(d): Device,
    req: Result<JsonBody<NewUserRequest>, AppError>,
) -> Result<(StatusCode, Json<AddedUser>), AppError> {
    require_people(&d)?;
    let JsonBody(req) = req?;
    if req.role.parse::<Role>().is_err() {
        return Err(AppError::BadRequest(format!(
            "role {} is not one of {}",
            shown(&req.role),
            Role::list()
        )));
    }
    if !policy::may_grant(&d.role, &req.role) {
        return Err(AppError::Forbidden(format!("a {} may not create a {}", d.role, req.role)));
    }
    let unit = unit_in_scope(&state, &d, req.unit.trim(), "unit").await?;
    if !sync_protocol::roles::fits(&req.role, &unit.kind) {
        return Err(AppError::BadRequest(format!(
            "a {} cannot belong to {} (a {})",
            req.role, unit.code, unit.kind
        )));
    }
    let phone = match req.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(raw) => Some(
            normalise_phone(raw)
                .ok_or_else(|| AppError::BadRequest(format!("phone {} is not a phone number", shown(raw))))?,
        ),
    };
    if let Some(p) = &phone
        && !state.store.phone_owners(std::slice::from_ref(p)).await?.is_empty()
    {
        return Err(AppError::BadRequest("this phone number is already registered".into()));
    }
    let id = match req.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => id.to_string(),
        None => crate::roster::fresh_id(),
    };
    if state.store.user_unit_path(&id).await?.is_some() {
        return Err(AppError::BadRequest(format!("user id {id} is taken")));
    }
    let user = NewUser { id, name: req.name.trim().to_string(), phone, role: req.role, unit_code: unit.code };
    state.store.create_user(&user).await?;
    Ok((StatusCode::CREATED, Json(AddedUser::of(user))))
}
