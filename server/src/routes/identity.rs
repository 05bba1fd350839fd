//! Enrolment, login, a person's devices, and administrators handing out enrolment codes.
//!
//! Enrolment and login share one lockout: failures count against the phone number (whether or
//! not anyone has it) and against the client address, and every refusal looks the same, so the
//! endpoints answer neither "which numbers exist" nor "keep guessing".

use super::json::JsonBody;
use super::wire::identity::{
    Device as DeviceView, Devices, EnrolRequest, IssuedCode, LoginRequest, NewDevice, RenameRequest, Renamed,
    Retiring, Revoked, Token,
};
use crate::auth::Device;
use crate::client_ip::ClientIp;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;
use crate::store::identity::{
    ADDR_FAILURES, CODE_DIGITS, MAX_PASSWORD, MIN_PASSWORD, PHONE_FAILURES, addr_key, hash_secret,
    normalise_phone, phone_key, verify_secret,
};
use axum::extract::rejection::PathRejection;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::routing::{get, post, put};
use axum::{Json, Router};

/// Credentials are small; anything bigger is not a login.
const MAX_BODY: usize = 16 * 1024;
/// Attempts allowed per phone number and per client address (see `count_attempt`).
const LIMITS: [i64; 2] = [PHONE_FAILURES, ADDR_FAILURES];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enrol", post(enrol))
        .route("/login", post(login))
        .route("/token/rotate", post(rotate))
        .route("/devices", get(devices))
        .route("/devices/self/name", put(rename))
        .route("/devices/{id}/revoke", post(revoke))
        .route("/devices/{id}/retire", post(retire))
        .route("/admin/users/{id}/enrolment-code", post(issue_code))
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// The client's address ("unknown" if the server was built without it): the peer, or what a
/// trusted reverse proxy says (see [`crate::client_ip`]).
pub struct ClientAddr(String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let addr = parts.extensions.get::<ClientIp>().map(|c| c.0.to_string());
        Ok(ClientAddr(addr.unwrap_or_else(|| "unknown".into())))
    }
}

fn check_password(p: &str) -> Result<(), AppError> {
    let n = p.chars().count();
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&n) {
        return Err(AppError::BadRequest(format!(
            "the password must be {MIN_PASSWORD}–{MAX_PASSWORD} characters"
        )));
    }
    Ok(())
}

fn label(l: Option<String>) -> Result<String, AppError> {
    let l = l.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).unwrap_or_else(|| "手机".into());
    if l.chars().count() > 60 || l.chars().any(char::is_control) {
        return Err(AppError::BadRequest(
            "a device name (label) must be at most 60 printable characters".into(),
        ));
    }
    Ok(l)
}

/// Count the attempt against its phone number and client address; refused with 429 while
/// either is locked. Counting comes first, so concurrent guesses cannot outrun the lock.
async fn guard(state: &AppState, phone: &str, addr: &ClientAddr) -> Result<[String; 2], AppError> {
    let keys = [phone_key(phone), addr_key(&addr.0)];
    for (key, limit) in keys.iter().zip(LIMITS) {
        if let Some(ms) = state.store.count_attempt(key, limit).await? {
            return Err(AppError::TooManyAttempts(((ms + 999) / 1000) as u64));
        }
    }
    Ok(keys)
}

/// The attempt succeeded: the phone number's failures are forgotten, and the address is let off
/// this one attempt (many people may share it).
async fn succeeded(state: &AppState, keys: &[String; 2]) -> Result<(), AppError> {
    state.store.clear_failures(&keys[0]).await?;
    state.store.forgive_attempt(&keys[1], ADDR_FAILURES).await?;
    Ok(())
}

async fn new_device(state: &AppState, user_id: &str, label: &str) -> Result<Json<NewDevice>, AppError> {
    let d = state.store.issue_device(user_id, label, None).await?;
    Ok(Json(NewDevice::of(user_id, d)))
}

