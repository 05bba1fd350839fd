//! The bearer device token, checked once per request by an extractor so no handler reads headers.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::AppError;
use crate::state::AppState;
use crate::store::{DeviceAuth, token_hash};

/// An authenticated device in good standing (neither revoked nor retiring) and its user.
pub struct Device(pub DeviceAuth);

/// A device that may still deliver what it holds: in good standing, or retiring. A retiring
/// device (a phone handed back) keeps only this: its last sync and the photos that sync lists.
/// It reads nothing else, cannot renew its token and hears no live notices, so a phone that
/// never syncs again holds nothing open.
pub struct LastUpload(pub DeviceAuth);

async fn authenticate(parts: &Parts, state: &AppState) -> Result<DeviceAuth, AppError> {
    let token = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 256)
        .ok_or(AppError::Unauthorized("unauthorized"))?;
    let device = state
        .store
        .device_by_token_hash(&token_hash(token))
        .await?
        .ok_or(AppError::Unauthorized("unauthorized"))?;
    if device.revoked {
        return Err(AppError::Unauthorized("device_revoked"));
    }
    Ok(device)
}

impl FromRequestParts<AppState> for Device {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let device = authenticate(parts, state).await?;
        if device.retiring {
            // Not `device_revoked`: the phone must not wipe what it has yet to upload.
            return Err(AppError::Unauthorized("device_retiring"));
        }
        let span = tracing::Span::current();
        span.record("device", device.device_id);
        span.record("user", device.user_id.as_str());
        Ok(Device(device))
    }
}

impl FromRequestParts<AppState> for LastUpload {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(LastUpload(authenticate(parts, state).await?))
    }
}
