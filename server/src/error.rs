//! One error type for every handler. Client errors carry a machine-readable code and a message
//! in one JSON shape; internal errors become a plain 500, logged once here, never leaked.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::store::StoreError;

/// The `Unauthorized` code of a scrape of `/metrics` without its token.
pub const METRICS_TOKEN: &str = "metrics_token_required";

/// The body of every refusal.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Machine-readable: `bad_request`, `forbidden`, `not_found`, `bad_credentials`,
    /// `too_many_attempts`, `storage_full`, …
    pub code: String,
    /// For people, in English.
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no valid device token.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 401 `bad_credentials`: wrong phone number, code or password — one answer for all three,
    /// so nobody learns which phone numbers have accounts.
    #[error("wrong phone number, code or password")]
    BadCredentials,
    /// 429 `too_many_attempts` with Retry-After (seconds): locked out after repeated failures.
    #[error("too many failed attempts; try again in {0} seconds")]
    TooManyAttempts(u64),
    /// 429 `too_many_streams`: the device already holds as many live streams as it may.
    #[error("this device already has {0} live streams open; close one first")]
    TooManyStreams(usize),
    /// 403: allowed to see it, not to do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404: does not exist, or is outside the caller's jurisdiction (the same answer).
    #[error("not found")]
    NotFound,
    /// 413: more than one request may carry.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415: the body is not the expected media type.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 503 `storage_full` with Retry-After: no room to store this now; nothing was stored, and
    /// the same request will succeed once there is.
    #[error("the server cannot store this now ({0}); retry later")]
    StorageFull(String),
    /// 503: try again shortly.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a bug or an unreachable database.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(m) => AppError::BadRequest(m),
            StoreError::NotFound(_) => AppError::NotFound,
            e if e.is_storage_full() => AppError::StorageFull(e.to_string()),
            e => AppError::Internal(e.into()),
        }
    }
}

impl From<crate::merge::MergeError> for AppError {
    fn from(e: crate::merge::MergeError) -> Self {
        use crate::merge::MergeError as M;
        match e {
            M::Invalid(m) => AppError::BadRequest(m),
            M::Forbidden(m) => AppError::Forbidden(m),
            M::NotFound => AppError::NotFound,
            M::TooLarge(m) => AppError::PayloadTooLarge(m),
            M::Busy(m) => AppError::Unavailable(m),
            M::Store(e) => e.into(),
            M::Internal(e) => AppError::Internal(e),
        }
    }
}

impl AppError {
    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            AppError::Unauthorized(code) => (StatusCode::UNAUTHORIZED, code),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
            AppError::TooManyAttempts(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
            AppError::TooManyStreams(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_streams"),
            AppError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            AppError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            AppError::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            AppError::StorageFull(_) => (StatusCode::SERVICE_UNAVAILABLE, "storage_full"),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        let message = match &self {
            AppError::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "internal error");
                "internal server error".to_string()
            }
            AppError::Unauthorized(METRICS_TOKEN) => {
                "the metrics token is required (Authorization: Bearer …)".into()
            }
            AppError::Unauthorized(_) => "a valid device token is required".to_string(),
            other => other.to_string(),
        };
        let mut res = (status, Json(ErrorBody { code: code.to_string(), message })).into_response();
        match self {
            AppError::TooManyAttempts(secs) => {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
            }
            // Logged where the state changes (`store::Space`), not once per refused request.
            AppError::StorageFull(_) => {
                res.headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, crate::store::RETRY_AFTER_SECS.into());
            }
            _ => {}
        }
        res
    }
}