/// Phone + one-time code + a new password → a registered device.
#[utoipa::path(post, path = "/enrol", tag = "identity", request_body = EnrolRequest,
    responses((status = 200, body = NewDevice), (status = 400, body = ErrorBody),
        (status = 401, description = "`bad_credentials`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`, with Retry-After", body = ErrorBody)))]
pub(super) async fn enrol(
    State(state): State<AppState>,
    addr: ClientAddr,
    req: Result<JsonBody<EnrolRequest>, AppError>,
) -> Result<Json<NewDevice>, AppError> {
    let JsonBody(req) = req?;
    check_password(&req.password)?;
    let label = label(req.label)?;
    let phone = normalise_phone(&req.phone).unwrap_or(req.phone);
    let keys = guard(&state, &phone, &addr).await?;
    let creds = state.store.credentials(&phone).await?;
    let code = req.code.trim();
    let plausible = code.len() == CODE_DIGITS && code.bytes().all(|b| b.is_ascii_digit());
    let hash = creds.as_ref().and_then(|c| c.code_hash.as_deref()).filter(|_| plausible);
    if !verify_secret(code, hash).await {
        return Err(AppError::BadCredentials);
    }
    let user = creds.map(|c| c.user_id).unwrap_or_default();
    let password = hash_secret(&req.password).await?;
    if !state.store.complete_enrolment(&user, &password).await? {
        return Err(AppError::BadCredentials);
    }
    succeeded(&state, &keys).await?;
    new_device(&state, &user, &label).await
}

/// Phone + password → another device for someone already enrolled.
#[utoipa::path(post, path = "/login", tag = "identity", request_body = LoginRequest,
    responses((status = 200, body = NewDevice), (status = 400, body = ErrorBody),
        (status = 401, description = "`bad_credentials`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`, with Retry-After", body = ErrorBody)))]
pub(super) async fn login(
    State(state): State<AppState>,
    addr: ClientAddr,
    req: Result<JsonBody<LoginRequest>, AppError>,
) -> Result<Json<NewDevice>, AppError> {
    let JsonBody(req) = req?;
    let label = label(req.label)?;
    let phone = normalise_phone(&req.phone).unwrap_or(req.phone);
    let keys = guard(&state, &phone, &addr).await?;
    // An over-long password cannot be right; refusing it like any other keeps Argon2's work bounded.
    let sane = req.password.chars().count() <= MAX_PASSWORD;
    let creds = state.store.credentials(&phone).await?;
    let hash = creds.as_ref().and_then(|c| c.password_hash.as_deref()).filter(|_| sane);
    if !verify_secret(if sane { &req.password } else { "" }, hash).await {
        return Err(AppError::BadCredentials);
    }
    succeeded(&state, &keys).await?;
    let user = creds.map(|c| c.user_id).unwrap_or_default();
    new_device(&state, &user, &label).await
}

/// A fresh token for this device; the one that made the request stops working.
#[utoipa::path(post, path = "/token/rotate", tag = "identity", security(("device_token" = [])),
    responses((status = 200, body = Token), (status = 401, body = ErrorBody)))]
pub(super) async fn rotate(
    State(state): State<AppState>,
    Device(d): Device,
) -> Result<Json<Token>, AppError> {
    let token = state.store.rotate_token(d.device_id).await?;
    Ok(Json(Token { token }))
}

/// The caller's devices.
#[utoipa::path(get, path = "/devices", tag = "identity", security(("device_token" = [])),
    responses((status = 200, body = Devices), (status = 401, body = ErrorBody)))]
pub(super) async fn devices(
    State(state): State<AppState>,
    Device(d): Device,
) -> Result<Json<Devices>, AppError> {
    let devices = state
        .store
        .user_devices(&d.user_id)
        .await?
        .into_iter()
        .map(|x| DeviceView::of(x, d.device_id))
        .collect();
    Ok(Json(Devices { devices }))
}

/// Name this device as its owner knows it ("我的华为"): the name others see in the device list
/// and the audit trail. Blank, over-long or control characters are refused, nothing changed.
#[utoipa::path(put, path = "/devices/self/name", tag = "identity", security(("device_token" = [])),
    request_body = RenameRequest, responses((status = 200, body = Renamed), (status = 400, body = ErrorBody)))]
pub(super) async fn rename(
    State(state): State<AppState>,
    Device(d): Device,
    req: Result<JsonBody<RenameRequest>, AppError>,
) -> Result<Json<Renamed>, AppError> {
    let JsonBody(req) = req?;
    let name = req.name.trim().to_string();
    if name.is_empty() {
        return Err(AppError::BadRequest("a device name must not be blank".into()));
    }
    let name = label(Some(name))?;
    state.store.rename_device(d.device_id, &name).await?;
    Ok(Json(Renamed { id: d.device_id, label: name }))
}

/// A device id from the path, refused in the usual error shape when it is not a number.
fn device_id(p: Result<Path<i64>, PathRejection>) -> Result<i64, AppError> {
    p.map(|Path(id)| id).map_err(|_| AppError::BadRequest("a device id is a number".into()))
}

/// Sign out one of my devices (a lost phone): its next contact gets 401 `device_revoked`.
#[utoipa::path(post, path = "/devices/{id}/revoke", tag = "identity", security(("device_token" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Revoked), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn revoke(
    State(state): State<AppState>,
    Device(d): Device,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Revoked>, AppError> {
    let id = device_id(id)?;
    state.store.revoke_user_device(&d.user_id, id).await?;
    state.announce(crate::store::FeedNotice::revoked(&[id])).await?;
    Ok(Json(Revoked { id, revoked: true }))
}

/// Retire one of my devices (a phone handed back): it may upload once more, then it is revoked.
/// Until then it reads nothing (see [`crate::auth::LastUpload`]), so its live stream ends now.
#[utoipa::path(post, path = "/devices/{id}/retire", tag = "identity", security(("device_token" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Retiring), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn retire(
    State(state): State<AppState>,
    Device(d): Device,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Retiring>, AppError> {
    let id = device_id(id)?;
    state.store.retire_user_device(&d.user_id, id).await?;
    state.announce(crate::store::FeedNotice::revoked(&[id])).await?;
    Ok(Json(Retiring { id, retiring: true }))
}

/// An administrator (or a township leader, for the township's field staff: see
/// `admin::policy`) issues an enrolment code for someone in their jurisdiction. Someone outside
/// it answers exactly like someone who does not exist. The link comes also as a QR code (SVG)
/// of the absolute address, for printing.
#[utoipa::path(post, path = "/admin/users/{id}/enrolment-code", tag = "admin", security(("device_token" = [])),
    params(("id" = String, Path, description = "The person's user id")),
    responses((status = 200, body = IssuedCode), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn issue_code(
    State(state): State<AppState>,
    Device(d): Device,
    headers: axum::http::HeaderMap,
    Path(user_id): Path<String>,
) -> Result<Json<IssuedCode>, AppError> {
    if !super::admin::policy::manages_people(&d.role) {
        return Err(AppError::Forbidden(
            "only administrators and township leaders issue enrolment codes".into(),
        ));
    }
    let Some((role, _)) = state.store.user_role_path(&user_id).await?.filter(|(_, p)| d.covers(p)) else {
        return Err(AppError::NotFound);
    };
    if !super::admin::policy::may_grant(&d.role, &role) {
        return Err(AppError::Forbidden(format!("a {} may not issue codes to a {role}", d.role)));
    }
    let code = state.store.issue_enrolment_code(&user_id).await?;
    let qr_link = super::admin::qr::base_url(&headers).map(|base| code.link(&base));
    let qr_svg = qr_link.as_deref().and_then(super::admin::qr::svg);
    Ok(Json(IssuedCode::of(&code, qr_link, qr_svg)))
}
